#include "per_table.hpp"

#include "connect.hpp"
#include "conninfo.hpp"
#include "deferred_indexes.hpp"
#include "interrupt.hpp"
#include "migrate_steps.hpp"
#include "orphans.hpp"
#include "planner.hpp"
#include "problems.hpp"
#include "run_state.hpp"
#include "sequences.hpp"
#include "table_load.hpp"
#include "target_catalog.hpp"
#include "verify.hpp"
#include "verify_counts.hpp"

#include <pqxx/transaction>

#include <fmt/format.h>

#include <optional>

namespace s2p {

namespace {

// What the tables still to load need before the first one: the run recorded, and
// them empty. One transaction, so a crash leaves either the old state or the new.
struct Setup {
    std::map<std::string, std::int64_t> done; // finished by the interrupted run (rows): skipped
};

std::vector<std::string> names_of(const std::map<std::string, std::int64_t> &tables)
{
    std::vector<std::string> out;
    for (auto const &[name, rows] : tables) out.push_back(name);
    return out;
}

Setup prepare(const MigrateOptions &o, pqxx::work &tx, const std::vector<std::string> &order,
              const std::string &fingerprint, Log &log)
{
    std::string const state_name = qualified(o.target_schema, state_table_name);
    std::string const options = data_options(o);
    Setup s;
    auto const stored = read_state(tx, o.target_schema);
    bool keep_state = false;
    if (stored && o.resume) {
        if (auto const d = differing_keys(stored->fingerprint, fingerprint); !d.empty())
            throw ResumeRefusedError(fmt::format(
                "--resume refused: the source file changed since the interrupted run ({} differ{}); its finished "
                "tables hold the old data: start over with --truncate instead of --resume",
                joined(d), d.size() == 1 ? "s" : ""));
        if (auto const d = differing_keys(stored->options, options); !d.empty())
            throw ResumeRefusedError(fmt::format(
                "--resume refused: options differ from the interrupted run's ({}); run --resume with the same "
                "options, or start over with --truncate instead of --resume",
                joined(d)));
        if (stored->tables != order)
            throw ResumeRefusedError(fmt::format("--resume refused: the interrupted run loaded tables {}, this one "
                                                 "would load {} (did the target schema change?); start over with "
                                                 "--truncate instead of --resume",
                                                 joined(stored->tables), joined(order)));
        s.done = stored->done;
        for (auto const &[t, n] : stored->done) {
            if (std::int64_t const now = count_target_rows(tx, o.target_schema, t); now != n)
                throw ResumeRefusedError(fmt::format(
                    "--resume refused: table {} was committed by the interrupted run with {} rows but holds {} now "
                    "(changed since); start over with --truncate instead of --resume",
                    qualified(o.target_schema, t), n, now));
        }
        keep_state = true;
        log.info(fmt::format("resuming: {} of {} tables finished by the interrupted run", s.done.size(), order.size()));
    } else if (stored && !o.truncate) {
        throw TargetError(interrupted_run_message(*stored, o.target_schema));
    } else if (stored) {
        log.info("--truncate: discarding the progress of an interrupted --per-table run");
    } else if (o.resume) {
        log.info(fmt::format("--resume: no interrupted run recorded in {}; starting with the first table", state_name));
    }

    std::vector<std::string> pending;
    for (auto const &t : order)
        if (!s.done.count(t)) pending.push_back(t);
    if (!pending.empty()) {
        std::string const list = qualified_list(o.target_schema, pending);
        tx.exec("LOCK TABLE " + list + " IN SHARE ROW EXCLUSIVE MODE");
        // On resume the unfinished tables are empty unless someone wrote to them:
        // what an interrupted table transaction held was rolled back.
        if (o.truncate || keep_state) {
            log.info(fmt::format("emptying {} table{} still to load", pending.size(), pending.size() == 1 ? "" : "s"));
            tx.exec("TRUNCATE " + list);
        } else if (auto const full = non_empty_tables(tx, pending, o.target_schema); !full.empty()) {
            throw TargetError(fmt::format("target table{} not empty: {} (pass --truncate to replace their rows, "
                                          "or select other tables){}",
                                          full.size() == 1 ? " is" : "s are", joined(full),
                                          o.resume ? "; --resume: no interrupted run is recorded in " + state_name +
                                                         " (did the earlier run complete?)"
                                                   : ""));
        }
    }
    if (!keep_state) create_state(tx, o.target_schema, fingerprint, options, order);
    return s;
}

// Foreign keys between two different tables that the load order had to break.
void refuse_cycles(const Plan &plan)
{
    std::vector<std::string> cycle;
    for (auto const *fk : plan.deferred_fks)
        if (fk->table != fk->parent_table) cycle.push_back(fk->table + "." + fk->name + " -> " + fk->parent_table);
    if (!cycle.empty())
        throw TargetError(fmt::format("--per-table cannot load tables whose foreign keys form a cycle ({}): no "
                                      "table of the cycle can be committed before the others; run without "
                                      "--per-table (one transaction)",
                                      joined(cycle)));
}

} // namespace

MigrateResult run_per_table(const MigrateOptions &o, const ConvertOptions &conv, SourceDb &src,
                            const std::string &fingerprint, pqxx::connection &conn, const std::string &conninfo,
                            Log &log, std::FILE *out, RunTrace *trace)
{
    auto const started = Clock::now();
    MigrateResult result;
    Phases phases(trace);
    std::vector<std::string> committed; // by this run
    std::string current;                // the table whose transaction is open
    try {
        phases.next("plan");
        std::optional<TargetCatalog> catalog; // the plan points into it
        Plan plan;
        std::vector<std::string> order;
        Setup setup;
        {
            pqxx::work tx(conn, "sqlite2pg per-table setup");
            set_session(tx);
            CancelOnInterrupt const cancel(raw_connection(tx));
            catalog.emplace(TargetCatalog::load(tx, o.target_schema));
            plan = make_plan(src.tables(), *catalog, o.selection);
            for (auto const &n : plan.notes) log.warn(n);
            refuse_cycles(plan);
            for (auto const &tp : plan.tables) order.push_back(tp.target->name);
            log.info(fmt::format("load order: {}; each table is committed on its own", joined(order)));
            setup = prepare(o, tx, order, fingerprint, log);
            tx.commit();
        }

        phases.next("load");
        Progress progress(log);
        std::map<std::string, std::vector<std::int64_t>> not_loaded; // per table, for orphans.hpp
        for (auto const &tp : plan.tables) {
            std::string const &name = tp.target->name;
            if (setup.done.count(name)) {
                std::int64_t const rows = setup.done.at(name);
                log.info(fmt::format("{}: committed by the interrupted run ({} rows), skipped", name, rows));
                if (trace) trace->skipped_tables.push_back(name);
                continue;
            }
            current = name;
            pqxx::work tx(conn, "sqlite2pg table");
            set_session(tx);
            CancelOnInterrupt const cancel(raw_connection(tx));
            std::string const qname = qualified(o.target_schema, name);
            tx.exec("LOCK TABLE " + qname + " IN SHARE ROW EXCLUSIVE MODE");
            if (!non_empty_tables(tx, {name}, o.target_schema).empty())
                throw TargetError(fmt::format("table {} was emptied when this run started but holds rows now: "
                                              "something else writes to it; stop it and run again with --resume",
                                              qname));
            DeferredObjects deferred;
            if (!o.keep_indexes)
                deferred = drop_deferred_objects(tx, o.target_schema, {name}, source_kept_keys(src, plan, o.fixups));
            // Self-references only: refuse_cycles turned away cycles between tables.
            defer_cycle_foreign_keys(tx, plan, o.target_schema, name, deferred, log);
            TableLoadContext const ctx{conv,     o.fixups,        nullptr,         nullptr, progress,
                                       o.copy_format, o.target_schema, o.reject_file, o.send_timeout_s, log,
                                       o.copy_freeze}; // checked above
            TableStats st = load_one_table(src, tx, tp, ctx, deferred, not_loaded[name]);
            if (!deferred.empty()) {
                // Orphans and duplicates the rebuild finds are named by source row.
                ConstraintCheck check{tx, src, plan, o.target_schema, conv, o.fixups, not_loaded, {}, {}, &deferred};
                recreate_deferred_objects(
                    tx, o.target_schema, deferred, [&](const std::string &m) { log.info(m); },
                    [&](const DeferredObject &d, bool fk) { return handle_violation(check, d, fk); });
            }
            for (auto const &r : reset_sequences(tx, o.target_schema, {name}))
                log.debug(fmt::format("sequence {} of {}.{}: next value {}", r.sequence, r.table, r.column,
                                      r.next_value));
            std::int64_t const n = count_target_rows(tx, o.target_schema, name);
            if (trace) trace->counts.push_back({name, st.rows_read, n});
            if (n != st.rows_read)
                throw MismatchError(fmt::format("{}: source {} rows, target {} after the load", name, st.rows_read, n));
            if (o.verify != VerifyMode::None && st.repaired > 0) {
                log.warn(fmt::format("{}: value verification skipped, {} value{} repaired as asked (row count checked)",
                                     name, st.repaired, st.repaired == 1 ? "" : "s"));
            } else if (o.verify != VerifyMode::None) {
                set_verify_session(tx);
                Plan one;
                one.tables.push_back(tp);
                VerifySettings const settings{o.verify, VerifySettings{}.sample_rows, VerifySettings{}.max_differences,
                                              {{name, n}}};
                VerifyResult vr = verify_plan(src, tx, one, o.target_schema, conv, settings, log);
                if (!vr.ok()) {
                    print_verify_result(out, vr);
                    throw MismatchError(verify_summary(vr) + "; the table was rolled back");
                }
            }
            mark_table_done(tx, o.target_schema, name, st.rows_written);
            check_interrupt();
            tx.commit();
            committed.push_back(name);
            current.clear();
            if (trace) {
                trace->tables.push_back(st);
                trace->committed_tables.push_back(name);
            }
            result.tables.push_back(std::move(st));
        }

        phases.next("commit");
        {
            pqxx::work tx(conn, "sqlite2pg per-table finish");
            drop_state(tx, o.target_schema);
            tx.commit();
        }
        phases.done();
        std::string const verdict = fmt::format(
            "OK: {} table{} migrated, each committed on its own, row counts match{}", result.tables.size(),
            result.tables.size() == 1 ? "" : "s",
            setup.done.empty() ? std::string{}
                               : fmt::format("; {} more committed by the interrupted run ({})", setup.done.size(),
                                             joined(names_of(setup.done))));
        print_summary(out, result.tables, since(started), verdict, false);
        return result;
    } catch (...) {
        // Say what the target now holds: the open table's transaction is rolled back,
        // the tables committed before it stay, and --resume takes over from there.
        try {
            rethrow_as_error(conninfo);
        } catch (const Error &e) {
            if (e.code() == ExitCode::ResumeRefused || e.code() == ExitCode::Usage) throw;
            std::string what = e.code() == ExitCode::Interrupted
                                   ? "interrupted by " + interrupt_signal_name()
                                   : std::string{e.what()};
            if (current.empty() && committed.empty()) {
                if (e.code() == ExitCode::Interrupted) what += ": rolled back, the target is unchanged";
                throw Error(e.code(), what);
            }
            std::string tail = current.empty() ? "" : fmt::format("table \"{}\" was rolled back; ", current);
            tail += committed.empty() ? std::string{"no table was committed by this run"}
                                      : fmt::format("committed by this run: {}", joined(committed));
            throw Error(e.code(), fmt::format("{} (--per-table: {}; run again with --resume to finish)", what, tail));
        }
    }
}

} // namespace s2p
