// The operator-facing options: inspect, check, migrate --report / --log-format.
#include "errors.hpp"
#include "options.hpp"
#include "report.hpp"

#include "parse_args.hpp"

#include <catch2/catch.hpp>

using namespace s2p;

using s2p::test::parse;

TEST_CASE("options: inspect", "[options][unit]")
{
    CommandLine const cl = parse({"inspect", "app.db", "--json"});
    REQUIRE(cl.command == CommandLine::Command::Inspect);
    CHECK(cl.inspect.source == "app.db");
    CHECK(cl.inspect.json);
    CHECK_FALSE(parse({"inspect", "app.db"}).inspect.json);
    CHECK_THROWS_AS(parse({"inspect"}), UsageError);
}

TEST_CASE("options: check", "[options][unit]")
{
    CommandLine const cl = parse({"check", "postgresql://app@db/app", "--target-schema", "app", "--source", "app.db",
                                  "--tables", "a,b", "--truncate", "--connect-retries", "2"});
    REQUIRE(cl.command == CommandLine::Command::Check);
    CHECK(cl.check.target == std::optional<std::string>{"postgresql://app@db/app"});
    CHECK(cl.check.target_schema == "app");
    CHECK(cl.check.source == std::optional<std::string>{"app.db"});
    CHECK(cl.check.selection.tables == std::vector<std::string>{"a", "b"});
    CHECK(cl.check.truncate);
    CHECK(cl.check.connect_retries == 2);

    CommandLine const bare = parse({"check"});
    CHECK_FALSE(bare.check.target);
    CHECK_FALSE(bare.check.source);
    CHECK(bare.check.target_schema == "public");
    CHECK_THROWS_AS(parse({"check", "--tables", "a", "--exclude-tables", "a"}), UsageError);
    CHECK_THROWS_AS(parse({"check", "--connect-retries", "0"}), UsageError);
}

TEST_CASE("options: migrate --report and --log-format", "[options][unit]")
{
    CommandLine const cl = parse({"migrate", "app.db", "--report", "run.json", "--log-format", "json"});
    CHECK(cl.migrate.report_path == "run.json");
    CHECK(cl.migrate.log_json);
    CommandLine const plain = parse({"migrate", "app.db"});
    CHECK(plain.migrate.report_path.empty());
    CHECK_FALSE(plain.migrate.log_json);
    CHECK_FALSE(parse({"migrate", "app.db", "--log-format", "text"}).migrate.log_json);
    CHECK_THROWS_AS(parse({"migrate", "app.db", "--log-format", "xml"}), UsageError);
}

TEST_CASE("report: exit status names are stable", "[report][unit]")
{
    CHECK(exit_status_name(ExitCode::Ok) == "ok");
    CHECK(exit_status_name(ExitCode::Target) == "target");
    CHECK(exit_status_name(ExitCode::Data) == "data");
    CHECK(exit_status_name(ExitCode::Mismatch) == "mismatch");
    CHECK(exit_status_name(ExitCode::Interrupted) == "interrupted");
}
