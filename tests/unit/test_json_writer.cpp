#include "json_writer.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <limits>

using namespace s2p;

TEST_CASE("json_string escapes what JSON requires and nothing else", "[unit][json]")
{
    struct Case { std::string in, out; };
    std::vector<Case> const cases{
        {"", R"("")"},
        {"plain", R"("plain")"},
        {"say \"hi\"", R"("say \"hi\"")"},
        {"back\\slash", R"("back\\slash")"},
        {"tab\tnl\ncr\r", R"("tab\tnl\ncr\r")"},
        {"\b\f", R"("\b\f")"},
        {std::string("nul\0byte", 8), R"("nul\u0000byte")"},
        {"\x01\x1f\x7f", R"("\u0001\u001f\u007f")"},
        {"/ not escaped", R"("/ not escaped")"},
        {"Grüße €100 😀", "\"Grüße €100 😀\""},
        // Invalid UTF-8 (lone continuation, truncated sequence, overlong, surrogate) becomes U+FFFD.
        {"a\x80z", "\"a\xEF\xBF\xBDz\""},
        {"\xE2\x82", "\"\xEF\xBF\xBD\xEF\xBF\xBD\""},
        {"\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\""},
        {"\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""},
    };
    for (auto const &c : cases) {
        INFO(c.in);
        CHECK(json_string(c.in) == c.out);
        // Whatever goes in, the result parses and (for valid text) reads back the same.
        simdjson::dom::parser p;
        std::string doc = c.out;
        auto r = p.parse(doc);
        REQUIRE(!r.error());
        std::string_view back;
        REQUIRE(!r.get_string().get(back));
        if (c.out.find("\xEF\xBF\xBD") == std::string::npos) CHECK(back == c.in);
    }
}

TEST_CASE("JsonWriter places commas and nests", "[unit][json]")
{
    JsonWriter j;
    j.begin_object();
    j.field("a", 1).field("b", "x").key("c").begin_array();
    j.value(true).value(false).null().begin_object().end_object().begin_array().end_array();
    j.end_array();
    j.field("d", std::int64_t{-5}).field("e", std::uint64_t{18446744073709551615ULL});
    j.key("f").raw(R"({"x":[1,2]})");
    j.end_object();
    CHECK(j.str() == R"({"a":1,"b":"x","c":[true,false,null,{},[]],"d":-5,"e":18446744073709551615,"f":{"x":[1,2]}})");
}

TEST_CASE("JsonWriter numbers: doubles round-trip, non-finite become null", "[unit][json]")
{
    JsonWriter j;
    j.begin_array().value(0.1).value(1e300).value(-2.5).value(std::numeric_limits<double>::infinity());
    j.value(std::numeric_limits<double>::quiet_NaN()).end_array();
    simdjson::dom::parser p;
    std::string doc = j.str();
    auto arr = p.parse(doc).get_array();
    REQUIRE(!arr.error());
    std::vector<simdjson::dom::element> v(arr.begin(), arr.end());
    REQUIRE(v.size() == 5);
    CHECK(double(v[0]) == 0.1);
    CHECK(double(v[1]) == 1e300);
    CHECK(double(v[2]) == -2.5);
    CHECK(v[3].is_null());
    CHECK(v[4].is_null());
}
