#include "errors.hpp"
#include "options.hpp"

#include "parse_args.hpp"

#include <catch2/catch.hpp>

using namespace s2p;

using s2p::test::parse;

TEST_CASE("options: migrate with defaults", "[options][unit]")
{
    CommandLine const cl = parse({"migrate", "app.db", "postgresql://app@db/app"});
    REQUIRE(cl.command == CommandLine::Command::Migrate);
    CHECK(cl.migrate.source == "app.db");
    CHECK(cl.migrate.target == std::optional<std::string>{"postgresql://app@db/app"});
    CHECK(cl.migrate.target_schema == "public");
    CHECK(cl.migrate.connect_retries == 5);
    CHECK(cl.migrate.source_timezone == "UTC");
    CHECK(cl.migrate.epoch_unit == EpochUnit::None);
    CHECK_FALSE(cl.migrate.dry_run);
    CHECK_FALSE(cl.migrate.truncate);
}

TEST_CASE("options: the target is optional", "[options][unit]")
{
    CommandLine const cl = parse({"migrate", "app.db"});
    CHECK_FALSE(cl.migrate.target.has_value());
}

TEST_CASE("options: every documented option", "[options][unit]")
{
    CommandLine const cl = parse({"migrate", "app.db", "host=db", "--target-schema", "app", "--tables", "a,b",
                                  "--tables", "c", "--exclude-tables", "d", "--truncate", "--dry-run",
                                  "--source-timezone", "Europe/Berlin", "--epoch-unit", "ms", "--text-to-bytea",
                                  "--connect-retries", "2", "--examples", "3", "--verbose"});
    auto const &m = cl.migrate;
    CHECK(m.target_schema == "app");
    CHECK(m.selection.tables == std::vector<std::string>{"a", "b", "c"});
    CHECK(m.selection.exclude_tables == std::vector<std::string>{"d"});
    CHECK(m.truncate);
    CHECK(m.dry_run);
    CHECK(m.source_timezone == "Europe/Berlin");
    CHECK(m.epoch_unit == EpochUnit::Millis);
    CHECK(m.text_to_bytea);
    CHECK(m.connect_retries == 2);
    CHECK(m.examples == 3);
    CHECK(m.verbose);
}

TEST_CASE("options: conflicts and bad values are usage errors", "[options][unit]")
{
    CHECK_THROWS_AS(parse({"migrate"}), UsageError);
    CHECK_THROWS_AS(parse({"migrate", "a.db", "--no-such-option"}), UsageError);
    CHECK_THROWS_AS(parse({"migrate", "a.db", "--epoch-unit", "days"}), UsageError);
    CHECK_THROWS_AS(parse({"migrate", "a.db", "--connect-retries", "0"}), UsageError);
    CHECK_THROWS_AS(parse({"migrate", "a.db", "--tables", "x", "--exclude-tables", "x"}), UsageError);
    CHECK_THROWS_AS(parse({"migrate", "a.db", "--quiet", "--verbose"}), UsageError);
    CHECK_THROWS_AS(parse({"frobnicate"}), UsageError);
}

TEST_CASE("options: no command is a usage error, not success", "[options][unit]")
{
    CommandLine const cl = parse({});
    CHECK(cl.command == CommandLine::Command::Exit);
    CHECK(cl.exit_code == 2);
}
