#pragma once
// `migrate --report FILE.json`: one JSON document per run, written whether the run
// succeeds or fails, for deploy scripts and the cutover record. Field names are a
// contract (README.md, "The --report file"); add fields, never rename them.
#include "errors.hpp"
#include "migrate.hpp"
#include "options.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace s2p {

struct SourceIdentity {
    std::string path;
    std::uint64_t size_bytes = 0;
    std::string mtime;                // UTC, ISO 8601
    std::string fingerprint_xxh3_128; // of the whole main database file, 32 hex digits
};

// Hashes the whole file (one sequential read; xxh3 is faster than the disk). The -wal
// file, if any, is not included: checkpoint before a cutover. Throws SourceError.
SourceIdentity identify_source(const std::string &path);

struct ReportInput {
    const MigrateOptions *options = nullptr;
    std::optional<SourceIdentity> source;
    const RunTrace *trace = nullptr;
    const MigrateResult *result = nullptr; // absent when the run failed
    ExitCode code = ExitCode::Ok;
    std::string error;                     // the message main prints, when it failed
    std::string started_at, finished_at;   // UTC, ISO 8601
    double seconds = 0;
};

std::string report_json(const ReportInput &in);

// Stable snake_case name of an exit code ("ok", "target", "mismatch"...).
std::string_view exit_status_name(ExitCode c);

// run_migrate, writing o.report_path (when set) afterwards on every path: the
// document replaces the file atomically (temp file + rename). An unwritable report
// path is a UsageError before anything else happens. Rethrows what run_migrate threw.
MigrateResult run_migrate_reported(const MigrateOptions &o, Log &log, std::FILE *out);

} // namespace s2p
