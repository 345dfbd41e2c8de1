#pragma once
// The command line: a contract with deploy scripts, so names stay as documented.
// All option-conflict checks live here.
#include "convert.hpp"
#include "planner.hpp"

#include <optional>
#include <string>
#include <vector>

namespace s2p {

struct MigrateOptions {
    std::string source;
    std::optional<std::string> target; // URL or key=value; else $DATABASE_URL, then PG*
    std::string target_schema = "public";
    Selection selection;
    bool truncate = false;
    bool dry_run = false;
    std::string source_timezone = "UTC";
    EpochUnit epoch_unit = EpochUnit::None;
    bool text_to_bytea = false;
    int connect_retries = 5;
    int source_busy_timeout_s = 10; // wait this long for a writer holding the SQLite file
    int examples = 5; // dry run: examples shown per column and reason
    bool quiet = false;
    bool verbose = false;
};

struct CommandLine {
    enum class Command { Migrate, Exit } command = Command::Exit;
    int exit_code = 0;   // for Exit: help and --version print and exit 0
    MigrateOptions migrate;
};

// Throws UsageError with CLI11's message and a pointer to --help. Help and version
// text go to stdout.
CommandLine parse_command_line(int argc, const char *const *argv);

} // namespace s2p
