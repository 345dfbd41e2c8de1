#include "convert_time.hpp"

#include <catch2/catch.hpp>
#include <date/tz.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

using namespace s2p;

namespace {

// Each helper returns the output on success, or "!" + reason code on failure, so one
// CHECK asserts both the outcome and the exact reason; the message is kept in g_err.
ConvertError g_err;

std::string E(Reason r) { return "!" + std::string(reason_code(r)); }

std::string result(bool ok, const std::string &out, const ConvertError &err)
{
    g_err = err;
    return ok ? out : E(err.reason);
}

std::string tstz(std::string_view s, const date::time_zone *z = nullptr)
{
    std::string out;
    ConvertError err;
    bool ok = text_to_timestamptz(s, z, out, err);
    return result(ok, out, err);
}

std::string ts(std::string_view s, const date::time_zone *z = nullptr)
{
    std::string out;
    ConvertError err;
    bool ok = text_to_timestamp(s, z, out, err);
    return result(ok, out, err);
}

std::string dt(std::string_view s)
{
    std::string out;
    ConvertError err;
    bool ok = text_to_date(s, out, err);
    return result(ok, out, err);
}

std::string tod(std::string_view s)
{
    std::string out;
    ConvertError err;
    bool ok = text_to_time(s, out, err);
    return result(ok, out, err);
}

std::string ep_i(std::int64_t v, EpochUnit u, PgKind k = PgKind::Timestamptz,
                 const date::time_zone *z = nullptr)
{
    std::string out;
    ConvertError err;
    bool ok = epoch_to_datetime(double(v), true, v, u, k, z, out, err);
    return result(ok, out, err);
}

std::string ep_r(double v, EpochUnit u, PgKind k = PgKind::Timestamptz,
                 const date::time_zone *z = nullptr)
{
    std::string out;
    ConvertError err;
    bool ok = epoch_to_datetime(v, false, 0, u, k, z, out, err);
    return result(ok, out, err);
}

const date::time_zone *berlin() { return find_zone("Europe/Berlin"); }
const date::time_zone *new_york() { return find_zone("America/New_York"); }

constexpr auto S = EpochUnit::Seconds;
constexpr auto MS = EpochUnit::Millis;
constexpr auto US = EpochUnit::Micros;

} // namespace

TEST_CASE("timestamptz: every accepted text form", "[time]")
{
    CHECK(tstz("2021-06-15") == "2021-06-15 00:00:00+00");
    CHECK(tstz("2021-06-15 12:34") == "2021-06-15 12:34:00+00");
    CHECK(tstz("2021-06-15T12:34") == "2021-06-15 12:34:00+00");
    CHECK(tstz("2021-06-15 12:34:56") == "2021-06-15 12:34:56+00");
    CHECK(tstz("2021-06-15T12:34:56") == "2021-06-15 12:34:56+00");
    CHECK(tstz("2021-06-15 12:34:56.5") == "2021-06-15 12:34:56.500000+00");
    CHECK(tstz("2021-06-15T12:34:56.5Z") == "2021-06-15 12:34:56.500000+00");
    CHECK(tstz("2021-06-15T12:34Z") == "2021-06-15 12:34:00+00");
    CHECK(tstz("2021-06-15 12:34+02") == "2021-06-15 10:34:00+00");
    // lowercase t is not one of the accepted separators
    CHECK(tstz("2021-06-15t12:34") == E(Reason::BadTimestamp));
}

TEST_CASE("fractional seconds: 1..6 digits, more only when zero", "[time]")
{
    CHECK(tstz("2021-06-15 12:00:00.1") == "2021-06-15 12:00:00.100000+00");
    CHECK(tstz("2021-06-15 12:00:00.12") == "2021-06-15 12:00:00.120000+00");
    CHECK(tstz("2021-06-15 12:00:00.123") == "2021-06-15 12:00:00.123000+00");
    CHECK(tstz("2021-06-15 12:00:00.1234") == "2021-06-15 12:00:00.123400+00");
    CHECK(tstz("2021-06-15 12:00:00.12345") == "2021-06-15 12:00:00.123450+00");
    CHECK(tstz("2021-06-15 12:00:00.123456") == "2021-06-15 12:00:00.123456+00");
    CHECK(tstz("2021-06-15 12:00:00.000001") == "2021-06-15 12:00:00.000001+00");
    CHECK(tstz("2021-06-15 12:00:00.0") == "2021-06-15 12:00:00+00");
    CHECK(tstz("2021-06-15 12:00:00.000000") == "2021-06-15 12:00:00+00");
    CHECK(tstz("2021-06-15 12:00:00.1234560") == "2021-06-15 12:00:00.123456+00");
    CHECK(tstz("2021-06-15 12:00:00.123456000000000") == "2021-06-15 12:00:00.123456+00");
    CHECK(tstz("2021-06-15 12:00:00.0000000Z") == "2021-06-15 12:00:00+00");

    CHECK(tstz("2021-06-15 12:00:00.1234567") == E(Reason::PrecisionLoss));
    CHECK(g_err.message == "fractional seconds beyond microseconds would be rounded");
    CHECK(tstz("2021-06-15 12:00:00.0000001") == E(Reason::PrecisionLoss));
    CHECK(tstz("2021-06-15 12:00:00.1234560001+02:00") == E(Reason::PrecisionLoss));
    CHECK(tstz("2021-06-15 12:00:00.9999999") == E(Reason::PrecisionLoss));

    CHECK(tstz("2021-06-15 12:00:00.") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00:00,5") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00.5") == E(Reason::BadTimestamp)); // fraction needs seconds
    // syntax errors win over precision loss
    CHECK(tstz("2021-06-15 12:00:00.1234567x") == E(Reason::BadTimestamp));
}

TEST_CASE("UTC offsets in all forms", "[time]")
{
    CHECK(tstz("2021-06-15 12:00Z") == "2021-06-15 12:00:00+00");
    CHECK(tstz("2021-06-15 12:00z") == "2021-06-15 12:00:00+00");
    CHECK(tstz("2021-06-15 12:00:00+02:00") == "2021-06-15 10:00:00+00");
    CHECK(tstz("2021-06-15 12:00:00+0200") == "2021-06-15 10:00:00+00");
    CHECK(tstz("2021-06-15 12:00:00+02") == "2021-06-15 10:00:00+00");
    CHECK(tstz("2021-06-15 12:00:00-05:00") == "2021-06-15 17:00:00+00");
    CHECK(tstz("2021-06-15 12:00:00-0500") == "2021-06-15 17:00:00+00");
    CHECK(tstz("2021-06-15 12:00:00-05") == "2021-06-15 17:00:00+00");
    CHECK(tstz("2021-06-15 12:00:00+05:45") == "2021-06-15 06:15:00+00");
    CHECK(tstz("2021-06-15 12:00:00-03:30") == "2021-06-15 15:30:00+00");
    CHECK(tstz("2021-06-15 12:00:00-0930") == "2021-06-15 21:30:00+00");
    CHECK(tstz("2021-06-15 12:00:00+00:00") == "2021-06-15 12:00:00+00");
    CHECK(tstz("2021-06-15 12:00:00-00:00") == "2021-06-15 12:00:00+00");
    CHECK(tstz("2021-06-15 12:00:00.250+01:00") == "2021-06-15 11:00:00.250000+00");
    CHECK(tstz("2021-06-15 12:00:00+15:59") == "2021-06-14 20:01:00+00");
    CHECK(tstz("2021-06-15 12:00:00-15:59") == "2021-06-16 03:59:00+00");

    CHECK(tstz("2021-06-15 12:00:00+16:00") == E(Reason::BadTimestamp));
    CHECK(g_err.message == "offset +16:00 is beyond ±15:59");
    CHECK(tstz("2021-06-15 12:00:00-16") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00:00+02:60") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00:00+2") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00:00+02:0") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00:00+020") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00:00+02:") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00:00+") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00:00+02:00:00") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00:00+02:00Z") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00:00ZZ") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15 12:00:00UTC") == E(Reason::BadTimestamp));
    // an offset needs a time before it
    CHECK(tstz("2021-06-15Z") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-06-15+02:00") == E(Reason::BadTimestamp));
}

TEST_CASE("offsets crossing midnight, month, year and leap day", "[time]")
{
    CHECK(tstz("2021-06-15 23:30:00-01:00") == "2021-06-16 00:30:00+00");
    CHECK(tstz("2021-06-15 00:30:00+01:00") == "2021-06-14 23:30:00+00");
    CHECK(tstz("2021-06-30 22:00-05:00") == "2021-07-01 03:00:00+00");
    CHECK(tstz("2021-12-31T23:00-05:00") == "2022-01-01 04:00:00+00");
    CHECK(tstz("2022-01-01T00:30+01:00") == "2021-12-31 23:30:00+00");
    CHECK(tstz("2020-03-01 00:30+01") == "2020-02-29 23:30:00+00");
    CHECK(tstz("2021-03-01 00:30+01") == "2021-02-28 23:30:00+00");
    CHECK(tstz("2020-02-29 23:30-01") == "2020-03-01 00:30:00+00");
}

TEST_CASE("hour 24 means midnight of the next day", "[time]")
{
    CHECK(tstz("2021-06-15 24:00") == "2021-06-16 00:00:00+00");
    CHECK(tstz("2021-06-15 24:00:00") == "2021-06-16 00:00:00+00");
    CHECK(tstz("2021-12-31 24:00:00.000") == "2022-01-01 00:00:00+00");
    CHECK(tstz("2020-02-28 24:00") == "2020-02-29 00:00:00+00");
    CHECK(tstz("2021-06-15 24:00+02:00") == "2021-06-15 22:00:00+00");
    CHECK(ts("2021-06-15T24:00") == "2021-06-16 00:00:00");

    CHECK(tstz("2021-06-15 24:01") == E(Reason::TimestampOutOfRange));
    CHECK(g_err.message == "hour 24 is only valid as 24:00:00");
    CHECK(tstz("2021-06-15 24:00:01") == E(Reason::TimestampOutOfRange));
    CHECK(tstz("2021-06-15 24:00:00.000001") == E(Reason::TimestampOutOfRange));
    CHECK(tstz("2021-06-15 24:00:00.0000001") == E(Reason::TimestampOutOfRange));
    CHECK(tstz("2021-06-15 25:00") == E(Reason::TimestampOutOfRange));
    CHECK(g_err.message == "hour 25 is out of range");
}

TEST_CASE("leap seconds and other out-of-range clock fields", "[time]")
{
    CHECK(tstz("2016-12-31 23:59:60") == E(Reason::BadTimestamp));
    CHECK(g_err.message == "leap second 23:59:60 cannot be stored in PostgreSQL");
    CHECK(tstz("2016-12-31T23:59:60Z") == E(Reason::BadTimestamp));
    CHECK(tstz("2016-12-31T23:59:60.5Z") == E(Reason::BadTimestamp));
    CHECK(ts("2016-12-31 23:59:60") == E(Reason::BadTimestamp));
    CHECK(tstz("2017-01-01 00:59:60+01:00") == E(Reason::BadTimestamp));
    CHECK(g_err.message == "leap second 00:59:60 cannot be stored in PostgreSQL");
    CHECK(tstz("2016-12-31 23:59:61") == E(Reason::TimestampOutOfRange));
    CHECK(g_err.message == "second 61 is out of range");
    CHECK(tstz("2016-12-31 23:60") == E(Reason::TimestampOutOfRange));
    CHECK(g_err.message == "minute 60 is out of range");
    CHECK(tstz("2016-12-31 99:99:99") == E(Reason::TimestampOutOfRange));
}

TEST_CASE("calendar validity", "[time]")
{
    CHECK(tstz("2020-02-29") == "2020-02-29 00:00:00+00");
    CHECK(tstz("2000-02-29") == "2000-02-29 00:00:00+00");
    CHECK(tstz("2021-02-29") == E(Reason::TimestampOutOfRange));
    CHECK(g_err.message == "day 29 is out of range for 2021-02");
    CHECK(tstz("1900-02-29") == E(Reason::TimestampOutOfRange));
    CHECK(tstz("2020-02-30") == E(Reason::TimestampOutOfRange));
    CHECK(tstz("2021-04-31") == E(Reason::TimestampOutOfRange));
    CHECK(tstz("2021-01-32") == E(Reason::TimestampOutOfRange));
    CHECK(tstz("2021-01-00") == E(Reason::TimestampOutOfRange));
    CHECK(tstz("2021-13-01") == E(Reason::TimestampOutOfRange));
    CHECK(g_err.message == "month 13 is out of range");
    CHECK(tstz("2021-00-01") == E(Reason::TimestampOutOfRange));
    CHECK(tstz("2021-12-31") == "2021-12-31 00:00:00+00");
}

TEST_CASE("year limits", "[time]")
{
    CHECK(tstz("0001-01-01") == "0001-01-01 00:00:00+00");
    CHECK(tstz("0001-01-01 00:30-01:00") == "0001-01-01 01:30:00+00");
    CHECK(tstz("0001-01-01 00:00+01:00") == E(Reason::TimestampOutOfRange));
    CHECK(g_err.message == "before year 1");
    CHECK(ts("0001-01-01 00:00+01:00") == E(Reason::TimestampOutOfRange));
    CHECK(tstz("9999-12-31 23:59:59.999999") == "9999-12-31 23:59:59.999999+00");
    CHECK(tstz("9999-12-31T23:00-05:00") == "10000-01-01 04:00:00+00");
    CHECK(ts("9999-12-31T23:00-05:00") == "10000-01-01 04:00:00");
    CHECK(tstz("9999-12-31 24:00") == "10000-01-01 00:00:00+00");
    CHECK(tstz("0000-01-01") == E(Reason::TimestampOutOfRange));
    CHECK(g_err.message == "year 0 does not exist");
    CHECK(tstz("0000-00-00") == E(Reason::TimestampOutOfRange));
    CHECK(tstz("0000-00-00 00:00:00") == E(Reason::TimestampOutOfRange));
    CHECK(dt("0000-00-00") == E(Reason::TimestampOutOfRange));
    CHECK(ts("0000-12-31 23:00-02:00") == E(Reason::TimestampOutOfRange));
}

TEST_CASE("empty, whitespace, garbage and trailing junk", "[time]")
{
    CHECK(tstz("") == E(Reason::BadTimestamp));
    CHECK(g_err.message == "empty string");
    for (const char *s : {" 2021-01-01", "2021-01-01 ", "\t2021-01-01", "2021-01-01\n",
                          "2021-01-01 12:00 ", "2021-01-01\r\n", " "}) {
        INFO(s);
        CHECK(tstz(s) == E(Reason::BadTimestamp));
        CHECK(g_err.message == "leading or trailing whitespace");
    }
    CHECK(tstz("2021-01-01  12:00") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-01-01 12:00 +02:00") == E(Reason::BadTimestamp));
    CHECK(g_err.message == "unexpected whitespace after the time");
    CHECK(tstz("2021-01-01 12:00:00 Z") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-01-01T 12:00") == E(Reason::BadTimestamp));

    for (const char *s : {"hello", "now", "NULL", "2021/01/01", "21-01-01", "2021-1-1",
                          "20210101", "2021-01-1", "12:00:00", "-2021-01-01", "+2021-01-01",
                          "02021-01-01", "2021-01-01 12", "2021-01-01 12:", "2021-01-01 12:3",
                          "2021-01-01 12:30:5", "2021-01-01T", "2021-01-01 ", "2021-01-01 1:00",
                          "2021-01-01 12-30", "1609459200", "2021-01-01T12:00:00.5.5",
                          "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x91-01-01"}) {
        INFO(s);
        CHECK(tstz(s) == E(Reason::BadTimestamp));
    }
    CHECK(tstz("2021-01-01x") == E(Reason::BadTimestamp));
    CHECK(g_err.message == "unexpected text after the date");
    CHECK(tstz("2021-01-01 12:30:00x") == E(Reason::BadTimestamp));
    CHECK(g_err.message == "unexpected text after the time");
    CHECK(tstz("2021-01-01 12:30abc") == E(Reason::BadTimestamp));
    CHECK(tstz("2021-01-01 12:30:00Zx") == E(Reason::BadTimestamp));
    CHECK(g_err.message == "unexpected text after the UTC offset");
    CHECK(tstz(std::string_view("2021-01-01\0", 11)) == E(Reason::BadTimestamp));
    CHECK(tstz(std::string_view("2021-01-01 12:00\0", 17)) == E(Reason::BadTimestamp));
    // syntax errors win over range errors
    CHECK(tstz("2021-13-01x") == E(Reason::BadTimestamp));
}

TEST_CASE("local time in Europe/Berlin: gap and fold", "[time]")
{
    auto z = berlin();
    REQUIRE(z != nullptr);
    CHECK(tstz("2021-01-15 12:00", z) == "2021-01-15 11:00:00+00");
    CHECK(tstz("2021-07-01 12:00", z) == "2021-07-01 10:00:00+00");
    CHECK(tstz("2021-07-01", z) == "2021-06-30 22:00:00+00");
    CHECK(tstz("2021-03-28 01:59:59.999999", z) == "2021-03-28 00:59:59.999999+00");
    CHECK(tstz("2021-03-28 03:00", z) == "2021-03-28 01:00:00+00");
    CHECK(tstz("2021-03-27 24:00", z) == "2021-03-27 23:00:00+00");

    CHECK(tstz("2021-03-28 02:30:00", z) == E(Reason::NonexistentLocalTime));
    CHECK(g_err.message == "2021-03-28 02:30:00 does not exist in Europe/Berlin (DST gap)");
    CHECK(tstz("2021-03-28 02:00", z) == E(Reason::NonexistentLocalTime));
    CHECK(tstz("2021-03-28 02:59:59.999999", z) == E(Reason::NonexistentLocalTime));
    CHECK(g_err.message ==
          "2021-03-28 02:59:59.999999 does not exist in Europe/Berlin (DST gap)");

    CHECK(tstz("2021-10-31 02:30", z) == E(Reason::AmbiguousLocalTime));
    CHECK(g_err.message == "2021-10-31 02:30:00 is ambiguous in Europe/Berlin (DST fold)");
    CHECK(tstz("2021-10-31 02:00", z) == E(Reason::AmbiguousLocalTime));
    CHECK(tstz("2021-10-31 01:59:59", z) == "2021-10-30 23:59:59+00");
    CHECK(tstz("2021-10-31 03:00", z) == "2021-10-31 02:00:00+00");

    // an explicit offset settles both
    CHECK(tstz("2021-03-28 02:30:00+01:00", z) == "2021-03-28 01:30:00+00");
    CHECK(tstz("2021-10-31 02:30+02:00", z) == "2021-10-31 00:30:00+00");
    CHECK(tstz("2021-10-31 02:30+01:00", z) == "2021-10-31 01:30:00+00");
    // local mean time before 1893 (+00:53:28) pushes year 1 midnight into 1 BC
    CHECK(tstz("0001-01-01", z) == E(Reason::TimestampOutOfRange));
    CHECK(tstz("1800-01-01 12:00", z) == "1800-01-01 11:06:32+00");
}

TEST_CASE("local time in America/New_York", "[time]")
{
    auto z = new_york();
    REQUIRE(z != nullptr);
    CHECK(tstz("2021-01-15 12:00", z) == "2021-01-15 17:00:00+00");
    CHECK(tstz("2021-07-04 12:00", z) == "2021-07-04 16:00:00+00");
    CHECK(tstz("2021-12-31 20:00", z) == "2022-01-01 01:00:00+00");
    CHECK(tstz("2021-03-14 02:30", z) == E(Reason::NonexistentLocalTime));
    CHECK(g_err.message == "2021-03-14 02:30:00 does not exist in America/New_York (DST gap)");
    CHECK(tstz("2021-11-07 01:30", z) == E(Reason::AmbiguousLocalTime));
    CHECK(tstz("2021-11-07 01:30-04:00", z) == "2021-11-07 05:30:00+00");
    CHECK(tstz("2021-11-07 01:30-05:00", z) == "2021-11-07 06:30:00+00");
    CHECK(tstz("9999-12-31 23:00", z) == "10000-01-01 04:00:00+00");
}

TEST_CASE("DST rules past the zone file's table (after 2037) follow PostgreSQL", "[time]")
{
    // Expected values checked against PostgreSQL 15 with the same tzdata.
    auto z = berlin();
    CHECK(tstz("2037-07-01 12:00", z) == "2037-07-01 10:00:00+00");
    CHECK(tstz("2050-07-01 12:00", z) == "2050-07-01 10:00:00+00");
    CHECK(tstz("2050-01-15 12:00", z) == "2050-01-15 11:00:00+00");
    CHECK(tstz("9999-07-01 12:00", z) == "9999-07-01 10:00:00+00");
    CHECK(tstz("2050-03-27 03:00", z) == "2050-03-27 01:00:00+00");
    CHECK(tstz("2050-03-27 02:30", z) == E(Reason::NonexistentLocalTime));
    CHECK(g_err.message == "2050-03-27 02:30:00 does not exist in Europe/Berlin (DST gap)");
    CHECK(tstz("2050-10-30 02:30", z) == E(Reason::AmbiguousLocalTime));
    CHECK(ep_i(2540282400, S, PgKind::Timestamp, z) == "2050-07-01 12:00:00");
    CHECK(ts("2050-07-01 10:00Z", z) == "2050-07-01 12:00:00");
    CHECK(tstz("2100-07-01 12:00", new_york()) == "2100-07-01 16:00:00+00");

    auto syd = find_zone("Australia/Sydney"); // southern hemisphere: DST spans new year
    CHECK(tstz("2050-01-15 12:00", syd) == "2050-01-15 01:00:00+00");
    CHECK(tstz("2050-07-15 12:00", syd) == "2050-07-15 02:00:00+00");
    CHECK(tstz("2050-10-02 02:30", syd) == E(Reason::NonexistentLocalTime));
    CHECK(tstz("2050-04-03 02:30", syd) == E(Reason::AmbiguousLocalTime));
    CHECK(tstz("2050-01-15 12:00", find_zone("Australia/Lord_Howe")) ==
          "2050-01-15 01:00:00+00");

    auto nuuk = find_zone("America/Nuuk"); // switches at -01:00, the day before
    CHECK(tstz("2050-07-01 12:00", nuuk) == "2050-07-01 13:00:00+00");
    CHECK(tstz("2050-01-15 12:00", nuuk) == "2050-01-15 14:00:00+00");
    CHECK(tstz("2050-03-26 22:30", nuuk) == "2050-03-27 00:30:00+00");
    CHECK(tstz("2050-03-26 23:30", nuuk) == E(Reason::NonexistentLocalTime));
}

TEST_CASE("timestamp without time zone", "[time]")
{
    CHECK(ts("2021-06-15") == "2021-06-15 00:00:00");
    CHECK(ts("2021-06-15T12:34:56.789") == "2021-06-15 12:34:56.789000");
    CHECK(ts("2021-06-15 12:00+02:00") == "2021-06-15 10:00:00");
    CHECK(ts("2021-01-01 00:30+01:00") == "2020-12-31 23:30:00");
    CHECK(ts("2021-06-15 12:00+02:00", berlin()) == "2021-06-15 12:00:00");
    CHECK(ts("2021-01-15 12:00+02:00", berlin()) == "2021-01-15 11:00:00");
    CHECK(ts("2021-06-15 12:00+02:00", new_york()) == "2021-06-15 06:00:00");
    CHECK(ts("2021-06-15 12:00:00.25Z", new_york()) == "2021-06-15 08:00:00.250000");
    CHECK(ts("2021-01-01 03:00Z", new_york()) == "2020-12-31 22:00:00");
    // text without an offset is already wall time in the zone: kept as written,
    // even inside a DST gap or fold
    CHECK(ts("2021-06-15 12:00", new_york()) == "2021-06-15 12:00:00");
    CHECK(ts("2021-03-28 02:30:00", berlin()) == "2021-03-28 02:30:00");
    CHECK(ts("2021-10-31 02:30:00", berlin()) == "2021-10-31 02:30:00");
    // New York's local mean time is -04:56:02
    CHECK(ts("0001-01-01 00:00Z", new_york()) == E(Reason::TimestampOutOfRange));
    CHECK(ts("") == E(Reason::BadTimestamp));
}

TEST_CASE("date", "[time]")
{
    CHECK(dt("2021-06-15") == "2021-06-15");
    CHECK(dt("2021-06-15 00:00") == "2021-06-15");
    CHECK(dt("2021-06-15T00:00:00") == "2021-06-15");
    CHECK(dt("2021-06-15T00:00:00.000000000") == "2021-06-15");
    CHECK(dt("0001-01-01") == "0001-01-01");
    CHECK(dt("9999-12-31") == "9999-12-31");
    CHECK(dt("2020-02-29") == "2020-02-29");
    CHECK(dt("2021-02-29") == E(Reason::TimestampOutOfRange));
    CHECK(dt("0000-01-01") == E(Reason::TimestampOutOfRange));

    CHECK(dt("2021-06-15 12:00") == E(Reason::PrecisionLoss));
    CHECK(g_err.message == "time part would be dropped");
    CHECK(dt("2021-06-15 00:00:00.000001") == E(Reason::PrecisionLoss));
    CHECK(dt("2021-06-15 00:00:01") == E(Reason::PrecisionLoss));
    CHECK(dt("2021-06-15 24:00") == E(Reason::PrecisionLoss));
    CHECK(dt("2021-06-15 00:00Z") == E(Reason::PrecisionLoss));
    CHECK(g_err.message == "offset would be dropped (a date has no time zone)");
    CHECK(dt("2021-06-15 00:00+02:00") == E(Reason::PrecisionLoss));
    CHECK(dt("2021-06-15 00:00:00.0000001") == E(Reason::PrecisionLoss));

    CHECK(dt("") == E(Reason::BadTimestamp));
    CHECK(dt("2021-06-15 ") == E(Reason::BadTimestamp));
    CHECK(dt("2021-06-15Z") == E(Reason::BadTimestamp));
    CHECK(dt("15.06.2021") == E(Reason::BadTimestamp));
    CHECK(dt("2021-06-15 00:00:60") == E(Reason::BadTimestamp));
}

TEST_CASE("time of day", "[time]")
{
    CHECK(tod("12:34") == "12:34:00");
    CHECK(tod("12:34:56") == "12:34:56");
    CHECK(tod("12:34:56.7") == "12:34:56.700000");
    CHECK(tod("12:34:56.000007") == "12:34:56.000007");
    CHECK(tod("12:34:56.0") == "12:34:56");
    CHECK(tod("12:34:56.1234560") == "12:34:56.123456");
    CHECK(tod("00:00") == "00:00:00");
    CHECK(tod("23:59:59.999999") == "23:59:59.999999");
    CHECK(tod("24:00") == "24:00:00");
    CHECK(tod("24:00:00") == "24:00:00");
    CHECK(tod("24:00:00.000") == "24:00:00");

    CHECK(tod("24:00:01") == E(Reason::TimestampOutOfRange));
    CHECK(tod("24:30") == E(Reason::TimestampOutOfRange));
    CHECK(tod("25:00") == E(Reason::TimestampOutOfRange));
    CHECK(tod("12:60") == E(Reason::TimestampOutOfRange));
    CHECK(tod("23:59:60") == E(Reason::BadTimestamp));
    CHECK(g_err.message == "leap second 23:59:60 cannot be stored in PostgreSQL");
    CHECK(tod("12:34:56.1234567") == E(Reason::PrecisionLoss));

    CHECK(tod("2021-06-15 12:00") == E(Reason::BadTimestamp));
    CHECK(g_err.message == "expected a time of day, found a date");
    CHECK(tod("2021-06-15") == E(Reason::BadTimestamp));
    CHECK(tod("12:00Z") == E(Reason::BadTimestamp));
    CHECK(g_err.message == "offset not allowed for time without time zone");
    CHECK(tod("12:00:00+02:00") == E(Reason::BadTimestamp));
    CHECK(tod("12:00:00-05") == E(Reason::BadTimestamp));
    CHECK(tod("") == E(Reason::BadTimestamp));
    CHECK(tod(" 12:00") == E(Reason::BadTimestamp));
    CHECK(tod("12:00 ") == E(Reason::BadTimestamp));
    CHECK(tod("12:00 pm") == E(Reason::BadTimestamp));
    CHECK(tod("1:00") == E(Reason::BadTimestamp));
    CHECK(tod("12.00") == E(Reason::BadTimestamp));
    CHECK(tod("T12:00") == E(Reason::BadTimestamp));
    CHECK(tod("12:00:00.") == E(Reason::BadTimestamp));
    CHECK(tod("12:00:0") == E(Reason::BadTimestamp));
    CHECK(tod("noon") == E(Reason::BadTimestamp));
    CHECK(tod("1200") == E(Reason::BadTimestamp));
}

TEST_CASE("epoch integers", "[time]")
{
    CHECK(ep_i(0, S) == "1970-01-01 00:00:00+00");
    CHECK(ep_i(1609459200, S) == "2021-01-01 00:00:00+00");
    CHECK(ep_i(-1, S) == "1969-12-31 23:59:59+00");
    CHECK(ep_i(-86400, S) == "1969-12-31 00:00:00+00");
    CHECK(ep_i(1609459200123, MS) == "2021-01-01 00:00:00.123000+00");
    CHECK(ep_i(-1, MS) == "1969-12-31 23:59:59.999000+00");
    CHECK(ep_i(1609459200123456, US) == "2021-01-01 00:00:00.123456+00");
    CHECK(ep_i(-1, US) == "1969-12-31 23:59:59.999999+00");

    CHECK(ep_i(253402300799, S) == "9999-12-31 23:59:59+00");
    CHECK(ep_i(253402300799999, MS) == "9999-12-31 23:59:59.999000+00");
    CHECK(ep_i(253402300799999999, US) == "9999-12-31 23:59:59.999999+00");
    CHECK(ep_i(-62135596800, S) == "0001-01-01 00:00:00+00");
    CHECK(ep_i(-62135596800000000, US) == "0001-01-01 00:00:00+00");
    CHECK(ep_i(253402300800, S) == E(Reason::TimestampOutOfRange));
    CHECK(g_err.message == "epoch value is outside 0001-01-01..9999-12-31");
    CHECK(ep_i(253402300800000000, US) == E(Reason::TimestampOutOfRange));
    CHECK(ep_i(-62135596801, S) == E(Reason::TimestampOutOfRange));
    CHECK(ep_i(std::numeric_limits<std::int64_t>::max(), S) == E(Reason::TimestampOutOfRange));
    CHECK(ep_i(std::numeric_limits<std::int64_t>::min(), S) == E(Reason::TimestampOutOfRange));
    CHECK(ep_i(std::numeric_limits<std::int64_t>::max(), MS) == E(Reason::TimestampOutOfRange));
    CHECK(ep_i(std::numeric_limits<std::int64_t>::min(), US) == E(Reason::TimestampOutOfRange));
    CHECK(ep_i(std::numeric_limits<std::int64_t>::max(), US) == E(Reason::TimestampOutOfRange));
    CHECK(ep_i(9223372036855, MS) == "2262-04-11 23:47:16.855000+00");
    CHECK(ep_i(9223372036854776, MS) == E(Reason::TimestampOutOfRange)); // * 1000 overflows
}

TEST_CASE("epoch reals", "[time]")
{
    CHECK(ep_r(1609459200.0, S) == "2021-01-01 00:00:00+00");
    CHECK(ep_r(1609459200.5, S) == "2021-01-01 00:00:00.500000+00");
    CHECK(ep_r(1609459200.123456, S) == "2021-01-01 00:00:00.123456+00");
    CHECK(ep_r(1.1, S) == "1970-01-01 00:00:01.100000+00");
    CHECK(ep_r(0.000001, S) == "1970-01-01 00:00:00.000001+00");
    CHECK(ep_r(-0.5, S) == "1969-12-31 23:59:59.500000+00");
    CHECK(ep_r(-1.1, S) == "1969-12-31 23:59:58.900000+00");
    CHECK(ep_r(-0.0, S) == "1970-01-01 00:00:00+00");
    CHECK(ep_r(1609459200123.5, MS) == "2021-01-01 00:00:00.123500+00");
    CHECK(ep_r(1.5, MS) == "1970-01-01 00:00:00.001500+00");
    CHECK(ep_r(-1.001, MS) == "1969-12-31 23:59:59.998999+00");
    CHECK(ep_r(1609459200123456.0, US) == "2021-01-01 00:00:00.123456+00");
    CHECK(ep_r(-62135596800.0, S) == "0001-01-01 00:00:00+00");
    CHECK(ep_r(253402300799.0, S) == "9999-12-31 23:59:59+00");

    CHECK(ep_r(1609459200.1234567, S) == E(Reason::PrecisionLoss));
    CHECK(g_err.message == "epoch value is not a whole number of microseconds");
    CHECK(ep_r(0.0000001, S) == E(Reason::PrecisionLoss));
    CHECK(ep_r(1.0005, MS) == E(Reason::PrecisionLoss));
    CHECK(ep_r(1.5, US) == E(Reason::PrecisionLoss));
    CHECK(ep_r(-0.5, US) == E(Reason::PrecisionLoss));
    CHECK(ep_r(1e-300, S) == E(Reason::PrecisionLoss));

    CHECK(ep_r(253402300800.0, S) == E(Reason::TimestampOutOfRange));
    CHECK(ep_r(-62135596801.0, S) == E(Reason::TimestampOutOfRange));
    CHECK(ep_r(1e300, S) == E(Reason::TimestampOutOfRange));
    CHECK(ep_r(-1e300, US) == E(Reason::TimestampOutOfRange));
    CHECK(ep_r(1e19, US) == E(Reason::TimestampOutOfRange));
    CHECK(ep_r(std::numeric_limits<double>::quiet_NaN(), S) == E(Reason::OutOfRange));
    CHECK(ep_r(std::numeric_limits<double>::infinity(), MS) == E(Reason::OutOfRange));
    CHECK(ep_r(-std::numeric_limits<double>::infinity(), US) == E(Reason::OutOfRange));
}

TEST_CASE("epoch into timestamp and date, and refused kinds", "[time]")
{
    using K = PgKind;
    CHECK(ep_i(1609459200, S, K::Timestamp) == "2021-01-01 00:00:00");
    CHECK(ep_i(1609459200, S, K::Timestamp, berlin()) == "2021-01-01 01:00:00");
    CHECK(ep_i(1625140800, S, K::Timestamp, berlin()) == "2021-07-01 14:00:00");
    CHECK(ep_i(1609459200, S, K::Timestamp, new_york()) == "2020-12-31 19:00:00");
    CHECK(ep_r(1609459200.25, S, K::Timestamp, new_york()) == "2020-12-31 19:00:00.250000");
    CHECK(ep_i(253402300799, S, K::Timestamp, find_zone("Asia/Tokyo")) ==
          E(Reason::TimestampOutOfRange));
    CHECK(ep_i(-62135596800, S, K::Timestamp, new_york()) == E(Reason::TimestampOutOfRange));

    CHECK(ep_i(1609459200, S, K::Date) == "2021-01-01");
    CHECK(ep_i(-86400, S, K::Date) == "1969-12-31");
    CHECK(ep_i(1609459200000, MS, K::Date) == "2021-01-01");
    CHECK(ep_i(1609455600, S, K::Date, berlin()) == "2021-01-01");
    CHECK(ep_i(1609459200, S, K::Date, berlin()) == E(Reason::PrecisionLoss));
    CHECK(g_err.message ==
          "time part would be dropped: 01:00:00 in Europe/Berlin is not midnight");
    CHECK(ep_i(1609459201, S, K::Date) == E(Reason::PrecisionLoss));
    CHECK(ep_i(1609459200000001, US, K::Date) == E(Reason::PrecisionLoss));
    CHECK(ep_i(-62135596800, S, K::Date) == "0001-01-01");

    CHECK(ep_i(0, S, K::Time) == E(Reason::TypeMismatch));
    CHECK(ep_i(0, S, K::Text) == E(Reason::TypeMismatch));
    CHECK(ep_i(0, S, K::Int8) == E(Reason::TypeMismatch));
    CHECK(ep_i(1609459200, EpochUnit::None) == E(Reason::TypeMismatch));
    CHECK(g_err.message ==
          "integer in a date/time column; pass --epoch-unit s|ms|us if these are Unix times");
    CHECK(ep_r(1.5, EpochUnit::None, K::Date) == E(Reason::TypeMismatch));
}

TEST_CASE("find_zone", "[time]")
{
    auto utc = find_zone("UTC");
    CHECK((utc == nullptr || utc->name() == "UTC"));
    CHECK(tstz("2021-06-15 12:00", utc) == "2021-06-15 12:00:00+00");
    CHECK(ep_i(1609459200, S, PgKind::Date, utc) == "2021-01-01");
    auto etc = find_zone("Etc/UTC");
    CHECK(ts("2021-06-15 12:00+02", etc) == "2021-06-15 10:00:00");
    REQUIRE(berlin() != nullptr);
    CHECK(berlin()->name() == "Europe/Berlin");
    CHECK(berlin() == berlin());
    try {
        find_zone("Mars/Olympus_Mons");
        FAIL("expected an exception");
    } catch (const std::runtime_error &e) {
        CHECK(std::string(e.what()) ==
              "unknown time zone 'Mars/Olympus_Mons' for --source-timezone; use an IANA name "
              "such as Europe/Berlin");
    }
    CHECK_THROWS_AS(find_zone(""), std::runtime_error);
    CHECK_THROWS_AS(find_zone("../../../etc/passwd"), std::runtime_error);
}
