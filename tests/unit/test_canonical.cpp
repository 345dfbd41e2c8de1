// Canonical forms: equal values must get equal text, different values different text.
#include "canonical.hpp"
#include "verify_rows.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace s2p;

namespace {
PgType type(PgKind k, int precision = -1, int scale = -1)
{
    PgType t;
    t.kind = k;
    t.precision = precision;
    t.scale = scale;
    return t;
}
std::string canon(const PgType &t, std::string_view s)
{
    std::string out;
    canonicalize(t, s, out);
    return out;
}
std::string json(std::string_view s)
{
    std::string out;
    REQUIRE(canonical_json(s, out));
    return out;
}
} // namespace

TEST_CASE("canonical json: key order, whitespace and duplicates as jsonb", "[canonical][unit]")
{
    CHECK(json(R"({"b": 1, "a": [1, 2, {"d": null, "c": true}]})") == R"({"a":[1,2,{"c":true,"d":null}],"b":1})");
    CHECK(json(" {\n\t\"a\" : 1 } ") == R"({"a":1})");
    CHECK(json(R"({"a": 1, "a": 2})") == R"({"a":2})"); // jsonb keeps the last duplicate
    CHECK(json(R"({"a": 2, "b": 0, "a": 1})") == R"({"a":1,"b":0})");
    CHECK(json("{}") == "{}");
    CHECK(json("[ ]") == "[]");
    CHECK(json(R"("x")") == R"("x")");
}

TEST_CASE("canonical json: jsonb's key order, so PostgreSQL's output is already canonical", "[canonical][unit]")
{
    // jsonb orders keys shorter first, then by bytes.
    CHECK(json(R"({"bb": 1, "a": 2, "c": 3, "aaa": 4})") == R"({"a":2,"c":3,"bb":1,"aaa":4})");
    // What PostgreSQL prints for '{"path": 1, "ab": [2], "ip": {"w": 1, "h": 2}}'::jsonb.
    std::string const pg = R"({"ab": [2], "ip": {"h": 2, "w": 1}, "path": 1})";
    CHECK(json(pg) == R"({"ab":[2],"ip":{"h":2,"w":1},"path":1})");
    CHECK(json(R"({"path":1,"ip":{"w":1,"h":2},"ab":[2]})") == json(pg));
    // Idempotent, and independent of the input order at every depth.
    CHECK(json(json(pg)) == json(pg));
    CHECK(json(R"([{"y": {"bb": 1, "a": [{"d": 1, "c": 2}]}, "x": 0}])") ==
          R"([{"x":0,"y":{"a":[{"c":2,"d":1}],"bb":1}}])");
}

TEST_CASE("canonical json: duplicate keys keep the last, also in nested and large objects", "[canonical][unit]")
{
    CHECK(json(R"({"a": {"z": 1, "z": 2, "b": 0}, "a": {"q": [1], "p": 2, "q": [3]}})") == R"({"a":{"p":2,"q":[3]}})");
    CHECK(json(R"({"k": {"b": 1, "b": {"y": 1, "x": 2}}, "j": 0})") == R"({"j":0,"k":{"b":{"x":2,"y":1}}})");
    // A duplicate after an already ordered run, and one spelled with an escape.
    CHECK(json(R"({"a": 1, "b": 2, "a": 3})") == R"({"a":3,"b":2})");
    CHECK(json(R"({"A": 1, "\u0041": 2})") == R"({"A":2})");
    // More members than the insertion-sort limit: the stable sort path keeps the last too.
    std::string big = "{", expected = "{";
    for (int i = 99; i >= 0; --i) big += fmt::format("\"k{}\": \"v{}\", ", i, i);
    big += R"("k5": "last"})";
    for (int i = 0; i < 100; ++i) // k0..k9, then the longer k10..k99
        expected += fmt::format("{}\"k{}\":\"{}\"", i ? "," : "", i, i == 5 ? "last" : fmt::format("v{}", i));
    CHECK(json(big) == expected + "}");
}

TEST_CASE("canonical json: escapes in keys and values have one spelling", "[canonical][unit]")
{
    CHECK(json(R"({"\n": "\u000A", "\"": "\/", "\\": "\u005c"})") == R"({"\"":"/","\\":"\\","\n":"\n"})");
    CHECK(json(R"(["\u001f", "\u007f", "\u00e9\u20ac"])") == "[\"\\u001f\",\"\x7f\",\"\xC3\xA9\xE2\x82\xAC\"]");
    // A lone surrogate (json accepts it, jsonb does not) stays distinct from any character.
    CHECK(json(R"("\ud800")") == R"("\\ud800")");
    CHECK(json(R"("\ud800")") != json(R"("\ud800\udc00")"));
    CHECK(json(R"({"é": 1, "\u00e9": 2})") == "{\"\xC3\xA9\":2}");
}

TEST_CASE("canonical json: strings are compared unescaped", "[canonical][unit]")
{
    CHECK(json(R"("\u00e9")") == json("\"\xC3\xA9\""));
    CHECK(json(R"("\/")") == json(R"("/")"));
    CHECK(json(R"("\ud83d\ude00")") == json("\"\xF0\x9F\x98\x80\""));
    CHECK(json(R"("a\nb\"c\\")") == R"("a\nb\"c\\")");
    CHECK(json(R"("\u0001")") == R"("\u0001")");
    CHECK(json(R"({"k\u0041": 1})") == R"({"kA":1})");
    CHECK(json(R"("a ")") != json(R"("a")"));
}

TEST_CASE("canonical json: numbers by value, without precision limit", "[canonical][unit]")
{
    CHECK(json("1") == json("1.0"));
    CHECK(json("1") == json("1e0"));
    CHECK(json("100") == json("1E2"));
    CHECK(json("0.01") == json("1e-2"));
    CHECK(json("-0") == json("0"));
    CHECK(json("0.0") == json("0"));
    CHECK(json("1") != json("2"));
    CHECK(json("1.5") != json("1.50000000000000000001"));
    CHECK(json("123456789012345678901234567890") != json("123456789012345678901234567891"));
    CHECK(json("1e400") == json("10e399"));
    CHECK(canonical_json_number("-12.50") == "-125e-1");
    CHECK(canonical_json_number("1200") == "12e2");
    CHECK(canonical_json_number("120.0300e2") == "12003");
    CHECK(canonical_json_number("0.000") == "0");
    CHECK(canonical_json_number("-0.0e-3") == "0");
    CHECK(canonical_json_number("0.0250") == "25e-3");
    CHECK(canonical_json_number("10.5") == "105e-1");
    CHECK(canonical_json_number("844") == "844");
    CHECK(json(R"({"n": [1.50, -0, 2e1]})") == R"({"n":[15e-1,0,2e1]})");
}

TEST_CASE("canonical json: invalid documents are refused", "[canonical][unit]")
{
    std::string out, err;
    CHECK_FALSE(canonical_json("{", out, &err));
    CHECK_FALSE(err.empty());
    CHECK_FALSE(canonical_json(R"({"a" 1})", out));
    CHECK_FALSE(canonical_json("[1,]", out));
    CHECK_FALSE(canonical_json("01", out));
    CHECK_FALSE(canonical_json("1 2", out));
    CHECK_FALSE(canonical_json("tru", out));
}

TEST_CASE("canonical floats: exact bits", "[canonical][unit]")
{
    PgType const f8 = type(PgKind::Float8), f4 = type(PgKind::Float4);
    CHECK(canon(f8, "0.1") == canon(f8, "0.10000000000000001")); // 17 digits, same double
    CHECK(canon(f8, "1") == canon(f8, "1.0"));
    CHECK(canon(f8, "1e+100") == canon(f8, "1e100"));
    CHECK(canon(f8, "0.30000000000000004") != canon(f8, "0.3"));   // one ulp apart
    CHECK(canon(f8, "1") != canon(f8, "1.0000000000000002"));      // last bit
    CHECK(canon(f8, "-0") != canon(f8, "0"));
    CHECK(canon(f8, "NaN") == "NaN");
    CHECK(canon(f8, "-Infinity") == "-Infinity");
    CHECK(canon(f4, "0.1") == canon(f4, "0.100000001"));
    CHECK(canon(f4, "1") != canon(f4, "1.00000012"));
}

TEST_CASE("canonical numeric: the declared scale, as PostgreSQL stores it", "[canonical][unit]")
{
    PgType const n104 = type(PgKind::Numeric, 10, 4), n = type(PgKind::Numeric), n0 = type(PgKind::Numeric, 5, 0);
    CHECK(canon(n104, "1.5") == "1.5000");
    CHECK(canon(n104, "1.5000") == "1.5000");
    CHECK(canon(n104, "2") == "2.0000");
    CHECK(canon(n104, "NaN") == "NaN");
    CHECK(canon(n0, "12.000") == "12");
    CHECK(canon(n, "1.50") == "1.50"); // unconstrained numeric keeps its scale
    CHECK(canon(n, "1.50") != canon(n, "1.5"));
}

TEST_CASE("canonical date/time, bpchar, uuid, text", "[canonical][unit]")
{
    PgType const tz = type(PgKind::Timestamptz), ts = type(PgKind::Timestamp), tm = type(PgKind::Time);
    CHECK(canon(tz, "2024-01-02 03:04:05.500000+00") == "2024-01-02 03:04:05.5+00");
    CHECK(canon(tz, "2024-01-02 03:04:05.000+00") == "2024-01-02 03:04:05+00");
    CHECK(canon(tz, "2024-01-02 03:04:05.000001+00") != canon(tz, "2024-01-02 03:04:05+00"));
    CHECK(canon(ts, "2024-01-02 03:04:05.120") == "2024-01-02 03:04:05.12");
    CHECK(canon(tm, "10:00:00.0") == "10:00:00");
    PgType const bp = type(PgKind::Bpchar), text = type(PgKind::Text);
    CHECK(canon(bp, "ab   ") == "ab");
    CHECK(canon(text, "ab ") == "ab ");
    CHECK(canon(type(PgKind::Uuid), "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11") == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
}

TEST_CASE("COPY text lines split into cells", "[canonical][unit]")
{
    std::vector<Cell> cells;
    parse_copy_line("1\t\\N\t\t a\\tb\\\\c\\n\t\\\\x0a\n", cells);
    REQUIRE(cells.size() == 5);
    CHECK(cells[0].text == "1");
    CHECK(cells[1].null);
    CHECK_FALSE(cells[2].null);
    CHECK(cells[2].text.empty());
    CHECK(cells[3].text == " a\tb\\c\n");
    CHECK(cells[4].text == "\\x0a");
    parse_copy_line("\\101\\x41", cells);
    REQUIRE(cells.size() == 1);
    CHECK(cells[0].text == "AA");
    // Escapes back to back, at both ends of a value, a lone trailing backslash, \N only whole.
    parse_copy_line("\\t\\t\tplain text\tend\\\\\t\\Nx\tx\\", cells);
    REQUIRE(cells.size() == 5);
    CHECK(cells[0].text == "\t\t");
    CHECK(cells[1].text == "plain text");
    CHECK(cells[2].text == "end\\");
    CHECK_FALSE(cells[3].null);
    CHECK(cells[3].text == "Nx");
    CHECK(cells[4].text == "x\\");
}

TEST_CASE("key order as PostgreSQL sorts it", "[canonical][unit]")
{
    auto cell = [](std::string t) { Cell c; c.null = false; c.text = std::move(t); return c; };
    Row a{cell("9")}, b{cell("10")}, n{Cell{}};
    std::vector<int> const key{0};
    CHECK(compare_keys(a, b, key, {PgKind::Int8}) < 0);   // by value, not by text
    CHECK(compare_keys(a, b, key, {PgKind::Text}) > 0);   // bytes (COLLATE "C")
    CHECK(compare_keys(n, a, key, {PgKind::Int8}) < 0);   // NULLS FIRST
    CHECK(compare_keys(a, a, key, {PgKind::Int8}) == 0);
    auto cmp = [&](const char *x, const char *y) { return compare_keys(Row{cell(x)}, Row{cell(y)}, key, {PgKind::Int8}); };
    CHECK(cmp("99", "100") < 0);
    CHECK(cmp("100", "99") > 0);
    CHECK(cmp("123", "124") < 0);
    CHECK(cmp("0", "1") < 0);
    CHECK(cmp("-1", "0") < 0);
    CHECK(cmp("-10", "-9") < 0);
    CHECK(cmp("-9", "10") < 0);
    CHECK(cmp("9223372036854775807", "-9223372036854775808") > 0);
    CHECK(cmp("007", "7") == 0); // by value, as PostgreSQL compares
    CHECK(cmp("77", "77") == 0);
}
