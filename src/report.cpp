#include "report.hpp"

#include "conninfo.hpp"
#include "json_writer.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <xxhash.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>

namespace s2p {

namespace {

// Big enough to stream at disk speed, small enough not to matter next to the COPY buffers.
constexpr std::size_t hash_chunk_bytes = 1 << 20;

std::string utc_iso(std::time_t t)
{
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", tm);
}

std::string_view epoch_unit_name(EpochUnit u)
{
    switch (u) {
    case EpochUnit::None: return "none";
    case EpochUnit::Seconds: return "s";
    case EpochUnit::Millis: return "ms";
    case EpochUnit::Micros: return "us";
    }
    return "?";
}

std::string_view verify_mode_name(VerifyMode m)
{
    switch (m) {
    case VerifyMode::None: return "none";
    case VerifyMode::Count: return "count";
    case VerifyMode::Sample: return "sample";
    case VerifyMode::Full: return "full";
    }
    return "?";
}

void write_options(JsonWriter &j, const MigrateOptions &o)
{
    j.key("options").begin_object();
    j.field("source", o.source);
    j.field("backup_source", o.backup_source); // "" when not asked for
    // Where the run really connected: the argument, else $DATABASE_URL, else "" (PG*).
    j.field("target", mask_password(resolve_conninfo(o.target)));
    j.field("target_schema", o.target_schema);
    j.key("tables").begin_array();
    for (auto const &t : o.selection.tables) j.value(t);
    j.end_array();
    j.key("exclude_tables").begin_array();
    for (auto const &t : o.selection.exclude_tables) j.value(t);
    j.end_array();
    j.field("truncate", o.truncate).field("dry_run", o.dry_run);
    j.field("per_table", o.per_table).field("resume", o.resume).field("send_timeout", o.send_timeout_s);
    j.field("source_timezone", o.source_timezone).field("epoch_unit", epoch_unit_name(o.epoch_unit));
    j.field("text_to_bytea", o.text_to_bytea).field("connect_retries", o.connect_retries);
    j.field("verify", verify_mode_name(o.verify)).field("keep_indexes", o.keep_indexes);
    j.field("copy_freeze", o.copy_freeze);
    j.field("copy_format", o.copy_format == CopyFormat::Binary ? "binary" : "text");
    j.field("on_error", o.on_error == OnError::Reject ? "reject" : "abort");
    j.field("reject_file", o.on_error == OnError::Reject ? o.reject_file : std::string{});
    j.field("max_rejects", static_cast<std::int64_t>(o.max_rejects));
    j.field("nul_bytes", o.fixups.nul_bytes == NulBytes::Strip ? "strip" : "reject");
    j.field("invalid_utf8", o.fixups.invalid_utf8 == InvalidUtf8::Replace ? "replace" : "reject");
    j.field("invalid_json", o.fixups.invalid_json == InvalidJson::Null ? "null" : "reject");
    j.key("create_schema").begin_object().field("enabled", o.schema.create);
    j.field("quote_identifiers", o.schema.quote_identifiers).field("varchar_as_text", o.schema.varchar_as_text);
    j.field("timestamp_without_tz", o.schema.timestamp_without_tz).field("cast_file", o.schema.cast_file);
    j.key("casts").begin_array();
    for (auto const &c : o.schema.casts) j.value(c);
    j.end_array().end_object();
    j.end_object();
}

void write_file_atomically(const std::string &path, const std::string &text)
{
    std::string const tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << text << '\n';
        f.flush();
        if (!f) throw UsageError(fmt::format("cannot write the report to '{}'", tmp));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw UsageError(fmt::format("cannot write the report to '{}': {}", path, ec.message()));
}

} // namespace

std::string_view exit_status_name(ExitCode c)
{
    switch (c) {
    case ExitCode::Ok: return "ok";
    case ExitCode::Internal: return "internal";
    case ExitCode::Usage: return "usage";
    case ExitCode::Source: return "source";
    case ExitCode::Target: return "target";
    case ExitCode::Data: return "data";
    case ExitCode::Mismatch: return "mismatch";
    case ExitCode::Rejected: return "rejected";
    case ExitCode::ResumeRefused: return "resume_refused";
    case ExitCode::Interrupted: return "interrupted";
    }
    return "?";
}

SourceIdentity identify_source(const std::string &path)
{
    SourceIdentity id;
    id.path = std::filesystem::absolute(path).string();
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) throw SourceError(fmt::format("cannot stat source file '{}'", path));
    id.size_bytes = static_cast<std::uint64_t>(st.st_size);
    id.mtime = utc_iso(st.st_mtim.tv_sec);

    std::unique_ptr<std::FILE, int (*)(std::FILE *)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw SourceError(fmt::format("cannot open source file '{}' for reading", path));
    std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t *)> state(XXH3_createState(), &XXH3_freeState);
    XXH3_128bits_reset(state.get());
    std::vector<char> buf(hash_chunk_bytes);
    while (std::size_t const n = std::fread(buf.data(), 1, buf.size(), f.get())) XXH3_128bits_update(state.get(), buf.data(), n);
    if (std::ferror(f.get())) throw SourceError(fmt::format("reading source file '{}' failed", path));
    XXH128_canonical_t canon;
    XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(state.get()));
    for (unsigned char b : canon.digest) id.fingerprint_xxh3_128 += fmt::format("{:02x}", b);
    return id;
}

std::string report_json(const ReportInput &in)
{
    JsonWriter j;
    j.begin_object();
    j.field("report_version", 1);
    j.key("tool").begin_object().field("name", "sqlite2pg").field("version", S2P_VERSION).end_object();
    j.field("command", "migrate");
    j.field("started_at", in.started_at).field("finished_at", in.finished_at).field("seconds", in.seconds);
    if (in.options) write_options(j, *in.options);
    j.key("source");
    if (in.source) {
        j.begin_object().field("path", in.source->path).field("size_bytes", in.source->size_bytes);
        j.field("mtime", in.source->mtime).field("fingerprint_xxh3_128", in.source->fingerprint_xxh3_128);
        j.end_object();
    } else {
        j.null();
    }
    j.key("tables").begin_array();
    if (in.trace) {
        for (auto const &t : in.trace->tables) {
            j.begin_object().field("table", t.table).field("rows_read", t.rows_read);
            j.field("rows_written", t.rows_written).field("bytes", t.bytes).field("seconds", t.seconds);
            j.field("rejects", static_cast<std::int64_t>(t.rejects));
            j.field("repaired_values", static_cast<std::int64_t>(t.repaired)).field("copy_freeze", t.frozen);
            j.end_object();
        }
    }
    j.end_array();
    // Row counts are compared on every real run; "rows" is the --verify comparison
    // (verify's own JSON document), null with --verify none or when the run stopped first.
    j.key("verification");
    if (in.trace && !in.trace->counts.empty()) {
        bool ok = true;
        for (auto const &c : in.trace->counts) ok = ok && c.ok();
        j.begin_object().key("row_counts").begin_object().field("ok", ok).key("tables").begin_array();
        for (auto const &c : in.trace->counts) {
            j.begin_object().field("table", c.table).field("source_rows", c.source_rows);
            j.field("target_rows", c.target_rows).field("ok", c.ok()).end_object();
        }
        j.end_array().end_object();
        j.key("rows");
        if (in.trace->verification_json.empty()) j.null();
        else j.raw(in.trace->verification_json);
        j.end_object();
    } else {
        j.null();
    }
    // --per-table: which tables this run committed, and which an interrupted run had
    // (skipped by --resume); null for a one-transaction run.
    j.key("per_table");
    if (in.options && in.options->per_table && !in.options->dry_run) {
        j.begin_object().key("committed_tables").begin_array();
        if (in.trace)
            for (auto const &t : in.trace->committed_tables) j.value(t);
        j.end_array().key("skipped_tables").begin_array();
        if (in.trace)
            for (auto const &t : in.trace->skipped_tables) j.value(t);
        j.end_array().end_object();
    } else {
        j.null();
    }
    j.key("phases").begin_array();
    if (in.trace) {
        for (auto const &[name, secs] : in.trace->phases)
            j.begin_object().field("phase", name).field("seconds", secs).end_object();
    }
    j.end_array();
    // --create-schema: a first attempt with the declared types, rolled back (the rest
    // of the report is the second attempt, planned from a profile of the data).
    j.key("restarted");
    if (in.trace && in.trace->restarted) {
        j.begin_object().field("reason", in.trace->restarted->reason);
        j.field("after_seconds", in.trace->restarted->after_seconds).end_object();
    } else {
        j.null();
    }
    j.key("failed_phase");
    if (in.code != ExitCode::Ok && in.trace && !in.trace->phase.empty()) j.value(in.trace->phase);
    else j.null();
    j.field("problems", in.result ? static_cast<std::uint64_t>(in.result->problems) : std::uint64_t{0});
    j.key("exit").begin_object().field("code", static_cast<int>(in.code)).field("status", exit_status_name(in.code));
    j.key("error");
    if (in.error.empty()) j.null();
    else j.value(in.error);
    j.end_object();
    j.end_object();
    return j.str();
}

MigrateResult run_migrate_reported(const MigrateOptions &o, Log &log, std::FILE *out)
{
    if (o.report_path.empty()) return run_migrate(o, log, out);
    {
        // Fail before touching anything if the report could not be written later.
        std::ofstream probe(o.report_path + ".tmp", std::ios::binary | std::ios::trunc);
        if (!probe) throw UsageError(fmt::format("cannot write the report to '{}' (check the directory)", o.report_path));
    }
    ReportInput in;
    in.options = &o;
    RunTrace trace;
    in.trace = &trace;
    in.started_at = utc_iso(std::time(nullptr));
    auto const t0 = std::chrono::steady_clock::now();
    auto finish = [&] {
        in.finished_at = utc_iso(std::time(nullptr));
        // --backup-source: the copy holds the bytes that were migrated (the source may
        // have moved on since); it is gone when the backup failed.
        if (!o.backup_source.empty()) {
            try { in.source = identify_source(o.backup_source); } catch (const SourceError &) {}
        }
        in.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        write_file_atomically(o.report_path, report_json(in));
        log.info(fmt::format("report written to {}", o.report_path));
    };
    try {
        // A missing or unreadable file gets run_migrate's own, better worded error.
        try { in.source = identify_source(o.source); } catch (const SourceError &) {}
        MigrateResult const r = run_migrate(o, log, out, &trace);
        in.result = &r;
        in.code = r.code;
        finish();
        return r;
    } catch (const Error &e) {
        in.code = e.code();
        in.error = scrub_password(e.what(), resolve_conninfo(o.target));
        try { finish(); } catch (const Error &w) { log.error(w.what()); }
        throw;
    } catch (const std::exception &e) {
        in.code = ExitCode::Internal;
        in.error = scrub_password(e.what(), resolve_conninfo(o.target));
        try { finish(); } catch (const Error &w) { log.error(w.what()); }
        throw;
    }
}

} // namespace s2p
