// Source robustness: whatever the SQLite file is (truncated, garbage inside, not
// SQLite, empty, missing, locked, written to while we read it, tables with hostile
// names), the tool ends with a clear error or a correct copy, never a crash.
// Also --backup-source: the copy, its check, and its refusals.
#include "pg_fixture.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <thread>

using namespace s2p::test;
namespace fs = std::filesystem;

namespace {

using Run = ToolRun; // code -1: the tool died of a signal (a crash)
Run run(const std::vector<std::string> &args) { return run_tool(args); }

bool has(const Run &r, const std::string &s) { return r.output.find(s) != std::string::npos; }

// 4 KiB pages, ~600 pages of rows: enough that damage in the middle hits row data.
std::string big_source(int rows = 20000)
{
    std::string const path = temp_path(".db");
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA page_size = 4096; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    db.exec("BEGIN");
    SQLite::Statement ins(db, "INSERT INTO t VALUES (?, ?)");
    for (int i = 1; i <= rows; ++i) {
        ins.bind(1, i);
        ins.bind(2, std::string(100, static_cast<char>('a' + i % 26)));
        ins.exec();
        ins.reset();
    }
    db.exec("COMMIT");
    return path;
}

void create_target(TestDb &db) { db.exec("CREATE TABLE t (id integer PRIMARY KEY, v text NOT NULL)"); }

void overwrite(const std::string &path, std::uintmax_t offset, std::uintmax_t n, unsigned seed)
{
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(f);
    f.seekp(static_cast<std::streamoff>(offset));
    std::mt19937 rng(seed);
    for (std::uintmax_t i = 0; i < n; ++i) f.put(static_cast<char>(rng() & 0xff));
}

void remove_db(const std::string &path)
{
    for (char const *s : {"", "-wal", "-shm", "-journal"}) fs::remove(path + s);
}

} // namespace

TEST_CASE("source: broken files exit 3 with one clear line, never a crash", "[integration][source]")
{
    TestDb db;
    create_target(db);
    std::string const conn = db.app_conninfo();

    SECTION("missing file")
    {
        Run const r = run({"migrate", temp_path(".db"), conn});
        CHECK(r.code == 3);
        CHECK(has(r, "does not exist"));
    }
    SECTION("empty file")
    {
        std::string const p = temp_path(".db");
        std::ofstream(p).close();
        Run const r = run({"migrate", p, conn});
        CHECK(r.code == 3);
        CHECK(has(r, "is not a SQLite 3 database"));
        fs::remove(p);
    }
    SECTION("not a SQLite file")
    {
        std::string const p = temp_path(".db");
        std::ofstream(p) << "id,v\n1,hello\n" << std::string(10000, 'x');
        for (auto const &cmd : {"migrate", "verify"}) {
            Run const r = run({cmd, p, conn});
            CHECK(r.code == 3);
            CHECK(has(r, "is not a SQLite 3 database"));
        }
        Run const r = run({"inspect", p});
        CHECK(r.code == 3);
        fs::remove(p);
    }
    SECTION("a directory")
    {
        Run const r = run({"migrate", fs::temp_directory_path().string(), conn});
        CHECK(r.code == 3);
        CHECK(has(r, "is a directory"));
    }
    SECTION("truncated to half its size")
    {
        std::string const p = big_source();
        fs::resize_file(p, fs::file_size(p) / 2);
        Run const r = run({"migrate", p, conn});
        INFO(r.output);
        CHECK(r.code == 3);
        CHECK(has(r, "corrupt"));
        CHECK(db.query("SELECT count(*) FROM t")[0][0].as<int>() == 0);
        Run const v = run({"verify", p, conn});
        INFO(v.output);
        CHECK(v.code == 3);
        fs::remove(p);
    }
    SECTION("garbage in the middle pages")
    {
        std::string const p = big_source();
        auto const size = fs::file_size(p);
        overwrite(p, size / 3 / 4096 * 4096, 8 * 4096, 42);
        Run const r = run({"migrate", p, conn});
        INFO(r.output);
        CHECK(r.code == 3);
        CHECK(has(r, "corrupt"));
        CHECK(db.query("SELECT count(*) FROM t")[0][0].as<int>() == 0);
        fs::remove(p);
    }
    SECTION("garbage in the schema page")
    {
        std::string const p = big_source(10);
        overwrite(p, 100, 4096 - 100, 7);
        for (auto const &args : std::vector<std::vector<std::string>>{{"migrate", p, conn}, {"inspect", p}}) {
            Run const r = run(args);
            INFO(r.output);
            CHECK(r.code == 3);
        }
        fs::remove(p);
    }
}

TEST_CASE("source: --backup-source copies, checks and migrates from the copy", "[integration][source]")
{
    TestDb db;
    create_target(db);
    std::string const conn = db.app_conninfo();
    std::string const src = big_source(5000);
    std::string const copy = temp_path(".copy.db");

    SECTION("a sound source: copied, checked, migrated, copy kept and verifiable")
    {
        std::string const report = temp_path(".json");
        Run const r = run({"migrate", src, conn, "--backup-source", copy, "--report", report});
        INFO(r.output);
        REQUIRE(r.code == 0);
        CHECK(has(r, "quick_check ok"));
        CHECK(db.query("SELECT count(*) FROM t")[0][0].as<int>() == 5000);
        REQUIRE(fs::exists(copy));
        CHECK_FALSE(fs::exists(copy + "-wal"));
        CHECK(run({"verify", copy, conn, "--full"}).code == 0);
        std::ifstream in(report);
        std::string const json((std::istreambuf_iterator<char>(in)), {});
        CHECK(json.find("\"backup_source\":") != std::string::npos);
        CHECK(json.find("\"backup\"") != std::string::npos); // phase timing
        // The fingerprint is of the copy: the bytes that were migrated.
        CHECK(json.find("\"path\":\"" + copy + "\"") != std::string::npos);

        // An existing copy is never overwritten.
        db.exec("TRUNCATE t");
        auto const mtime = fs::last_write_time(copy);
        Run const again = run({"migrate", src, conn, "--backup-source", copy});
        CHECK(again.code == 2);
        CHECK(has(again, "already exists"));
        CHECK(fs::last_write_time(copy) == mtime);
        fs::remove(report);
    }
    SECTION("the source itself is refused")
    {
        Run const r = run({"migrate", src, conn, "--backup-source", src});
        CHECK(r.code == 2);
        CHECK(has(r, "is the source file itself"));
        CHECK(run({"verify", src, conn}).code == 6); // untouched source, nothing loaded
    }
    SECTION("an empty file (mktemp) is replaced")
    {
        std::ofstream(copy).close();
        Run const r = run({"migrate", src, conn, "--backup-source", copy});
        INFO(r.output);
        CHECK(r.code == 0);
        CHECK(fs::file_size(copy) > 0);
    }
    SECTION("a corrupt source fails quick_check: exit 3, copy removed, nothing written")
    {
        overwrite(src, fs::file_size(src) / 2 / 4096 * 4096, 4 * 4096, 3);
        Run const r = run({"migrate", src, conn, "--backup-source", copy});
        INFO(r.output);
        CHECK(r.code == 3);
        CHECK(has(r, "corrupt"));
        CHECK_FALSE(fs::exists(copy));
        CHECK(db.query("SELECT count(*) FROM t")[0][0].as<int>() == 0);
    }
    SECTION("a truncated source: exit 3, copy removed")
    {
        fs::resize_file(src, fs::file_size(src) / 2);
        Run const r = run({"migrate", src, conn, "--backup-source", copy});
        INFO(r.output);
        CHECK(r.code == 3);
        CHECK(has(r, "corrupt"));
        CHECK_FALSE(fs::exists(copy));
    }
    SECTION("a locked source waits --source-busy-timeout, then exit 3")
    {
        SQLite::Database writer(src, SQLite::OPEN_READWRITE);
        writer.exec("BEGIN EXCLUSIVE");
        auto const t0 = std::chrono::steady_clock::now();
        Run const r = run({"migrate", src, conn, "--backup-source", copy, "--source-busy-timeout", "1"});
        double const waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        writer.exec("ROLLBACK");
        INFO(r.output);
        CHECK(r.code == 3);
        CHECK(has(r, "locked"));
        CHECK(waited >= 1.0);
        CHECK_FALSE(fs::exists(copy));
    }
    SECTION("an unwritable destination: exit 3")
    {
        Run const r = run({"migrate", src, conn, "--backup-source", "/nonexistent-dir/copy.db"});
        INFO(r.output);
        CHECK(r.code == 3);
        CHECK(has(r, "cannot write the backup"));
    }
    remove_db(copy);
    remove_db(src);
}

TEST_CASE("source: a locked source without --backup-source waits, then exit 3", "[integration][source]")
{
    TestDb db;
    create_target(db);
    std::string const src = big_source(10);
    SQLite::Database writer(src, SQLite::OPEN_READWRITE);
    writer.exec("BEGIN EXCLUSIVE");
    Run const r = run({"migrate", src, db.app_conninfo(), "--source-busy-timeout", "1"});
    writer.exec("ROLLBACK");
    INFO(r.output);
    CHECK(r.code == 3);
    CHECK(has(r, "locked"));
    remove_db(src);
}

// An application keeps committing to a WAL-mode source while the tool reads it. Each
// commit adds a batch of rows to t and the batch's size to totals.n, so a torn copy
// (some tables or rows from before a commit, some from after) shows as a sum that
// differs from totals, or ids that are not 1..count.
TEST_CASE("source: a WAL source written during the migration gives a consistent copy", "[integration][source]")
{
    bool const backup = GENERATE(false, true);
    INFO("--backup-source: " << backup);
    TestDb db;
    db.exec("CREATE TABLE t (id integer PRIMARY KEY, v text NOT NULL); CREATE TABLE totals (k integer PRIMARY KEY, n bigint)");
    std::string const src = big_source(200000);
    std::string const copy = temp_path(".copy.db");
    {
        SQLite::Database s(src, SQLite::OPEN_READWRITE);
        s.exec("PRAGMA journal_mode = WAL; CREATE TABLE totals (k INTEGER PRIMARY KEY, n INTEGER); "
               "INSERT INTO totals VALUES (1, 200000)");
    }
    constexpr int batch = 7;
    std::atomic<bool> stop{false};
    std::atomic<int> commits{0};
    std::thread app([&] {
        SQLite::Database w(src, SQLite::OPEN_READWRITE);
        w.setBusyTimeout(5000);
        int next = 200001;
        while (!stop) {
            w.exec("BEGIN IMMEDIATE");
            for (int i = 0; i < batch; ++i) w.exec("INSERT INTO t VALUES (" + std::to_string(next++) + ", 'new')");
            w.exec("UPDATE totals SET n = n + " + std::to_string(batch));
            w.exec("COMMIT");
            ++commits;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    });
    while (commits < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    int const before = commits;
    std::vector<std::string> args{"migrate", src, db.app_conninfo(), "--verify", "full"};
    if (backup) args.insert(args.end(), {"--backup-source", copy});
    Run const r = run(args);
    int const during = commits - before;
    stop = true;
    app.join();
    INFO(r.output);
    REQUIRE(r.code == 0);
    CHECK(during > 0); // the application did write while the tool read

    long long const rows = db.query("SELECT count(*) FROM t")[0][0].as<long long>();
    long long const total = db.query("SELECT n FROM totals")[0][0].as<long long>();
    CHECK(rows == total);
    CHECK(rows >= 200000 + 3 * batch);
    CHECK((rows - 200000) % batch == 0);
    CHECK(db.query("SELECT max(id) FROM t")[0][0].as<long long>() == rows);

    // Afterwards the source has moved on: verify names the difference in t.
    Run const v = run({"verify", src, db.app_conninfo()});
    INFO(v.output);
    CHECK(v.code == 6);
    CHECK(has(v, "t"));
    // The copy is exactly what was migrated.
    if (backup) CHECK(run({"verify", copy, db.app_conninfo(), "--full"}).code == 0);
    remove_db(copy);
    remove_db(src);
}

namespace {

// Hostile and awkward names, each a table with awkward column names.
struct Named {
    std::string table;
    std::string column;
};
std::vector<Named> const hostile_names = {
    {"Robert'); DROP TABLE x;--", "v'); DROP TABLE x;--"},
    {"my table", "col with space"},
    {"has\"quote", "q\"uote"},
    {"it's", "it's"},
    {"ünïcødé 表", "列 ß"},
    {"select", "order"},
    {"x;y", "group"},
};

std::string pg_ident(const std::string &s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string hostile_source()
{
    std::string const path = temp_path(".db");
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (auto const &n : hostile_names) {
        db.exec("CREATE TABLE " + pg_ident(n.table) + " (id INTEGER PRIMARY KEY, " + pg_ident(n.column) + " TEXT)");
        SQLite::Statement ins(db, "INSERT INTO " + pg_ident(n.table) + " VALUES (?, ?)");
        ins.bind(1, 1);
        ins.bind(2, n.table); // the value is the name: quotes and all
        ins.exec();
        ins.reset();
        ins.bind(1, 2);
        ins.bind(2); // NULL
        ins.exec();
    }
    db.exec("CREATE TABLE x (id INTEGER PRIMARY KEY)");
    return path;
}

void check_hostile_target(TestDb &db, bool lower)
{
    CHECK(db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'x'")[0][0].as<int>() == 1);
    for (auto const &n : hostile_names) {
        INFO(n.table);
        std::string table = n.table, column = n.column;
        if (lower) {
            // --create-schema folds ASCII letters only (PostgreSQL's own folding)
            for (auto *s : {&table, &column})
                for (char &c : *s)
                    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        auto const rows = db.query("SELECT id, " + pg_ident(column) + " FROM " + pg_ident(table) + " ORDER BY id");
        REQUIRE(rows.size() == 2);
        CHECK(rows[0][1].as<std::string>() == n.table);
        CHECK(rows[1][1].is_null());
    }
}

} // namespace

TEST_CASE("source: hostile identifiers migrate into an existing schema", "[integration][source]")
{
    TestDb db;
    db.exec("CREATE TABLE x (id integer PRIMARY KEY)");
    for (auto const &n : hostile_names)
        db.exec("CREATE TABLE " + pg_ident(n.table) + " (id integer PRIMARY KEY, " + pg_ident(n.column) + " text)");
    std::string const src = hostile_source();
    Run const r = run({"migrate", src, db.app_conninfo(), "--verify", "full"});
    INFO(r.output);
    REQUIRE(r.code == 0);
    check_hostile_target(db, false);
    Run const v = run({"verify", src, db.app_conninfo(), "--full"});
    INFO(v.output);
    CHECK(v.code == 0);
    Run const i = run({"inspect", src});
    CHECK(i.code == 0);
    CHECK(has(i, "Robert'); DROP TABLE x;--"));
    remove_db(src);
}

TEST_CASE("source: hostile identifiers migrate with --create-schema", "[integration][source]")
{
    bool const quoted = GENERATE(false, true);
    INFO("--quote-identifiers: " << quoted);
    TestDb db;
    std::string const src = hostile_source();
    std::vector<std::string> args{"migrate", src, db.app_conninfo(), "--create-schema", "--verify", "full"};
    if (quoted) args.push_back("--quote-identifiers");
    Run const r = run(args);
    INFO(r.output);
    REQUIRE(r.code == 0);
    check_hostile_target(db, !quoted);
    std::vector<std::string> vargs{"verify", src, db.app_conninfo(), "--full"};
    Run const v = run(vargs);
    INFO(v.output);
    CHECK(v.code == 0);
    remove_db(src);
}
