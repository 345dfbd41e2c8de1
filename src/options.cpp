#include "options.hpp"

#include "errors.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <map>

namespace s2p {

namespace {

// The version comes from CMake's project() so --version, --report and the .deb agree.
constexpr char const *version_text = "sqlite2pg " S2P_VERSION;

constexpr char const *migrate_examples = R"(
Examples:
  sqlite2pg migrate app.db postgresql://app@db.internal/app --dry-run
  sqlite2pg migrate app.db postgresql://app@db.internal/app --target-schema app
  DATABASE_URL=postgresql://app@db/app sqlite2pg migrate app.db --truncate
  sqlite2pg migrate app.db postgresql://app@db/app --create-schema --dry-run   (print the DDL and profile)
  sqlite2pg migrate app.db postgresql://app@db/app --create-schema --cast 'events.ts=timestamptz:epoch-ms'
  sqlite2pg migrate big.db postgresql://app@db/app --per-table   (then, after a failure: ... --resume)
Exit codes: 0 ok, 2 usage, 3 source, 4 target, 5 data, 6 verification mismatch, 7 committed with rejected rows,
8 --resume refused (source or options changed), 130 interrupted, 1 internal.
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
    auto const &cs = o.schema;
    if (!cs.create && (!cs.casts.empty() || !cs.cast_file.empty() || cs.quote_identifiers || cs.varchar_as_text ||
                       cs.timestamp_without_tz))
        throw UsageError("--cast, --cast-file, --quote-identifiers, --varchar-as-text and --timestamp-without-tz "
                         "only apply with --create-schema");
    if (cs.create && o.truncate) throw UsageError("--create-schema creates empty tables: --truncate does not apply");
    for (auto const &r : cs.casts) parse_cast_rule(r); // throws UsageError naming a bad rule
    if (o.on_error == OnError::Abort && !o.reject_file.empty())
        throw UsageError("--reject-file applies with --on-error reject");
    if (o.resume && o.dry_run) throw UsageError("--resume writes to the target: it does not combine with --dry-run");
    if (o.resume && o.truncate)
        throw UsageError("--resume keeps the tables the interrupted run committed; --truncate starts over: choose one");
    if ((o.per_table || o.resume) && cs.create)
        throw UsageError("--per-table/--resume do not combine with --create-schema: create the schema first (run "
                         "with --create-schema in one transaction, or apply the DDL that --create-schema --dry-run "
                         "prints), then load with --per-table");
    if ((o.per_table || o.resume) && o.on_error == OnError::Reject)
        throw UsageError("--per-table/--resume do not combine with --on-error reject yet (a resumed run cannot keep "
                         "one reject file exact); use --on-error abort, or run in one transaction");
}

void check_verify_conflicts(const VerifyOptions &o)
{
    for (auto const &t : o.selection.tables) {
        for (auto const &x : o.selection.exclude_tables) {
            if (t == x) {
                throw UsageError(fmt::format("table \"{}\" is both in --tables and --exclude-tables", t));
            }
        }
    }
    if (o.sample_rows < 1) throw UsageError("--sample must be at least 1");
    if (o.max_differences < 0) throw UsageError("--max-differences must be 0 or more");
    if (o.connect_retries < 1) throw UsageError("--connect-retries must be at least 1");
    if (o.quiet && o.verbose) throw UsageError("--quiet and --verbose exclude each other");
    if (o.target_schema.empty()) throw UsageError("--target-schema must not be empty");
}

constexpr char const *verify_examples = R"(
Examples:
  sqlite2pg verify app.db postgresql://app@db.internal/app
  sqlite2pg verify app.db postgresql://app@db.internal/app --full --report verify.json
Exit codes: 0 match, 6 differences found, 2 usage, 3 source, 4 target, 1 internal.
)";

constexpr char const *inspect_examples = R"(
Examples:
  sqlite2pg inspect app.db
  sqlite2pg inspect app.db --json > app-inspect.json
Exit codes: 0 ok, 2 usage, 3 source, 1 internal.
)";

constexpr char const *check_examples = R"(
Examples:
  sqlite2pg check postgresql://app@db.internal/app --target-schema app --source app.db
  DATABASE_URL=postgresql://app@db/app sqlite2pg check --tables users,orders --truncate
Exit codes: 0 a migration would get what it needs, 4 it would fail (the FAIL lines say why),
2 usage, 3 source, 1 internal.
)";

void check_check_conflicts(const CheckOptions &o)
{
    for (auto const &t : o.selection.tables) {
        for (auto const &x : o.selection.exclude_tables) {
            if (t == x) {
                throw UsageError(fmt::format("table \"{}\" is both in --tables and --exclude-tables", t));
            }
        }
    }
    if (o.connect_retries < 1) throw UsageError("--connect-retries must be at least 1");
    if (o.target_schema.empty()) throw UsageError("--target-schema must not be empty");
}

} // namespace

CommandLine parse_command_line(int argc, const char *const *argv)
{
    CommandLine cl;
    CLI::App app{"sqlite2pg: move a SQLite database into PostgreSQL, checked and fast", "sqlite2pg"};
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", version_text);
    app.footer(R"(
A cutover, step by step (`sqlite2pg COMMAND --help` for each):
  sqlite2pg inspect app.db                                  what the source holds
  sqlite2pg check postgresql://app@db/app --source app.db   can the target take it?
  sqlite2pg migrate app.db postgresql://app@db/app --dry-run --report rehearsal.json
  sqlite2pg migrate app.db postgresql://app@db/app --report cutover.json
  sqlite2pg verify app.db postgresql://app@db/app --full
)");

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
    migrate->add_flag("--keep-indexes", m.keep_indexes,
                      "load with indexes, primary keys and foreign keys in place (default: rebuild them after the load)");
    migrate->add_flag_callback("--no-copy-freeze", [&m] { m.copy_freeze = false; },
                      "load without COPY FREEZE (default: rows are written frozen, sparing the vacuum passes that "
                      "would rewrite every page after the cutover; other sessions' older snapshots then see them)");
    migrate->add_option("--on-error", m.on_error, "abort: stop at the first bad row, write nothing; reject: set bad rows "
                                                  "aside in --reject-file and load the rest")
        ->transform(CLI::CheckedTransformer(std::map<std::string, OnError>{{"abort", OnError::Abort},
                                                                           {"reject", OnError::Reject}},
                                            CLI::ignore_case))
        ->option_text("abort|reject (default abort)")
        ->default_str("abort");
    migrate->add_option("--reject-file", m.reject_file, "JSON lines file for rejected rows (default: SOURCE.rejects.jsonl)");
    migrate->add_option("--max-rejects", m.max_rejects, "--on-error reject: abort once more rows than this are rejected")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    migrate->add_option("--nul-bytes", m.fixups.nul_bytes, "NUL bytes in text: reject the value, or strip them")
        ->transform(CLI::CheckedTransformer(std::map<std::string, NulBytes>{{"reject", NulBytes::Reject},
                                                                            {"strip", NulBytes::Strip}},
                                            CLI::ignore_case))
        ->option_text("reject|strip (default reject)")
        ->default_str("reject");
    migrate->add_option("--invalid-utf8", m.fixups.invalid_utf8,
                        "invalid UTF-8 in text: reject the value, or replace bad bytes with U+FFFD")
        ->transform(CLI::CheckedTransformer(std::map<std::string, InvalidUtf8>{{"reject", InvalidUtf8::Reject},
                                                                               {"replace", InvalidUtf8::Replace}},
                                            CLI::ignore_case))
        ->option_text("reject|replace (default reject)")
        ->default_str("reject");
    migrate->add_option("--invalid-json", m.fixups.invalid_json,
                        "invalid JSON in json/jsonb columns: reject the value, or store NULL (nullable columns only)")
        ->transform(CLI::CheckedTransformer(std::map<std::string, InvalidJson>{{"reject", InvalidJson::Reject},
                                                                               {"null", InvalidJson::Null}},
                                            CLI::ignore_case))
        ->option_text("reject|null (default reject)")
        ->default_str("reject");
    migrate->add_option("--copy-format", m.copy_format,
                        "binary: COPY in binary where every column's type allows it (faster); text: always text")
        ->transform(CLI::CheckedTransformer(std::map<std::string, CopyFormat>{{"binary", CopyFormat::Binary},
                                                                              {"text", CopyFormat::Text}},
                                            CLI::ignore_case))
        ->option_text("binary|text (default binary)")
        ->default_str("binary");
    migrate->add_flag("--dry-run", m.dry_run, "read and convert every row, report every problem, write nothing");
    migrate->add_flag("--per-table", m.per_table,
                      "commit each table on its own (parents first), recording progress in "
                      "<target-schema>.sqlite2pg_state, so an interrupted run can be finished with --resume "
                      "(default: one transaction for everything)");
    migrate->add_flag("--resume", m.resume,
                      "finish an interrupted --per-table run: refused (exit 8) if the source file or the options "
                      "changed; skips the tables it committed, reloads the others (implies --per-table)");
    migrate->add_option("--source-timezone", m.source_timezone,
                        "IANA zone of date/time text without an offset")->capture_default_str();
    std::map<std::string, EpochUnit> const units{{"none", EpochUnit::None},
                                                 {"s", EpochUnit::Seconds},
                                                 {"ms", EpochUnit::Millis},
                                                 {"us", EpochUnit::Micros}};
    migrate->add_option("--epoch-unit", m.epoch_unit, "read numbers in date/time columns as Unix time in this unit")
        ->transform(CLI::CheckedTransformer(units, CLI::ignore_case))
        ->option_text("none|s|ms|us (default none)")
        ->default_str("none");
    migrate->add_flag("--text-to-bytea", m.text_to_bytea, "store TEXT values found in bytea columns as their bytes");
    migrate->add_flag("--create-schema", m.schema.create,
                      "create the tables from the SQLite schema, then keys, indexes and foreign keys after the data");
    migrate->add_option("--cast", m.schema.casts,
                        "with --create-schema: 'table.column=type[:epoch-s|epoch-ms|epoch-us]' or "
                        "'type:DECLARED=type' (repeatable)");
    migrate->add_option("--cast-file", m.schema.cast_file, "with --create-schema: --cast rules, one per line");
    migrate->add_flag("--quote-identifiers", m.schema.quote_identifiers,
                      "with --create-schema: keep exact table and column names (default: lower case)");
    migrate->add_flag("--varchar-as-text", m.schema.varchar_as_text,
                      "with --create-schema: VARCHAR(n)/CHAR(n) become text, not varchar(n)");
    migrate->add_flag("--timestamp-without-tz", m.schema.timestamp_without_tz,
                      "with --create-schema: DATETIME/TIMESTAMP become timestamp, not timestamptz");
    migrate->add_option("--connect-retries", m.connect_retries, "connection attempts, with exponential backoff")
        ->capture_default_str();
    migrate->add_option("--send-timeout", m.send_timeout_s,
                        "seconds a send of COPY data may make no progress before the connection is closed and the "
                        "run fails (a stalled network or server)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    migrate->add_option("--source-busy-timeout", m.source_busy_timeout_s,
                        "seconds to wait for a process holding a lock on the SQLite file")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    migrate->add_option("--backup-source", m.backup_source,
                        "first copy the source to this new file (SQLite backup API), check it with PRAGMA "
                        "quick_check and migrate from the copy; an existing non-empty file is never overwritten");
    migrate->add_option("--examples", m.examples, "dry run: example rows shown per column and problem")
        ->capture_default_str();
    std::map<std::string, VerifyMode> const verify_modes{{"none", VerifyMode::None},
                                                         {"count", VerifyMode::Count},
                                                         {"sample", VerifyMode::Sample},
                                                         {"full", VerifyMode::Full}};
    migrate->add_option("--verify", m.verify,
                        "check the loaded rows against the source before COMMIT (a difference rolls back)")
        ->transform(CLI::CheckedTransformer(verify_modes, CLI::ignore_case))
        ->option_text("sample|none|count|full (default sample)")
        ->default_str("sample");
    migrate->add_flag("-q,--quiet", m.quiet, "only warnings, errors and the summary");
    migrate->add_flag("-v,--verbose", m.verbose, "more detail");
    migrate->add_option("--report", m.report_path,
                        "write options, source fingerprint, per-table and per-phase results as JSON to this file "
                        "(also when the run fails)");
    migrate
        ->add_option_function<std::string>(
            "--log-format", [&m](const std::string &f) { m.log_json = f == "json"; },
            "log lines on stderr as text, or as JSON lines for log collectors")
        ->check(CLI::IsMember({"text", "json"}))
        ->default_str("text");

    VerifyOptions &v = cl.verify;
    CLI::App *verify = app.add_subcommand("verify", "compare the target tables with the source, changing neither");
    verify->footer(verify_examples);
    verify->add_option("source", v.source, "SQLite database file")->required();
    verify->add_option("target", v.target, "PostgreSQL URL or 'key=value' conninfo (default as for migrate)");
    verify->add_option("--target-schema", v.target_schema, "schema holding the target tables")->capture_default_str();
    verify->add_option("--tables", v.selection.tables, "only these tables (comma-separated)")->delimiter(',');
    verify->add_option("--exclude-tables", v.selection.exclude_tables, "leave these tables out (comma-separated)")
        ->delimiter(',');
    auto *sample = verify->add_option("--sample", v.sample_rows, "compare about N rows per table, spread over the key range")
                       ->capture_default_str();
    auto *full = verify->add_flag_function(
        "--full", [&v](std::int64_t) { v.mode = VerifyMode::Full; }, "compare every row");
    sample->excludes(full);
    verify->add_flag_function(
        "--count-only", [&v](std::int64_t) { v.mode = VerifyMode::Count; }, "compare row counts only")
        ->excludes(full)
        ->excludes(sample);
    verify->add_option("--max-differences", v.max_differences, "differences listed per table")->capture_default_str();
    verify->add_option("--report", v.report, "write the whole result as JSON to this file");
    verify->add_option("--source-timezone", v.source_timezone, "as given to migrate")->capture_default_str();
    verify->add_option("--epoch-unit", v.epoch_unit, "as given to migrate")
        ->transform(CLI::CheckedTransformer(units, CLI::ignore_case))
        ->option_text("none|s|ms|us (default none)")
        ->default_str("none");
    verify->add_flag("--text-to-bytea", v.text_to_bytea, "as given to migrate");
    verify->add_option("--connect-retries", v.connect_retries, "connection attempts, with exponential backoff")
        ->capture_default_str();
    verify->add_flag("-q,--quiet", v.quiet, "only warnings, errors and the result");
    verify->add_flag("-v,--verbose", v.verbose, "more detail");

    InspectOptions &in = cl.inspect;
    CLI::App *inspect = app.add_subcommand("inspect", "describe the SQLite file: tables, sizes, foreign keys, load "
                                                      "order, and what each column's values look like");
    inspect->footer(inspect_examples);
    inspect->add_option("source", in.source, "SQLite database file")->required();
    inspect->add_flag("--json", in.json, "one JSON document on stdout instead of the text report");

    CheckOptions &c = cl.check;
    CLI::App *check = app.add_subcommand("check", "preflight: can a migration run against this target? (writes nothing)");
    check->footer(check_examples);
    check->add_option("target", c.target, "PostgreSQL URL or 'key=value' conninfo (default as for migrate)");
    check->add_option("--target-schema", c.target_schema, "schema holding the target tables")->capture_default_str();
    check->add_option("--source", c.source, "check the tables of this SQLite file (default: all tables in the schema)");
    check->add_option("--tables", c.selection.tables, "only these tables (comma-separated)")->delimiter(',');
    check->add_option("--exclude-tables", c.selection.exclude_tables, "leave these tables out (comma-separated)")
        ->delimiter(',');
    check->add_flag("--truncate", c.truncate, "the migration will run with --truncate: non-empty tables are fine");
    check->add_flag("--keep-indexes", c.keep_indexes,
                    "the migration will run with --keep-indexes: table ownership is then not needed");
    check->add_option("--connect-retries", c.connect_retries, "connection attempts, with exponential backoff")
        ->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        if (e.get_exit_code() == 0) { // --help, --version
            cl.exit_code = app.exit(e, std::cout, std::cerr);
            return cl;
        }
        auto const parsed = app.get_subcommands();
        throw UsageError(fmt::format("{} (see sqlite2pg {}--help)", e.what(),
                                     parsed.empty() ? "" : parsed.front()->get_name() + " "));
    }
    if (migrate->parsed()) {
        check_conflicts(m);
        if (m.resume) m.per_table = true;
        if (m.on_error == OnError::Reject && m.reject_file.empty()) m.reject_file = m.source + ".rejects.jsonl";
        cl.command = CommandLine::Command::Migrate;
        return cl;
    }
    if (verify->parsed()) {
        check_verify_conflicts(v);
        cl.command = CommandLine::Command::Verify;
        return cl;
    }
    if (inspect->parsed()) {
        cl.command = CommandLine::Command::Inspect;
        return cl;
    }
    if (check->parsed()) {
        check_check_conflicts(c);
        cl.command = CommandLine::Command::Check;
        return cl;
    }
    // No command: a script calling us wrongly must not look like success.
    std::cerr << app.help();
    cl.exit_code = static_cast<int>(ExitCode::Usage);
    return cl;
}

} // namespace s2p
