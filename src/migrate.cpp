#include "migrate.hpp"

#include "connect.hpp"
#include "conninfo.hpp"
#include "convert.hpp"
#include "convert_time.hpp"
#include "copy_encoder.hpp"
#include "copy_writer.hpp"
#include "interrupt.hpp"
#include "planner.hpp"
#include "problems.hpp"
#include "schema_create.hpp"
#include "sequences.hpp"
#include "source_reader.hpp"
#include "target_catalog.hpp"
#include "verify_counts.hpp"
#include "verify.hpp"

#include <pqxx/except>
#include <pqxx/transaction>

#include <fmt/format.h>

#include <chrono>
#include <memory>

namespace s2p {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string row_ref(const TablePlan &tp, const RowCursor &cur)
{
    if (!tp.source->without_rowid) return fmt::format("rowid {}", cur.rowid());
    std::string names, values;
    for (std::size_t i = 0; i < tp.columns.size(); ++i) {
        auto const &sc = tp.source->columns[static_cast<std::size_t>(tp.columns[i].source_index)];
        if (sc.pk_position == 0) continue;
        if (!names.empty()) { names += ", "; values += ", "; }
        names += sc.name;
        values += excerpt(cur.value(static_cast<int>(i)), 20);
    }
    return fmt::format("key ({})=({})", names, values);
}

// Everything one table's rows go through; the COPY writer is absent in a dry run.
struct TableLoad {
    const TablePlan &plan;
    const ConvertOptions &conv;
    ProblemLog *problems; // dry run: collect; otherwise the first problem throws
    Progress &progress;
};

TableStats load_table(SourceDb &src, const TableLoad &load, CopyWriter *writer, std::int64_t source_rows)
{
    const TablePlan &tp = load.plan;
    TableStats st;
    st.table = tp.target->name;
    auto const start = Clock::now();
    load.progress.start_table(tp.target->name, source_rows);

    std::vector<int> indexes;
    for (auto const &c : tp.columns) indexes.push_back(c.source_index);
    RowCursor cur(src, *tp.source, indexes);

    std::string scratch_buffer;
    CopyRowEncoder enc(writer ? writer->buffer() : scratch_buffer);
    std::string value;
    ConvertError err;
    int const ncols = static_cast<int>(tp.columns.size());
    while (cur.next()) {
        ++st.rows_read;
        enc.begin_row();
        bool row_ok = true;
        for (int i = 0; i < ncols; ++i) {
            auto const &mapping = tp.columns[static_cast<std::size_t>(i)];
            const TargetColumn &tc = *mapping.target;
            SqlValue const v = cur.value(i);
            Converted const r = convert_value(v, tc.type, mapping.convert ? *mapping.convert : load.conv, value, err);
            if (r == Converted::Value) {
                enc.field(value);
                continue;
            }
            if (r == Converted::Null && !tc.not_null) {
                enc.null_field();
                continue;
            }
            if (r == Converted::Null) {
                err.reason = Reason::NullInNotNull;
                err.message = fmt::format("NULL into NOT NULL column of type {}", tc.type.name);
            }
            auto const &sc = tp.source->columns[static_cast<std::size_t>(tp.columns[static_cast<std::size_t>(i)].source_index)];
            Problem p{tp.source->name, row_ref(tp, cur), sc.name, excerpt(v), err.reason, err.message};
            if (!load.problems) {
                throw DataError(describe(p) + "; nothing was written (run with --dry-run to list every bad value)");
            }
            load.problems->add(std::move(p));
            row_ok = false;
        }
        if (!row_ok) {
            enc.discard_row();
            continue;
        }
        enc.end_row();
        ++st.rows_written;
        st.bytes += cur.row_bytes();
        if (writer) writer->maybe_flush();
        else scratch_buffer.clear();
        load.progress.update(st.rows_read, st.bytes);
        if ((st.rows_read & 1023) == 0) check_interrupt();
    }
    if (writer) {
        long long const copied = writer->finish();
        if (copied != st.rows_written) {
            throw MismatchError(fmt::format("table \"{}\": PostgreSQL reports {} rows copied, {} were sent",
                                            st.table, copied, st.rows_written));
        }
    }
    st.seconds = since(start);
    load.progress.finish_table(st.rows_written, st.bytes);
    return st;
}

std::string column_list(const TablePlan &tp)
{
    std::string out;
    for (auto const &c : tp.columns) {
        if (!out.empty()) out += ", ";
        out += quote_ident(c.target->name);
    }
    return out;
}

// Session settings the conversion relies on: the server must read our ISO text the
// way we wrote it, whatever the role's or database's defaults.
void set_session(pqxx::transaction_base &tx)
{
    tx.exec("SET LOCAL TimeZone = 'UTC'");
    tx.exec("SET LOCAL DateStyle = 'ISO, YMD'");
    tx.exec("SET LOCAL client_encoding = 'UTF8'");
    tx.exec("SET LOCAL standard_conforming_strings = on");
}

std::vector<std::string> non_empty_tables(pqxx::transaction_base &tx, const Plan &plan, const std::string &schema)
{
    std::vector<std::string> out;
    for (auto const &tp : plan.tables) {
        if (tx.exec("SELECT EXISTS (SELECT 1 FROM " + qualified(schema, tp.target->name) + ")")[0][0].as<bool>())
            out.push_back(tp.target->name);
    }
    return out;
}

// Phase timings for the report: each next() ends the running phase and starts one.
class Phases {
public:
    explicit Phases(RunTrace *t) : m_trace(t) {}
    void next(const char *name)
    {
        if (!m_trace) return;
        done();
        m_trace->phase = name;
        m_start = Clock::now();
    }
    void done()
    {
        if (!m_trace || m_trace->phase.empty()) return;
        m_trace->phases.emplace_back(m_trace->phase, since(m_start));
        m_trace->phase.clear();
    }

private:
    RunTrace *m_trace;
    Clock::time_point m_start = Clock::now();
};

std::string joined(const std::vector<std::string> &names)
{
    std::string out;
    for (auto const &n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

} // namespace

MigrateResult run_migrate(const MigrateOptions &o, Log &log, std::FILE *out, RunTrace *trace)
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

    SourceDb src(o.source, o.source_busy_timeout_s);
    for (auto const &[name, why] : src.skipped()) log.info(fmt::format("skipping {} ({})", name, why));

    std::string const conninfo = resolve_conninfo(o.target);
    phases.next("connect");
    log.info(fmt::format("connecting to {}", describe_target(conninfo)));
    auto conn = connect_target(conninfo, ConnectPolicy{o.connect_retries}, [&](const std::string &m) { log.warn(m); });

    try {
        phases.next("plan");
        std::unique_ptr<pqxx::dbtransaction> tx;
        if (o.dry_run) tx = std::make_unique<pqxx::read_transaction>(*conn, "sqlite2pg dry run");
        else tx = std::make_unique<pqxx::work>(*conn, "sqlite2pg migrate");
        set_session(*tx);

        // --create-schema: the tables are created from the source schema and its data
        // profile, then the run is the ordinary load; a dry run plans against the
        // catalog the DDL would create.
        std::optional<SchemaPlan> schema;
        std::string schema_blocked;
        if (o.schema.create) {
            schema = plan_schema(src, o.selection, o.schema, conv, o.target_schema, log);
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

        std::string const qualified_list = [&] {
            std::string s;
            for (auto const &tp : plan.tables) s += (s.empty() ? "" : ", ") + qualified(o.target_schema, tp.target->name);
            return s;
        }();
        std::string blocked = schema_blocked; // dry run: what would stop the real run, reported at the end
        if (!o.dry_run && !plan.tables.empty()) {
            // Writers wait for us; readers may go on until the commit.
            tx->exec("LOCK TABLE " + qualified_list + " IN SHARE ROW EXCLUSIVE MODE");
        }
        if (!o.truncate && !(schema && o.dry_run)) {
            if (auto const full = non_empty_tables(*tx, plan, o.target_schema); !full.empty()) {
                std::string const msg = fmt::format("target table{} not empty: {} (pass --truncate to replace "
                                                    "their rows, or select other tables)",
                                                    full.size() == 1 ? " is" : "s are", joined(full));
                if (!o.dry_run) throw TargetError(msg);
                blocked = msg;
            }
        } else if (!o.dry_run && !plan.tables.empty()) {
            log.info(fmt::format("truncating {} table{}", plan.tables.size(), plan.tables.size() == 1 ? "" : "s"));
            tx->exec("TRUNCATE " + qualified_list);
        }

        // Foreign keys inside a cycle are checked after the load: deferred when the
        // schema allows it, else dropped and recreated in this same transaction
        // (as the table owner; no superuser needed).
        std::vector<const TargetForeignKey *> to_recreate;
        if (!o.dry_run) {
            for (auto const *fk : plan.deferred_fks) {
                if (fk->deferrable) {
                    tx->exec("SET CONSTRAINTS " + qualified(o.target_schema, fk->name) + " DEFERRED");
                } else {
                    tx->exec("ALTER TABLE " + qualified(o.target_schema, fk->table) + " DROP CONSTRAINT " +
                             quote_ident(fk->name));
                    to_recreate.push_back(fk);
                }
                log.info(fmt::format("foreign key {} on {} is in a cycle: checked after the load", fk->name, fk->table));
            }
        }

        phases.next("load");
        ProblemLog problems(static_cast<std::size_t>(o.examples));
        Progress progress(log);
        pg_conn *raw = raw_connection(*tx);
        for (auto const &tp : plan.tables) {
            std::int64_t const source_rows = src.count_rows(*tp.source);
            TableLoad const load{tp, conv, o.dry_run ? &problems : nullptr, progress};
            std::unique_ptr<CopyWriter> writer;
            if (!o.dry_run) {
                writer = std::make_unique<CopyWriter>(raw,
                                                      "COPY " + qualified(o.target_schema, tp.target->name) + " (" +
                                                          column_list(tp) + ") FROM STDIN",
                                                      fmt::format("table \"{}\"", tp.target->name));
            }
            TableStats st = load_table(src, load, writer.get(), source_rows);
            if (st.rows_read != source_rows) {
                throw SourceError(fmt::format("table \"{}\" changed while being read: {} rows counted, {} read",
                                              tp.source->name, source_rows, st.rows_read));
            }
            if (trace) trace->tables.push_back(st);
            result.tables.push_back(std::move(st));
        }

        if (o.dry_run) {
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

        for (auto const *fk : to_recreate) {
            log.info(fmt::format("recreating foreign key {} on {}", fk->name, fk->table));
            try {
                tx->exec("ALTER TABLE " + qualified(o.target_schema, fk->table) + " ADD CONSTRAINT " +
                         quote_ident(fk->name) + " " + fk->definition);
            } catch (const pqxx::sql_error &e) {
                throw DataError(fmt::format("foreign key {} on table \"{}\" fails after the load: {} (the source "
                                            "has rows whose parent is missing); nothing was written",
                                            fk->name, fk->table, scrub_password(e.what(), conninfo)));
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
        for (auto const &st : result.tables) {
            std::int64_t const n = count_target_rows(*tx, o.target_schema, st.table);
            if (trace) trace->counts.push_back({st.table, st.rows_read, n});
            if (n != st.rows_read) {
                mismatches.push_back(fmt::format("{}: source {} rows, target {}", st.table, st.rows_read, n));
            }
        }
        if (!mismatches.empty()) {
            throw MismatchError("row counts differ after the load (" + joined(mismatches) +
                                "); rolled back, nothing was written");
        }
        if (o.verify != VerifyMode::None) {
            // The same check as `sqlite2pg verify`, on the rows this transaction holds.
            set_verify_session(*tx);
            VerifySettings const settings{o.verify, VerifySettings{}.sample_rows, VerifySettings{}.max_differences};
            VerifyResult vr = verify_plan(src, *tx, plan, o.target_schema, conv, settings, log);
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
        print_summary(out, result.tables, since(started),
                      fmt::format("OK: {} table{} migrated, row counts match; committed", result.tables.size(),
                                  result.tables.size() == 1 ? "" : "s"),
                      false);
        return result;
    } catch (const pqxx::broken_connection &e) {
        throw TargetError(fmt::format("lost the connection to {}: {}; the transaction was not committed, "
                                      "the target is unchanged",
                                      describe_target(conninfo), scrub_password(e.what(), conninfo)));
    } catch (const pqxx::insufficient_privilege &e) {
        throw TargetError(fmt::format("permission denied on the target: {} (the role must own the target "
                                      "tables or have INSERT/TRUNCATE on them)",
                                      scrub_password(e.what(), conninfo)));
    } catch (const pqxx::sql_error &e) {
        std::string m = scrub_password(e.what(), conninfo);
        while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
        throw TargetError(fmt::format("the target rejected a statement: {}; nothing was written", m));
    }
}

} // namespace s2p
