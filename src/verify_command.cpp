// The verify command: a read-only, repeatable-read snapshot of the target compared with
// the source's read transaction; nothing is written to either.
#include "verify.hpp"

#include "connect.hpp"
#include "conninfo.hpp"
#include "convert_time.hpp"
#include "target_catalog.hpp"

#include <pqxx/except>
#include <pqxx/transaction>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace s2p {

namespace {

void write_report(const std::string &path, const std::string &json)
{
    std::FILE *f = std::fopen(path.c_str(), "w");
    if (!f) throw UsageError(fmt::format("cannot write report file '{}': {}", path, std::strerror(errno)));
    bool const ok = std::fwrite(json.data(), 1, json.size(), f) == json.size();
    if (std::fclose(f) != 0 || !ok)
        throw UsageError(fmt::format("cannot write report file '{}': {}", path, std::strerror(errno)));
}

} // namespace

ExitCode run_verify(const VerifyOptions &o, Log &log, std::FILE *out)
{
    ConvertOptions conv;
    try {
        conv.source_zone = find_zone(o.source_timezone);
    } catch (const std::runtime_error &e) {
        throw UsageError(e.what());
    }
    conv.epoch = o.epoch_unit;
    conv.text_to_bytea = o.text_to_bytea;

    SourceDb src(o.source);
    std::string const conninfo = resolve_conninfo(o.target);
    log.info(fmt::format("connecting to {}", describe_target(conninfo)));
    auto conn = connect_target(conninfo, ConnectPolicy{o.connect_retries}, [&](const std::string &m) { log.warn(m); });
    try {
        // One snapshot for all tables, as the source's read transaction is one.
        pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(
            *conn, "sqlite2pg verify");
        set_verify_session(tx);
        TargetCatalog const catalog = TargetCatalog::load(tx, o.target_schema);
        Plan const plan = make_plan(src.tables(), catalog, o.selection);
        VerifySettings const settings{o.mode, o.sample_rows, o.max_differences, {}};
        VerifyResult r = verify_plan(src, tx, plan, o.target_schema, conv, settings, log);
        r.source = o.source;
        r.target = describe_target(conninfo);
        print_verify_result(out, r);
        if (o.report) write_report(*o.report, verify_result_json(r));
        return r.ok() ? ExitCode::Ok : ExitCode::Mismatch;
    } catch (const pqxx::broken_connection &e) {
        throw TargetError(fmt::format("lost the connection to {}: {}", describe_target(conninfo),
                                      scrub_password(e.what(), conninfo)));
    } catch (const pqxx::sql_error &e) {
        std::string m = scrub_password(e.what(), conninfo);
        while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
        throw TargetError(fmt::format("reading the target failed: {}", m));
    }
}

} // namespace s2p
