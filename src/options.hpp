#pragma once
// The command line: a contract with deploy scripts, so names stay as documented.
// All option-conflict checks live here.
#include "convert.hpp"
#include "copy_encoder.hpp"
#include "fixups.hpp"
#include "planner.hpp"
#include "schema_map.hpp"

#include <optional>
#include <string>
#include <vector>

namespace s2p {

// How much verification checks: nothing, row counts, a sample of rows per table, every row.
enum class VerifyMode { None, Count, Sample, Full };

struct MigrateOptions {
    std::string source;
    std::optional<std::string> target; // URL or key=value; else $DATABASE_URL, then PG*
    std::string target_schema = "public";
    Selection selection;
    bool truncate = false;
    bool keep_indexes = false; // load with secondary indexes and foreign keys in place
    bool copy_freeze = true;   // write rows frozen where the table may be truncated alone (table_load.cpp)
    CopyFormat copy_format = CopyFormat::Binary; // per table: text when a column's type has no binary writer
    OnError on_error = OnError::Abort;
    std::string reject_file;    // --on-error reject: default SOURCE.rejects.jsonl
    long long max_rejects = 1000;
    FixupPolicy fixups;
    bool dry_run = false;
    bool per_table = false; // commit each table on its own, progress in <schema>.sqlite2pg_state
    bool resume = false;    // finish an interrupted --per-table run (implies per_table)
    std::string source_timezone = "UTC";
    EpochUnit epoch_unit = EpochUnit::None;
    bool text_to_bytea = false;
    SchemaOptions schema; // --create-schema and its options
    int connect_retries = 5;
    int send_timeout_s = 60; // COPY data the server accepts none of for this long fails the run
    int source_busy_timeout_s = 10; // wait this long for a writer holding the SQLite file
    std::string backup_source; // --backup-source PATH: migrate from a checked copy made here
    bool backup_made = false;  // set by run_migrate for a second attempt: the copy exists, read it
    int examples = 5; // dry run: examples shown per column and reason
    VerifyMode verify = VerifyMode::Sample; // checked before COMMIT; a mismatch rolls back
    bool quiet = false;
    bool verbose = false;
    bool log_json = false;     // --log-format json: JSON lines on stderr
    std::string report_path;   // --report FILE.json; empty: none
};

struct InspectOptions {
    std::string source;
    bool json = false;
};

struct CheckOptions {
    std::optional<std::string> target; // as for migrate
    std::string target_schema = "public";
    std::optional<std::string> source;  // check the tables of this file; else all in the schema
    Selection selection;
    bool truncate = false;              // as migrate --truncate: non-empty tables are fine
    bool keep_indexes = false;          // as migrate --keep-indexes: ownership not needed for that
    int connect_retries = 5;
};

struct VerifyOptions {
    std::string source;
    std::optional<std::string> target;
    std::string target_schema = "public";
    Selection selection;
    VerifyMode mode = VerifyMode::Sample;
    long long sample_rows = 2000; // --sample: rows per table
    int max_differences = 10;     // listed per table
    std::optional<std::string> report; // --report FILE.json
    // The conversion options the migration ran with: the source side is converted the same way.
    std::string source_timezone = "UTC";
    EpochUnit epoch_unit = EpochUnit::None;
    bool text_to_bytea = false;
    int connect_retries = 5;
    bool quiet = false;
    bool verbose = false;
};

struct CommandLine {
    enum class Command { Migrate, Verify, Inspect, Check, Exit } command = Command::Exit;
    int exit_code = 0;   // for Exit: help and --version print and exit 0
    MigrateOptions migrate;
    VerifyOptions verify;
    InspectOptions inspect;
    CheckOptions check;
};

// Throws UsageError with CLI11's message and a pointer to --help. Help and version
// text go to stdout.
CommandLine parse_command_line(int argc, const char *const *argv);

} // namespace s2p
