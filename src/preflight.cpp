#include "preflight.hpp"

#include "connect.hpp"
#include "conninfo.hpp"
#include "errors.hpp"
#include "planner.hpp"
#include "run_state.hpp"
#include "source_reader.hpp"
#include "target_catalog.hpp"

#include <libpq-fe.h>
#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>

namespace s2p {

namespace {

using Status = CheckLine::Status;

// What migrate does to each table, and the privilege each step needs:
//   LOCK ... SHARE ROW EXCLUSIVE  UPDATE, DELETE or TRUNCATE (PostgreSQL <= 15 and later)
//   COPY FROM                     INSERT
//   count / max() for sequences   SELECT
//   TRUNCATE (--truncate)         TRUNCATE
//   drop/re-add a cycle's FK      ownership (ALTER TABLE)
constexpr char const *table_sql = R"SQL(
SELECT pg_has_role(c.relowner, 'USAGE'),
       pg_get_userbyid(c.relowner),
       has_table_privilege(c.oid, 'SELECT'),
       has_table_privilege(c.oid, 'INSERT'),
       has_table_privilege(c.oid, 'TRUNCATE'),
       has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE')
         OR has_table_privilege(c.oid, 'TRUNCATE')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
)SQL";

// The same owned-sequence join as sequences.cpp; ALTER SEQUENCE ... RESTART (which,
// unlike setval(), a rollback undoes) needs ownership of each.
constexpr char const *sequences_sql = R"SQL(
SELECT s.oid::regclass::text, pg_has_role(s.relowner, 'USAGE')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_depend d ON d.refobjid = c.oid AND d.refclassid = 'pg_class'::regclass
                 AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
WHERE n.nspname = $1 AND c.relname = $2
ORDER BY 1
)SQL";

constexpr char const *schema_sql = R"SQL(
SELECT has_schema_privilege(oid, 'USAGE'), has_schema_privilege(oid, 'CREATE'),
       pg_get_userbyid(nspowner)
FROM pg_namespace WHERE nspname = $1
)SQL";

// How many SELECT 1 round trips to time: enough for a median, too few to matter.
constexpr int latency_samples = 5;

struct Lines {
    CheckReport &r;
    void ok(std::string s, std::string d) { r.lines.push_back({Status::Ok, std::move(s), std::move(d)}); }
    void fail(std::string s, std::string d) { r.lines.push_back({Status::Fail, std::move(s), std::move(d)}); }
    void info(std::string s, std::string d) { r.lines.push_back({Status::Info, std::move(s), std::move(d)}); }
};

bool selected(const std::string &name, const std::vector<std::string> &list)
{
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string &s) { return s == name || fold_case(s) == fold_case(name); });
}

std::string joined(const std::vector<std::string> &v)
{
    std::string out;
    for (auto const &s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

void check_session(pqxx::dbtransaction &tx, Lines &out)
{
    pqxx::row const s = tx.exec("SELECT current_setting('server_version'), current_user, "
                                "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
                                "current_database()")[0];
    out.info("server", fmt::format("PostgreSQL {}, database {}", s[0].as<std::string>(), s[3].as<std::string>()));
    out.info("role", s[1].as<std::string>());
    out.info("superuser", s[2].as<bool>() ? "yes (not needed: the tool never uses superuser rights)"
                                          : "no (not needed)");

    pg_conn *raw = raw_connection(tx);
    std::string sslmode = "?";
    if (PQconninfoOption *opts = PQconninfo(raw)) {
        for (PQconninfoOption *o = opts; o->keyword; ++o)
            if (std::string_view{o->keyword} == "sslmode" && o->val) sslmode = o->val;
        PQconninfoFree(opts);
    }
    if (PQsslInUse(raw)) {
        char const *proto = PQsslAttribute(raw, "protocol");
        char const *cipher = PQsslAttribute(raw, "cipher");
        out.info("tls", fmt::format("in use ({}, {}; sslmode={})", proto ? proto : "?", cipher ? cipher : "?", sslmode));
    } else {
        char const *host = PQhost(raw);
        bool const socket = host && host[0] == '/';
        out.info("tls", fmt::format("not in use (sslmode={}{})", sslmode, socket ? ", Unix socket" : ""));
    }

    std::vector<double> ms;
    for (int i = 0; i < latency_samples; ++i) {
        auto const t0 = std::chrono::steady_clock::now();
        tx.exec("SELECT 1");
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    out.info("latency", fmt::format("SELECT 1 round trip: min {:.2f} ms, median {:.2f} ms, max {:.2f} ms ({} samples)",
                                    ms.front(), ms[ms.size() / 2], ms.back(), ms.size()));
}

// Tables the migration would touch, as target names, in load order when the source
// is known; and the foreign keys that cycle handling drops and re-adds (owner only).
struct Targets {
    std::vector<std::string> tables;
    std::vector<std::string> missing; // source tables with no target table
    std::set<std::string> need_owner;
};

Targets select_targets(const CheckOptions &o, const TargetCatalog &cat, Lines &out)
{
    Targets t;
    if (o.source) {
        SourceDb src(*o.source);
        try {
            Plan const plan = make_plan(src.tables(), cat, o.selection);
            out.ok("schema match", fmt::format("every column of {} selected source table{} has a target column",
                                               plan.tables.size(), plan.tables.size() == 1 ? "" : "s"));
            for (auto const &tp : plan.tables) t.tables.push_back(tp.target->name);
            for (auto const *fk : plan.deferred_fks)
                if (!fk->deferrable) t.need_owner.insert(fk->table);
            return t;
        } catch (const TargetError &e) {
            out.fail("schema match", e.what());
        }
        for (auto const &st : src.tables()) {
            if (!o.selection.tables.empty() && !selected(st.name, o.selection.tables)) continue;
            if (selected(st.name, o.selection.exclude_tables)) continue;
            if (const TargetTable *tt = cat.find_table(st.name)) t.tables.push_back(tt->name);
            else t.missing.push_back(st.name);
        }
        return t;
    }
    std::vector<std::string> names;
    for (auto const &tt : cat.tables) {
        if (!o.selection.tables.empty() && !selected(tt.name, o.selection.tables)) continue;
        if (selected(tt.name, o.selection.exclude_tables)) continue;
        names.push_back(tt.name);
    }
    for (auto const &n : o.selection.tables) {
        if (!cat.find_table(n)) t.missing.push_back(n);
    }
    std::vector<std::pair<std::string, std::string>> edges;
    for (auto const &fk : cat.foreign_keys)
        if (fk.parent_schema == cat.schema) edges.emplace_back(fk.table, fk.parent_table);
    Ordering const ord = order_tables(names, edges);
    t.tables = ord.order;
    for (auto const &[child, parent] : ord.broken) {
        for (auto const &fk : cat.foreign_keys)
            if (fk.table == child && fk.parent_table == parent && !fk.deferrable) t.need_owner.insert(child);
    }
    return t;
}

void check_table(pqxx::dbtransaction &tx, const CheckOptions &o, const std::string &table, bool need_owner,
                 Lines &out)
{
    std::string const subject = "table " + table;
    pqxx::result const r = tx.exec_params(table_sql, o.target_schema, table);
    if (r.empty()) {
        out.fail(subject, fmt::format("does not exist in schema \"{}\"", o.target_schema));
        return;
    }
    bool const owner = r[0][0].as<bool>(), can_select = r[0][2].as<bool>(), can_insert = r[0][3].as<bool>(),
               can_truncate = r[0][4].as<bool>(), can_lock = r[0][5].as<bool>();
    std::vector<std::string> missing;
    if (!can_insert) missing.push_back("INSERT (COPY)");
    if (!can_select) missing.push_back("SELECT (row counts, sequence values)");
    if (!can_lock) missing.push_back("UPDATE, DELETE or TRUNCATE (LOCK TABLE ... SHARE ROW EXCLUSIVE)");
    if (o.truncate && !can_truncate) missing.push_back("TRUNCATE (--truncate)");
    if (need_owner && !owner)
        missing.push_back(fmt::format("ownership (owned by {}; a foreign key in a cycle is dropped and re-added)",
                                      r[0][1].as<std::string>()));
    else if (!o.keep_indexes && !owner)
        missing.push_back(fmt::format("ownership (owned by {}; indexes and foreign keys are rebuilt after the load, "
                                      "migrate --keep-indexes avoids that)",
                                      r[0][1].as<std::string>()));
    pqxx::result const seqs = tx.exec_params(sequences_sql, o.target_schema, table);
    for (auto const &seq : seqs) {
        if (!seq[1].as<bool>())
            missing.push_back(fmt::format("ownership of sequence {} (restarted after the load)", seq[0].as<std::string>()));
    }
    if (!missing.empty()) {
        out.fail(subject, "missing privilege: " + joined(missing));
        return;
    }
    bool const has_rows =
        tx.exec("SELECT EXISTS (SELECT 1 FROM " + qualified(o.target_schema, table) + ")")[0][0].as<bool>();
    std::string const rights = fmt::format("{}{}", owner ? "owned by the role" : "privileges granted",
                                           seqs.empty() ? "" : fmt::format(", {} sequence{} settable", seqs.size(),
                                                                           seqs.size() == 1 ? "" : "s"));
    if (has_rows && !o.truncate) {
        out.fail(subject, "not empty (migrate refuses it; pass --truncate to replace its rows)");
    } else {
        out.ok(subject, fmt::format("{}; {}", has_rows ? "not empty, --truncate empties it" : "empty", rights));
    }
}

} // namespace

int CheckReport::failures() const
{
    return static_cast<int>(std::count_if(lines.begin(), lines.end(),
                                          [](const CheckLine &l) { return l.status == Status::Fail; }));
}

CheckReport run_check(const CheckOptions &o, Log &log)
{
    CheckReport report;
    Lines out{report};
    std::string const conninfo = resolve_conninfo(o.target);
    std::unique_ptr<pqxx::connection> conn;
    auto const t0 = std::chrono::steady_clock::now();
    try {
        conn = connect_target(conninfo, ConnectPolicy{o.connect_retries}, [&](const std::string &m) { log.warn(m); });
    } catch (const TargetError &e) {
        out.fail("connect", e.what());
        return report;
    }
    out.ok("connect", fmt::format("{} in {:.0f} ms", describe_target(conninfo),
                                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()));
    try {
        // Read only, and never waiting long on a lock a running application holds.
        pqxx::read_transaction tx(*conn, "sqlite2pg check");
        tx.exec("SET LOCAL lock_timeout = '5s'");
        tx.exec("SET LOCAL statement_timeout = '60s'");
        check_session(tx, out);

        pqxx::result const s = tx.exec_params(schema_sql, o.target_schema);
        std::string const schema = "schema " + o.target_schema;
        if (s.empty()) {
            out.fail(schema, "does not exist (create it and run the application's migrations there, "
                             "or pass --target-schema)");
            return report;
        }
        if (!s[0][0].as<bool>()) {
            out.fail(schema, fmt::format("no USAGE privilege (owner {}: GRANT USAGE ON SCHEMA ... TO the role)",
                                         s[0][2].as<std::string>()));
            return report;
        }
        out.ok(schema, "USAGE granted");
        // Migrate itself creates nothing; CREATE matters only to create the schema's
        // tables in the same role (e.g. the application's own migrations).
        out.info(schema, s[0][1].as<bool>() ? "CREATE granted" : "no CREATE privilege (not needed to load data)");

        // A --per-table run that stopped: only --resume (or --truncate) gets past it.
        if (auto const state = read_state(tx, o.target_schema)) {
            std::string const what = fmt::format("an interrupted --per-table run left its progress ({} of {} tables "
                                                 "done)",
                                                 state->done.size(), state->tables.size());
            std::string const subject = "state " + std::string(state_table_name);
            if (o.truncate) out.info(subject, what + "; --truncate discards it and starts over");
            else out.fail(subject, what + ": `migrate --resume` (same options) finishes it, any other run refuses "
                                          "to start unless --truncate");
        }

        TargetCatalog const cat = TargetCatalog::load(tx, o.target_schema);
        Targets const t = select_targets(o, cat, out);
        for (auto const &m : t.missing) out.fail("table " + m, fmt::format("does not exist in schema \"{}\"", o.target_schema));
        if (t.tables.empty() && t.missing.empty()) out.fail("tables", "no tables selected: nothing to migrate");
        for (auto const &name : t.tables) check_table(tx, o, name, t.need_owner.count(name) > 0, out);
    } catch (const pqxx::sql_error &e) {
        std::string m = scrub_password(e.what(), conninfo);
        while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
        out.fail("query", m);
    } catch (const pqxx::broken_connection &e) {
        out.fail("connect", "lost the connection: " + scrub_password(e.what(), conninfo));
    }
    return report;
}

ExitCode print_check(std::FILE *out, const CheckReport &r, const CheckOptions &o)
{
    std::size_t w = 7;
    for (auto const &l : r.lines) w = std::max(w, l.subject.size());
    for (auto const &l : r.lines) {
        char const *tag = l.status == Status::Ok ? "ok" : l.status == Status::Fail ? "FAIL" : "info";
        // Continuation lines (a schema mismatch lists every problem) stay under the detail.
        std::string detail = l.detail;
        for (std::size_t p = detail.find('\n'); p != std::string::npos; p = detail.find('\n', p + 1))
            detail.insert(p + 1, std::string(6 + w + 2, ' '));
        fmt::print(out, "{:<4}  {:<{}}  {}\n", tag, l.subject, w, detail);
    }
    int const n = r.failures();
    if (n == 0) {
        fmt::print(out, "\nCHECK OK: a migration into schema \"{}\" has what it needs\n", o.target_schema);
    } else {
        fmt::print(out, "\nCHECK FAILED: {} problem{}; a migration into schema \"{}\" would fail\n", n,
                   n == 1 ? "" : "s", o.target_schema);
    }
    std::fflush(out);
    return n == 0 ? ExitCode::Ok : ExitCode::Target;
}

} // namespace s2p
