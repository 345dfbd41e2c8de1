#include "copy_writer.hpp"

#include "fixups.hpp"
#include "pg_error.hpp"

#include <libpq-fe.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

#include <sys/socket.h>

namespace s2p {

CopyWriter::CopyWriter(pg_conn *conn, const std::string &copy_sql, std::string what, int send_timeout_s)
    : m_conn(conn), m_what(std::move(what)), m_send_timeout_s(send_timeout_s)
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
    m_thread = std::thread([this] { sender(); });
}

CopyWriter::~CopyWriter()
{
    stop_sender();
    if (!m_open) return;
    // Abort the COPY and drain its results so the connection is usable for ROLLBACK.
    if (PQputCopyEnd(m_conn, "sqlite2pg: load aborted") == 1) {
        while (PGresult *res = PQgetResult(m_conn)) PQclear(res);
    }
}

void CopyWriter::sender()
{
    for (;;) {
        std::string chunk;
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [&] { return !m_queue.empty() || m_closing; });
            if (m_queue.empty()) return;
            chunk = std::move(m_queue.front());
            m_queue.pop_front();
            m_sending = true;
        }
        m_changed.notify_all();
        bool const ok = PQputCopyData(m_conn, chunk.data(), static_cast<int>(chunk.size())) == 1;
        std::lock_guard lock(m_mutex);
        m_sending = false;
        m_changed.notify_all();
        if (!ok) {
            if (m_send_error.empty()) m_send_error = PQerrorMessage(m_conn);
            m_queue.clear();
            m_changed.notify_all();
            return;
        }
        chunk.clear();
        m_free.push_back(std::move(chunk));
    }
}

template <typename Pred> void CopyWriter::wait_or_stall(std::unique_lock<std::mutex> &lock, Pred done)
{
    // Each chunk the sender finishes wakes us; a wait that times out means one
    // PQputCopyData has been blocked for the whole timeout.
    while (!done()) {
        bool const busy_before = m_sending;
        std::size_t const queued_before = m_queue.size();
        if (m_changed.wait_for(lock, std::chrono::seconds(m_send_timeout_s), done)) return;
        if (busy_before && m_sending && m_queue.size() == queued_before && m_send_error.empty()) {
            m_send_error = fmt::format("the server accepted no data for {} s (network or server stalled; the "
                                       "connection was closed)",
                                       m_send_timeout_s);
            m_stalled = true;
            ::shutdown(PQsocket(m_conn), SHUT_RDWR);
            return;
        }
    }
}

void CopyWriter::stop_sender()
{
    if (!m_thread.joinable()) return;
    {
        std::unique_lock lock(m_mutex);
        m_closing = true;
        m_changed.notify_all();
        wait_or_stall(lock, [&] { return (m_queue.empty() && !m_sending) || !m_send_error.empty(); });
    }
    m_changed.notify_all();
    m_thread.join();
}

void CopyWriter::flush()
{
    if (m_buf.empty()) return;
    std::unique_lock lock(m_mutex);
    wait_or_stall(lock, [&] { return m_queue.size() < max_queued || !m_send_error.empty(); });
    if (!m_send_error.empty()) {
        std::string const e = m_send_error;
        lock.unlock();
        stop_sender();
        fail("sending data", e);
    }
    m_queue.push_back(std::move(m_buf));
    if (!m_free.empty()) {
        m_buf = std::move(m_free.back());
        m_free.pop_back();
    } else {
        m_buf = std::string();
        m_buf.reserve(flush_bytes + flush_bytes / 4);
    }
    lock.unlock();
    m_changed.notify_all();
}

long long CopyWriter::finish()
{
    flush();
    stop_sender(); // sends what is queued, then ends the thread
    if (!m_send_error.empty()) fail("sending data", m_send_error);
    m_open = false;
    if (PQputCopyEnd(m_conn, nullptr) != 1) fail("ending COPY", PQerrorMessage(m_conn));
    long long rows = -1;
    std::string error, sqlstate, column, server_message, constraint;
    std::optional<long long> line;
    auto field = [](PGresult *res, int code) {
        char const *v = PQresultErrorField(res, code);
        return std::string{v ? v : ""};
    };
    while (PGresult *res = PQgetResult(m_conn)) {
        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            rows = std::atoll(PQcmdTuples(res));
        } else if (error.empty()) {
            error = describe_pg_error(res, m_conn);
            sqlstate = field(res, PG_DIAG_SQLSTATE);
            column = field(res, PG_DIAG_COLUMN_NAME);
            constraint = field(res, PG_DIAG_CONSTRAINT_NAME);
            line = copy_line_from_context(field(res, PG_DIAG_CONTEXT));
            server_message = field(res, PG_DIAG_MESSAGE_PRIMARY);
            if (std::string const detail = field(res, PG_DIAG_MESSAGE_DETAIL); !detail.empty())
                server_message += " (" + detail + ")";
        }
        PQclear(res);
    }
    if (error.empty()) return rows;
    std::string const msg = fmt::format("loading {} failed: {}; nothing was written", m_what, error);
    // Classes 22 (data exception) and 23 (integrity constraint violation: duplicate
    // key, orphan row, CHECK) are the source data's fault, not the target's.
    if (sqlstate.starts_with("22") || sqlstate.starts_with("23"))
        throw CopyDataError(msg, sqlstate, line, column, server_message, constraint);
    throw TargetError(msg);
}

void CopyWriter::fail(const std::string &during, const std::string &libpq_message)
{
    m_open = false;
    std::string msg = libpq_message;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    // The server may have sent the reason as a result already.
    while (PGresult *res = PQgetResult(m_conn)) {
        if (PQresultStatus(res) == PGRES_FATAL_ERROR && !m_stalled) msg = describe_pg_error(res, m_conn);
        PQclear(res);
    }
    throw TargetError(fmt::format("loading {} failed while {}: {}; nothing was written", m_what, during, msg));
}

} // namespace s2p
