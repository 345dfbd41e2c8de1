// End-to-end migrations against the real server: every value read back from
// PostgreSQL and compared with what the source held, with PostgreSQL's own input
// functions as the independent judge of what each source text means.
#include "migrate.hpp"
#include "pg_fixture.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <charconv>
#include <cstdio>
#include <filesystem>

using namespace s2p;
using namespace s2p::test;

namespace {

MigrateResult migrate(const MigrateOptions &o)
{
    Log log(true, false);
    std::FILE *devnull = std::fopen("/dev/null", "w");
    struct Closer { std::FILE *f; ~Closer() { std::fclose(f); } } closer{devnull};
    return run_migrate(o, log, devnull);
}

MigrateOptions options(const std::string &source, const TestDb &db, const std::string &schema = "public")
{
    MigrateOptions o;
    o.source = source;
    o.target = db.app_conninfo();
    o.target_schema = schema;
    o.quiet = true;
    return o;
}

std::string hex(const void *p, int n)
{
    static char const digits[] = "0123456789abcdef";
    std::string out;
    auto const *b = static_cast<const unsigned char *>(p);
    for (int i = 0; i < n; ++i) {
        out.push_back(digits[b[i] >> 4]);
        out.push_back(digits[b[i] & 15]);
    }
    return out;
}

std::string shortest(double d)
{
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    return {buf, r.ptr};
}

struct TargetCol {
    std::string name, type, typname;
};

std::vector<TargetCol> target_columns(pqxx::transaction_base &tx, const std::string &schema, const std::string &table)
{
    std::vector<TargetCol> out;
    auto r = tx.exec_params(R"(SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname
                               FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                               JOIN pg_namespace n ON n.oid = c.relnamespace
                               JOIN pg_type t ON t.oid = a.atttypid
                               WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped)",
                            schema, table);
    for (auto const &row : r) out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
    return out;
}

// The SQL condition "the target column holds exactly this source value".
std::string condition(pqxx::transaction_base &tx, const TargetCol &tc, const SQLite::Column &v)
{
    std::string const col = tx.quote_name(tc.name);
    if (v.isNull()) return col + " IS NULL";
    std::string literal;
    if (v.isInteger()) literal = tx.quote(std::to_string(v.getInt64()));
    else if (v.isFloat()) literal = tx.quote(shortest(v.getDouble()));
    else if (v.isText()) literal = tx.quote(v.getString());
    else if (tc.typname == "bytea") literal = tx.quote("\\x" + hex(v.getBlob(), v.getBytes()));
    else literal = tx.quote(hex(v.getBlob(), v.getBytes()));
    // json has no equality operator; it keeps the text exactly, so compare that.
    if (tc.typname == "json") return col + "::text = " + literal;
    return col + " = CAST(" + literal + " AS " + tc.type + ")";
}

struct Compared {
    std::int64_t rows = 0;
    std::int64_t values = 0;
};

// Every source row must be found exactly once in the target with all its values.
Compared compare_all(TestDb &db, const std::string &source, const std::string &schema)
{
    Compared c;
    SQLite::Database src(source, SQLite::OPEN_READONLY);
    SQLite::Statement tables(src, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    pqxx::work tx(db.conn());
    tx.exec("SET LOCAL TimeZone = 'UTC'");
    while (tables.executeStep()) {
        std::string const table = tables.getColumn(0).getString();
        std::string target = table;
        for (char &ch : target) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        auto const cols = target_columns(tx, schema, target);
        INFO("table " << table);
        REQUIRE_FALSE(cols.empty());
        SQLite::Statement rows(src, "SELECT * FROM \"" + table + "\"");
        std::int64_t n = 0;
        while (rows.executeStep()) {
            ++n;
            std::string where;
            for (int i = 0; i < rows.getColumnCount(); ++i) {
                std::string name = rows.getColumnName(i);
                for (char &ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                auto it = std::find_if(cols.begin(), cols.end(), [&](const TargetCol &t) { return t.name == name; });
                REQUIRE(it != cols.end());
                where += (where.empty() ? "" : " AND ") + condition(tx, *it, rows.getColumn(i));
                ++c.values;
            }
            std::string const sql = "SELECT count(*) FROM " + tx.quote_name(schema) + "." + tx.quote_name(target) +
                                    " WHERE " + where;
            INFO(sql);
            REQUIRE(tx.exec(sql)[0][0].as<long>() == 1);
        }
        REQUIRE(tx.exec("SELECT count(*) FROM " + tx.quote_name(schema) + "." + tx.quote_name(target))[0][0].as<std::int64_t>() == n);
        c.rows += n;
    }
    return c;
}

std::int64_t total_rows(TestDb &db, const std::string &schema)
{
    std::int64_t n = 0;
    auto const tables = db.query("SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
                                 "WHERE schemaname = " + db.conn().quote(schema));
    for (auto const &t : tables) n += db.query("SELECT count(*) FROM " + t[0].as<std::string>())[0][0].as<std::int64_t>();
    return n;
}

// A copy of a fixture with some SQL applied, to make one bad value.
std::string altered_copy(const std::string &fixture_path, const std::string &sql)
{
    std::string const path = temp_path(".db");
    std::filesystem::copy_file(fixture_path, path, std::filesystem::copy_options::overwrite_existing);
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec(sql);
    return path;
}

std::string new_sqlite(const std::string &sql)
{
    std::string const path = temp_path(".db");
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(sql);
    return path;
}

} // namespace

TEST_CASE("signals fixture: every value arrives exactly", "[integration]")
{
    TestDb db;
    db.load_schema_file(fixture("signals.pg.sql"));
    MigrateResult const r = migrate(options(fixture("signals.db"), db));
    CHECK(r.code == ExitCode::Ok);
    CHECK(r.tables.size() == 10);
    Compared const c = compare_all(db, fixture("signals.db"), "public");
    CHECK(c.rows > 1000);
    CHECK(c.values > 10000);
}

TEST_CASE("inventory fixture into schema app, as a non-superuser, sequences give max+1", "[integration]")
{
    TestDb db;
    db.load_schema_file(fixture("inventory.pg.sql"), "app");
    db.exec("CREATE TABLE app.unused_in_source (id bigserial PRIMARY KEY)");
    MigrateResult const r = migrate(options(fixture("inventory.db"), db, "app"));
    CHECK(r.code == ExitCode::Ok);
    Compared const c = compare_all(db, fixture("inventory.db"), "app");
    CHECK(c.rows > 500);

    // Every owned sequence now hands out max + 1.
    auto const seqs = db.query(R"(SELECT c.relname, a.attname, pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname)
                                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                                  JOIN pg_namespace n ON n.oid = c.relnamespace
                                  WHERE n.nspname = 'app' AND c.relkind = 'r' AND a.attnum > 0
                                    AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL)");
    REQUIRE(seqs.size() >= 2);
    for (auto const &s : seqs) {
        std::string const table = s[0].as<std::string>(), col = s[1].as<std::string>(), seq = s[2].as<std::string>();
        INFO(table << "." << col);
        auto const max = db.query("SELECT coalesce(max(" + col + "), 0) FROM app." + table)[0][0].as<long long>();
        auto const next = db.query("SELECT nextval(" + db.conn().quote(seq) + ")")[0][0].as<long long>();
        CHECK(next == max + 1);
    }
}

TEST_CASE("an empty table's sequence restarts at its start", "[integration]")
{
    TestDb db;
    db.exec("CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text)");
    db.exec("SELECT nextval(pg_get_serial_sequence('public.t', 'id')) FROM generate_series(1, 5)");
    std::string const src = new_sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
    CHECK(migrate(options(src, db)).code == ExitCode::Ok);
    CHECK(db.query("SELECT nextval(pg_get_serial_sequence('public.t', 'id'))")[0][0].as<int>() == 1);
    std::filesystem::remove(src);
}

TEST_CASE("dry run reads everything and writes nothing", "[integration]")
{
    TestDb db;
    db.load_schema_file(fixture("signals.pg.sql"));
    std::string const sequences_sql =
        "SELECT string_agg(sequencename || '=' || coalesce(last_value::text, 'unused'), ',') FROM pg_sequences";
    std::string const seq_before = db.query(sequences_sql)[0][0].as<std::string>();
    MigrateOptions o = options(fixture("signals.db"), db);
    o.dry_run = true;
    MigrateResult const r = migrate(o);
    CHECK(r.code == ExitCode::Ok);
    CHECK(r.problems == 0);
    std::int64_t read = 0;
    for (auto const &t : r.tables) read += t.rows_read;
    CHECK(read > 1000);
    CHECK(total_rows(db, "public") == 0);
    CHECK(db.query(sequences_sql)[0][0].as<std::string>() == seq_before);
}

TEST_CASE("dry run reports every bad value, not only the first", "[integration]")
{
    TestDb db;
    db.exec("CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL, n smallint, label varchar(3))");
    std::string const src = new_sqlite(R"(
        CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT, n INTEGER, label TEXT);
        INSERT INTO events VALUES (1, '2024-01-01 00:00:00', 1, 'ok');
        INSERT INTO events VALUES (2, '2024-13-01 00:00:00', 70000, 'toolong');
        INSERT INTO events VALUES (3, NULL, 2, 'ok');
        INSERT INTO events VALUES (4, '2024-02-30', 3, 'ok');)");
    MigrateOptions o = options(src, db);
    o.dry_run = true;
    MigrateResult const r = migrate(o);
    CHECK(r.code == ExitCode::Data);
    CHECK(r.problems == 5);
    CHECK(total_rows(db, "public") == 0);
    std::filesystem::remove(src);
}

TEST_CASE("a bad value stops the run and leaves the target exactly as it was", "[integration]")
{
    TestDb db;
    db.load_schema_file(fixture("signals.pg.sql"));
    // snapshots loads late in the order: earlier tables were already copied when it fails.
    std::string const src = altered_copy(fixture("signals.db"),
                                         "UPDATE snapshots SET taken_at = 'not a date' WHERE rowid = (SELECT max(rowid) FROM snapshots)");
    try {
        migrate(options(src, db));
        FAIL("expected a DataError");
    } catch (const DataError &e) {
        std::string const m = e.what();
        CHECK(m.find("table \"snapshots\"") != std::string::npos);
        CHECK(m.find("column \"taken_at\"") != std::string::npos);
        CHECK(m.find("'not a date'") != std::string::npos);
        CHECK(m.find("bad_timestamp") != std::string::npos);
        CHECK(m.find("rowid ") != std::string::npos);
    }
    CHECK(total_rows(db, "public") == 0);
    std::filesystem::remove(src);
}

TEST_CASE("a non-empty target is refused unless --truncate", "[integration]")
{
    TestDb db;
    db.exec("CREATE TABLE t (id bigint PRIMARY KEY, name text)");
    db.exec("INSERT INTO t VALUES (99, 'old')");
    std::string const src = new_sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t VALUES (1, 'new');");
    CHECK_THROWS_AS(migrate(options(src, db)), TargetError);
    CHECK(db.query("SELECT name FROM t")[0][0].as<std::string>() == "old");
    MigrateOptions o = options(src, db);
    o.truncate = true;
    CHECK(migrate(o).code == ExitCode::Ok);
    auto const rows = db.query("SELECT id, name FROM t");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0][1].as<std::string>() == "new");
    std::filesystem::remove(src);
}

TEST_CASE("a schema mismatch is reported before any data moves", "[integration]")
{
    TestDb db;
    db.exec("CREATE TABLE a (id bigint PRIMARY KEY)");
    std::string const src = new_sqlite(R"(CREATE TABLE a (id INTEGER PRIMARY KEY, extra TEXT);
                                          CREATE TABLE b (id INTEGER PRIMARY KEY);
                                          INSERT INTO a VALUES (1, 'x');)");
    try {
        migrate(options(src, db));
        FAIL("expected a TargetError");
    } catch (const TargetError &e) {
        std::string const m = e.what();
        CHECK(m.find("\"a\".\"extra\"") != std::string::npos);
        CHECK(m.find("source table \"b\"") != std::string::npos);
    }
    CHECK(total_rows(db, "public") == 0);
    MigrateOptions o = options(src, db);
    o.selection.exclude_tables = {"b"};
    CHECK_THROWS_AS(migrate(o), TargetError); // "extra" still has no target
    std::filesystem::remove(src);
}

TEST_CASE("foreign key cycles and self references load without superuser", "[integration]")
{
    TestDb db;
    db.exec(R"(CREATE TABLE teams (id bigint PRIMARY KEY, captain_id bigint);
               CREATE TABLE players (id bigint PRIMARY KEY, team_id bigint NOT NULL REFERENCES teams(id),
                                     mentor_id bigint REFERENCES players(id));
               ALTER TABLE teams ADD CONSTRAINT teams_captain_fk FOREIGN KEY (captain_id) REFERENCES players(id);)");
    std::string const src = new_sqlite(R"(
        CREATE TABLE teams (id INTEGER PRIMARY KEY, captain_id INTEGER REFERENCES players(id));
        CREATE TABLE players (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES teams(id),
                              mentor_id INTEGER REFERENCES players(id));
        INSERT INTO teams VALUES (1, 3), (2, NULL);
        INSERT INTO players VALUES (1, 1, 3), (2, 2, 1), (3, 1, NULL);)");
    CHECK(migrate(options(src, db)).code == ExitCode::Ok);
    CHECK(db.query("SELECT count(*) FROM players")[0][0].as<int>() == 3);
    // The constraint dropped to break the cycle is back.
    CHECK(db.query("SELECT count(*) FROM pg_constraint WHERE conname = 'teams_captain_fk'")[0][0].as<int>() == 1);
    CHECK(db.query("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")[0][0].as<int>() == 3);
    std::filesystem::remove(src);
}

TEST_CASE("an orphan in a cycle fails cleanly and nothing is kept", "[integration]")
{
    TestDb db;
    db.exec(R"(CREATE TABLE a (id bigint PRIMARY KEY, b_id bigint);
               CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a(id));
               ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b(id);)");
    std::string const src = new_sqlite(R"(
        CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER);
        CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER);
        INSERT INTO a VALUES (1, 42);
        INSERT INTO b VALUES (1, 1);)");
    CHECK_THROWS_AS(migrate(options(src, db)), DataError);
    CHECK(total_rows(db, "public") == 0);
    CHECK(db.query("SELECT count(*) FROM pg_constraint WHERE conname = 'a_b_fk'")[0][0].as<int>() == 1);
    std::filesystem::remove(src);
}

TEST_CASE("names that need quoting migrate", "[integration]")
{
    TestDb db;
    db.exec(R"(CREATE TABLE "Order Details" ("Order ID" bigint, "select" text, "ünïcode" text);)");
    std::string const src = new_sqlite(R"(
        CREATE TABLE "Order Details" ("Order ID" INTEGER, "select" TEXT, "ünïcode" TEXT);
        INSERT INTO "Order Details" VALUES (1, 'x', 'ü'), (2, 'it''s', NULL);)");
    CHECK(migrate(options(src, db)).code == ExitCode::Ok);
    CHECK(db.query(R"(SELECT "select" FROM "Order Details" WHERE "Order ID" = 2)")[0][0].as<std::string>() == "it's");
    std::filesystem::remove(src);
}

TEST_CASE("a duplicate key or orphan found by PostgreSQL is a data error naming the table", "[integration]")
{
    TestDb db;
    db.exec(R"(CREATE TABLE parent (id bigint PRIMARY KEY);
               CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent(id),
                                   code text UNIQUE);)");
    std::string const dup = new_sqlite(R"(
        CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER, code TEXT COLLATE NOCASE);
        INSERT INTO parent VALUES (1);
        INSERT INTO child VALUES (1, 1, 'a'), (2, 1, 'a');)");
    try {
        migrate(options(dup, db));
        FAIL("expected a DataError");
    } catch (const DataError &e) {
        std::string const m = e.what();
        CHECK(m.find("table \"child\"") != std::string::npos);
        CHECK(m.find("duplicate key") != std::string::npos);
    }
    std::string const orphan = new_sqlite(R"(
        CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER, code TEXT);
        INSERT INTO parent VALUES (1);
        INSERT INTO child VALUES (1, 1, 'a'), (2, 7, 'b');)");
    try {
        migrate(options(orphan, db));
        FAIL("expected a DataError");
    } catch (const DataError &e) {
        std::string const m = e.what();
        CHECK(m.find("table \"child\"") != std::string::npos);
        CHECK(m.find("foreign key") != std::string::npos);
    }
    CHECK(total_rows(db, "public") == 0);
    std::filesystem::remove(dup);
    std::filesystem::remove(orphan);
}
