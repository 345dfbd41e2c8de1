#include "copy_writer.hpp"

#include "errors.hpp"
#include "pg_error.hpp"

#include <libpq-fe.h>

#include <fmt/format.h>

#include <cstdlib>

namespace s2p {

CopyWriter::CopyWriter(pg_conn *conn, const std::string &copy_sql, std::string what)
    : m_conn(conn), m_what(std::move(what))
{
    m_buf.reserve(flush_bytes + flush_bytes / 4);
    PGresult *res = PQexec(m_conn, copy_sql.c_str());
    ExecStatusType const st = PQresultStatus(res);
    if (st != PGRES_COPY_IN) {
        std::string const msg = describe_pg_error(res, m_conn);
        PQclear(res);
        throw TargetError(fmt::format("cannot start loading {}: {}", m_what, msg));
    }
    PQclear(res);
    m_open = true;
}

CopyWriter::~CopyWriter()
{
    if (!m_open) return;
    // Abort the COPY and drain its results so the connection is usable for ROLLBACK.
    if (PQputCopyEnd(m_conn, "sqlite2pg: load aborted") == 1) {
        while (PGresult *res = PQgetResult(m_conn)) PQclear(res);
    }
}

void CopyWriter::flush()
{
    if (m_buf.empty()) return;
    if (PQputCopyData(m_conn, m_buf.data(), static_cast<int>(m_buf.size())) != 1) fail("sending data");
    m_sent += m_buf.size();
    m_buf.clear();
}

long long CopyWriter::finish()
{
    flush();
    m_open = false;
    if (PQputCopyEnd(m_conn, nullptr) != 1) fail("ending COPY");
    long long rows = -1;
    std::string error, sqlstate;
    while (PGresult *res = PQgetResult(m_conn)) {
        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            rows = std::atoll(PQcmdTuples(res));
        } else if (error.empty()) {
            error = describe_pg_error(res, m_conn);
            if (char const *state = PQresultErrorField(res, PG_DIAG_SQLSTATE)) sqlstate = state;
        }
        PQclear(res);
    }
    if (error.empty()) return rows;
    std::string const msg = fmt::format("loading {} failed: {}; nothing was written", m_what, error);
    // Classes 22 (data exception) and 23 (integrity constraint violation: duplicate
    // key, orphan row, CHECK) are the source data's fault, not the target's.
    if (sqlstate.starts_with("22") || sqlstate.starts_with("23")) throw DataError(msg);
    throw TargetError(msg);
}

void CopyWriter::fail(const std::string &during)
{
    m_open = false;
    std::string msg = PQerrorMessage(m_conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    // The server may have sent the reason as a result already.
    while (PGresult *res = PQgetResult(m_conn)) {
        if (PQresultStatus(res) == PGRES_FATAL_ERROR) msg = describe_pg_error(res, m_conn);
        PQclear(res);
    }
    throw TargetError(fmt::format("loading {} failed while {}: {}", m_what, during, msg));
}

} // namespace s2p
