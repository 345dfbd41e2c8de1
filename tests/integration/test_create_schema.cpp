// --create-schema end to end: the corpus of real databases (when ../shared/corpus is
// beside the checkout), the project fixtures and small purpose-made files. Every value
// is read back; tables, rows, NOT NULL, keys and foreign keys are checked against the
// source schema.
#include "compare.hpp"
#include "migrate.hpp"
#include "pg_fixture.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace s2p;
using namespace s2p::test;

namespace {

struct Run {
    MigrateResult result;
    std::string output; // what the run printed (plan, summary)
    std::string log;    // its log lines, debug included
};

std::string read_all(std::FILE *f)
{
    std::string text;
    std::rewind(f);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
    return text;
}

Run migrate(const MigrateOptions &o, RunTrace *trace = nullptr)
{
    std::FILE *logged = std::tmpfile();
    Log log(false, true, logged);
    std::FILE *f = std::tmpfile();
    Run r;
    try {
        r.result = run_migrate(o, log, f, trace);
    } catch (...) {
        std::fclose(f);
        std::fclose(logged);
        throw;
    }
    r.output = read_all(f);
    r.log = read_all(logged);
    return r;
}

MigrateOptions options(const std::string &source, const TestDb &db, const std::string &schema = "public")
{
    MigrateOptions o;
    o.source = source;
    o.target = db.app_conninfo();
    o.target_schema = schema;
    o.quiet = true;
    o.schema.create = true;
    return o;
}

std::set<std::string> column_set(const std::string &csv)
{
    std::set<std::string> out;
    std::stringstream ss(csv);
    std::string item;
    while (std::getline(ss, item, ',')) out.insert(item);
    return out;
}

// No lost table, NOT NULL, primary key or foreign key: each compared with the source.
void check_schema_kept(TestDb &db, const std::string &source, const std::string &schema,
                       const NameMap &names = lower_name)
{
    SQLite::Database src(source, SQLite::OPEN_READONLY);
    SQLite::Statement tables(src, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%'");
    auto const q = [&](const std::string &sql) { return db.query(sql); };
    auto const lit = [&](const std::string &s) { return db.conn().quote(s); };
    while (tables.executeStep()) {
        std::string const table = tables.getColumn(0).getString();
        std::string const target = names(table);
        INFO("table " << table);
        std::string const rel = lit(db.conn().quote_name(schema) + "." + db.conn().quote_name(target)) + "::regclass";
        REQUIRE(q("SELECT to_regclass(" + lit(db.conn().quote_name(schema) + "." + db.conn().quote_name(target)) +
                  ") IS NOT NULL")[0][0].as<bool>());
        std::set<std::string> pk;
        SQLite::Statement cols(src, "SELECT name, \"notnull\", pk FROM pragma_table_info(?)");
        cols.bind(1, table);
        while (cols.executeStep()) {
            std::string const col = names(cols.getColumn(0).getString());
            if (cols.getColumn(2).getInt() > 0) pk.insert(col);
            if (cols.getColumn(1).getInt() == 0) continue;
            INFO("NOT NULL column " << col);
            CHECK(q("SELECT attnotnull FROM pg_attribute WHERE attrelid = " + rel + " AND attname = " + lit(col))[0][0]
                      .as<bool>());
        }
        if (!pk.empty()) {
            auto const r = q("SELECT string_agg(a.attname, ',') FROM pg_constraint c JOIN pg_attribute a ON "
                             "a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) WHERE c.contype = 'p' AND "
                             "c.conrelid = " + rel);
            REQUIRE_FALSE(r[0][0].is_null());
            CHECK(column_set(r[0][0].as<std::string>()) == pk);
        }
        SQLite::Statement fks(src, "SELECT count(DISTINCT id) FROM pragma_foreign_key_list(?)");
        fks.bind(1, table);
        fks.executeStep();
        CHECK(q("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = " + rel)[0][0].as<int>() ==
              fks.getColumn(0).getInt());
        SQLite::Statement uniques(src, "SELECT count(*) FROM pragma_index_list(?) WHERE \"unique\" AND origin <> 'pk'");
        uniques.bind(1, table);
        uniques.executeStep();
        CHECK(q("SELECT count(*) FROM pg_index WHERE indisunique AND NOT indisprimary AND indrelid = " + rel)[0][0]
                  .as<int>() == uniques.getColumn(0).getInt());
    }
}

// Every identity column hands out max + 1.
void check_identities(TestDb &db, const std::string &schema)
{
    auto const ids = db.query("SELECT format('%I.%I', table_schema, table_name), column_name FROM "
                              "information_schema.columns WHERE is_identity = 'YES' AND table_schema = " +
                              db.conn().quote(schema));
    for (auto const &row : ids) {
        std::string const rel = row[0].as<std::string>(), col = db.conn().quote_name(row[1].as<std::string>());
        INFO(rel << "." << col);
        auto const max = db.query("SELECT coalesce(max(" + col + "), 0) FROM " + rel)[0][0].as<long long>();
        auto const next = db.query("SELECT nextval(pg_get_serial_sequence(" + db.conn().quote(rel) + ", " +
                                   db.conn().quote(row[1].as<std::string>()) + "))")[0][0].as<long long>();
        CHECK(next == max + 1);
    }
}

std::string corpus_dir() { return source_dir() + "/../shared/corpus"; }

} // namespace

TEST_CASE("create-schema: every corpus database, every value, every key", "[integration]")
{
    if (!std::filesystem::exists(corpus_dir())) {
        WARN("no corpus at " << corpus_dir() << ": the corpus sections are skipped");
        return;
    }
    for (std::string const name : {"chinook.sqlite", "northwind.db", "web2py_storage.sqlite", "cangjie_big.db"}) {
        std::string const path = corpus_dir() + "/" + name;
        DYNAMIC_SECTION(name)
        {
            if (!std::filesystem::exists(path)) {
                WARN(path << " is missing: skipped");
                continue;
            }
            TestDb db;
            Run const r = migrate(options(path, db));
            CHECK(r.result.code == ExitCode::Ok);
            Compared const c = compare_all(db, path, "public");
            CHECK(c.rows > 0);
            check_schema_kept(db, path, "public");
            check_identities(db, "public");
            std::int64_t source_rows = 0;
            for (auto const &t : r.result.tables) source_rows += t.rows_read;
            CHECK(c.rows == source_rows);
            WARN(name << ": " << c.tables << " tables, " << c.rows << " rows, " << c.values << " values read back");
        }
    }
}

TEST_CASE("create-schema: the project fixtures", "[integration]")
{
    for (std::string const name : {"signals.db", "inventory.db"}) {
        DYNAMIC_SECTION(name)
        {
            TestDb db;
            MigrateOptions o = options(fixture(name), db, "app");
            o.verify = VerifyMode::Full; // the built-in check, with per-column conversion settings
            Run const r = migrate(o);
            CHECK(r.result.code == ExitCode::Ok);
            Compared const c = compare_all(db, fixture(name), "app");
            CHECK(c.rows > 500);
            check_schema_kept(db, fixture(name), "app");
            check_identities(db, "app");
        }
    }
}

namespace {

// Names and constraints that trip naive schema converters.
constexpr char const *edge_sql = R"SQL(
CREATE TABLE "Author" (
    "AuthorId" INTEGER PRIMARY KEY AUTOINCREMENT,
    "Full Name" TEXT NOT NULL COLLATE NOCASE,
    "select" TEXT DEFAULT 'x''y',
    email VARCHAR(40) UNIQUE,
    created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    stamp TEXT DEFAULT (datetime('now')),
    epoch INTEGER DEFAULT (strftime('%s','now')),
    rnd INTEGER DEFAULT (random()),
    score REAL DEFAULT -1.5 CHECK (score >= -10),
    active BOOLEAN NOT NULL DEFAULT 1,
    CHECK (length("Full Name") > 0),
    CHECK (typeof(score) IN ('real', 'null'))
);
CREATE TABLE "Bücher" (
    shelf TEXT NOT NULL,
    pos INTEGER NOT NULL,
    "Author" INTEGER REFERENCES "Author" ("AuthorId") ON DELETE CASCADE ON UPDATE SET NULL,
    title TEXT,
    "we""ird" NUMERIC(6,2),
    meta JSON,
    PRIMARY KEY (shelf, pos)
) WITHOUT ROWID;
CREATE TABLE "order" (
    id INTEGER PRIMARY KEY,
    shelf TEXT, pos INTEGER,
    at DATETIME,
    mixed INTEGER,
    blob_text BLOB,
    FOREIGN KEY (shelf, pos) REFERENCES "Bücher" (shelf, pos)
);
CREATE TABLE empty_auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
CREATE TABLE gone (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
CREATE INDEX idx_title ON "Bücher" (title DESC);
CREATE UNIQUE INDEX idx_partial ON "order" (at) WHERE at IS NOT NULL AND id > 0;
CREATE INDEX idx_expr ON "Author" (lower("Full Name"));
CREATE INDEX idx_nocase ON "Author" (email COLLATE NOCASE);
CREATE INDEX idx_glob ON "order" (shelf) WHERE shelf GLOB 'A*';
CREATE VIEW v_authors AS SELECT "Full Name" FROM "Author";
CREATE TRIGGER trg AFTER DELETE ON "order" BEGIN DELETE FROM gone WHERE id = old.id; END;
INSERT INTO "Author" ("AuthorId", "Full Name", email, created, score) VALUES
    (1, 'Ada', 'ada@example.org', '2024-01-02 03:04:05', 2.5),
    (7, 'Bob', NULL, '2024-02-03 04:05:06', NULL);
INSERT INTO "Bücher" VALUES ('A', 1, 1, 'Ü', 12.34, '{"a": [1, 2]}'), ('A', 2, NULL, NULL, NULL, NULL),
                            ('B', 1, 7, 'x', -0.5, 'null');
INSERT INTO "order" VALUES (1, 'A', 1, 1700000000, 5, 'aGVsbG8='), (2, 'Z', 9, 1700000001, 'seven', 'd29ybGQ='),
                           (3, NULL, NULL, NULL, NULL, NULL);
INSERT INTO gone (v) VALUES ('a'), ('b'), ('c');
DELETE FROM gone WHERE id > 1;
)SQL";

bool has(const std::string &text, const std::string &what) { return text.find(what) != std::string::npos; }

} // namespace

TEST_CASE("create-schema: dry run prints the DDL and the profile and writes nothing", "[integration]")
{
    TestDb db;
    std::string const src = new_sqlite(edge_sql);
    MigrateOptions o = options(src, db, "edge");
    o.dry_run = true;
    Run const r = migrate(o);
    CHECK(r.result.code == ExitCode::Ok);
    INFO(r.output);
    CHECK(has(r.output, "CREATE TABLE \"edge\".\"author\""));
    CHECK(has(r.output, "\"authorid\" bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL"));
    CHECK(has(r.output, "\"created\" timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP"));
    CHECK(has(r.output, "ADD PRIMARY KEY (\"shelf\", \"pos\")"));
    CHECK(has(r.output, "FOREIGN KEY (\"shelf\", \"pos\") REFERENCES \"edge\".\"bücher\" (\"shelf\", \"pos\")"));
    CHECK(has(r.output, "ON DELETE CASCADE ON UPDATE SET NULL"));
    CHECK(has(r.output, "WHERE \"at\" IS NOT NULL AND \"id\" > 0"));
    CHECK(has(r.output, "(lower(\"full name\"))"));
    // the fallbacks, with counts
    CHECK(has(r.output, "\"order\".\"at\" DATETIME: 2 of 2 values do not fit timestamp with time zone"));
    CHECK(has(r.output, "falls back to bigint"));
    CHECK(has(r.output, "\"order\".\"mixed\" INTEGER: 1 of 2 values do not fit bigint"));
    CHECK(has(r.output, "\"order\".\"blob_text\" BLOB: 2 of 2 values do not fit bytea"));
    // what was not translated, reported
    CHECK(has(r.output, "DEFAULT random() not created") | has(r.output, "DEFAULT (random()) not created"));
    CHECK(has(r.output, "not created: function typeof() has no PostgreSQL translation"));
    CHECK(has(r.output, "index \"idx_glob\" not created"));
    CHECK(has(r.output, "COLLATE NOCASE"));
    CHECK(has(r.output, "view \"v_authors\" not created"));
    CHECK(has(r.output, "trigger \"trg\" not created"));
    CHECK(has(r.output, "1 row of \"order\" have no parent row"));
    CHECK(db.query("SELECT count(*) FROM pg_namespace WHERE nspname = 'edge'")[0][0].as<int>() == 0);
    std::filesystem::remove(src);
}

TEST_CASE("create-schema: names, keys, defaults, checks, indexes and orphans", "[integration]")
{
    TestDb db;
    std::string const src = new_sqlite(edge_sql);
    Run const r = migrate(options(src, db, "edge"));
    REQUIRE(r.result.code == ExitCode::Ok);
    Compared const c = compare_all(db, src, "edge");
    CHECK(c.rows == 9);
    check_schema_kept(db, src, "edge");
    auto const one = [&](const std::string &sql) { return db.query(sql)[0][0]; };
    // Defaults work for new rows; the untranslatable one is absent, not a string.
    db.exec(R"(INSERT INTO edge.author ("full name") VALUES ('Cy'))");
    auto const row = db.query(R"(SELECT authorid, "select", created IS NOT NULL, stamp ~ '^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$',
                                        epoch > 1700000000, rnd IS NULL, score, active FROM edge.author WHERE "full name" = 'Cy')");
    CHECK(row[0][0].as<long>() == 8); // identity after max(id) = 7
    CHECK(row[0][1].as<std::string>() == "x'y");
    CHECK(row[0][2].as<bool>());
    CHECK(row[0][3].as<bool>());
    CHECK(row[0][4].as<bool>());
    CHECK(row[0][5].as<bool>());
    CHECK(row[0][6].as<double>() == -1.5);
    CHECK(row[0][7].as<bool>());
    // CHECKs that translate are enforced.
    CHECK_THROWS(db.exec(R"(INSERT INTO edge.author ("full name") VALUES (''))"));
    CHECK_THROWS(db.exec(R"(INSERT INTO edge.author ("full name", score) VALUES ('D', -11))"));
    // Indexes: partial, expression, descending.
    CHECK(one("SELECT count(*) FROM pg_indexes WHERE schemaname = 'edge' AND indexname = 'idx_partial' AND "
              "indexdef LIKE '%WHERE%'").as<int>() == 1);
    CHECK(one("SELECT count(*) FROM pg_indexes WHERE schemaname = 'edge' AND indexname = 'idx_expr'").as<int>() == 1);
    CHECK(one("SELECT count(*) FROM pg_indexes WHERE schemaname = 'edge' AND indexname = 'idx_title' AND "
              "indexdef LIKE '%DESC%'").as<int>() == 1);
    // The orphan row keeps its foreign key, created NOT VALID; the others are validated.
    CHECK(one("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated AND conrelid = "
              "'edge.\"order\"'::regclass").as<int>() == 1);
    CHECK(one("SELECT confdeltype::text || confupdtype::text FROM pg_constraint WHERE contype = 'f' AND conrelid = "
              "'edge.\"bücher\"'::regclass").as<std::string>() == "cn");
    // Fallbacks: epoch integers kept as bigint, mixed values as text, base64 text as text.
    CHECK(one("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'edge.\"order\"'::regclass "
              "AND attname = 'at'").as<std::string>() == "bigint");
    CHECK(one("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'edge.\"order\"'::regclass "
              "AND attname = 'mixed'").as<std::string>() == "text");
    CHECK(one("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'edge.\"bücher\"'::regclass "
              "AND attname = 'we\"ird'").as<std::string>() == "numeric(6,2)");
    CHECK(one("SELECT meta->'a'->>1 FROM edge.\"bücher\" WHERE shelf = 'A' AND pos = 1").as<std::string>() == "2");
    // AUTOINCREMENT: an empty table starts at 1; ids SQLite handed out are never reused.
    CHECK(one("SELECT nextval(pg_get_serial_sequence('edge.empty_auto', 'id'))").as<long>() == 1);
    CHECK(one("SELECT nextval(pg_get_serial_sequence('edge.gone', 'id'))").as<long>() == 4);
    std::filesystem::remove(src);
}

TEST_CASE("create-schema: --quote-identifiers keeps exact names", "[integration]")
{
    TestDb db;
    std::string const src = new_sqlite(edge_sql);
    MigrateOptions o = options(src, db);
    o.schema.quote_identifiers = true;
    REQUIRE(migrate(o).result.code == ExitCode::Ok);
    Compared const c = compare_all(db, src, "public", [](const std::string &n) { return n; });
    CHECK(c.rows == 9);
    check_schema_kept(db, src, "public", [](const std::string &n) { return n; });
    CHECK(db.query(R"(SELECT count(*) FROM "Author" WHERE "Full Name" = 'Ada')")[0][0].as<int>() == 1);
    std::filesystem::remove(src);
}

TEST_CASE("create-schema: --cast with an epoch unit, and type rules", "[integration]")
{
    TestDb db;
    std::string const src = new_sqlite(R"(
        CREATE TABLE events (id INTEGER PRIMARY KEY, at DATETIME, ms INTEGER, label VARCHAR(3), flag BOOLEAN);
        INSERT INTO events VALUES (1, 1700000000, 1700000000123, 'abc', 1), (2, NULL, NULL, 'de', 0);)");
    MigrateOptions o = options(src, db);
    o.schema.casts = {"events.at=timestamptz:epoch-s", "events.ms=timestamptz:epoch-ms", "type:VARCHAR=text"};
    Run const r = migrate(o);
    REQUIRE(r.result.code == ExitCode::Ok);
    auto const row = db.query("SELECT at = to_timestamp(1700000000), ms = to_timestamp(1700000000.123), "
                              "format_type(a.atttypid, a.atttypmod) FROM events, pg_attribute a "
                              "WHERE id = 1 AND a.attrelid = 'events'::regclass AND a.attname = 'label'");
    CHECK(row[0][0].as<bool>());
    CHECK(row[0][1].as<bool>());
    CHECK(row[0][2].as<std::string>() == "text");

    TestDb db2;
    o = options(src, db2);
    o.schema.casts = {"events.nope=text"};
    CHECK_THROWS_AS(migrate(o), UsageError);
    std::filesystem::remove(src);
}

TEST_CASE("create-schema: tables that already exist are named, nothing is written", "[integration]")
{
    TestDb db;
    db.exec("CREATE TABLE events (id bigint)");
    std::string const src = new_sqlite("CREATE TABLE events (id INTEGER PRIMARY KEY); CREATE TABLE other (x TEXT);");
    try {
        migrate(options(src, db));
        FAIL("expected a TargetError");
    } catch (const TargetError &e) {
        CHECK(has(e.what(), "\"events\" already exists"));
        CHECK(has(e.what(), "omit --create-schema"));
    }
    CHECK(db.query("SELECT to_regclass('public.other') IS NULL")[0][0].as<bool>());
    std::filesystem::remove(src);
}

TEST_CASE("create-schema: a primary key the converted values break stops the run", "[integration]")
{
    TestDb db;
    // Distinct in SQLite ('yes' is text, 1 an integer), both true as a PostgreSQL boolean.
    std::string const src = new_sqlite("CREATE TABLE flags (f BOOLEAN PRIMARY KEY, note TEXT) WITHOUT ROWID;"
                                       "INSERT INTO flags VALUES ('yes', 'a'), (1, 'b');");
    try {
        migrate(options(src, db));
        FAIL("expected a DataError");
    } catch (const DataError &e) {
        CHECK(has(e.what(), "primary key on \"flags\""));
        CHECK(has(e.what(), "--cast"));
    }
    CHECK(db.query("SELECT to_regclass('public.flags') IS NULL")[0][0].as<bool>());
    // With the column cast to text, both rows and the key arrive.
    MigrateOptions o = options(src, db);
    o.schema.casts = {"flags.f=text"};
    CHECK(migrate(o).result.code == ExitCode::Ok);
    CHECK(compare_all(db, src, "public").rows == 2);
    std::filesystem::remove(src);
}

TEST_CASE("create-schema: a real run takes the declared types without a profile pass, and plans again with one "
          "when a value does not fit", "[integration]")
{
    TestDb db;
    // Clean data: each column's first mapping takes every value. "tagged" has a TEXT
    // primary key holding a NULL (a rowid table allows it): the unprofiled plan must
    // see it in the source and create UNIQUE instead, as the profile would.
    std::string const clean = new_sqlite(R"(
        CREATE TABLE ev (id INTEGER PRIMARY KEY, at DATETIME NOT NULL, meta JSON, ok BOOLEAN);
        INSERT INTO ev VALUES (1, '2024-01-02 03:04:05', '{"a": 1}', 1), (2, '2024-05-06T07:08:09Z', NULL, 0);
        CREATE TABLE tagged (code TEXT PRIMARY KEY, ev_id INTEGER REFERENCES ev (id));
        INSERT INTO tagged VALUES ('x', 1), (NULL, 2), ('y', 7);
        CREATE TABLE loose (a, b TEXT);
        INSERT INTO loose VALUES (NULL, 'p'), (NULL, 'q');)");
    Run const r = migrate(options(clean, db, "clean"));
    REQUIRE(r.result.code == ExitCode::Ok);
    INFO(r.log);
    CHECK(has(r.log, "planned table \"ev\": declared types, data not profiled"));
    CHECK(has(r.log, "planned table \"tagged\": declared types, data not profiled"));
    CHECK_FALSE(has(r.log, "planning again"));
    // An untyped column's type is the data's to decide: that table is profiled (all
    // NULL: text, where the first candidate would have been bigint).
    CHECK(has(r.log, "planned table \"loose\": 2 rows profiled"));
    auto const one = [&](const std::string &sql) { return db.query(sql)[0][0].as<std::string>(); };
    CHECK(one("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'clean.ev'::regclass AND "
              "attname = 'at'") == "timestamp with time zone");
    CHECK(one("SELECT string_agg(contype::text, '' ORDER BY contype) FROM pg_constraint WHERE conrelid = "
              "'clean.tagged'::regclass") == "fu");
    CHECK(one("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'clean.loose'::regclass "
              "AND attname = 'a'") == "text");
    // The orphan ('y' -> ev 7) is counted in the target when the key falls back to NOT VALID.
    CHECK(has(r.log, "created NOT VALID, 1 row without a parent row"));
    CHECK(compare_all(db, clean, "clean").rows == 7);

    // One epoch number among the DATETIME text: the profile's fallback (text) is
    // what the run must end with, as if it had profiled from the start; also when the
    // source was first copied by --backup-source (the copy is read again, not made again).
    std::string const dirty = new_sqlite(R"(
        CREATE TABLE ev (id INTEGER PRIMARY KEY, at DATETIME, note TEXT);
        INSERT INTO ev VALUES (1, '2024-01-02 03:04:05', 'a'), (2, 1700000000, 'b');)");
    for (bool backup : {false, true}) {
        DYNAMIC_SECTION("backup " << backup)
        {
            std::string const schema = backup ? "dirty_b" : "dirty";
            MigrateOptions o = options(dirty, db, schema);
            std::string const copy = dirty + ".copy";
            if (backup) o.backup_source = copy;
            RunTrace trace;
            Run const d = migrate(o, &trace);
            REQUIRE(d.result.code == ExitCode::Ok);
            INFO(d.log);
            CHECK(has(d.log, "\"ev\".\"at\" DATETIME: 1 of 2 values do not fit timestamp with time zone"));
            CHECK(has(d.log, "planning again from a profile of the data"));
            REQUIRE(trace.restarted);
            CHECK(has(trace.restarted->reason, "column \"at\": value 1700000000"));
            CHECK(trace.tables.size() == 1); // the second attempt's, once
            CHECK(has(d.log, "planned table \"ev\": 2 rows profiled"));
            CHECK(one("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" + schema +
                      ".ev'::regclass AND attname = 'at'") == "text");
            CHECK(compare_all(db, dirty, schema).rows == 2);
            std::filesystem::remove(copy);
        }
    }
    std::filesystem::remove(clean);
    std::filesystem::remove(dirty);
}

TEST_CASE("create-schema: a value no type choice can take fails the first attempt, without a second",
          "[integration]")
{
    TestDb db;
    // The --cast leaves one candidate, and the server, not the converter, refuses the
    // value: a profile could not change the outcome, so the run fails at once.
    // Then the converter refusing a value of a --cast column (one candidate as well).
    std::string const src = new_sqlite("CREATE TABLE h (id INTEGER PRIMARY KEY, ip TEXT, n TEXT);"
                                       "INSERT INTO h VALUES (1, '10.0.0.1', '1'), (2, 'nope', 'two');");
    for (std::string const cast : {"h.ip=inet", "h.n=bigint"}) {
        DYNAMIC_SECTION(cast)
        {
            MigrateOptions o = options(src, db);
            o.schema.casts = {cast};
            RunTrace trace;
            try {
                migrate(o, &trace);
                FAIL("expected a DataError");
            } catch (const DataError &e) {
                CHECK(has(e.what(), "table \"h\", rowid 2"));
            }
            CHECK_FALSE(trace.restarted);
            CHECK(db.query("SELECT to_regclass('public.h') IS NULL")[0][0].as<bool>());
        }
    }
    std::filesystem::remove(src);
}
