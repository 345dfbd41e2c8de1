// Verification against the real server: after migrating, each kind of damage made to the
// target must be found (with --full, and by sampling when the row is in the sample), and
// an exact copy must pass.
#include "migrate.hpp"
#include "pg_fixture.hpp"
#include "verify.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace s2p;
using namespace s2p::test;

namespace {

struct DevNull {
    std::FILE *f = std::fopen("/dev/null", "w");
    ~DevNull() { std::fclose(f); }
};

// A quiet migrate of `source` into db's public schema, default options otherwise.
MigrateOptions migrate_options(TestDb &db, const std::string &source)
{
    MigrateOptions o;
    o.source = source;
    o.target = db.app_conninfo();
    o.quiet = true;
    return o;
}

void migrate_into(TestDb &db, const std::string &source, VerifyMode verify = VerifyMode::Full)
{
    MigrateOptions o = migrate_options(db, source);
    o.verify = verify;
    Log log(true, false);
    DevNull out;
    REQUIRE(run_migrate(o, log, out.f).code == ExitCode::Ok);
}

struct Verified {
    ExitCode code;
    std::string json;
};

// sample_rows 0: --full
Verified verify(TestDb &db, const std::string &source, long long sample_rows = 0)
{
    VerifyOptions o;
    o.source = source;
    o.target = db.app_conninfo();
    o.quiet = true;
    o.mode = sample_rows ? VerifyMode::Sample : VerifyMode::Full;
    if (sample_rows) o.sample_rows = sample_rows;
    o.report = temp_path(".json");
    Log log(true, false);
    DevNull out;
    Verified v;
    v.code = run_verify(o, log, out.f);
    std::ifstream in(*o.report);
    std::stringstream ss;
    ss << in.rdbuf();
    v.json = ss.str();
    std::filesystem::remove(*o.report);
    return v;
}

// Damage made to the target after an exact migration of signals, and what the JSON
// report must then say. Damaged rows are the first in key order: always in the sample.
struct Damage {
    const char *what;
    const char *sql;
    const char *expected; // substring of the JSON report
};

const Damage signals_damage[] = {
    {"a deleted row", "DELETE FROM artifact_scores WHERE id = (SELECT min(id) FROM artifact_scores)",
     R"("kind":"missing","key":"id=1")"},
    {"a timestamp shifted by one microsecond",
     "UPDATE tweets SET created_at = created_at + interval '1 microsecond' WHERE id = (SELECT min(id) FROM tweets)",
     R"("column":"created_at")"},
    {"a timestamp stored in the wrong time zone",
     "UPDATE tweets SET fetched_at = (fetched_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Berlin' "
     "WHERE id = (SELECT min(id) FROM tweets)",
     R"("column":"fetched_at")"},
    {"a naive timestamp shifted by an hour",
     "UPDATE discovery_labels SET labeled_at = labeled_at + interval '1 hour' "
     "WHERE id = (SELECT min(id) FROM discovery_labels)",
     R"("column":"labeled_at")"},
    {"one JSON key changed",
     "UPDATE experiments SET config = (config - 'lr') || jsonb_build_object('lR', config -> 'lr') "
     "WHERE id = (SELECT min(id) FROM experiments)",
     R"("column":"config")"},
    {"a trailing space added to text", "UPDATE tweets SET text = text || ' ' WHERE id = (SELECT min(id) FROM tweets)",
     R"("column":"text")"},
};

} // namespace

TEST_CASE("verify: an exact copy of signals has no difference, full and sampled", "[integration]")
{
    TestDb db;
    db.load_schema_file(fixture("signals.pg.sql"));
    migrate_into(db, fixture("signals.db"));
    Verified const full = verify(db, fixture("signals.db"));
    CHECK(full.code == ExitCode::Ok);
    CHECK(full.json.find(R"("ok":true)") != std::string::npos);
    CHECK(full.json.find(R"("verdict":"different")") == std::string::npos);
    Verified const sampled = verify(db, fixture("signals.db"), 100);
    CHECK(sampled.code == ExitCode::Ok);
    CHECK(sampled.json.find(R"("method":"sample")") != std::string::npos);
}

TEST_CASE("verify: each damage to the target is found, full and sampled", "[integration]")
{
    for (auto const &d : signals_damage) {
        DYNAMIC_SECTION(d.what)
        {
            TestDb db;
            db.load_schema_file(fixture("signals.pg.sql"));
            migrate_into(db, fixture("signals.db"), VerifyMode::Count);
            db.exec(d.sql);
            Verified const full = verify(db, fixture("signals.db"));
            INFO(full.json);
            CHECK(full.code == ExitCode::Mismatch);
            CHECK(full.json.find(d.expected) != std::string::npos);
            Verified const sampled = verify(db, fixture("signals.db"), 100);
            INFO(sampled.json);
            CHECK(sampled.code == ExitCode::Mismatch);
            CHECK(sampled.json.find(d.expected) != std::string::npos);
            CHECK(sampled.json.find(R"("method":"sample")") != std::string::npos);
        }
    }
}

TEST_CASE("verify: an extra row in the target is found", "[integration]")
{
    TestDb db;
    db.load_schema_file(fixture("signals.pg.sql"));
    migrate_into(db, fixture("signals.db"));
    db.exec("INSERT INTO experiments (id, name, config, is_active, created_at) "
            "VALUES (100000, 'extra', '{}', true, now())");
    Verified const full = verify(db, fixture("signals.db"));
    CHECK(full.code == ExitCode::Mismatch);
    CHECK(full.json.find(R"("kind":"extra","key":"id=100000")") != std::string::npos);
    Verified const sampled = verify(db, fixture("signals.db"), 10); // found by the row count
    CHECK(sampled.code == ExitCode::Mismatch);
}

TEST_CASE("verify: a float changed in its last bit is found", "[integration]")
{
    TestDb db;
    db.load_schema_file(fixture("signals.pg.sql"));
    migrate_into(db, fixture("signals.db"));
    db.exec("SET extra_float_digits = 3");
    auto const r = db.query("SELECT id, score::text FROM artifact_scores ORDER BY id LIMIT 1");
    std::string const text = r[0][1].as<std::string>();
    double d = 0;
    std::from_chars(text.data(), text.data() + text.size(), d);
    double const next = std::nextafter(d, INFINITY);
    char buf[64];
    auto const w = std::to_chars(buf, buf + sizeof buf, next);
    db.exec("UPDATE artifact_scores SET score = '" + std::string(buf, w.ptr) + "'::float8 WHERE id = " +
            r[0][0].as<std::string>());
    for (long long sample : {0LL, 100LL}) {
        Verified const v = verify(db, fixture("signals.db"), sample);
        INFO(v.json);
        CHECK(v.code == ExitCode::Mismatch);
        CHECK(v.json.find(R"("column":"score")") != std::string::npos);
    }
}

TEST_CASE("verify: NULL replaced by empty string and a flipped bytea byte are found", "[integration]")
{
    std::string sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT, data BLOB);"
                      "INSERT INTO t VALUES (1, NULL, x'00ff10'), (2, 'x', x'0102');";
    for (int i = 3; i <= 60; ++i) sql += "INSERT INTO t VALUES (" + std::to_string(i) + ", 'n', x'aa');";
    std::string const source = new_sqlite(sql);
    for (auto const &[what, damage, column] :
         {std::tuple{"NULL to ''", "UPDATE t SET note = '' WHERE id = 1", "note"},
          std::tuple{"bytea byte", "UPDATE t SET data = set_byte(data, 1, get_byte(data, 1) # 1) WHERE id = 1", "data"}}) {
        DYNAMIC_SECTION(what)
        {
            TestDb db;
            db.exec("CREATE TABLE t (id integer PRIMARY KEY, note text, data bytea)");
            migrate_into(db, source);
            CHECK(verify(db, source).code == ExitCode::Ok);
            db.exec(damage);
            for (long long sample : {0LL, 10LL}) {
                Verified const v = verify(db, source, sample);
                INFO(v.json);
                CHECK(v.code == ExitCode::Mismatch);
                CHECK(v.json.find(std::string(R"("key":"id=1","column":")") + column + "\"") != std::string::npos);
            }
        }
    }
    std::filesystem::remove(source);
}

TEST_CASE("verify: tables without key compare as multisets of rows", "[integration]")
{
    std::string const source =
        new_sqlite("CREATE TABLE log (at TEXT, msg TEXT); INSERT INTO log VALUES ('a', 'x'), ('b', 'y'), ('b', 'y');");
    TestDb db;
    db.exec("CREATE TABLE log (at text, msg text)");
    migrate_into(db, source);
    CHECK(verify(db, source).code == ExitCode::Ok);
    db.exec("UPDATE log SET msg = 'z' WHERE at = 'a'");
    Verified const v = verify(db, source);
    INFO(v.json);
    CHECK(v.code == ExitCode::Mismatch);
    CHECK(v.json.find(R"("kind":"missing","key":"source rowid 1")") != std::string::npos);
    CHECK(v.json.find(R"("extra_rows":1)") != std::string::npos);
    std::filesystem::remove(source);
}

TEST_CASE("verify: a key SQLite sorts differently stops the ordered read early and matches whole rows",
          "[integration]")
{
    // Integer keys stored as text: SQLite sorts them '1', '10', '100', '1000', ..., '101'
    // (backwards there), PostgreSQL by value. The order breaks ~1000 rows into a 20000-row
    // COPY, so the target's reader thread is stopped mid-stream and must leave the
    // connection usable for the whole-row comparison and for the next table.
    std::string const source = new_sqlite(
        "CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
        "INSERT INTO t SELECT CAST(i AS TEXT), printf('value %d', i) FROM n;"
        "CREATE TABLE u (id INTEGER PRIMARY KEY, w TEXT); INSERT INTO u VALUES (1, 'a'), (2, 'b');");
    TestDb db;
    db.exec("CREATE TABLE t (id bigint PRIMARY KEY, v text); CREATE TABLE u (id bigint PRIMARY KEY, w text)");
    migrate_into(db, source, VerifyMode::Count);
    {
        Verified const v = verify(db, source);
        INFO(v.json);
        CHECK(v.code == ExitCode::Ok);
        CHECK(v.json.find("source key order differs") != std::string::npos);
        CHECK(v.json.find(R"("method":"unkeyed")") != std::string::npos);
        CHECK(v.json.find(R"("method":"full")") != std::string::npos); // u, after t
    }
    db.exec("DELETE FROM t WHERE id = 15000; UPDATE u SET w = 'B' WHERE id = 2");
    Verified const v = verify(db, source);
    INFO(v.json);
    CHECK(v.code == ExitCode::Mismatch);
    CHECK(v.json.find(R"("kind":"missing","key":"source rowid 15000")") != std::string::npos);
    CHECK(v.json.find(R"("column":"w")") != std::string::npos);
    std::filesystem::remove(source);
}

namespace {

// Rows `from`..`to` of t (id INTEGER PRIMARY KEY, v TEXT), as SQL.
std::string insert_range(long long from, long long to)
{
    return "WITH RECURSIVE n(i) AS (SELECT " + std::to_string(from) + " UNION ALL SELECT i + 1 FROM n WHERE i < " +
           std::to_string(to) + ") INSERT INTO t SELECT i, printf('value %d', i) FROM n;";
}

} // namespace

TEST_CASE("verify --sample: a rowid table is sampled by seeking, changed sampled rows are found", "[integration]")
{
    // Rowids 1..10000, --sample 100: the rows at or after 1 + i*10000/100, i.e. 1, 101, ..., 9901.
    std::string const source = new_sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);" + insert_range(1, 10000));
    TestDb db;
    db.exec("CREATE TABLE t (id bigint PRIMARY KEY, v text)");
    migrate_into(db, source, VerifyMode::Count);
    {
        Verified const v = verify(db, source, 100);
        INFO(v.json);
        CHECK(v.code == ExitCode::Ok);
        CHECK(v.json.find(R"("method":"sample")") != std::string::npos);
        CHECK(v.json.find(R"("rows_compared":100,)") != std::string::npos);
    }
    // The smallest rowid and the last grid row are sampled; row 2 is not.
    db.exec("UPDATE t SET v = v || '!' WHERE id IN (1, 2, 9901)");
    Verified const v = verify(db, source, 100);
    INFO(v.json);
    CHECK(v.code == ExitCode::Mismatch);
    CHECK(v.json.find(R"("rows_compared":100,"rows_differing":2,)") != std::string::npos);
    CHECK(v.json.find(R"("key":"id=1","column":"v")") != std::string::npos);
    CHECK(v.json.find(R"("key":"id=9901","column":"v")") != std::string::npos);
    CHECK(v.json.find(R"("key":"id=2",)") == std::string::npos);
    CHECK(v.json.find(R"("method":"sample")") != std::string::npos);
    std::filesystem::remove(source);
}

TEST_CASE("verify --sample: big rowid gaps still give N distinct rows compared", "[integration]")
{
    // 1000 rows, then 5001 rows from 10^9: the first grid (step ~500000) lands on two rows.
    std::string const source = new_sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);" + insert_range(1, 1000) +
                                          insert_range(1'000'000'000, 1'000'005'000));
    TestDb db;
    db.exec("CREATE TABLE t (id bigint PRIMARY KEY, v text)");
    migrate_into(db, source, VerifyMode::Count);
    {
        Verified const v = verify(db, source, 2000);
        INFO(v.json);
        CHECK(v.code == ExitCode::Ok);
        CHECK(v.json.find(R"("method":"sample","key":"id","source_rows":6001,"target_rows":6001,"rows_compared":2000,)") !=
              std::string::npos);
    }
    // The first row after the gap is always sampled (the second grid point lands on it).
    db.exec("UPDATE t SET v = 'changed' WHERE id = 1000000000; DELETE FROM t WHERE id = 1");
    Verified const v = verify(db, source, 2000);
    INFO(v.json);
    CHECK(v.code == ExitCode::Mismatch);
    CHECK(v.json.find(R"("rows_compared":2000,"rows_differing":1,"missing_rows":1,)") != std::string::npos);
    CHECK(v.json.find(R"("key":"id=1000000000","column":"v","source":"'value 1000000000'","target":"'changed'")") !=
          std::string::npos);
    CHECK(v.json.find(R"("kind":"missing","key":"id=1")") != std::string::npos);
    std::filesystem::remove(source);
}

TEST_CASE("verify --sample: a WITHOUT ROWID table is sampled in key order", "[integration]")
{
    std::string const source =
        new_sqlite("CREATE TABLE w (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID;"
                   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
                   "INSERT INTO w SELECT printf('k%05d', i), i FROM n;");
    TestDb db;
    db.exec("CREATE TABLE w (k text PRIMARY KEY, v integer)");
    migrate_into(db, source, VerifyMode::Count);
    CHECK(verify(db, source, 100).code == ExitCode::Ok);
    // Every 50th row in key order from the first: k00001 and k04951 are sampled, k00002 not.
    db.exec("UPDATE w SET v = -v WHERE k IN ('k00001', 'k00002', 'k04951')");
    Verified const v = verify(db, source, 100);
    INFO(v.json);
    CHECK(v.code == ExitCode::Mismatch);
    CHECK(v.json.find(R"("method":"sample","key":"k","source_rows":5000,"target_rows":5000,"rows_compared":100,"rows_differing":2,)") !=
          std::string::npos);
    CHECK(v.json.find(R"("key":"k='k00001'","column":"v")") != std::string::npos);
    CHECK(v.json.find(R"("key":"k='k04951'","column":"v")") != std::string::npos);
    std::filesystem::remove(source);
}

TEST_CASE("migrate --verify sample: a changed row among more than N rows rolls the load back",
          "[integration]")
{
    // 3000 rows (more than the default 2000: sampled, not compared in full); a trigger
    // changes only the row with the smallest rowid, which the sample always holds.
    std::string const source = new_sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);" + insert_range(1, 3000));
    TestDb db;
    db.exec("CREATE TABLE t (id bigint PRIMARY KEY, v text);"
            "CREATE FUNCTION pad() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN IF NEW.id = 1 THEN NEW.v := NEW.v || ' '; END IF; RETURN NEW; END $$;"
            "CREATE TRIGGER pad BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION pad()");
    MigrateOptions o = migrate_options(db, source);
    Log log(true, false);
    DevNull out;
    RunTrace trace;
    CHECK_THROWS_AS(run_migrate(o, log, out.f, &trace), MismatchError);
    INFO(trace.verification_json);
    CHECK(trace.verification_json.find(R"("method":"sample","key":"id","source_rows":3000,"target_rows":3000,"rows_compared":2000,"rows_differing":1,)") !=
          std::string::npos);
    CHECK(trace.verification_json.find(R"("key":"id=1","column":"v")") != std::string::npos);
    CHECK(db.query("SELECT count(*) FROM t")[0][0].as<int>() == 0);
    std::filesystem::remove(source);
}

TEST_CASE("migrate --verify: a difference rolls the load back with exit code 6", "[integration]")
{
    std::string const source = new_sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT);"
                                          "INSERT INTO t VALUES (1, 'a'), (2, 'b');");
    TestDb db;
    // A trigger that changes what is stored: exactly what verification exists to catch.
    db.exec("CREATE TABLE t (id integer PRIMARY KEY, s text);"
            "CREATE FUNCTION pad() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.s := NEW.s || ' '; RETURN NEW; END $$;"
            "CREATE TRIGGER pad BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION pad()");
    MigrateOptions o = migrate_options(db, source);
    Log log(true, false);
    DevNull out;
    try {
        run_migrate(o, log, out.f);
        FAIL("migrate did not fail");
    } catch (const MismatchError &e) {
        CHECK(static_cast<int>(e.code()) == 6);
        CHECK(std::string(e.what()).find("rolled back") != std::string::npos);
    }
    CHECK(db.query("SELECT count(*) FROM t")[0][0].as<int>() == 0);
    o.verify = VerifyMode::Count; // counts alone cannot see it
    CHECK(run_migrate(o, log, out.f).code == ExitCode::Ok);
    std::filesystem::remove(source);
}
