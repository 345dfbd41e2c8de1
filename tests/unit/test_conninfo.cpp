#include "conninfo.hpp"
#include "connect.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace s2p;

TEST_CASE("mask_password: URI forms", "[conninfo][unit]")
{
    CHECK(mask_password("postgresql://app:s3cret@db.internal:5432/app") == "postgresql://app:****@db.internal:5432/app");
    CHECK(mask_password("postgres://app:s3cret@db/app?sslmode=require") == "postgres://app:****@db/app?sslmode=require");
    CHECK(mask_password("postgresql://app@db/app") == "postgresql://app@db/app");
    CHECK(mask_password("postgresql://db/app") == "postgresql://db/app");
    CHECK(mask_password("postgresql://app:p%40ss@db/app") == "postgresql://app:****@db/app");
    // '@' inside the password: the last '@' before the path ends the userinfo.
    CHECK(mask_password("postgresql://app:p@ss@db/app") == "postgresql://app:****@db/app");
    CHECK(mask_password("postgresql://app@db/app?password=s3cret&sslmode=disable") ==
          "postgresql://app@db/app?password=****&sslmode=disable");
    CHECK(mask_password("postgresql://app@db/app?sslmode=disable&password=s3cret") ==
          "postgresql://app@db/app?sslmode=disable&password=****");
}

TEST_CASE("mask_password: key=value forms", "[conninfo][unit]")
{
    CHECK(mask_password("host=db user=app password=s3cret dbname=app") == "host=db user=app password=**** dbname=app");
    CHECK(mask_password("host=db password='s3 cret' dbname=app") == "host=db password=**** dbname=app");
    CHECK(mask_password("host=db password = 'it\\'s' dbname=app") == "host=db password = **** dbname=app");
    CHECK(mask_password("host=db dbname=app") == "host=db dbname=app");
    CHECK(mask_password("") == "");
}

TEST_CASE("describe_target never shows the password", "[conninfo][unit]")
{
    std::string const d = describe_target("postgresql://app:s3cret@db.internal:6432/appdb");
    CHECK(d == "app@db.internal:6432/appdb");
    CHECK(describe_target("host=/tmp/sock port=5555 user=u password=pw dbname=x") == "u@/tmp/sock:5555/x");
}

TEST_CASE("scrub_password removes the password from any message", "[conninfo][unit]")
{
    CHECK(scrub_password("FATAL: role s3cret? s3cret", "postgresql://app:s3cret@db/app") ==
          "FATAL: role ****? ****");
    CHECK(scrub_password("nothing here", "host=db") == "nothing here");
}

TEST_CASE("resolve_conninfo: argument, then DATABASE_URL, then libpq defaults", "[conninfo][unit]")
{
    ::setenv("DATABASE_URL", "postgresql://from-env/db", 1);
    CHECK(resolve_conninfo(std::string{"postgresql://arg/db"}) == "postgresql://arg/db");
    CHECK(resolve_conninfo(std::nullopt) == "postgresql://from-env/db");
    ::unsetenv("DATABASE_URL");
    CHECK(resolve_conninfo(std::nullopt) == "");
}

TEST_CASE("which connection failures are retried", "[conninfo][unit]")
{
    CHECK(retryable_connect_error("connection to server at \"db\", port 5432 failed: Connection refused"));
    CHECK(retryable_connect_error("FATAL:  the database system is starting up"));
    CHECK_FALSE(retryable_connect_error("FATAL:  password authentication failed for user \"app\""));
    CHECK_FALSE(retryable_connect_error("FATAL:  database \"nope\" does not exist"));
    CHECK_FALSE(retryable_connect_error("invalid URI query parameter: \"x\""));
}

TEST_CASE("written_password and scrub_arguments work where libpq cannot parse", "[conninfo][unit]")
{
    CHECK(written_password("postgresql://app:50%off-secret@db/app") == "50%off-secret");
    CHECK(written_password("host=db password=s3cret dbname=x") == "s3cret");
    CHECK(written_password("postgresql://app@db/app") == "");
    CHECK(written_password("app.db") == "");
    const char *argv[] = {"sqlite2pg", "migrate", "postgresql://app:s3cret-pw@db/app"};
    CHECK(scrub_arguments("source file 'postgresql://app:s3cret-pw@db/app' does not exist", 3, argv) ==
          "source file 'postgresql://app:****@db/app' does not exist");
    CHECK(scrub_password("invalid percent-encoded token: \"50%off-secret\"", "postgresql://app:50%off-secret@db/x") ==
          "invalid percent-encoded token: \"****\"");
}
