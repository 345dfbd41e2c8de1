// COPY FREEZE (table_load.cpp): rows land frozen where the table may be truncated
// alone in the load's savepoint, and the run's guarantees hold as without it. The
// visibility map, read as the superuser through pg_visibility, is the judge of what
// the server really stored.
#include "migrate.hpp"
#include "pg_fixture.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <map>

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

MigrateOptions options(const std::string &source, const TestDb &db)
{
    MigrateOptions o;
    o.source = source;
    o.target = db.app_conninfo();
    o.quiet = true;
    return o;
}

std::map<std::string, bool> frozen_flags(const MigrateResult &r)
{
    std::map<std::string, bool> out;
    for (auto const &t : r.tables) out[t.table] = t.frozen;
    return out;
}

// Pages of `table` and how many of them the visibility map marks all-frozen.
std::pair<std::int64_t, std::int64_t> frozen_pages(TestDb &db, const std::string &table)
{
    pqxx::connection admin(db.admin_conninfo());
    pqxx::work tx(admin);
    tx.exec("CREATE EXTENSION IF NOT EXISTS pg_visibility");
    auto const r = tx.exec("SELECT pg_relation_size('" + table + "') / current_setting('block_size')::bigint, "
                           "(pg_visibility_map_summary('" + table + "')).all_frozen");
    tx.commit();
    return {r[0][0].as<std::int64_t>(), r[0][1].as<std::int64_t>()};
}

constexpr char const *schema_sql = "CREATE TABLE parent (id bigint PRIMARY KEY, name text NOT NULL);"
                                   "CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent (id),"
                                   " note text CHECK (note <> 'refused'));"
                                   "CREATE INDEX child_parent_idx ON child (parent_id);";

// 3000 parents and 6000 children: several pages each.
std::string source_db(const std::string &extra_sql = "")
{
    return new_sqlite("CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);"
                      "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), note TEXT);"
                      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
                      " INSERT INTO parent SELECT i, 'parent number ' || i FROM n;"
                      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)"
                      " INSERT INTO child SELECT i, (i % 3000) + 1, 'note ' || i FROM n;" +
                      extra_sql);
}

} // namespace

TEST_CASE("COPY FREEZE: the loaded pages are all-frozen; --no-copy-freeze leaves them for vacuum", "[integration][freeze]")
{
    std::string const src = source_db();
    {
        TestDb db;
        db.exec(schema_sql);
        MigrateResult const r = migrate(options(src, db));
        REQUIRE(r.code == ExitCode::Ok);
        CHECK(frozen_flags(r) == std::map<std::string, bool>{{"child", true}, {"parent", true}});
        for (auto const *t : {"parent", "child"}) {
            auto const [pages, frozen] = frozen_pages(db, t);
            INFO(t);
            CHECK(pages > 1);
            CHECK(frozen == pages);
        }
        CHECK(db.query("SELECT count(*) FROM child JOIN parent ON parent.id = child.parent_id")[0][0].as<int>() == 6000);
    }
    {
        TestDb db;
        db.exec(schema_sql);
        MigrateOptions o = options(src, db);
        o.copy_freeze = false;
        MigrateResult const r = migrate(o);
        REQUIRE(r.code == ExitCode::Ok);
        CHECK(frozen_flags(r) == std::map<std::string, bool>{{"child", false}, {"parent", false}});
        CHECK(frozen_pages(db, "child").second == 0);
        CHECK(frozen_pages(db, "parent").second == 0);
    }
    std::filesystem::remove(src);
}

TEST_CASE("COPY FREEZE: a table another table's foreign key still references is loaded without it",
          "[integration][freeze]")
{
    std::string const src = source_db();
    SECTION("the child is not selected: its foreign key stays, the parent cannot be truncated alone")
    {
        TestDb db;
        db.exec(schema_sql);
        MigrateOptions o = options(src, db);
        o.selection.tables = {"parent"};
        MigrateResult const r = migrate(o);
        REQUIRE(r.code == ExitCode::Ok);
        CHECK(frozen_flags(r) == std::map<std::string, bool>{{"parent", false}});
        CHECK(db.query("SELECT count(*) FROM parent")[0][0].as<int>() == 3000);
        CHECK(frozen_pages(db, "parent").second == 0);
    }
    SECTION("--keep-indexes: the child's foreign key is not dropped")
    {
        TestDb db;
        db.exec(schema_sql);
        MigrateOptions o = options(src, db);
        o.keep_indexes = true;
        MigrateResult const r = migrate(o);
        REQUIRE(r.code == ExitCode::Ok);
        CHECK(frozen_flags(r) == std::map<std::string, bool>{{"child", true}, {"parent", false}});
    }
    SECTION("--per-table: the parent is committed while the child's foreign key is in place")
    {
        TestDb db;
        db.exec(schema_sql);
        MigrateOptions o = options(src, db);
        o.per_table = true;
        MigrateResult const r = migrate(o);
        REQUIRE(r.code == ExitCode::Ok);
        CHECK(frozen_flags(r) == std::map<std::string, bool>{{"child", true}, {"parent", false}});
        auto const [pages, frozen] = frozen_pages(db, "child");
        CHECK(frozen == pages);
    }
    std::filesystem::remove(src);
}

TEST_CASE("COPY FREEZE: --truncate and a later failure leave the old rows", "[integration][freeze]")
{
    // child loads after parent: parent was truncated and loaded frozen when child fails.
    std::string const src = source_db("UPDATE child SET parent_id = 'not a number' WHERE id = 5999;");
    TestDb db;
    db.exec(schema_sql);
    db.exec("INSERT INTO parent VALUES (1, 'old parent'); INSERT INTO child VALUES (1, 1, 'old child')");
    MigrateOptions o = options(src, db);
    o.truncate = true;
    CHECK_THROWS_AS(migrate(o), DataError);
    CHECK(db.query("SELECT name FROM parent")[0][0].as<std::string>() == "old parent");
    auto const child = db.query("SELECT id, note FROM child");
    REQUIRE(child.size() == 1);
    CHECK(child[0][1].as<std::string>() == "old child");
    std::filesystem::remove(src);
}

TEST_CASE("COPY FREEZE: reject mode loads the table again, truncated again, without the refused row",
          "[integration][freeze][rejects]")
{
    std::string const src = source_db("UPDATE child SET note = 'refused' WHERE id IN (10, 4000);");
    std::string const rejects = temp_path(".jsonl");
    TestDb db;
    db.exec(schema_sql);
    MigrateOptions o = options(src, db);
    o.on_error = OnError::Reject;
    o.reject_file = rejects;
    MigrateResult const r = migrate(o);
    CHECK(r.code == ExitCode::Rejected);
    CHECK(frozen_flags(r) == std::map<std::string, bool>{{"child", true}, {"parent", true}});
    CHECK(db.query("SELECT count(*) FROM child")[0][0].as<int>() == 5998);
    CHECK(db.query("SELECT count(*) FROM child WHERE id IN (10, 4000)")[0][0].as<int>() == 0);
    auto const [pages, frozen] = frozen_pages(db, "child");
    CHECK(frozen == pages);
    std::filesystem::remove(src);
    std::filesystem::remove(rejects);
}
