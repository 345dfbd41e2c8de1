#include "orphans.hpp"

#include "connect.hpp"
#include "convert.hpp"
#include "errors.hpp"
#include "migrate_steps.hpp"
#include "problems.hpp"
#include "source_rows.hpp"
#include "schema_map.hpp"
#include "source_schema.hpp"
#include "target_catalog.hpp"

#include <pqxx/result>

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>

namespace s2p {

namespace {

using Tuple = std::vector<std::string>; // key values in PostgreSQL's text output form

// The converter's output is PostgreSQL's input form; for these types it is also
// exactly what PostgreSQL prints back, so no round trip is needed.
bool prints_as_converted(PgKind k)
{
    return k == PgKind::Int2 || k == PgKind::Int4 || k == PgKind::Int8 || k == PgKind::Text || k == PgKind::Varchar;
}

std::vector<std::string> primary_key(pqxx::transaction_base &tx, const std::string &schema, const std::string &table)
{
    std::vector<std::string> out;
    for (auto const &row : tx.exec_params(R"SQL(
        SELECT a.attname FROM pg_index x
        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY (x.indkey)
        WHERE x.indrelid = $1::regclass AND x.indisprimary
        ORDER BY array_position(x.indkey::int2[], a.attnum))SQL",
                                           qualified(schema, table)))
        out.push_back(row[0].as<std::string>());
    return out;
}

// Index in tp.columns of the target column `name`, or -1 when the load does not fill it.
int mapped(const TablePlan &tp, const std::string &name)
{
    for (std::size_t i = 0; i < tp.columns.size(); ++i)
        if (tp.columns[i].target->name == name) return static_cast<int>(i);
    return -1;
}

struct SourceMatch {
    std::int64_t ordinal;
    Tuple identity;
};

// Calls use(ordinal, identity) for every loaded source row whose key converts to
// non-NULL values, in the converter's output form, streaming.
template <typename F> void each_identity(ConstraintCheck &c, const TablePlan &tp, const std::vector<int> &cols, F &&use)
{
    auto const &skip = c.not_loaded.count(tp.target->name) ? c.not_loaded.at(tp.target->name)
                                                           : std::vector<std::int64_t>{};
    RowCursor cur(c.src, *tp.source, plan_column_indexes(tp));
    std::int64_t ordinal = 0;
    std::string value;
    ConvertError err;
    while (cur.next()) {
        ++ordinal;
        if (std::binary_search(skip.begin(), skip.end(), ordinal) || c.set_aside.count({tp.target->name, ordinal}))
            continue;
        Tuple identity;
        bool null = false;
        for (std::size_t k = 0; k < cols.size(); ++k) {
            auto const &mapping = tp.columns[static_cast<std::size_t>(cols[k])];
            bool repaired = false;
            Converted const r = convert_with_fixups(cur.value(cols[k]), *mapping.target,
                                                    mapping.convert ? *mapping.convert : c.conv, c.fixups, value,
                                                    err, repaired);
            if (r != Converted::Value) { null = true; break; }
            identity.push_back(value);
        }
        if (!null) use(ordinal, identity);
    }
}

// Whether the converter's output of every key column is what PostgreSQL prints, so
// identities can be compared as they stream by (each_identity) without collecting them.
bool printed_as_converted(const TablePlan &tp, const std::vector<int> &cols)
{
    return std::all_of(cols.begin(), cols.end(), [&](int k) {
        return prints_as_converted(tp.columns[static_cast<std::size_t>(k)].target->type.kind);
    });
}

// Whether SQLite itself keeps the key unique in a way the conversion cannot undo, so
// there are no duplicates to look for (and no pass over the table, whose keys would
// otherwise all be held in memory): integer target columns from INTEGER-affinity
// source columns (a stored integer converts to itself; text SQLite could not read as
// an integer does not convert either) that are the rowid or the columns of a full
// (not partial) unique index or key of the source table. Not an index when NUL bytes
// are stripped: SQLite keeps '1' || x'00' as text beside the integer 1, and stripped
// it converts to 1.
bool source_keeps_unique(SourceDb &src, const TablePlan &tp, const std::vector<int> &cols, const FixupPolicy &fixups)
{
    std::set<std::string> key;
    for (int k : cols) {
        auto const &mapping = tp.columns[static_cast<std::size_t>(k)];
        PgKind const kind = mapping.target->type.kind;
        if (kind != PgKind::Int2 && kind != PgKind::Int4 && kind != PgKind::Int8) return false;
        auto const &col = tp.source->columns[static_cast<std::size_t>(mapping.source_index)];
        if (affinity_of(col.declared_type) != Affinity::Integer) return false;
        if (cols.size() == 1 && is_rowid_alias(*tp.source, col)) return true;
        key.insert(col.name);
    }
    if (fixups.nul_bytes == NulBytes::Strip) return false;
    for (auto const &ix : read_table_schema(src, *tp.source).indexes) {
        if (!ix.unique || ix.partial) continue;
        std::set<std::string> const cols_of(ix.columns.begin(), ix.columns.end());
        if (cols_of.count("") == 0 && cols_of == key && ix.columns.size() == cols.size()) return true;
    }
    return false;
}

// Every loaded source row's identity, converted as the load did and printed as
// PostgreSQL prints it (values of other types go through the server in batches).
std::vector<SourceMatch> source_identities(ConstraintCheck &c, const TablePlan &tp, const std::vector<int> &cols)
{
    std::vector<SourceMatch> out;
    std::vector<std::set<std::string>> to_print(cols.size());
    each_identity(c, tp, cols, [&](std::int64_t ordinal, Tuple &identity) {
        for (std::size_t k = 0; k < cols.size(); ++k)
            if (!prints_as_converted(tp.columns[static_cast<std::size_t>(cols[k])].target->type.kind))
                to_print[k].insert(identity[k]);
        out.push_back({ordinal, std::move(identity)});
    });
    for (std::size_t k = 0; k < cols.size(); ++k) {
        if (to_print[k].empty()) continue;
        std::vector<std::string> const values(to_print[k].begin(), to_print[k].end());
        std::unordered_map<std::string, std::string> printed;
        std::string const type = tp.columns[static_cast<std::size_t>(cols[k])].target->type.name;
        for (std::size_t b = 0; b < values.size(); b += 10000) {
            auto const e = std::min(values.size(), b + 10000);
            auto const res = c.tx.exec_params("SELECT x::" + type + "::text FROM unnest($1::text[]) WITH ORDINALITY "
                                              "u(x, o) ORDER BY o",
                                              text_array(values.begin() + static_cast<long>(b),
                                                         values.begin() + static_cast<long>(e)));
            for (std::size_t i = 0; i < res.size(); ++i) printed[values[b + i]] = res[static_cast<int>(i)][0].c_str();
        }
        for (auto &m : out) m.identity[k] = printed[m.identity[k]];
    }
    return out;
}

// Calls use(ordinal, identity) for every loaded source row, identities as PostgreSQL
// prints them: streamed when the converter's output already is that, else collected
// and printed by the server first (source_identities).
template <typename F> void each_printed_identity(ConstraintCheck &c, const TablePlan &tp, const std::vector<int> &cols,
                                                 F &&use)
{
    if (printed_as_converted(tp, cols)) return each_identity(c, tp, cols, use);
    for (auto &m : source_identities(c, tp, cols)) use(m.ordinal, m.identity);
}

// A row's name and the excerpt of some of its columns, read in one pass for many rows.
struct Named {
    std::string ref;
    std::string value;
};
std::map<std::int64_t, Named> name_rows(ConstraintCheck &c, const TablePlan &tp, const std::vector<int> &cols,
                                        const std::set<std::int64_t> &ordinals)
{
    std::map<std::int64_t, Named> out;
    RowCursor cur(c.src, *tp.source, plan_column_indexes(tp));
    std::int64_t ordinal = 0;
    auto next = ordinals.begin();
    while (next != ordinals.end() && cur.next()) {
        if (++ordinal != *next) continue;
        std::vector<std::string> values;
        for (int const i : cols) values.push_back(excerpt(cur.value(i)));
        out[ordinal] = {row_ref(tp, cur), joined(values)};
        ++next;
    }
    return out;
}

const TablePlan *plan_of(const Plan &plan, const std::string &target_table)
{
    for (auto const &tp : plan.tables)
        if (tp.target->name == target_table) return &tp;
    return nullptr;
}

// Indexes in tp.columns of `names`; empty when one is not loaded.
std::vector<int> mapped_all(const TablePlan &tp, const std::vector<std::string> &names)
{
    std::vector<int> out;
    for (auto const &n : names) {
        int const i = n.empty() ? -1 : mapped(tp, n);
        if (i < 0) return {};
        out.push_back(i);
    }
    return out;
}

} // namespace

KeyFilter source_kept_keys(SourceDb &src, const Plan &plan, const FixupPolicy &fixups)
{
    return [&src, &plan, &fixups](const DeferredObject &key) {
        const TablePlan *tp = plan_of(plan, key.table);
        std::vector<int> const cols = tp ? mapped_all(*tp, key.columns) : std::vector<int>{};
        return !cols.empty() && source_keeps_unique(src, *tp, cols, fixups);
    };
}

void list_key_problems(ConstraintCheck &c, ProblemLog &log)
{
    std::vector<std::string> tables;
    for (auto const &tp : c.plan.tables) tables.push_back(tp.target->name);
    std::string const names = text_array(tables);

    // Unique keys of plain columns, without a predicate.
    for (auto const &row : c.tx.exec_params(R"SQL(
        SELECT c.relname, i.relname,
          ARRAY(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY u(n, o)
                JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.n
                WHERE u.o <= x.indnkeyatts ORDER BY u.o)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = ANY ($2::text[]) AND x.indisunique
          AND x.indexprs IS NULL AND x.indpred IS NULL
        ORDER BY c.relname, i.relname)SQL",
                                            c.schema, names)) {
        const TablePlan *tp = plan_of(c.plan, row[0].as<std::string>());
        std::vector<std::string> const columns = strings(row[2]);
        std::vector<int> const cols = tp ? mapped_all(*tp, columns) : std::vector<int>{};
        if (cols.empty() || source_keeps_unique(c.src, *tp, cols, c.fixups)) continue;
        std::map<Tuple, std::int64_t> first;
        std::map<std::int64_t, std::int64_t> repeats; // ordinal -> first ordinal with its key
        auto const add = [&](std::int64_t ordinal, Tuple &identity) {
            auto const [it, fresh] = first.emplace(std::move(identity), ordinal);
            if (!fresh) repeats[ordinal] = it->second;
        };
        each_printed_identity(c, *tp, cols, add);
        if (repeats.empty()) continue;
        std::set<std::int64_t> involved;
        for (auto const &[r, f] : repeats) involved.insert({r, f});
        auto const named = name_rows(c, *tp, cols, involved);
        std::string const index = row[1].as<std::string>();
        for (auto const &[r, f] : repeats) {
            log.add({tp->source->name, named.at(r).ref, joined(columns), named.at(r).value, Reason::DuplicateKey,
                     fmt::format("same key as {} (unique index {})", named.at(f).ref, index)});
        }
    }

    // Foreign keys: the parent's keys from its source rows when it is loaded, else
    // from the target as it is now.
    for (auto const &fk : read_foreign_keys(c.tx, c.schema, tables)) {
        const TablePlan *child = plan_of(c.plan, fk.table);
        std::vector<int> const cols = child ? mapped_all(*child, fk.columns) : std::vector<int>{};
        if (cols.empty()) continue;
        std::set<Tuple> parents;
        const TablePlan *parent = fk.parent_schema == c.schema ? plan_of(c.plan, fk.parent_table) : nullptr;
        if (parent) {
            std::vector<int> const pcols = mapped_all(*parent, fk.parent_columns);
            if (pcols.empty()) continue;
            auto const add = [&](std::int64_t, Tuple &identity) { parents.insert(std::move(identity)); };
            each_printed_identity(c, *parent, pcols, add);
        } else {
            std::string sql = "SELECT ";
            for (std::size_t i = 0; i < fk.parent_columns.size(); ++i)
                sql += (i ? ", " : "") + quote_ident(fk.parent_columns[i]) + "::text";
            for (auto const &r : c.tx.exec(sql + " FROM " + fk.parent)) {
                Tuple t;
                for (std::size_t i = 0; i < fk.parent_columns.size(); ++i) t.push_back(r[static_cast<int>(i)].c_str());
                parents.insert(std::move(t));
            }
        }
        std::set<std::int64_t> orphans;
        auto const check = [&](std::int64_t ordinal, const Tuple &identity) {
            if (!parents.count(identity)) orphans.insert(ordinal);
        };
        each_printed_identity(c, *child, cols, check);
        if (orphans.empty()) continue;
        for (auto const &[ordinal, n] : name_rows(c, *child, cols, orphans)) {
            log.add({child->source->name, n.ref, joined(fk.columns), n.value, Reason::OrphanRow,
                     fmt::format("no row in {} has ({}) = ({}) (foreign key {})", fk.parent, joined(fk.parent_columns),
                                 n.value, fk.name)});
        }
    }
}

std::vector<std::string> constraint_columns(pqxx::transaction_base &tx, const std::string &schema,
                                            const std::string &table, const std::string &name)
{
    std::vector<std::string> out;
    if (name.empty()) return out;
    for (auto const &row : tx.exec_params(R"SQL(
        SELECT a.attname FROM pg_constraint k, unnest(k.conkey) WITH ORDINALITY u(n, o)
        JOIN pg_attribute a ON a.attnum = u.n
        WHERE k.conrelid = $1::regclass AND a.attrelid = k.conrelid AND k.conname = $2
        ORDER BY u.o)SQL",
                                           qualified(schema, table), name))
        out.push_back(row[0].as<std::string>());
    if (!out.empty()) return out;
    // A unique index that is not a constraint: its key columns, or expressions.
    for (auto const &row : tx.exec_params(R"SQL(
        SELECT coalesce(a.attname, pg_get_indexdef(x.indexrelid, u.o::int, true))
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY u(n, o)
        LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.n AND u.n <> 0
        WHERE x.indrelid = $1::regclass AND i.relname = $2 AND u.o <= x.indnkeyatts
        ORDER BY u.o)SQL",
                                           qualified(schema, table), name))
        out.push_back(row[0].as<std::string>());
    return out;
}

bool handle_violation(ConstraintCheck &c, const DeferredObject &o, bool foreign_key)
{
    const TablePlan *const tp_found = plan_of(c.plan, o.table);
    if (!tp_found || o.columns.empty()) return false;
    const TablePlan &tp = *tp_found;
    std::string const table = qualified(c.schema, o.table);

    // Rows are told apart by the primary key; without one (or one the load does not
    // fill), by the constraint's own columns, which is exact for an orphan and makes
    // every copy of a duplicate an offender.
    std::vector<std::string> identity = primary_key(c.tx, c.schema, o.table);
    std::vector<int> cols = mapped_all(tp, identity);
    bool const by_key = !cols.empty();
    if (!by_key) {
        identity = o.columns;
        cols = mapped_all(tp, identity);
        if (cols.empty()) return false;
    }

    // The offending target rows: identity, and for duplicates the key they share.
    std::string sql = "SELECT ";
    for (auto const &n : identity) sql += "c." + quote_ident(n) + "::text, ";
    if (foreign_key) {
        std::string cond, join;
        for (std::size_t i = 0; i < o.columns.size(); ++i) {
            cond += " AND c." + quote_ident(o.columns[i]) + " IS NOT NULL";
            join += std::string(i ? " AND " : "") + "p." + quote_ident(o.parent_columns.at(i)) + " = c." +
                    quote_ident(o.columns[i]);
        }
        sql += "'' FROM " + table + " c WHERE true" + cond + " AND NOT EXISTS (SELECT 1 FROM " + o.parent + " p WHERE " +
               join + ")";
    } else {
        std::string const keys = joined(o.key_sql);
        std::string const pred = o.predicate.empty() ? "true" : "(" + o.predicate + ")";
        sql += "ROW(" + keys + ")::text FROM " + table + " c WHERE " + pred + " AND (" + keys + ") IN (SELECT " + keys +
               " FROM " + table + " WHERE " + pred + " GROUP BY " + keys + " HAVING count(*) > 1)";
    }
    std::map<Tuple, std::string> offenders; // identity -> shared key
    for (auto const &row : c.tx.exec(sql)) {
        Tuple t;
        for (std::size_t i = 0; i < identity.size(); ++i) t.push_back(row[static_cast<int>(i)].c_str());
        offenders.emplace(std::move(t), row[static_cast<int>(identity.size())].c_str());
    }
    if (offenders.empty()) return false;

    // Their source rows, in scan order; of duplicates told apart by the primary key
    // the first copy stays.
    std::map<std::string, std::vector<std::int64_t>> groups;
    std::vector<std::int64_t> rejected;
    std::map<std::int64_t, Tuple> identity_of;
    for (auto &m : source_identities(c, tp, cols)) {
        auto const it = offenders.find(m.identity);
        if (it == offenders.end()) continue;
        groups[it->second].push_back(m.ordinal);
        identity_of[m.ordinal] = std::move(m.identity);
    }
    std::map<std::int64_t, std::int64_t> other_copy; // duplicate -> the copy it is compared with
    std::int64_t first_offender = 0;                 // what abort names: the first row that breaks the rule
    for (auto const &[key, ordinals] : groups) {
        if (!foreign_key && ordinals.size() < 2) continue;
        bool const keep_first = !foreign_key && by_key;
        for (std::size_t i = keep_first ? 1 : 0; i < ordinals.size(); ++i) {
            rejected.push_back(ordinals[i]);
            if (!foreign_key) other_copy[ordinals[i]] = i == 0 ? ordinals[1] : ordinals[0];
        }
        std::int64_t const named = foreign_key ? ordinals[0] : ordinals[1];
        if (first_offender == 0 || named < first_offender) first_offender = named;
    }
    if (rejected.empty()) return false;
    std::sort(rejected.begin(), rejected.end());

    // The constraint's columns in the source row, for the message.
    std::vector<std::string> shown;
    for (std::size_t i = 0; i < o.columns.size(); ++i) shown.push_back(o.columns[i].empty() ? o.key_sql.at(i) : o.columns[i]);
    auto record = [&](const RowCursor &cur, std::int64_t ordinal) {
        RejectedRow rr = rejected_row(tp, cur);
        rr.column = joined(shown);
        // Source values of plain columns; an expression key shows the value PostgreSQL computed.
        std::vector<std::string> values;
        bool expression = false;
        for (auto const &n : o.columns) {
            int const i = n.empty() ? -1 : mapped(tp, n);
            if (i < 0) expression = true;
            else values.push_back(excerpt(cur.value(i)));
        }
        rr.value = expression ? offenders.at(identity_of.at(ordinal)) : joined(values);
        if (foreign_key) {
            rr.reason = Reason::OrphanRow;
            rr.message = fmt::format("no row in {} has ({}) = ({}) (foreign key {}, checked after the load)", o.parent,
                                     joined(o.parent_columns), rr.value, o.name);
        } else {
            rr.reason = Reason::DuplicateKey;
            std::string other;
            visit_row_at(c.src, tp, other_copy.at(ordinal), [&](const RowCursor &f) { other = row_ref(tp, f); });
            rr.message = fmt::format("same key {} as {} (unique index {}, checked after the load){}",
                                     offenders.at(identity_of.at(ordinal)), other, o.name,
                                     by_key || !c.reject ? ""
                                                         : "; no primary key tells the copies apart, so every copy is "
                                                           "set aside");
        }
        return rr;
    };

    if (!c.reject) {
        RejectedRow rr;
        visit_row_at(c.src, tp, first_offender, [&](const RowCursor &cur) { rr = record(cur, first_offender); });
        throw DataError(fmt::format("table \"{}\", {}, column \"{}\": value {} — {} [{}]; nothing was written (fix the "
                                    "source, or run with --on-error reject to set such rows aside)",
                                    rr.table, rr.key, rr.column, rr.value, rr.message, reason_code(rr.reason)));
    }

    for (auto const ordinal : rejected)
        if (!c.set_aside.insert({o.table, ordinal}).second) return false;

    // One pass over the source for the reject lines, then the rows leave the target.
    {
        RowCursor cur(c.src, *tp.source, plan_column_indexes(tp));
        std::int64_t ordinal = 0;
        auto next = rejected.begin();
        while (next != rejected.end() && cur.next()) {
            if (++ordinal != *next) continue;
            c.reject(record(cur, ordinal));
            ++next;
        }
    }
    // A kept foreign key whose ON DELETE acts (CASCADE, SET NULL, SET DEFAULT) would
    // silently change or remove child rows with the delete: it is checked after the
    // load instead, where the child rows it would have touched become named orphans.
    auto const acting = c.tx.exec_params(R"SQL(
        SELECT k.conname FROM pg_constraint k
        WHERE k.contype = 'f' AND k.confrelid = $1::regclass AND k.confdeltype NOT IN ('a', 'r')
        ORDER BY k.conname)SQL",
                                         table);
    for (auto const &row : acting) {
        std::string const name = row[0].as<std::string>();
        if (!c.deferred)
            throw TargetError(fmt::format("table \"{}\": setting rows aside would fire the ON DELETE action of "
                                          "foreign key {}; drop it before the load or run without --on-error reject",
                                          o.table, name));
        c.deferred->foreign_keys.push_back(drop_foreign_key(c.tx, c.schema, o.table, name));
    }
    std::string del = "DELETE FROM " + table + " WHERE ";
    for (std::size_t i = 0; i < identity.size(); ++i)
        del += fmt::format("{}{} = ${}", i ? " AND " : "", quote_ident(identity[i]), i + 1);
    std::set<Tuple> deleted;
    for (auto const ordinal : rejected) {
        Tuple const &t = identity_of.at(ordinal);
        if (!deleted.insert(t).second) continue;
        for (;;) {
            RawOutcome const r = raw_exec_in_savepoint(c.tx, del, t);
            if (r.sqlstate.empty()) {
                if (r.rows == 0) return false; // not the row the server showed: give up rather than loop
                break;
            }
            // A foreign key kept during the load still points at the row: it is
            // checked after the load instead, where the rows behind it become orphans.
            if (r.sqlstate == "23503" && !r.constraint.empty() && c.deferred) {
                c.deferred->foreign_keys.push_back(drop_foreign_key(c.tx, c.schema, o.table, r.constraint));
                continue;
            }
            throw TargetError(fmt::format("table \"{}\": deleting the rows set aside failed (SQLSTATE {}{})",
                                          o.table, r.sqlstate, r.constraint.empty() ? "" : ", " + r.constraint));
        }
    }
    c.removed[o.table] += static_cast<std::int64_t>(rejected.size());
    return true;
}

} // namespace s2p
