#include "options.hpp"

#include "errors.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <map>

namespace s2p {

namespace {

constexpr char const *version_text = "sqlite2pg 0.1.0";

constexpr char const *migrate_examples = R"(
Examples:
  sqlite2pg migrate app.db postgresql://app@db.internal/app --dry-run
  sqlite2pg migrate app.db postgresql://app@db.internal/app --target-schema app
  DATABASE_URL=postgresql://app@db/app sqlite2pg migrate app.db --truncate
Exit codes: 0 ok, 2 usage, 3 source, 4 target, 5 data, 6 verification mismatch, 1 internal.
)";

void check_conflicts(const MigrateOptions &o)
{
    for (auto const &t : o.selection.tables) {
        for (auto const &x : o.selection.exclude_tables) {
            if (t == x) {
                throw UsageError(fmt::format("table \"{}\" is both in --tables and --exclude-tables", t));
            }
        }
    }
    if (o.connect_retries < 1) throw UsageError("--connect-retries must be at least 1");
    if (o.examples < 0) throw UsageError("--examples must be 0 or more");
    if (o.quiet && o.verbose) throw UsageError("--quiet and --verbose exclude each other");
    if (o.target_schema.empty()) throw UsageError("--target-schema must not be empty");
}

} // namespace

CommandLine parse_command_line(int argc, const char *const *argv)
{
    CommandLine cl;
    CLI::App app{"sqlite2pg: move a SQLite database into PostgreSQL, checked and fast", "sqlite2pg"};
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", version_text);

    MigrateOptions &m = cl.migrate;
    CLI::App *migrate = app.add_subcommand("migrate", "load the SQLite tables into an existing PostgreSQL schema");
    migrate->footer(migrate_examples);
    migrate->add_option("source", m.source, "SQLite database file")->required();
    migrate->add_option("target", m.target,
                        "PostgreSQL URL or 'key=value' conninfo (default: $DATABASE_URL, then PG* variables and .pgpass)");
    migrate->add_option("--target-schema", m.target_schema, "schema holding the target tables")->capture_default_str();
    migrate->add_option("--tables", m.selection.tables, "only these tables (comma-separated)")->delimiter(',');
    migrate->add_option("--exclude-tables", m.selection.exclude_tables, "leave these tables out (comma-separated)")
        ->delimiter(',');
    migrate->add_flag("--truncate", m.truncate, "empty the target tables first (default: they must be empty)");
    migrate->add_flag("--dry-run", m.dry_run, "read and convert every row, report every problem, write nothing");
    migrate->add_option("--source-timezone", m.source_timezone,
                        "IANA zone of date/time text without an offset")->capture_default_str();
    std::map<std::string, EpochUnit> const units{{"none", EpochUnit::None},
                                                 {"s", EpochUnit::Seconds},
                                                 {"ms", EpochUnit::Millis},
                                                 {"us", EpochUnit::Micros}};
    migrate->add_option("--epoch-unit", m.epoch_unit, "read numbers in date/time columns as Unix time in this unit")
        ->transform(CLI::CheckedTransformer(units, CLI::ignore_case))
        ->default_str("none");
    migrate->add_flag("--text-to-bytea", m.text_to_bytea, "store TEXT values found in bytea columns as their bytes");
    migrate->add_option("--connect-retries", m.connect_retries, "connection attempts, with exponential backoff")
        ->capture_default_str();
    migrate->add_option("--source-busy-timeout", m.source_busy_timeout_s,
                        "seconds to wait for a process holding a lock on the SQLite file")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    migrate->add_option("--examples", m.examples, "dry run: example rows shown per column and problem")
        ->capture_default_str();
    migrate->add_flag("-q,--quiet", m.quiet, "only warnings, errors and the summary");
    migrate->add_flag("-v,--verbose", m.verbose, "more detail");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        if (e.get_exit_code() == 0) { // --help, --version
            cl.exit_code = app.exit(e, std::cout, std::cerr);
            return cl;
        }
        throw UsageError(fmt::format("{} (see sqlite2pg {}--help)", e.what(),
                                     migrate->parsed() ? "migrate " : ""));
    }
    if (migrate->parsed()) {
        check_conflicts(m);
        cl.command = CommandLine::Command::Migrate;
        return cl;
    }
    // No command: a script calling us wrongly must not look like success.
    std::cerr << app.help();
    cl.exit_code = static_cast<int>(ExitCode::Usage);
    return cl;
}

} // namespace s2p
