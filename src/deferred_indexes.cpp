#include "deferred_indexes.hpp"

#include "connect.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "target_catalog.hpp"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/field>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include <libpq-fe.h>

namespace s2p {

namespace {

// What neither pg_get_indexdef nor pg_get_constraintdef brings back, on the index `x`
// (pg_index) and its pg_class row `i`: an index with any of it stays in place. A
// tablespace of its own (no TABLESPACE clause), a statistics target (-1 is the
// default up to PostgreSQL 16, NULL from 17), DEPENDS ON EXTENSION.
std::string const definition_is_whole = R"SQL(
  AND i.reltablespace = 0
  AND NOT EXISTS (SELECT 1 FROM pg_attribute s WHERE s.attrelid = x.indexrelid
                  AND s.attstattarget IS NOT NULL AND s.attstattarget <> -1)
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass
                  AND e.objid = x.indexrelid AND e.deptype = 'x')
)SQL";

// Partitioned tables are left alone: their indexes cascade to partitions.
std::string const indexes_sql = R"SQL(
SELECT c.relname, i.relname, pg_get_indexdef(x.indexrelid), x.indisunique,
  ARRAY(SELECT coalesce(a.attname, '') FROM unnest(x.indkey::int2[]) WITH ORDINALITY u(n, o)
        LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.n
        WHERE u.o <= x.indnkeyatts ORDER BY u.o),
  ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) k ORDER BY k),
  coalesce(pg_get_expr(x.indpred, x.indrelid, true), ''), '', '{}'::name[], '', '',
  obj_description(x.indexrelid, 'pg_class'), x.indisclustered, x.indisreplident
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind = 'r'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = c.oid)
)SQL" + definition_is_whole + "ORDER BY c.relname, i.relname";

// Primary keys that nothing depends on but foreign keys of the loaded tables (which
// are dropped first) and their own parts (the index, a DEFERRABLE key's trigger): no
// view, no other table's foreign key. Not on a partition or an inheritance parent
// (ADD PRIMARY KEY would mark the children's columns NOT NULL), nor on a table the
// role does not own (it could load it without owning it before), nor one with user
// triggers (a BEFORE INSERT trigger may change the key). The index must carry the
// constraint's name and nothing that pg_get_constraintdef leaves out (beside
// definition_is_whole: a comment of its own, WITH (...), NULLS NOT DISTINCT), so that
// ADD CONSTRAINT brings back the same objects.
std::string const keys_sql = R"SQL(
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid), true,
  ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o),
  ARRAY(SELECT quote_ident(a.attname) FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o),
  '', '', '{}'::name[], '', '',
  obj_description(k.oid, 'pg_constraint'), x.indisclustered, x.indisreplident
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_index x ON x.indexrelid = k.conindid
JOIN pg_class i ON i.oid = k.conindid
WHERE k.contype = 'p' AND n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind = 'r'
  AND NOT c.relispartition AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhparent = c.oid)
  AND pg_has_role(c.relowner, 'USAGE')
  AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)
  AND i.relname = k.conname
  AND obj_description(k.conindid, 'pg_class') IS NULL AND i.reloptions IS NULL
  AND NOT coalesce((to_jsonb(x) ->> 'indnullsnotdistinct')::boolean, false) -- PostgreSQL 15+
  AND NOT EXISTS (
    SELECT 1 FROM pg_depend d
    WHERE ((d.refclassid = 'pg_constraint'::regclass AND d.refobjid = k.oid)
           OR (d.refclassid = 'pg_class'::regclass AND d.refobjid = k.conindid))
      AND d.deptype <> 'i'
      AND NOT (d.classid = 'pg_constraint'::regclass AND d.objid IN (
        SELECT f.oid FROM pg_constraint f JOIN pg_class fc ON fc.oid = f.conrelid
        WHERE f.contype = 'f' AND fc.relnamespace = n.oid AND fc.relname = ANY($2::text[]) AND fc.relkind = 'r')))
)SQL" + definition_is_whole + "ORDER BY c.relname";

constexpr char const *foreign_keys_sql = R"SQL(
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid), false,
  ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o),
  '{}'::text[], '', k.confrelid::regclass::text,
  ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
        JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o),
  (SELECT pn.nspname FROM pg_class pc JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE pc.oid = k.confrelid),
  (SELECT pc.relname FROM pg_class pc WHERE pc.oid = k.confrelid),
  obj_description(k.oid, 'pg_constraint'), false, false
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE k.contype = 'f' AND n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind = 'r'
ORDER BY c.relname, k.conname
)SQL";

} // namespace

std::string text_array(std::vector<std::string>::const_iterator b, std::vector<std::string>::const_iterator e)
{
    std::string out = "{";
    for (auto it = b; it != e; ++it) {
        if (out.size() > 1) out.push_back(',');
        out.push_back('"');
        for (char c : *it) {
            if (c == '"' || c == '\\') out.push_back('\\');
            out.push_back(c);
        }
        out.push_back('"');
    }
    return out + "}";
}

std::string text_array(const std::vector<std::string> &values) { return text_array(values.begin(), values.end()); }

std::vector<std::string> strings(const pqxx::field &f)
{
    std::vector<std::string> out;
    auto parser = f.as_array();
    for (auto item = parser.get_next(); item.first != pqxx::array_parser::done; item = parser.get_next()) {
        if (item.first == pqxx::array_parser::string_value) out.push_back(item.second);
        else if (item.first == pqxx::array_parser::null_value) out.emplace_back();
    }
    return out;
}

namespace {

// A deferred primary or foreign key, on its table.
void drop_constraint(pqxx::transaction_base &tx, const std::string &schema, const DeferredObject &o)
{
    tx.exec("ALTER TABLE " + qualified(schema, o.table) + " DROP CONSTRAINT " + quote_ident(o.name));
}

std::string add_constraint_sql(const std::string &schema, const DeferredObject &o)
{
    return "ALTER TABLE " + qualified(schema, o.table) + " ADD CONSTRAINT " + quote_ident(o.name) + " " + o.definition;
}

std::vector<DeferredObject> read(pqxx::transaction_base &tx, const std::string &sql, const std::string &schema,
                                 const std::vector<std::string> &tables)
{
    std::vector<DeferredObject> out;
    for (auto const &row : tx.exec_params(sql, schema, text_array(tables))) {
        DeferredObject o{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()};
        o.unique = row[3].as<bool>();
        o.columns = strings(row[4]);
        o.key_sql = strings(row[5]);
        o.predicate = row[6].as<std::string>();
        o.parent = row[7].as<std::string>();
        o.parent_columns = strings(row[8]);
        o.parent_schema = row[9].as<std::string>();
        o.parent_table = row[10].as<std::string>();
        if (!row[11].is_null()) o.comment = row[11].as<std::string>();
        o.clustered = row[12].as<bool>();
        o.replica_identity = row[13].as<bool>();
        out.push_back(std::move(o));
    }
    return out;
}

} // namespace

RawOutcome raw_exec_in_savepoint(pqxx::dbtransaction &tx, const std::string &sql,
                                 const std::vector<std::string> &params)
{
    tx.exec("SAVEPOINT sqlite2pg_attempt");
    pg_conn *const raw = raw_connection(tx);
    RawOutcome const r = raw_exec(raw, sql, params);
    if (r.sqlstate.empty()) {
        tx.exec("RELEASE SAVEPOINT sqlite2pg_attempt");
    } else if (std::string const rb = raw_exec(raw, "ROLLBACK TO SAVEPOINT sqlite2pg_attempt").sqlstate; !rb.empty()) {
        throw TargetError(fmt::format("ROLLBACK TO SAVEPOINT failed (SQLSTATE {}) after a statement failed with "
                                      "SQLSTATE {}",
                                      rb, r.sqlstate));
    }
    return r;
}

RawOutcome raw_exec(pg_conn *conn, const std::string &sql, const std::vector<std::string> &params)
{
    std::vector<char const *> values;
    for (auto const &p : params) values.push_back(p.c_str());
    std::unique_ptr<PGresult, decltype(&PQclear)> res(
        PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0),
        &PQclear);
    auto const status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        RawOutcome ok;
        ok.rows = std::atoll(PQcmdTuples(res.get()));
        return ok;
    }
    auto field = [&](int code) -> std::string {
        char const *v = res ? PQresultErrorField(res.get(), code) : nullptr;
        return v ? v : "";
    };
    RawOutcome out{field(PG_DIAG_SQLSTATE), field(PG_DIAG_CONSTRAINT_NAME), field(PG_DIAG_TABLE_NAME)};
    if (out.sqlstate.empty()) out.sqlstate = "XX000";
    return out;
}

bool DeferredObjects::contains_fk(const std::string &table, const std::string &name) const
{
    return std::any_of(foreign_keys.begin(), foreign_keys.end(),
                       [&](const DeferredObject &o) { return o.table == table && o.name == name; });
}

DeferredObjects drop_deferred_objects(pqxx::transaction_base &tx, const std::string &schema,
                                      const std::vector<std::string> &tables, const KeyFilter &rebuild_key)
{
    DeferredObjects d;
    d.foreign_keys = read(tx, foreign_keys_sql, schema, tables);
    d.indexes = read(tx, indexes_sql, schema, tables);
    if (rebuild_key) {
        for (auto &k : read(tx, keys_sql, schema, tables))
            if (rebuild_key(k)) d.keys.push_back(std::move(k));
    }
    for (auto const &fk : d.foreign_keys) drop_constraint(tx, schema, fk);
    for (auto const &k : d.keys) drop_constraint(tx, schema, k);
    for (auto const &ix : d.indexes) tx.exec("DROP INDEX " + qualified(schema, ix.name));
    return d;
}

bool DeferredObjects::empty() const { return keys.empty() && indexes.empty() && foreign_keys.empty(); }

std::vector<DeferredObject> read_foreign_keys(pqxx::transaction_base &tx, const std::string &schema,
                                              const std::vector<std::string> &tables)
{
    return read(tx, foreign_keys_sql, schema, tables);
}

DeferredObject drop_foreign_key(pqxx::transaction_base &tx, const std::string &schema, const std::string &table,
                                const std::string &name)
{
    // The server names the referenced table when a delete breaks the key: find its owner.
    auto const owner = tx.exec_params(R"SQL(
        SELECT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        WHERE k.contype = 'f' AND k.conname = $1 AND (k.conrelid = $2::regclass OR k.confrelid = $2::regclass)
        ORDER BY k.conrelid = $2::regclass DESC LIMIT 1)SQL",
                                      name, qualified(schema, table));
    std::string const child = owner.empty() ? table : owner[0][0].as<std::string>();
    for (auto &fk : read(tx, foreign_keys_sql, schema, {child})) {
        if (fk.name != name) continue;
        drop_constraint(tx, schema, fk);
        return std::move(fk);
    }
    throw TargetError(fmt::format("foreign key {} on table \"{}\" not found", name, table));
}

void recreate_deferred_objects(pqxx::dbtransaction &tx, const std::string &schema,
                               DeferredObjects &objects,
                               const std::function<void(const std::string &)> &note,
                               const ViolationHandler &on_violation)
{
    // A statement the rows break is retried after the handler set its rows aside;
    // the handler removes at least one row each time or gives up, so this ends.
    // pqxx 6 ends the whole transaction when a statement fails, so the attempt runs
    // on the raw connection inside a savepoint; a failure the handler does not take
    // is repeated through pqxx, which reports it as usual.
    auto run = [&](const DeferredObject &o, const std::string &sql, bool foreign_key) {
        for (;;) {
            // Ctrl-C between two rebuilds, or one cancelled mid-statement (57014):
            // stop here rather than start, or repeat, a long build.
            check_interrupt();
            if (!on_violation) return tx.exec(sql), void();
            std::string const state = raw_exec_in_savepoint(tx, sql).sqlstate;
            if (state.empty()) return;
            check_interrupt();
            if ((state != "23505" && state != "23503") || !on_violation(o, foreign_key)) {
                tx.exec(sql); // fails again: reported as it comes
                return;
            }
        }
    };
    // What the definition does not carry, and DROP took with it.
    auto restore = [&](const DeferredObject &o, const std::string &comment_on) {
        if (o.comment) tx.exec("COMMENT ON " + comment_on + " IS " + tx.quote(*o.comment));
        std::string const table = qualified(schema, o.table);
        if (o.clustered) tx.exec("ALTER TABLE " + table + " CLUSTER ON " + quote_ident(o.name));
        if (o.replica_identity) tx.exec("ALTER TABLE " + table + " REPLICA IDENTITY USING INDEX " + quote_ident(o.name));
    };
    // Neither definition names a tablespace (an index in one of its own stays in place):
    // a default_tablespace set for the role or database would move the rebuilt ones.
    std::string const tablespace = tx.exec("SHOW default_tablespace")[0][0].as<std::string>();
    tx.exec("SET LOCAL default_tablespace = ''");
    // Keys first: the foreign keys below, and the duplicate search of a unique index
    // (which tells rows apart by the primary key), need them.
    for (auto const &k : objects.keys) {
        note(fmt::format("recreating primary key {} on {}", k.name, k.table));
        run(k, add_constraint_sql(schema, k), false);
        restore(k, "CONSTRAINT " + quote_ident(k.name) + " ON " + qualified(schema, k.table));
    }
    for (auto const &ix : objects.indexes) {
        note(fmt::format("recreating index {} on {}", ix.name, ix.table));
        run(ix, ix.definition, false); // pg_get_indexdef names the schema itself
        restore(ix, "INDEX " + qualified(schema, ix.name));
    }
    tx.exec_params("SELECT set_config('default_tablespace', $1, true)", tablespace);
    // By index: the handler may add foreign keys while this runs.
    for (std::size_t i = 0; i < objects.foreign_keys.size(); ++i) {
        DeferredObject const fk = objects.foreign_keys[i];
        note(fmt::format("recreating foreign key {} on {}", fk.name, fk.table));
        try {
            run(fk, add_constraint_sql(schema, fk), true);
            restore(fk, "CONSTRAINT " + quote_ident(fk.name) + " ON " + qualified(schema, fk.table));
        } catch (const pqxx::integrity_constraint_violation &e) {
            std::string m = e.what();
            while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
            throw DataError(fmt::format("foreign key {} on table \"{}\" fails after the load: {} (the source has "
                                        "rows whose parent is missing); nothing was written",
                                        fk.name, fk.table, m));
        }
    }
}

} // namespace s2p
