#include "migrate.hpp"

#include "connect.hpp"
#include "conninfo.hpp"
#include "convert.hpp"
#include "convert_time.hpp"
#include "copy_binary.hpp"
#include "copy_encoder.hpp"
#include "copy_writer.hpp"
#include "deferred_indexes.hpp"
#include "interrupt.hpp"
#include "migrate_steps.hpp"
#include "per_table.hpp"
#include "run_state.hpp"
#include "table_load.hpp"
#include "orphans.hpp"
#include "planner.hpp"
#include "problems.hpp"
#include "reject_file.hpp"
#include "schema_create.hpp"
#include "source_backup.hpp"
#include "sequences.hpp"
#include "source_rows.hpp"
#include "source_reader.hpp"
#include "target_catalog.hpp"
#include "verify_counts.hpp"
#include "verify.hpp"

#include <pqxx/except>
#include <pqxx/transaction>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <memory>

namespace s2p {

namespace {

// A value that does not convert to the type a table was created with, when that type
// was taken from the declared type without profiling the data.
struct NeedsProfile : DataError {
    using DataError::DataError;
};

MigrateResult run_once(const MigrateOptions &o, Log &log, std::FILE *out, RunTrace *trace)
{
    auto const started = Clock::now();
    MigrateResult result;
    Phases phases(trace);

    ConvertOptions conv;
    try {
        conv.source_zone = find_zone(o.source_timezone);
    } catch (const std::runtime_error &e) {
        throw UsageError(e.what());
    }
    conv.epoch = o.epoch_unit;
    conv.text_to_bytea = o.text_to_bytea;

    // --per-table: the file as it is before anything reads it (see run_per_table).
    // (A missing or unreadable file is left to SourceDb, whose error says what to do.)
    std::error_code ec;
    std::string const fingerprint = o.per_table && !o.dry_run && std::filesystem::is_regular_file(o.source, ec)
                                         ? source_fingerprint(o.source)
                                         : std::string();
    if (!o.backup_source.empty() && !o.backup_made) {
        phases.next("backup");
        backup_source(o.source, o.backup_source, o.source_busy_timeout_s, log);
    }
    SourceDb src(o.backup_source.empty() ? o.source : o.backup_source, o.source_busy_timeout_s);
    for (auto const &[name, why] : src.skipped()) log.info(fmt::format("skipping {} ({})", name, why));

    std::string const conninfo = resolve_conninfo(o.target);
    phases.next("connect");
    log.info(fmt::format("connecting to {}", describe_target(conninfo)));
    auto conn = connect_target(conninfo, ConnectPolicy{o.connect_retries}, [&](const std::string &m) { log.warn(m); });

    if (o.per_table && !o.dry_run) {
        phases.done(); // backup and connect are timed here; run_per_table times the rest
        return run_per_table(o, conv, src, fingerprint, *conn, conninfo, log, out, trace);
    }

    try {
        phases.next("plan");
        std::unique_ptr<pqxx::dbtransaction> tx;
        if (o.dry_run) tx = std::make_unique<pqxx::read_transaction>(*conn, "sqlite2pg dry run");
        else tx = std::make_unique<pqxx::work>(*conn, "sqlite2pg migrate");
        set_session(*tx);
        CancelOnInterrupt const cancel(raw_connection(*tx));
        // A --per-table run stopped half-way here: loading over it would mix two runs.
        std::string blocked;
        if (auto const stored = read_state(*tx, o.target_schema)) {
            if (!o.truncate) {
                std::string const msg = interrupted_run_message(*stored, o.target_schema);
                if (!o.dry_run) throw TargetError(msg);
                blocked = msg;
            } else if (!o.dry_run) {
                log.info("--truncate: discarding the progress of an interrupted --per-table run");
                drop_state(*tx, o.target_schema);
            }
        }

        // --create-schema: the tables are created from the source schema and its data
        // profile, then the run is the ordinary load; a dry run plans against the
        // catalog the DDL would create.
        std::optional<SchemaPlan> schema;
        std::string schema_blocked;
        if (o.schema.create) {
            SchemaOptions so = o.schema;
            so.count_orphans = o.dry_run;
            schema = plan_schema(src, o.selection, so, conv, o.target_schema, log);
            if (o.dry_run) {
                schema->print(out);
                if (auto const ex = existing_tables(*tx, *schema); !ex.empty())
                    schema_blocked = fmt::format("--create-schema: target table{} {} already exist{} (drop them, or "
                                                 "omit --create-schema)",
                                                 ex.size() == 1 ? "" : "s", joined(ex), ex.size() == 1 ? "s" : "");
            } else {
                for (auto const &n : schema->notes) log.warn(n);
                create_tables(*tx, *schema, log);
            }
        }
        TargetCatalog const catalog = schema && o.dry_run ? schema->catalog() : TargetCatalog::load(*tx, o.target_schema);
        Plan plan = make_plan(src.tables(), catalog, o.selection);
        if (schema) apply_column_options(plan, *schema);
        for (auto const &n : plan.notes) log.warn(n);
        std::vector<std::string> order;
        for (auto const &tp : plan.tables) order.push_back(tp.target->name);
        log.info(fmt::format("load order: {}", joined(order)));

        std::string const tables_sql = qualified_list(o.target_schema, order);

        if (blocked.empty()) blocked = schema_blocked; // dry run: what would stop the real run, reported at the end
        if (!o.dry_run && !plan.tables.empty()) {
            // Writers wait for us. Readers wait too once a table's indexes or key are dropped
            // or it is truncated for COPY FREEZE (both take ACCESS EXCLUSIVE until the commit).
            tx->exec("LOCK TABLE " + tables_sql + " IN SHARE ROW EXCLUSIVE MODE");
        }
        if (!o.truncate && !(schema && o.dry_run)) {
            if (auto const full = non_empty_tables(*tx, order, o.target_schema); !full.empty()) {
                std::string const msg = fmt::format("target table{} not empty: {} (pass --truncate to replace "
                                                    "their rows, or select other tables)",
                                                    full.size() == 1 ? " is" : "s are", joined(full));
                if (!o.dry_run) throw TargetError(msg);
                blocked = msg;
            }
        } else if (!o.dry_run && !plan.tables.empty()) {
            log.info(fmt::format("truncating {} table{}", plan.tables.size(), plan.tables.size() == 1 ? "" : "s"));
            tx->exec("TRUNCATE " + tables_sql);
        }

        // Secondary indexes and foreign keys are dropped and rebuilt after the load
        // (deferred_indexes.hpp says why). With --keep-indexes, only foreign keys
        // inside a cycle are checked after the load: deferred when the schema allows
        // it, else dropped and recreated. Both as the table owner, in this transaction.
        DeferredObjects deferred;
        if (!o.dry_run) {
            if (!o.keep_indexes) {
                deferred = drop_deferred_objects(*tx, o.target_schema, order, source_kept_keys(src, plan, o.fixups));
                if (!deferred.empty())
                    log.info(fmt::format("{} primary key{}, {} index{} and {} foreign key{} are rebuilt after the load",
                                         deferred.keys.size(), deferred.keys.size() == 1 ? "" : "s",
                                         deferred.indexes.size(), deferred.indexes.size() == 1 ? "" : "es",
                                         deferred.foreign_keys.size(), deferred.foreign_keys.size() == 1 ? "" : "s"));
            }
            defer_cycle_foreign_keys(*tx, plan, o.target_schema, "", deferred, log);
        }

        phases.next("load");
        ProblemLog problems(static_cast<std::size_t>(o.examples));
        Progress progress(log);
        std::unique_ptr<RejectFile> reject_file;
        Rejects rejects;
        if (o.on_error == OnError::Reject && !o.dry_run) {
            reject_file = std::make_unique<RejectFile>(o.reject_file);
            rejects.file = reject_file.get();
            rejects.max = o.max_rejects;
        }
        TableLoadContext const ctx{conv,     o.fixups,        o.dry_run ? &problems : nullptr,
                                   rejects.file ? &rejects : nullptr, progress, o.copy_format,
                                   o.target_schema, o.reject_file, o.send_timeout_s, log,
                                   !o.dry_run && o.copy_freeze}; // checked or emptied above
        std::map<std::string, std::vector<std::int64_t>> not_loaded; // per table, for orphans.hpp
        for (auto const &tp : plan.tables) {
            TableStats st;
            try {
                st = load_one_table(src, *tx, tp, ctx, deferred, not_loaded[tp.target->name]);
            } catch (const ValueError &e) {
                if (schema && schema->may_fall_back(tp.source, e.column)) throw NeedsProfile(e.what());
                throw;
            }
            if (trace) trace->tables.push_back(st);
            result.tables.push_back(std::move(st));
        }

        if (o.dry_run) {
            if (!schema) { // duplicate keys and orphans, against the target's rules
                ConstraintCheck check{*tx, src, plan, o.target_schema, conv, o.fixups, not_loaded, {}, {}, nullptr};
                list_key_problems(check, problems);
            }
            phases.done();
            problems.print(out);
            result.problems = problems.total();
            std::string verdict;
            if (problems.total() > 0) {
                result.code = ExitCode::Data;
                verdict = fmt::format("DRY RUN FAILED: {} bad value{} would stop the migration; nothing was written",
                                      problems.total(), problems.total() == 1 ? "" : "s");
            } else if (!blocked.empty()) {
                result.code = ExitCode::Target;
                verdict = "DRY RUN FAILED: " + blocked + "; nothing was written";
            } else {
                verdict = "DRY RUN OK: every row converts; nothing was written";
            }
            if (!blocked.empty() && problems.total() > 0) log.error(blocked);
            print_summary(out, result.tables, since(started), verdict, true);
            return result;
        }

        if (!deferred.empty()) {
            phases.next("indexes");
            // Orphans and duplicates the rebuild finds are named, or set aside in reject mode.
            ConstraintCheck check{*tx, src, plan, o.target_schema, conv, o.fixups, not_loaded, {}, {}, &deferred};
            if (rejects.file) check.reject = [&](const RejectedRow &r) { rejects.add(r); };
            recreate_deferred_objects(*tx, o.target_schema, deferred, [&](const std::string &m) { log.info(m); },
                                      [&](const DeferredObject &d, bool fk) { return handle_violation(check, d, fk); });
            for (auto &st : result.tables) {
                std::int64_t const n = check.removed.count(st.table) ? check.removed.at(st.table) : 0;
                if (n == 0) continue;
                st.rejects += n;
                st.rows_written -= n;
                if (trace)
                    for (auto &t : trace->tables)
                        if (t.table == st.table) t = st;
                log.warn(fmt::format("{}: {} row{} set aside by the foreign key and unique index checks, see {}",
                                     st.table, n, n == 1 ? "" : "s", o.reject_file));
            }
        }

        if (schema) {
            phases.next("constraints");
            create_constraints(*tx, *schema, log);
        }

        phases.next("sequences");
        for (auto const &r : reset_sequences(*tx, o.target_schema, order)) {
            log.debug(fmt::format("sequence {} of {}.{}: next value {}", r.sequence, r.table, r.column, r.next_value));
        }
        if (schema) keep_autoincrement_floor(*tx, *schema, log);

        phases.next("verify");
        std::vector<std::string> mismatches;
        VerifySettings settings{o.verify, VerifySettings{}.sample_rows, VerifySettings{}.max_differences, {}};
        for (auto const &st : result.tables) {
            std::int64_t const n = count_target_rows(*tx, o.target_schema, st.table);
            settings.known_target_rows[st.table] = n;
            if (trace) trace->counts.push_back({st.table, st.rows_read - st.rejects, n});
            if (n != st.rows_read - st.rejects) {
                mismatches.push_back(fmt::format("{}: source {} rows{}, target {}", st.table, st.rows_read,
                                                 st.rejects ? fmt::format(" less {} rejected", st.rejects) : "", n));
            }
        }
        if (!mismatches.empty()) {
            throw MismatchError("row counts differ after the load (" + joined(mismatches) +
                                "); rolled back, nothing was written");
        }
        if (o.verify != VerifyMode::None) {
            // The same check as `sqlite2pg verify`, on the rows this transaction holds.
            set_verify_session(*tx);
            // Tables with rejected rows or repaired values differ from the source by
            // the operator's choice: their rows were counted above; the value check
            // covers the others.
            Plan checked = plan;
            std::erase_if(checked.tables, [&](const TablePlan &tp) {
                return std::any_of(result.tables.begin(), result.tables.end(), [&](const TableStats &st) {
                    return st.table == tp.target->name && (st.rejects > 0 || st.repaired > 0);
                });
            });
            if (checked.tables.size() < plan.tables.size())
                log.warn(fmt::format("value verification skips {} table{} with rejected rows or repaired values "
                                     "(row counts were checked)",
                                     plan.tables.size() - checked.tables.size(),
                                     plan.tables.size() - checked.tables.size() == 1 ? "" : "s"));
            VerifyResult vr = verify_plan(src, *tx, checked, o.target_schema, conv, settings, log);
            vr.source = o.source;
            vr.target = describe_target(conninfo);
            if (trace) trace->verification_json = verify_result_json(vr);
            if (!vr.ok()) {
                print_verify_result(out, vr);
                throw MismatchError(verify_summary(vr) + "; rolled back, nothing was written");
            }
            log.info(verify_summary(vr));
        }
        check_interrupt();
        phases.next("commit");
        tx->commit();
        phases.done();
        std::int64_t rejected = 0;
        for (auto const &st : result.tables) rejected += st.rejects;
        std::string verdict = fmt::format("OK: {} table{} migrated, row counts match; committed", result.tables.size(),
                                          result.tables.size() == 1 ? "" : "s");
        if (rejected > 0) {
            result.code = ExitCode::Rejected;
            verdict = fmt::format("COMMITTED WITH REJECTS: {} table{} migrated, {} row{} rejected and written to {}",
                                  result.tables.size(), result.tables.size() == 1 ? "" : "s", rejected,
                                  rejected == 1 ? "" : "s", o.reject_file);
        }
        print_summary(out, result.tables, since(started), verdict, false);
        return result;
    } catch (...) {
        rethrow_as_error(conninfo);
    }
}

} // namespace

MigrateResult run_migrate(const MigrateOptions &o, Log &log, std::FILE *out, RunTrace *trace)
{
    // --create-schema profiles the data to choose each column's type: the first
    // mapping of its declared type unless some value does not convert to it. That
    // pass reads and converts every value before anything loads; the load converts
    // every value again with the same converter. So a real run skips the profile,
    // creates the first mappings and loads: if every value converts, the profile
    // would have chosen exactly these types. If one does not, the run is rolled back
    // and done again with the profile. Not where the load would not stop at that
    // value: a dry run (it prints the profile), --on-error reject, or repairs
    // (--nul-bytes strip and the like) that would make it load.
    bool const speculate =
        o.schema.create && !o.dry_run && !o.per_table && o.on_error == OnError::Abort && !o.fixups.repairs();
    if (!speculate) return run_once(o, log, out, trace);
    MigrateOptions first = o;
    first.schema.profile_all = false;
    auto const started = Clock::now();
    std::string why;
    try {
        return run_once(first, log, out, trace);
    } catch (const NeedsProfile &e) {
        why = e.what();
        why = why.substr(0, why.find("; nothing was written")); // it will be, by the second attempt
    }
    double const lost = since(started);
    log.warn(fmt::format("a column's declared type does not take every value ({}): rolled back after {:.1f} s, "
                         "planning again from a profile of the data (a --cast rule for the column avoids this)",
                         why, lost));
    if (trace) {
        *trace = RunTrace{};
        trace->restarted = RunTrace::Restart{why, lost};
    }
    MigrateOptions again = o;
    again.backup_made = !o.backup_source.empty(); // read the copy again; a second one would not overwrite it
    return run_once(again, log, out, trace);
}

} // namespace s2p
