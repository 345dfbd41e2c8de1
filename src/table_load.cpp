#include "table_load.hpp"

#include "connect.hpp"
#include "convert.hpp"
#include "copy_binary.hpp"
#include "copy_encoder.hpp"
#include "copy_writer.hpp"
#include "fixups.hpp"
#include "interrupt.hpp"
#include "migrate_steps.hpp"
#include "orphans.hpp"
#include "source_rows.hpp"
#include "target_catalog.hpp"

#include <map>
#include <memory>
#include <set>

namespace s2p {

namespace {

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

    RowCursor cur(src, *tp.source, plan_column_indexes(tp));

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
                std::string const what = describe(p) + "; nothing was written (run with --dry-run to list every bad value)";
                if (r == Converted::Null) throw DataError(what);
                throw ValueError(what, sc.name);
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

// Whether a TRUNCATE of this (empty) table alone, inside the load's savepoint, is
// invisible to everyone but this transaction: COPY FREEZE needs the table truncated
// in the current subtransaction. Frozen rows spare PostgreSQL the visibility checks
// of the index builds and verification here, and the hint-bit and freezing rewrite
// of every page vacuum would do after the cutover. Not when another table's foreign
// key references it (TRUNCATE refuses), a TRUNCATE trigger or a publication that
// replicates TRUNCATE would see it, or it is partitioned or inherited.
bool copy_freeze_allowed(pqxx::dbtransaction &tx, const std::string &schema, const std::string &table)
{
    static constexpr char const *sql = R"(
SELECT c.relkind = 'r'
   AND has_table_privilege(c.oid, 'TRUNCATE')
   AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid OR i.inhrelid = c.oid)
   AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                   WHERE k.contype = 'f' AND k.confrelid = c.oid AND k.conrelid <> c.oid)
   AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND (t.tgtype & 32) <> 0)
   AND NOT EXISTS (SELECT 1 FROM pg_publication p WHERE p.pubtruncate)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2)";
    pqxx::result const r = tx.exec_params(sql, schema, table);
    return !r.empty() && r[0][0].as<bool>();
}

std::string copy_statement(const std::string &schema, const TablePlan &tp, CopyFormat format, bool freeze)
{
    std::vector<std::string> options;
    if (format == CopyFormat::Binary) options.emplace_back("FORMAT binary");
    if (freeze) options.emplace_back("FREEZE");
    std::string sql = "COPY " + qualified(schema, tp.target->name) + " (" + column_list(tp) + ") FROM STDIN";
    if (!options.empty()) sql += " (" + joined(options) + ")";
    return sql;
}

} // namespace

TableStats load_one_table(SourceDb &src, pqxx::dbtransaction &tx, const TablePlan &tp, const TableLoadContext &ctx,
                          DeferredObjects &deferred, std::vector<std::int64_t> &not_sent)
{
    bool const dry_run = ctx.problems != nullptr;
    pg_conn *raw = raw_connection(tx);
        std::int64_t const source_rows = src.count_rows(*tp.source);
        std::set<std::int64_t> skip; // rows set aside so far (reject mode)
        // In reject mode a row the server refuses is set aside and the table loaded
        // again from a savepoint; otherwise it ends the run, named.
        bool const retry = ctx.rejects != nullptr;
        LoadAttempt a;
        CopyFormat const format = table_copy_format(tp, ctx.requested_format);
        std::string const qname = qualified(ctx.schema, tp.target->name);
        bool const freeze = !dry_run && ctx.tables_known_empty && copy_freeze_allowed(tx, ctx.schema, tp.target->name);
        if (!dry_run && ctx.tables_known_empty && !freeze)
            ctx.log.debug(fmt::format("{}: COPY without FREEZE (the table cannot be truncated alone here)", qname));
        for (;;) {
            if (!dry_run) tx.exec("SAVEPOINT sqlite2pg_table");
            if (freeze) tx.exec("TRUNCATE ONLY " + qname);
            TableLoad const load{tp, ctx.conv, ctx.fixups, ctx.problems,
                                 ctx.rejects, ctx.progress, skip, format};
            std::unique_ptr<CopyWriter> writer;
            if (!dry_run) {
                writer = std::make_unique<CopyWriter>(raw, copy_statement(ctx.schema, tp, format, freeze),
                                                      fmt::format("table \"{}\"", tp.target->name),
                                                      ctx.send_timeout_s);
            }
            a = LoadAttempt{};
            try {
                load_table(src, load, writer.get(), source_rows, a);
                if (!dry_run) tx.exec("RELEASE SAVEPOINT sqlite2pg_table");
                break;
            } catch (const CopyDataError &e) {
                writer.reset();
                // A foreign key checked as the COPY ends names no line: it is checked
                // after the load instead, where orphans.hpp finds the rows.
                if (!e.line && e.sqlstate == "23503" && !e.constraint.empty()) {
                    tx.exec("ROLLBACK TO SAVEPOINT sqlite2pg_table");
                    skip.insert(a.not_sent.begin(), a.not_sent.end()); // their reject lines are written
                    deferred.foreign_keys.push_back(
                        drop_foreign_key(tx, ctx.schema, tp.target->name, e.constraint));
                    ctx.log.info(fmt::format("{}: foreign key {} is checked after the load to name the rows it refuses",
                                         tp.target->name, e.constraint));
                    continue;
                }
                if (!e.line) throw;
                std::int64_t const ordinal = ordinal_of_copy_line(*e.line, a.not_sent);
                // Back to before the COPY, so the catalog can name the constraint's columns.
                tx.exec("ROLLBACK TO SAVEPOINT sqlite2pg_table");
                std::vector<std::string> const columns =
                    e.column.empty() ? constraint_columns(tx, ctx.schema, tp.target->name, e.constraint)
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
                    ctx.rejects->add(rr);
                });
                // Rows already set aside in this attempt stay aside without a second line.
                skip.insert(a.not_sent.begin(), a.not_sent.end());
                skip.insert(ordinal);
                ctx.log.warn(fmt::format("{}: {} refused by PostgreSQL ({}); loading the table again without it",
                                     tp.source->name, rr.key, rr.reason_code));
            }
        }
        TableStats &st = a.stats;
        st.frozen = freeze;
        if (st.rows_read != source_rows) {
            throw SourceError(fmt::format("table \"{}\" changed while being read: {} rows counted, {} read",
                                          tp.source->name, source_rows, st.rows_read));
        }
        for (auto const &[column, n] : a.repaired) {
            ctx.log.warn(fmt::format("{}.{}: {} value{} repaired as asked (--nul-bytes/--invalid-utf8/--invalid-json)",
                                 tp.source->name, column, n, n == 1 ? "" : "s"));
        }
        if (st.rejects > 0) {
            ctx.log.warn(fmt::format("{}: {} row{} rejected, see {}", tp.source->name, st.rejects,
                                 st.rejects == 1 ? "" : "s", ctx.reject_path));
        }
    not_sent = std::move(a.not_sent);
    return st;
}

} // namespace s2p
