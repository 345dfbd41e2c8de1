#include "inspect.hpp"
#include "value_profile.hpp"

#include <catch2/catch.hpp>

using namespace s2p;

namespace {
bool fits(const SqlValue &v, ValueFormat f) { return (detect_formats(v) >> static_cast<unsigned>(f)) & 1u; }
SqlValue text(std::string_view s) { return SqlValue::text(s); }
} // namespace

TEST_CASE("format detection: ISO dates with and without offsets", "[unit][inspect]")
{
    CHECK(fits(text("2024-02-29"), ValueFormat::Date));
    CHECK(fits(text("2024-01-01 10:00:00"), ValueFormat::DateTime));
    CHECK(fits(text("2024-01-01T10:00:00.123456"), ValueFormat::DateTime));
    CHECK(fits(text("2024-01-01 10:00"), ValueFormat::DateTime));
    CHECK(fits(text("2024-01-01T10:00:00Z"), ValueFormat::DateTimeOffset));
    CHECK(fits(text("2024-01-01 10:00:00+02:00"), ValueFormat::DateTimeOffset));
    CHECK(fits(text("2024-01-01 10:00:00-0530"), ValueFormat::DateTimeOffset));
    CHECK_FALSE(fits(text("2024-01-01 10:00:00+02:00"), ValueFormat::DateTime));
    // What the converter refuses does not fit: the operator must clean it up.
    CHECK(detect_formats(text("2023-02-29")) == 0);
    CHECK(detect_formats(text("2024-13-01 10:00:00")) == 0);
    CHECK(detect_formats(text("01/02/2024")) == 0);
    CHECK(detect_formats(text("yesterday")) == 0);
}

TEST_CASE("format detection: epoch numbers, booleans, JSON, UUIDs", "[unit][inspect]")
{
    CHECK(fits(SqlValue::integer(1700000000), ValueFormat::EpochSeconds));
    CHECK(fits(SqlValue::real(1700000000.25), ValueFormat::EpochSeconds));
    CHECK(fits(SqlValue::integer(1700000000123), ValueFormat::EpochMillis));
    CHECK(fits(SqlValue::integer(1700000000123456), ValueFormat::EpochMicros));
    CHECK(detect_formats(SqlValue::integer(42)) == 0);       // an id, not a time
    CHECK(detect_formats(SqlValue::real(19.99)) == 0);        // a price
    CHECK(detect_formats(SqlValue::integer(99999999999999999)) == 0);

    CHECK(fits(SqlValue::integer(0), ValueFormat::Boolean));
    CHECK(fits(SqlValue::integer(1), ValueFormat::Boolean));
    CHECK(fits(text("true"), ValueFormat::Boolean));
    CHECK(fits(text("F"), ValueFormat::Boolean));
    CHECK(fits(text("yes"), ValueFormat::Boolean));
    CHECK_FALSE(fits(text("1"), ValueFormat::Boolean)); // numeric text is not taken for a flag
    CHECK_FALSE(fits(SqlValue::integer(2), ValueFormat::Boolean));

    CHECK(fits(text(R"({"a": [1, 2]})"), ValueFormat::Json));
    CHECK(fits(text(" [1,2]"), ValueFormat::Json));
    CHECK_FALSE(fits(text("{not json"), ValueFormat::Json));
    CHECK_FALSE(fits(text("42"), ValueFormat::Json)); // scalars are not "JSON columns"

    CHECK(fits(text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), ValueFormat::UuidText));
    CHECK(fits(text("A0EEBC999C0B4EF8BB6D6BB9BD380A11"), ValueFormat::UuidText));
    CHECK_FALSE(fits(text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"), ValueFormat::UuidText));
    CHECK(fits(SqlValue::blob(std::string_view("0123456789abcdef", 16)), ValueFormat::UuidBlob));
    CHECK(detect_formats(SqlValue::blob("short")) == 0);
    CHECK(detect_formats(SqlValue::null()) == 0);
}

TEST_CASE("column profile: classes, NULLs, max length, formats with misfits", "[unit][inspect]")
{
    ColumnProfile p;
    for (int i = 0; i < 6; ++i) p.add(text("2024-01-01 10:00:00"));
    for (int i = 0; i < 3; ++i) p.add(text("2024-01-01T10:00:00Z"));
    p.add(text("n/a"));
    p.add(SqlValue::integer(5));
    p.add(SqlValue::null());
    p.add(text("Grüße"));
    CHECK(p.count(StorageClass::Text) == 11);
    CHECK(p.count(StorageClass::Integer) == 1);
    CHECK(p.nulls() == 1);
    CHECK(p.non_null() == 12);
    CHECK(p.max_length() == 20); // characters, not bytes
    auto const d = p.detected();
    REQUIRE(d.size() == 2);
    CHECK(d[0].format == ValueFormat::DateTime);
    CHECK(d[0].fits == 6);
    CHECK(d[0].misfits == 3); // "n/a", 5 and "Grüße": neither form of the date family
    CHECK(d[1].format == ValueFormat::DateTimeOffset);
    CHECK(d[1].fits == 3);
    CHECK(d[1].misfits == 3);
}

TEST_CASE("column profile: a few flag-looking ids are no boolean column", "[unit][inspect]")
{
    ColumnProfile p;
    for (int i = 0; i < 100; ++i) p.add(SqlValue::integer(i));
    CHECK(p.detected().empty());
    ColumnProfile umlauts;
    umlauts.add(text("Grüße"));
    umlauts.add(SqlValue::blob("\xff\xfe\xfd"));
    CHECK(umlauts.max_length() == 5); // characters of text, bytes of blobs
    ColumnProfile empty;
    CHECK(empty.detected().empty());
    CHECK(empty.max_length() == 0);
}

TEST_CASE("find_cycles names each group of mutually referencing tables", "[unit][inspect]")
{
    auto const c = find_cycles({"a", "b", "c", "d", "e", "self"},
                               {{"a", "b"}, {"b", "c"}, {"c", "a"}, {"d", "e"}, {"self", "self"}, {"e", "a"}});
    REQUIRE(c.size() == 1);
    CHECK(c[0] == std::vector<std::string>{"a", "b", "c"});
    auto const two = find_cycles({"x", "y", "z"}, {{"x", "y"}, {"y", "x"}, {"z", "z"}});
    REQUIRE(two.size() == 1);
    CHECK(two[0] == std::vector<std::string>{"x", "y"});
    CHECK(find_cycles({"p", "q"}, {{"q", "p"}}).empty());
}
