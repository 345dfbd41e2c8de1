// --per-table / --resume: option rules, what a resume compares, and the network
// settings added to every connection string.
#include "conninfo.hpp"
#include "errors.hpp"
#include "options.hpp"
#include "report.hpp"
#include "run_state.hpp"

#include "parse_args.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>

using namespace s2p;

using s2p::test::parse;

TEST_CASE("options: --per-table and --resume", "[options][resume][unit]")
{
    CHECK(parse({"migrate", "a.db", "host=db", "--per-table"}).migrate.per_table);
    CHECK_FALSE(parse({"migrate", "a.db", "host=db"}).migrate.per_table);
    auto const r = parse({"migrate", "a.db", "host=db", "--resume"}).migrate;
    CHECK(r.resume);
    CHECK(r.per_table); // implied
    CHECK_THROWS_AS(parse({"migrate", "a.db", "host=db", "--resume", "--dry-run"}), UsageError);
    CHECK_THROWS_AS(parse({"migrate", "a.db", "host=db", "--resume", "--truncate"}), UsageError);
    CHECK_THROWS_AS(parse({"migrate", "a.db", "host=db", "--per-table", "--create-schema"}), UsageError);
    CHECK_THROWS_AS(parse({"migrate", "a.db", "host=db", "--per-table", "--on-error", "reject"}), UsageError);
    CHECK_NOTHROW(parse({"migrate", "a.db", "host=db", "--per-table", "--truncate"}));
    CHECK(exit_status_name(ExitCode::ResumeRefused) == "resume_refused");
    CHECK(static_cast<int>(ExitCode::ResumeRefused) == 8);
}

TEST_CASE("resume: the options that shape the data are compared, the others not", "[resume][unit]")
{
    MigrateOptions a;
    MigrateOptions b = a;
    b.verify = VerifyMode::Full;          // how much is checked: not the data
    b.copy_format = CopyFormat::Text;     // the wire format: not the data
    b.keep_indexes = true;
    CHECK(differing_keys(data_options(a), data_options(b)).empty());
    b.source_timezone = "Europe/Paris";
    b.selection.tables = {"x"};
    b.fixups.nul_bytes = NulBytes::Strip;
    CHECK(differing_keys(data_options(a), data_options(b)) ==
          std::vector<std::string>{"nul_bytes", "source_timezone", "tables"});
}

TEST_CASE("resume: the source fingerprint sees an edit and ignores an empty -wal", "[resume][unit]")
{
    std::string const path = "resume_fingerprint_test.db";
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        std::string page(4096, '\0');
        page.replace(0, 16, std::string("SQLite format 3\0", 16));
        page[16] = 0x10; // page size 4096
        f << page << page;
    }
    std::string const before = source_fingerprint(path);
    CHECK(before.find("header_xxh64=") != std::string::npos);
    CHECK(source_fingerprint(path) == before);
    { std::ofstream w(path + "-wal"); } // empty: what a reader killed with -9 leaves
    CHECK(source_fingerprint(path) == before);
    {
        std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(24); // the file change counter
        f.put('\x01');
    }
    CHECK(differing_keys(before, source_fingerprint(path)) != std::vector<std::string>{});
    std::remove((path + "-wal").c_str());
    std::remove(path.c_str());
    CHECK_THROWS_AS(source_fingerprint(path), SourceError);
}

TEST_CASE("conninfo: keepalives and timeouts added unless set", "[conninfo][resume][unit]")
{
    unsetenv("PGCONNECT_TIMEOUT");
    std::string const kv = with_network_defaults("host=db dbname=app");
    CHECK(kv.starts_with("host=db dbname=app "));
    CHECK(kv.find("connect_timeout=10") != std::string::npos);
    CHECK(kv.find("keepalives_idle=10") != std::string::npos);
    CHECK(kv.find("tcp_user_timeout=60000") != std::string::npos);
    // The user's own values win.
    std::string const own = with_network_defaults("host=db connect_timeout=3 keepalives_idle=60");
    CHECK(own.find("connect_timeout=10") == std::string::npos);
    CHECK(own.find("keepalives_idle=10") == std::string::npos);
    CHECK(own.find("keepalives_interval=3") != std::string::npos);
    // URLs get query parameters, after any the user wrote.
    CHECK(with_network_defaults("postgresql://u:pw@db/app").starts_with("postgresql://u:pw@db/app?connect_timeout=10&"));
    CHECK(with_network_defaults("postgresql://db/app?sslmode=require&connect_timeout=5")
              .starts_with("postgresql://db/app?sslmode=require&connect_timeout=5&keepalives=1&"));
    CHECK(with_network_defaults("").starts_with("connect_timeout=10 "));
    setenv("PGCONNECT_TIMEOUT", "7", 1);
    CHECK(with_network_defaults("host=db").find("connect_timeout") == std::string::npos);
    unsetenv("PGCONNECT_TIMEOUT");
    // A pg_service.conf service keeps its own settings.
    CHECK(with_network_defaults("service=prod dbname=app") == "service=prod dbname=app");
    setenv("PGSERVICE", "prod", 1);
    CHECK(with_network_defaults("dbname=app") == "dbname=app");
    unsetenv("PGSERVICE");
    // Unparsable strings are left for libpq to reject with its own message.
    CHECK(with_network_defaults("host='unterminated") == "host='unterminated");
}
