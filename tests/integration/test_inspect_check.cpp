// The operator's tools around a cutover: inspect (source only), check (preflight
// against the real server, as the app role and as a role without rights), and the
// --report document of a real migrate, parsed back.
#include "inspect.hpp"
#include "pg_fixture.hpp"
#include "preflight.hpp"
#include "report.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <simdjson.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

using namespace s2p;
using namespace s2p::test;

namespace {

struct Run {
    int code = -1;
    std::string out; // stdout only
};

std::string shell_quote(const std::string &s)
{
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

Run run(const std::vector<std::string> &args)
{
    std::string cmd = shell_quote(S2P_BINARY);
    for (auto const &a : args) cmd += " " + shell_quote(a);
    cmd += " 2>/dev/null </dev/null";
    Run r;
    std::unique_ptr<FILE, int (*)(FILE *)> p(popen(cmd.c_str(), "r"), pclose);
    REQUIRE(p);
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p.get())) r.out.append(buf, n);
    int const status = pclose(p.release());
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

const TableReport &table(const InspectReport &r, const std::string &name)
{
    for (auto const &t : r.tables)
        if (t.name == name) return t;
    FAIL("no table " << name);
    throw std::logic_error("unreachable");
}

const ColumnProfile &column(const TableReport &t, const std::string &name)
{
    for (auto const &c : t.columns)
        if (c.name == name) return c.profile;
    FAIL("no column " << name);
    throw std::logic_error("unreachable");
}

// "format fits/misfits" for every detected format, for compact checks.
std::string formats(const ColumnProfile &p)
{
    std::string out;
    for (auto const &f : p.detected())
        out += std::string(out.empty() ? "" : " ") + std::string(value_format_name(f.format)) + " " +
               std::to_string(f.fits) + "/" + std::to_string(f.misfits);
    return out;
}

Log quiet_log() { return Log(true, false); }

CheckOptions check_options(const std::string &conninfo, const std::string &schema)
{
    CheckOptions o;
    o.target = conninfo;
    o.target_schema = schema;
    o.connect_retries = 1;
    return o;
}

bool has_line(const CheckReport &r, CheckLine::Status s, const std::string &subject, const std::string &text = "")
{
    for (auto const &l : r.lines)
        if (l.status == s && l.subject == subject && l.detail.find(text) != std::string::npos) return true;
    return false;
}

// A login role with no rights, removed again (with its grants) when the test ends.
struct ThrowawayRole {
    std::string name = "s2p_nopriv_" + std::to_string(::getpid());
    std::string password = "np-" + std::to_string(::getpid());
    const TestDb &db;
    explicit ThrowawayRole(const TestDb &d) : db(d)
    {
        pqxx::connection admin(db.admin_conninfo());
        pqxx::nontransaction tx(admin);
        tx.exec("DROP ROLE IF EXISTS " + tx.quote_name(name));
        tx.exec("CREATE ROLE " + tx.quote_name(name) + " LOGIN PASSWORD " + tx.quote(password));
    }
    ~ThrowawayRole()
    {
        try {
            pqxx::connection admin(db.admin_conninfo());
            pqxx::nontransaction tx(admin);
            tx.exec("DROP OWNED BY " + tx.quote_name(name));
            tx.exec("DROP ROLE IF EXISTS " + tx.quote_name(name));
        } catch (...) {
        }
    }
    // The app role's host and port (TCP, password auth), as this role.
    std::string conninfo() const { return db.app_conninfo() + " user=" + name + " password=" + password; }
};

} // namespace

TEST_CASE("inspect inventory: counts, classes, formats, load order, self references", "[integration][inspect]")
{
    InspectReport const r = inspect_source(fixture("inventory.db"));
    CHECK(r.size_method == "dbstat");
    CHECK(r.page_size == 4096);
    REQUIRE(r.tables.size() == 5);
    CHECK(table(r, "users").rows == 500);
    CHECK(table(r, "racks").rows == 300);
    CHECK(table(r, "devices").rows == 600);
    CHECK(table(r, "ports").rows == 2400);
    CHECK(table(r, "connections").rows == 1000);
    for (auto const &t : r.tables) CHECK(t.table_bytes >= 4096);
    CHECK(r.load_order == std::vector<std::string>{"racks", "users", "devices", "ports", "connections"});
    CHECK(r.cycles.empty());
    CHECK(r.self_references == std::vector<std::string>{"devices", "racks"});
    CHECK(r.foreign_keys.size() == 7);

    auto const &users = table(r, "users");
    CHECK(formats(column(users, "id")) == "uuid_text 475/0 uuid_blob 25/0");
    auto const &active = column(users, "is_active");
    CHECK(active.count(StorageClass::Integer) == 334);
    CHECK(active.count(StorageClass::Text) == 166);
    CHECK(formats(active) == "boolean 500/0");
    CHECK(formats(column(users, "last_login_at")) == "iso_datetime 355/0 iso_datetime_offset 90/0");
    CHECK(column(users, "last_login_at").nulls() == 55);

    auto const &devices = table(r, "devices");
    CHECK(column(devices, "owner_id").nulls() == 100);
    CHECK(formats(column(devices, "asset_uuid")) == "uuid_blob 560/0");
    CHECK(formats(column(devices, "purchased_on")) == "iso_date 600/0");
    auto const &length = column(table(r, "connections"), "length_m");
    CHECK(length.count(StorageClass::Integer) == 10);
    CHECK(length.count(StorageClass::Real) == 890);
    CHECK(length.nulls() == 100);
    CHECK(column(devices, "hostname").max_length() == 28);
}

TEST_CASE("inspect signals: JSON columns, skipped internals, --json parses", "[integration][inspect]")
{
    InspectReport const r = inspect_source(fixture("signals.db"));
    CHECK(r.tables.size() == 10);
    REQUIRE(r.skipped.size() == 1);
    CHECK(r.skipped[0].first == "sqlite_sequence");
    auto const &artifacts = table(r, "artifacts");
    CHECK(artifacts.rows == 1500);
    CHECK(formats(column(artifacts, "metadata")) == "json 1385/0");
    CHECK(column(artifacts, "metadata").nulls() == 115);
    CHECK(column(artifacts, "title").max_length() == 200);
    CHECK(formats(column(table(r, "tweets"), "created_at")) == "iso_datetime 1333/0 iso_datetime_offset 667/0");
    CHECK(column(table(r, "snapshots"), "payload").max_length() == 65536);

    Run const cli = run({"inspect", fixture("signals.db"), "--json"});
    REQUIRE(cli.code == 0);
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    REQUIRE(!p.parse(cli.out).get(doc));
    CHECK(std::string_view(doc["source"]["size_method"]) == "dbstat");
    std::int64_t rows = 0;
    for (auto t : doc["tables"].get_array()) rows += std::int64_t(t["rows"]);
    CHECK(rows == 2000 + 1500 + 3000 + 2000 + 300 + 800 + 320 + 40 + 200 + 8);
    CHECK(std::string_view(doc["skipped"].at(0)["name"]) == "sqlite_sequence");

    Run const text = run({"inspect", fixture("signals.db")});
    CHECK(text.code == 0);
    CHECK(text.out.find("load order: Cursors, beta_users, experiments") != std::string::npos);
    CHECK(run({"inspect", "/nonexistent.db"}).code == 3);
}

TEST_CASE("inspect names cycles, counts values that fit no format, lists virtual tables", "[integration][inspect]")
{
    std::string const path = temp_path(".db");
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(R"(
            CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id), at TEXT);
            CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id), seen INTEGER);
            CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES B(id));
            CREATE VIRTUAL TABLE docs USING fts5(body);
            INSERT INTO a VALUES (1, 1, '2024-01-01 10:00:00'), (2, 1, '2024-01-01T10:00:00+01:00'),
                                 (3, NULL, '2024-02-30 10:00:00'), (4, NULL, '01/02/2024');
            INSERT INTO b VALUES (1, 2, 1700000000), (2, 1, 1700000001), (3, NULL, 'soon');
        )");
    }
    InspectReport const r = inspect_source(path);
    REQUIRE(r.cycles.size() == 1);
    CHECK(r.cycles[0] == std::vector<std::string>{"a", "b"});
    CHECK(r.load_order.back() == "c"); // after its parent b, whatever the cycle does
    std::set<std::string> skipped;
    for (auto const &[name, why] : r.skipped) {
        skipped.insert(name);
        if (name == "docs") CHECK(why == "virtual table");
    }
    CHECK(skipped.count("docs"));
    CHECK(skipped.count("docs_data")); // fts5's shadow tables
    CHECK(formats(column(table(r, "a"), "at")) == "iso_datetime 1/2 iso_datetime_offset 1/2");
    CHECK(formats(column(table(r, "b"), "seen")) == "epoch_s 2/1");

    Run const text = run({"inspect", path});
    CHECK(text.out.find("cycle: a -> b -> a") != std::string::npos);
    std::filesystem::remove(path);
}

TEST_CASE("check passes as the app role on its own empty schema", "[integration][check]")
{
    TestDb db;
    db.load_schema_file(fixture("inventory.pg.sql"), "app");
    Log log = quiet_log();
    CheckOptions o = check_options(db.app_conninfo(), "app");
    o.source = fixture("inventory.db");
    CheckReport const r = run_check(o, log);
    INFO([&] { std::string s; for (auto const &l : r.lines) s += l.subject + ": " + l.detail + "\n"; return s; }());
    CHECK(r.failures() == 0);
    CHECK(has_line(r, CheckLine::Status::Info, "superuser", "no"));
    CHECK(has_line(r, CheckLine::Status::Info, "tls", "not in use"));
    CHECK(has_line(r, CheckLine::Status::Info, "latency", "median"));
    CHECK(has_line(r, CheckLine::Status::Ok, "table users", "empty"));
    CHECK(has_line(r, CheckLine::Status::Ok, "table ports", "1 sequence"));

    Run const cli = run({"check", db.app_conninfo(), "--target-schema", "app", "--source", fixture("inventory.db")});
    CHECK(cli.code == 0);
    CHECK(cli.out.find("CHECK OK") != std::string::npos);
    CHECK(cli.out.find("s3cret") == std::string::npos);
}

TEST_CASE("check fails on a non-empty table and a missing one, exit 4", "[integration][check]")
{
    TestDb db;
    db.load_schema_file(fixture("inventory.pg.sql"), "app");
    db.exec("INSERT INTO app.users (id, email, full_name, is_active, access_level, created_at, updated_at) "
            "VALUES ('00000000-0000-0000-0000-000000000001', 'x@y', 'X', true, 1, now(), now())");
    db.exec("DROP TABLE app.connections");
    Log log = quiet_log();
    CheckOptions o = check_options(db.app_conninfo(), "app");
    o.source = fixture("inventory.db");
    CheckReport const r = run_check(o, log);
    CHECK(has_line(r, CheckLine::Status::Fail, "table users", "not empty"));
    CHECK(has_line(r, CheckLine::Status::Fail, "table connections", "does not exist"));
    CHECK(has_line(r, CheckLine::Status::Fail, "schema match", "connections"));
    CHECK(r.failures() == 3);

    o.truncate = true; // with --truncate a non-empty table is fine
    CHECK_FALSE(has_line(run_check(o, log), CheckLine::Status::Fail, "table users"));

    // What an interrupted --per-table run leaves: migrate refuses it without --resume.
    db.exec("CREATE TABLE app.sqlite2pg_state (table_name text PRIMARY KEY, load_order int NOT NULL, status text "
            "NOT NULL, rows bigint, finished_at timestamptz, source_fingerprint text NOT NULL, options text NOT NULL, "
            "options_xxh64 text NOT NULL, started_at timestamptz NOT NULL DEFAULT now());"
            "INSERT INTO app.sqlite2pg_state VALUES ('users', 0, 'done', 1, now(), 'f', 'o', 'x'), "
            "('racks', 1, 'pending', NULL, NULL, 'f', 'o', 'x')");
    CHECK(has_line(run_check(o, log), CheckLine::Status::Info, "state sqlite2pg_state", "--truncate discards it"));
    o.truncate = false;
    CHECK(has_line(run_check(o, log), CheckLine::Status::Fail, "state sqlite2pg_state", "1 of 2 tables done"));
    db.exec("DROP TABLE app.sqlite2pg_state");

    Run const cli = run({"check", db.app_conninfo(), "--target-schema", "app", "--tables", "users,racks"});
    CHECK(cli.code == 4);
    CHECK(cli.out.find("FAIL  table users") != std::string::npos);
    CHECK(cli.out.find("CHECK FAILED: 1 problem") != std::string::npos);
    CHECK(run({"check", db.app_conninfo(), "--target-schema", "nope"}).code == 4);
}

TEST_CASE("check as a role without privileges names each missing one", "[integration][check]")
{
    TestDb db;
    db.load_schema_file(fixture("inventory.pg.sql"), "app");
    ThrowawayRole role(db);
    Log log = quiet_log();
    CheckOptions o = check_options(role.conninfo(), "app");
    CHECK(has_line(run_check(o, log), CheckLine::Status::Fail, "schema app", "no USAGE"));

    db.exec("GRANT USAGE ON SCHEMA app TO " + role.name + "; GRANT SELECT, INSERT ON app.racks TO " + role.name);
    o.selection.tables = {"racks"};
    CheckReport const r = run_check(o, log);
    CHECK(has_line(r, CheckLine::Status::Info, "role", role.name));
    CHECK(has_line(r, CheckLine::Status::Fail, "table racks", "LOCK TABLE"));
    CHECK(has_line(r, CheckLine::Status::Fail, "table racks", "ownership of sequence app.racks_id_seq"));
    CHECK(has_line(r, CheckLine::Status::Fail, "table racks", "indexes and foreign keys are rebuilt"));
    CHECK_FALSE(has_line(r, CheckLine::Status::Fail, "table racks", "INSERT"));
    CHECK(r.failures() == 1);

    // Table privileges are not enough: the sequence is restarted by its owner.
    db.exec("GRANT UPDATE ON app.racks TO " + role.name);
    o.keep_indexes = true;
    CheckReport const not_owner = run_check(o, log);
    CHECK(not_owner.failures() == 1);
    CHECK(has_line(not_owner, CheckLine::Status::Fail, "table racks", "ownership of sequence"));
    CHECK_FALSE(has_line(not_owner, CheckLine::Status::Fail, "table racks", "indexes and foreign keys"));

    // What a managed database gives the application: it owns its tables.
    {
        pqxx::connection admin(db.admin_conninfo());
        pqxx::nontransaction tx(admin);
        tx.exec("ALTER TABLE app.racks OWNER TO " + role.name);
    }
    o.keep_indexes = false;
    CheckReport const ok = run_check(o, log);
    CHECK(ok.failures() == 0);
    CHECK(has_line(ok, CheckLine::Status::Ok, "table racks", "owned by the role"));
}

TEST_CASE("migrate --report: a parseable document for a success and for a failure", "[integration][report]")
{
    TestDb db;
    db.load_schema_file(fixture("signals.pg.sql"));
    std::string const report = temp_path(".json");
    Run const ok = run({"migrate", fixture("signals.db"), db.app_conninfo(), "--report", report, "--quiet"});
    REQUIRE(ok.code == 0);

    simdjson::dom::parser p;
    simdjson::dom::element doc;
    REQUIRE(!p.load(report).get(doc));
    CHECK(std::int64_t(doc["report_version"]) == 1);
    CHECK(std::int64_t(doc["exit"]["code"]) == 0);
    CHECK(std::string_view(doc["exit"]["status"]) == "ok");
    CHECK(doc["exit"]["error"].is_null());
    CHECK(doc["failed_phase"].is_null());
    std::string_view const target = doc["options"]["target"];
    CHECK(target.find("s3cret") == std::string_view::npos);
    CHECK(target.find("password=****") != std::string_view::npos);
    CHECK(std::string_view(doc["source"]["fingerprint_xxh3_128"]) ==
          identify_source(fixture("signals.db")).fingerprint_xxh3_128);
    CHECK(std::uint64_t(doc["source"]["size_bytes"]) == std::filesystem::file_size(fixture("signals.db")));
    std::int64_t rows = 0;
    std::size_t tables = 0;
    for (auto t : doc["tables"].get_array()) {
        ++tables;
        rows += std::int64_t(t["rows_written"]);
        CHECK(std::int64_t(t["rows_read"]) == std::int64_t(t["rows_written"]));
        CHECK(std::int64_t(t["rejects"]) == 0);
    }
    CHECK(tables == 10);
    CHECK(rows == 10168);
    CHECK(bool(doc["verification"]["row_counts"]["ok"]));
    std::vector<std::string> phases;
    for (auto ph : doc["phases"].get_array()) phases.emplace_back(std::string_view(ph["phase"]));
    CHECK(phases == std::vector<std::string>{"connect", "plan", "load", "indexes", "sequences", "verify", "commit"});

    // Now the tables are full: the run fails in planning, and the report says so.
    Run const again = run({"migrate", fixture("signals.db"), db.app_conninfo(), "--report", report, "--quiet"});
    CHECK(again.code == 4);
    REQUIRE(!p.load(report).get(doc));
    CHECK(std::int64_t(doc["exit"]["code"]) == 4);
    CHECK(std::string_view(doc["exit"]["status"]) == "target");
    CHECK(std::string_view(doc["exit"]["error"]).find("not empty") != std::string_view::npos);
    CHECK(std::string_view(doc["failed_phase"]) == "plan");
    CHECK(doc["tables"].get_array().size() == 0);
    std::filesystem::remove(report);

    CHECK(run({"migrate", fixture("signals.db"), db.app_conninfo(), "--report", "/nonexistent-dir/r.json"}).code == 2);
}
