// The command line as deploy scripts see it: exit codes and one-line errors,
// and no password in any output.
#include "pg_fixture.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <libpq-fe.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sys/wait.h>

using namespace s2p::test;

namespace {

using Run = ToolRun;

Run run(const std::vector<std::string> &args, const std::string &env = "")
{
    return run_tool(args, env);
}

// host and port of the app role's conninfo, to build URLs with other passwords.
std::string app_url(const std::string &db, const std::string &password)
{
    char *err = nullptr;
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> opts(
        PQconninfoParse(std::getenv("SQLITE2PG_TEST_APP_PG") ? std::getenv("SQLITE2PG_TEST_APP_PG") : "", &err),
        &PQconninfoFree);
    if (err) PQfreemem(err);
    std::string host = "127.0.0.1", port = "5432", user = "app";
    for (auto *o = opts.get(); o && o->keyword; ++o) {
        if (!o->val) continue;
        if (std::string_view{o->keyword} == "host") host = o->val;
        if (std::string_view{o->keyword} == "port") port = o->val;
        if (std::string_view{o->keyword} == "user") user = o->val;
    }
    return "postgresql://" + user + ":" + password + "@" + host + ":" + port + "/" + db;
}

std::string simple_source()
{
    std::string const path = temp_path(".db");
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT); INSERT INTO t VALUES (1, '2024-01-01T10:00:00Z');");
    return path;
}

} // namespace

TEST_CASE("cli: usage errors exit 2", "[integration][cli]")
{
    CHECK(run({}).code == 2);
    CHECK(run({"migrate"}).code == 2);
    Run const r = run({"migrate", "x.db", "--bogus"});
    CHECK(r.code == 2);
    CHECK(r.output.find("--bogus") != std::string::npos);
    CHECK(run({"--help"}).code == 0);
    CHECK(run({"migrate", "--help"}).output.find("--target-schema") != std::string::npos);
    CHECK(run({"--version"}).output.find("sqlite2pg") != std::string::npos);
}

TEST_CASE("cli: source problems exit 3 with the file named", "[integration][cli]")
{
    Run r = run({"migrate", "/nonexistent/app.db", "host=/nonexistent"});
    CHECK(r.code == 3);
    CHECK(r.output.find("/nonexistent/app.db") != std::string::npos);

    std::string const junk = temp_path(".db");
    std::ofstream(junk) << "this is not a database, just text that is long enough";
    r = run({"migrate", junk, "host=/nonexistent"});
    CHECK(r.code == 3);
    CHECK(r.output.find("not a SQLite") != std::string::npos);
    std::filesystem::remove(junk);
}

TEST_CASE("cli: an unreachable server exits 4 after the retries", "[integration][cli]")
{
    std::string const src = simple_source();
    Run const r = run({"migrate", src, "postgresql://app:hunter2secret@127.0.0.1:1/db", "--connect-retries", "2"});
    CHECK(r.code == 4);
    CHECK(r.output.find("after 2 attempts") != std::string::npos);
    CHECK(r.output.find("hunter2secret") == std::string::npos);
    std::filesystem::remove(src);
}

TEST_CASE("cli: a wrong password exits 4 at once and is never printed", "[integration][cli]")
{
    TestDb db;
    std::string const src = simple_source();
    Run const r = run({"migrate", src, app_url(db.name(), "wrong-pw-XYZZY"), "--connect-retries", "5"});
    CHECK(r.code == 4);
    CHECK(r.output.find("after 1 attempt") != std::string::npos);
    CHECK(r.output.find("wrong-pw-XYZZY") == std::string::npos);
    std::filesystem::remove(src);
}

TEST_CASE("cli: missing target table exits 4, bad data 5, dry run and success 0", "[integration][cli]")
{
    TestDb db;
    std::string const src = simple_source();
    std::string const url = app_url(db.name(), "s3cret-pw");
    Run r = run({"migrate", src, url});
    CHECK(r.code == 4);
    CHECK(r.output.find("source table \"t\" has no table") != std::string::npos);
    CHECK(r.output.find("s3cret-pw") == std::string::npos);

    db.exec("CREATE TABLE t (id bigint PRIMARY KEY, at date)");
    r = run({"migrate", src, url});
    CHECK(r.code == 5);
    CHECK(r.output.find("column \"at\"") != std::string::npos);

    db.exec("ALTER TABLE t ALTER COLUMN at TYPE timestamptz");
    r = run({"migrate", src, url, "--dry-run"});
    CHECK(r.code == 0);
    CHECK(r.output.find("DRY RUN OK") != std::string::npos);
    CHECK(db.query("SELECT count(*) FROM t")[0][0].as<int>() == 0);

    r = run({"migrate", src}, "DATABASE_URL=" + shell_quote(url));
    CHECK(r.code == 0);
    CHECK(r.output.find("OK: 1 table migrated") != std::string::npos);
    CHECK(r.output.find("s3cret-pw") == std::string::npos);
    CHECK(db.query("SELECT at = '2024-01-01 10:00:00+00' FROM t")[0][0].as<bool>());
    std::filesystem::remove(src);
}

TEST_CASE("cli: a locked source waits, then exits 3 naming the lock", "[integration][cli]")
{
    std::string const src = simple_source();
    SQLite::Database writer(src, SQLite::OPEN_READWRITE);
    writer.exec("PRAGMA journal_mode = DELETE");
    writer.exec("BEGIN EXCLUSIVE");
    Run const r = run({"migrate", src, "host=/nonexistent", "--source-busy-timeout", "1"});
    writer.exec("ROLLBACK");
    CHECK(r.code == 3);
    CHECK(r.output.find("locked") != std::string::npos);
    std::filesystem::remove(src);
}

TEST_CASE("cli: a URL in the wrong place or with a raw % never shows its password", "[integration][cli]")
{
    Run r = run({"migrate", "postgresql://app:s3cret-WRONGPLACE@127.0.0.1:1/db"});
    CHECK(r.code == 3);
    CHECK(r.output.find("s3cret-WRONGPLACE") == std::string::npos);
    CHECK(r.output.find("****") != std::string::npos);
    std::string const src = simple_source();
    r = run({"migrate", src, "postgresql://app:50%off-secret@127.0.0.1:1/db"});
    CHECK(r.code == 4);
    CHECK(r.output.find("after 1 attempt") != std::string::npos);
    CHECK(r.output.find("off-secret") == std::string::npos);
    std::filesystem::remove(src);
}
