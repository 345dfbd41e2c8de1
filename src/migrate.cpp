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
#include <map>
#include <set>
#include <memory>

namespace s2p {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// --on-error reject: where bad rows go, and how many there may be.
struct Rejects {
    RejectFile *file = nullptr;
    long long max = 0;
    long long total = 0;

    void add(const RejectedRow &r)
    {
        if (++total > max) {
            throw DataError(fmt::format("more than {} rows rejected (--max-rejects; the last: table \"{}\", {}: {}); "
                                        "nothing was written, the rejects so far are in {}",
                                        max, r.table, r.key, r.message, file->path()));
        }
        file->write(r);
    }
};

// Everything one table's rows go through; the COPY writer is absent in a dry run.
struct TableLoad {
    const TablePlan &plan;
    const ConvertOptions &conv;
    const FixupPolicy &fixups;
    ProblemLog *problems;                // dry run: collect every problem
    Rejects *rejects;                    // reject mode: set the row aside; neither: throw
    Progress &progress;
    const std::set<std::int64_t> &skip;  // row ordinals set aside by an earlier attempt
    CopyFormat format;
};

// Binary when asked for and every column's type has a binary form we write.
CopyFormat table_copy_format(const TablePlan &tp, CopyFormat requested)
{
    if (requested == CopyFormat::Text) return CopyFormat::Text;
    for (auto const &c : tp.columns)
        if (!binary_copy_supported(c.target->type)) return CopyFormat::Text;
    return CopyFormat::Binary;
}

// One pass over a table. Kept outside load_table so that, when the server refuses
// a row, the caller still knows which rows were sent and can name it.
struct LoadAttempt {
    TableStats stats;
    std::vector<std::int64_t> not_sent; // ordinals (1-based, scan order) left out, ascending
    std::map<std::string, std::int64_t> repaired; // per column
};

void load_table(SourceDb &src, const TableLoad &load, CopyWriter *writer, std::int64_t source_rows, LoadAttempt &a)
{
    const TablePlan &tp = load.plan;
    TableStats &st = a.stats;
    st.table = tp.target->name;
    auto const start = Clock::now();
    load.progress.start_table(tp.target->name, source_rows);

    std::vector<int> indexes;
    for (auto const &c : tp.columns) indexes.push_back(c.source_index);
    RowCursor cur(src, *tp.source, indexes);

    std::string scratch_buffer;
    CopyRowEncoder enc(writer ? writer->buffer() : scratch_buffer, load.format, static_cast<int>(tp.columns.size()));
    enc.begin_stream();
    std::string value;
    ConvertError err;
    int const ncols = static_cast<int>(tp.columns.size());
    while (cur.next()) {
        std::int64_t const ordinal = ++st.rows_read;
        if (!load.skip.empty() && load.skip.count(ordinal)) {
            a.not_sent.push_back(ordinal);
            ++st.rejects;
            continue;
        }
        enc.begin_row();
        bool row_ok = true;
        for (int i = 0; i < ncols; ++i) {
            auto const &mapping = tp.columns[static_cast<std::size_t>(i)];
            const TargetColumn &tc = *mapping.target;
            SqlValue const v = cur.value(i);
            bool repaired = false;
            Converted const r = convert_with_fixups(v, tc, mapping.convert ? *mapping.convert : load.conv,
                                                    load.fixups, value, err, repaired);
            if (repaired) {
                ++st.repaired;
                ++a.repaired[tc.name];
            }
            if (r == Converted::Value) {
                enc.field(tc.type, value);
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
            auto const &sc = tp.source->columns[static_cast<std::size_t>(mapping.source_index)];
            Problem p{tp.source->name, row_ref(tp, cur), sc.name, excerpt(v), err.reason, err.message};
            if (load.problems) {
                load.problems->add(std::move(p));
                row_ok = false;
                continue; // a dry run lists every bad value of the row
            }
            if (!load.rejects) {
                throw DataError(describe(p) + "; nothing was written (run with --dry-run to list every bad value)");
            }
            RejectedRow rr = rejected_row(tp, cur);
            rr.column = sc.name;
            rr.reason = err.reason;
            rr.message = err.message;
            rr.value = p.value;
            load.rejects->add(rr);
            row_ok = false;
            break; // one reject line per row
        }
        if (!row_ok) {
            enc.discard_row();
            a.not_sent.push_back(ordinal);
            if (load.rejects) ++st.rejects;
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
        enc.end_stream();
        long long const copied = writer->finish();
        if (copied != st.rows_written) {
            throw MismatchError(fmt::format("table \"{}\": PostgreSQL reports {} rows copied, {} were sent",
                                            st.table, copied, st.rows_written));
        }
    }
    st.seconds = since(start);
    load.progress.finish_table(st.rows_written, st.bytes);
}

// The source row behind line `line` of a COPY that left out the rows `not_sent`.
std::int64_t ordinal_of_copy_line(long long line, const std::vector<std::int64_t> &not_sent)
{
    std::int64_t ordinal = line;
    for (std::int64_t const s : not_sent) {
        if (s <= ordinal) ++ordinal;
        else break;
    }
    return ordinal;
}

// Stable codes for rows the server refused, by SQLSTATE.
std::string server_reason(const std::string &sqlstate)
{
    if (sqlstate == "23505") return "duplicate_key";
    if (sqlstate == "23503") return "orphan_row";
    if (sqlstate == "23514") return "check_violation";
    if (sqlstate == "23502") return "null_in_not_null";
    if (sqlstate == "23P01") return "exclusion_violation";
    return "rejected_by_server";
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

    if (!o.backup_source.empty()) {
        phases.next("backup");
        backup_source(o.source, o.backup_source, o.source_busy_timeout_s, log);
    }
    SourceDb src(o.backup_source.empty() ? o.source : o.backup_source, o.source_busy_timeout_s);
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

        // Secondary indexes and foreign keys are dropped and rebuilt after the load
        // (deferred_indexes.hpp says why). With --keep-indexes, only foreign keys
        // inside a cycle are checked after the load: deferred when the schema allows
        // it, else dropped and recreated. Both as the table owner, in this transaction.
        DeferredObjects deferred;
        if (!o.dry_run) {
            if (!o.keep_indexes) {
                deferred = drop_deferred_objects(*tx, o.target_schema, order);
                if (!deferred.indexes.empty() || !deferred.foreign_keys.empty())
                    log.info(fmt::format("{} index{} and {} foreign key{} are rebuilt after the load",
                                         deferred.indexes.size(), deferred.indexes.size() == 1 ? "" : "es",
                                         deferred.foreign_keys.size(), deferred.foreign_keys.size() == 1 ? "" : "s"));
            }
            for (auto const *fk : plan.deferred_fks) {
                if (deferred.contains_fk(fk->table, fk->name)) continue;
                if (fk->deferrable) {
                    tx->exec("SET CONSTRAINTS " + qualified(o.target_schema, fk->name) + " DEFERRED");
                } else {
                    deferred.foreign_keys.push_back(drop_foreign_key(*tx, o.target_schema, fk->table, fk->name));
                }
                log.info(fmt::format("foreign key {} on {} is in a cycle: checked after the load", fk->name, fk->table));
            }
        }

        phases.next("load");
        ProblemLog problems(static_cast<std::size_t>(o.examples));
        Progress progress(log);
        pg_conn *raw = raw_connection(*tx);
        std::unique_ptr<RejectFile> reject_file;
        Rejects rejects;
        if (o.on_error == OnError::Reject && !o.dry_run) {
            reject_file = std::make_unique<RejectFile>(o.reject_file);
            rejects.file = reject_file.get();
            rejects.max = o.max_rejects;
        }
        std::map<std::string, std::vector<std::int64_t>> not_loaded; // per table, for orphans.hpp
        for (auto const &tp : plan.tables) {
            std::int64_t const source_rows = src.count_rows(*tp.source);
            std::set<std::int64_t> skip; // rows set aside so far (reject mode)
            // In reject mode a row the server refuses is set aside and the table loaded
            // again from a savepoint; otherwise it ends the run, named.
            bool const retry = rejects.file != nullptr;
            LoadAttempt a;
            for (;;) {
                if (!o.dry_run) tx->exec("SAVEPOINT sqlite2pg_table");
                CopyFormat const format = table_copy_format(tp, o.copy_format);
                TableLoad const load{tp, conv, o.fixups, o.dry_run ? &problems : nullptr,
                                     rejects.file ? &rejects : nullptr, progress, skip, format};
                std::unique_ptr<CopyWriter> writer;
                if (!o.dry_run) {
                    writer = std::make_unique<CopyWriter>(
                        raw,
                        "COPY " + qualified(o.target_schema, tp.target->name) + " (" + column_list(tp) +
                            ") FROM STDIN" + (format == CopyFormat::Binary ? " (FORMAT binary)" : ""),
                        fmt::format("table \"{}\"", tp.target->name));
                }
                a = LoadAttempt{};
                try {
                    load_table(src, load, writer.get(), source_rows, a);
                    if (!o.dry_run) tx->exec("RELEASE SAVEPOINT sqlite2pg_table");
                    break;
                } catch (const CopyDataError &e) {
                    writer.reset();
                    // A foreign key checked as the COPY ends names no line: it is checked
                    // after the load instead, where orphans.hpp finds the rows.
                    if (!e.line && e.sqlstate == "23503" && !e.constraint.empty()) {
                        tx->exec("ROLLBACK TO SAVEPOINT sqlite2pg_table");
                        skip.insert(a.not_sent.begin(), a.not_sent.end()); // their reject lines are written
                        deferred.foreign_keys.push_back(
                            drop_foreign_key(*tx, o.target_schema, tp.target->name, e.constraint));
                        log.info(fmt::format("{}: foreign key {} is checked after the load to name the rows it refuses",
                                             tp.target->name, e.constraint));
                        continue;
                    }
                    if (!e.line) throw;
                    std::int64_t const ordinal = ordinal_of_copy_line(*e.line, a.not_sent);
                    // Back to before the COPY, so the catalog can name the constraint's columns.
                    tx->exec("ROLLBACK TO SAVEPOINT sqlite2pg_table");
                    std::vector<std::string> const columns =
                        e.column.empty() ? constraint_columns(*tx, o.target_schema, tp.target->name, e.constraint)
                                         : std::vector<std::string>{e.column};
                    RejectedRow rr;
                    visit_row_at(src, tp, ordinal, [&](const RowCursor &cur) {
                        rr = rejected_row(tp, cur);
                        std::vector<std::string> values;
                        for (auto const &c : columns) {
                            for (std::size_t i = 0; i < tp.columns.size(); ++i)
                                if (tp.columns[i].target->name == c) values.push_back(excerpt(cur.value(static_cast<int>(i))));
                        }
                        rr.column = joined(columns);
                        rr.value = joined(values);
                        rr.reason_code = server_reason(e.sqlstate);
                        rr.message = "PostgreSQL refused the row: " + e.server_message;
                        if (!retry) {
                            throw DataError(fmt::format("table \"{}\", {}{} {} [{}]; nothing was written",
                                                        tp.source->name, rr.key,
                                                        columns.empty() ? ":" : fmt::format(", column \"{}\": value {} —",
                                                                                           rr.column, rr.value),
                                                        rr.message, rr.reason_code));
                        }
                        rejects.add(rr);
                    });
                    // Rows already set aside in this attempt stay aside without a second line.
                    skip.insert(a.not_sent.begin(), a.not_sent.end());
                    skip.insert(ordinal);
                    log.warn(fmt::format("{}: {} refused by PostgreSQL ({}); loading the table again without it",
                                         tp.source->name, rr.key, rr.reason_code));
                }
            }
            TableStats &st = a.stats;
            if (st.rows_read != source_rows) {
                throw SourceError(fmt::format("table \"{}\" changed while being read: {} rows counted, {} read",
                                              tp.source->name, source_rows, st.rows_read));
            }
            for (auto const &[column, n] : a.repaired) {
                log.warn(fmt::format("{}.{}: {} value{} repaired as asked (--nul-bytes/--invalid-utf8/--invalid-json)",
                                     tp.source->name, column, n, n == 1 ? "" : "s"));
            }
            if (st.rejects > 0) {
                log.warn(fmt::format("{}: {} row{} rejected, see {}", tp.source->name, st.rejects,
                                     st.rejects == 1 ? "" : "s", o.reject_file));
            }
            not_loaded[tp.target->name] = std::move(a.not_sent);
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

        if (!deferred.indexes.empty() || !deferred.foreign_keys.empty()) {
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
        for (auto const &st : result.tables) {
            std::int64_t const n = count_target_rows(*tx, o.target_schema, st.table);
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
            VerifySettings const settings{o.verify, VerifySettings{}.sample_rows, VerifySettings{}.max_differences};
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
    } catch (const pqxx::in_doubt_error &e) {
        throw TargetError(fmt::format("the connection to {} was lost during COMMIT: whether the migration was "
                                      "committed is unknown; run `sqlite2pg verify` against the target before "
                                      "anything else ({})",
                                      describe_target(conninfo), scrub_password(e.what(), conninfo)));
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
