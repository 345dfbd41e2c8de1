#include "convert.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <string_view>

using namespace s2p;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace {

PgType ty(PgKind k, int length = -1)
{
    PgType t;
    t.kind = k;
    t.length = length;
    return t;
}

PgType numeric(int p, int s)
{
    PgType t;
    t.kind = PgKind::Numeric;
    t.precision = p;
    t.scale = s;
    t.name = "numeric(" + std::to_string(p) + "," + std::to_string(s) + ")";
    return t;
}

struct Result {
    Converted c;
    std::string out;
    ConvertError err;
};

Result conv(const SqlValue &v, const PgType &t, const ConvertOptions &o = {})
{
    Result r;
    r.out = "previous contents";
    r.c = convert_value(v, t, o, r.out, r.err);
    return r;
}

std::string ok(const SqlValue &v, const PgType &t, const ConvertOptions &o = {})
{
    Result r = conv(v, t, o);
    INFO("error: " << r.err.message);
    REQUIRE(r.c == Converted::Value);
    return r.out;
}

// The reason of a failed conversion; also checks the message style.
Reason bad(const SqlValue &v, const PgType &t, const ConvertOptions &o = {})
{
    Result r = conv(v, t, o);
    INFO("output: " << r.out);
    REQUIRE(r.c == Converted::Error);
    REQUIRE(!r.err.message.empty());
    CHECK(r.err.message.back() != '.');
    return r.err.reason;
}

std::string message(const SqlValue &v, const PgType &t, const ConvertOptions &o = {})
{
    Result r = conv(v, t, o);
    REQUIRE(r.c == Converted::Error);
    return r.err.message;
}

SqlValue txt(std::string_view s) { return SqlValue::text(s); }
SqlValue blob(std::string_view s) { return SqlValue::blob(s); }
SqlValue num(std::int64_t i) { return SqlValue::integer(i); }
SqlValue real(double d) { return SqlValue::real(d); }

bool json_ok(std::string_view s, bool jsonb = false)
{
    ConvertError err;
    return check_json(s, jsonb, err);
}

Reason json_reason(std::string_view s, bool jsonb = false)
{
    ConvertError err;
    REQUIRE_FALSE(check_json(s, jsonb, err));
    CHECK(!err.message.empty());
    return err.reason;
}

constexpr PgKind all_kinds[] = {
    PgKind::Bool,    PgKind::Int2,      PgKind::Int4,  PgKind::Int8,  PgKind::Numeric,
    PgKind::Float4,  PgKind::Float8,    PgKind::Text,  PgKind::Varchar, PgKind::Bpchar,
    PgKind::Json,    PgKind::Jsonb,     PgKind::Uuid,  PgKind::Bytea, PgKind::Date,
    PgKind::Time,    PgKind::Timestamp, PgKind::Timestamptz, PgKind::Other,
};

// Kinds that receive text as text (bytea keeps bytes, so it is not among them).
constexpr PgKind text_kinds[] = {
    PgKind::Bool,  PgKind::Int2,      PgKind::Int4,  PgKind::Int8,    PgKind::Numeric,
    PgKind::Float4, PgKind::Float8,   PgKind::Text,  PgKind::Varchar, PgKind::Bpchar,
    PgKind::Json,  PgKind::Jsonb,     PgKind::Uuid,  PgKind::Date,    PgKind::Time,
    PgKind::Timestamp, PgKind::Timestamptz, PgKind::Other,
};

} // namespace

TEST_CASE("NULL is Null for every kind", "[convert]")
{
    for (PgKind k : all_kinds) {
        std::string out = "x";
        ConvertError err;
        CHECK(convert_value(SqlValue::null(), ty(k), {}, out, err) == Converted::Null);
    }
}

TEST_CASE("NUL bytes and invalid UTF-8 are refused by every text-receiving kind", "[convert]")
{
    for (PgKind k : text_kinds) {
        INFO("kind " << static_cast<int>(k));
        CHECK(bad(txt("1\0"sv), ty(k)) == Reason::NulByte);
        CHECK(bad(txt("\0"sv), ty(k)) == Reason::NulByte);
        CHECK(bad(txt("1\xff"), ty(k)) == Reason::InvalidUtf8);
        CHECK(bad(txt("\xc0\xaf"), ty(k)) == Reason::InvalidUtf8);
    }
}

TEST_CASE("valid_utf8 is strict", "[convert]")
{
    CHECK(valid_utf8(""));
    CHECK(valid_utf8("plain ascii text longer than eight bytes"));
    CHECK(valid_utf8("a\0b"sv)); // NUL is valid UTF-8; text_ok refuses it separately
    CHECK(valid_utf8("\xc2\x80"));           // U+0080
    CHECK(valid_utf8("\xdf\xbf"));           // U+07FF
    CHECK(valid_utf8("\xe0\xa0\x80"));       // U+0800
    CHECK(valid_utf8("\xed\x9f\xbf"));       // U+D7FF
    CHECK(valid_utf8("\xee\x80\x80"));       // U+E000
    CHECK(valid_utf8("\xef\xbf\xbf"));       // U+FFFF
    CHECK(valid_utf8("\xf0\x90\x80\x80"));   // U+10000
    CHECK(valid_utf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
    CHECK(valid_utf8("\xf0\x9f\x98\x80 smile"));

    CHECK_FALSE(valid_utf8("\xc0\xaf"));         // overlong '/'
    CHECK_FALSE(valid_utf8("\xc1\xbf"));         // overlong
    CHECK_FALSE(valid_utf8("\xe0\x80\xaf"));     // overlong 3-byte
    CHECK_FALSE(valid_utf8("\xf0\x8f\xbf\xbf")); // overlong 4-byte
    CHECK_FALSE(valid_utf8("\xed\xa0\x80"));     // U+D800 surrogate
    CHECK_FALSE(valid_utf8("\xed\xbf\xbf"));     // U+DFFF surrogate
    CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80")); // U+110000
    CHECK_FALSE(valid_utf8("\xf5\x80\x80\x80"));
    CHECK_FALSE(valid_utf8("\xf8\x88\x80\x80\x80")); // 5-byte form
    CHECK_FALSE(valid_utf8("\xe2\x82"));         // truncated
    CHECK_FALSE(valid_utf8("abc\xf0\x9f\x98"));  // truncated at the end
    CHECK_FALSE(valid_utf8("\x80"));             // lone continuation
    CHECK_FALSE(valid_utf8("\xff"));
    CHECK_FALSE(valid_utf8(std::string(100, 'a') + "\xed\xa0\x80" + std::string(100, 'b')));
    CHECK_FALSE(valid_utf8(std::string(70, 'a') + "\xc3"));
}

TEST_CASE("utf8_length counts code points", "[convert]")
{
    CHECK(utf8_length("") == 0);
    CHECK(utf8_length("abc") == 3);
    CHECK(utf8_length("\xc3\xa9") == 1);
    CHECK(utf8_length("\xe2\x82\xac") == 1);
    CHECK(utf8_length("\xf0\x9f\x98\x80" "a") == 2);
}

TEST_CASE("bool", "[convert]")
{
    PgType const t = ty(PgKind::Bool);
    CHECK(ok(num(0), t) == "f");
    CHECK(ok(num(1), t) == "t");
    CHECK(bad(num(2), t) == Reason::BadBoolean);
    CHECK(bad(num(-1), t) == Reason::BadBoolean);
    CHECK(ok(real(0.0), t) == "f");
    CHECK(ok(real(-0.0), t) == "f");
    CHECK(ok(real(1.0), t) == "t");
    CHECK(bad(real(0.5), t) == Reason::BadBoolean);
    CHECK(bad(real(std::numeric_limits<double>::quiet_NaN()), t) == Reason::BadBoolean);

    for (auto s : {"t", "T", "true", "TRUE", "True", "tr", "yes", "YES", "y", "Y", "ye", "on",
                   "ON", "1", " true ", "\ttrue\n"})
        CHECK(ok(txt(s), t) == "t");
    for (auto s : {"f", "F", "false", "FALSE", "fal", "no", "NO", "n", "N", "off", "OFF", "of",
                   "0", "  0  "})
        CHECK(ok(txt(s), t) == "f");
    for (auto s : {"", " ", "o", "O", "2", "truex", "yess", "offf", "onn", "01", "10", "-1",
                   "yes please", "t r u e", "\xc2\xa0true"})
        CHECK(bad(txt(s), t) == Reason::BadBoolean);
    CHECK(bad(blob("\x01"), t) == Reason::TypeMismatch);
}

TEST_CASE("integers from INTEGER", "[convert]")
{
    CHECK(ok(num(32767), ty(PgKind::Int2)) == "32767");
    CHECK(ok(num(-32768), ty(PgKind::Int2)) == "-32768");
    CHECK(bad(num(32768), ty(PgKind::Int2)) == Reason::OutOfRange);
    CHECK(message(num(70000), ty(PgKind::Int2)) == "70000 is out of range for smallint");
    CHECK(bad(num(-32769), ty(PgKind::Int2)) == Reason::OutOfRange);
    CHECK(ok(num(2147483647), ty(PgKind::Int4)) == "2147483647");
    CHECK(ok(num(-2147483648LL), ty(PgKind::Int4)) == "-2147483648");
    CHECK(bad(num(2147483648LL), ty(PgKind::Int4)) == Reason::OutOfRange);
    CHECK(bad(num(-2147483649LL), ty(PgKind::Int4)) == Reason::OutOfRange);
    CHECK(ok(num(INT64_MAX), ty(PgKind::Int8)) == "9223372036854775807");
    CHECK(ok(num(INT64_MIN), ty(PgKind::Int8)) == "-9223372036854775808");
    CHECK(ok(num(0), ty(PgKind::Int8)) == "0");
    CHECK(bad(blob("1"), ty(PgKind::Int8)) == Reason::TypeMismatch);
    CHECK(message(blob("1"), ty(PgKind::Int8)) == "BLOB value in a bigint column");
}

TEST_CASE("integers from REAL", "[convert]")
{
    PgType const i8 = ty(PgKind::Int8);
    CHECK(ok(real(3.0), i8) == "3");
    CHECK(ok(real(-0.0), i8) == "0");
    CHECK(ok(real(-3.0), ty(PgKind::Int2)) == "-3");
    CHECK(bad(real(1.5), i8) == Reason::FractionToInteger);
    CHECK(bad(real(-0.25), ty(PgKind::Int4)) == Reason::FractionToInteger);
    CHECK(bad(real(5e-324), i8) == Reason::FractionToInteger);
    // 9.223372036854775807e18 is the double 2^63, one past INT64_MAX.
    CHECK(bad(real(9.223372036854775807e18), i8) == Reason::OutOfRange);
    CHECK(ok(real(-9.223372036854775808e18), i8) == "-9223372036854775808");
    CHECK(ok(real(9223372036854774784.0), i8) == "9223372036854774784"); // largest below 2^63
    CHECK(bad(real(-9223372036854777856.0), i8) == Reason::OutOfRange);
    CHECK(bad(real(1e300), i8) == Reason::OutOfRange);
    CHECK(bad(real(32768.0), ty(PgKind::Int2)) == Reason::OutOfRange);
    CHECK(ok(real(32767.0), ty(PgKind::Int2)) == "32767");
    CHECK(bad(real(2147483648.0), ty(PgKind::Int4)) == Reason::OutOfRange);
    CHECK(bad(real(std::numeric_limits<double>::infinity()), i8) == Reason::OutOfRange);
    CHECK(bad(real(-std::numeric_limits<double>::infinity()), i8) == Reason::OutOfRange);
    CHECK(bad(real(std::numeric_limits<double>::quiet_NaN()), i8) == Reason::OutOfRange);
    CHECK(message(real(1.5), ty(PgKind::Int2)) == "1.5 has a fractional part; smallint holds whole numbers");
}

TEST_CASE("integers from TEXT", "[convert]")
{
    PgType const i8 = ty(PgKind::Int8);
    CHECK(ok(txt("42"), i8) == "42");
    CHECK(ok(txt(" 42\t\n"), i8) == "42");
    CHECK(ok(txt("+007"), i8) == "7");
    CHECK(ok(txt("-0"), i8) == "0");
    CHECK(ok(txt("-000123"), i8) == "-123");
    CHECK(ok(txt("9223372036854775807"), i8) == "9223372036854775807");
    CHECK(ok(txt("-9223372036854775808"), i8) == "-9223372036854775808");
    CHECK(bad(txt("9223372036854775808"), i8) == Reason::OutOfRange);
    CHECK(bad(txt("-9223372036854775809"), i8) == Reason::OutOfRange);
    CHECK(bad(txt("99999999999999999999999999999"), i8) == Reason::OutOfRange);
    CHECK(bad(txt("32768"), ty(PgKind::Int2)) == Reason::OutOfRange);
    CHECK(ok(txt("-32768"), ty(PgKind::Int2)) == "-32768");
    CHECK(bad(txt("2147483648"), ty(PgKind::Int4)) == Reason::OutOfRange);
    for (auto s : {"", " ", "\t", "+", "-", "+-1", "--1", "1.0", "1.", ".5", "1e3", "0x10",
                   "1_000", "12a", "a12", "1 2", "\xd9\xa1"})
        CHECK(bad(txt(s), i8) == Reason::BadNumber);
    // The message never repeats the input; the caller shows an excerpt.
    std::string const long_text(500, 'z');
    CHECK(message(txt(long_text), i8).find("zzzz") == std::string::npos);
}

TEST_CASE("float8", "[convert]")
{
    PgType const t = ty(PgKind::Float8);
    double const inf = std::numeric_limits<double>::infinity();
    SECTION("from INTEGER")
    {
        CHECK(ok(num(42), t) == "42");
        CHECK(ok(num(9007199254740992LL), t) == "9007199254740992");   // 2^53
        CHECK(ok(num(-9007199254740992LL), t) == "-9007199254740992");
        CHECK(bad(num(9007199254740993LL), t) == Reason::PrecisionLoss); // 2^53 + 1
        CHECK(bad(num(-9007199254740993LL), t) == Reason::PrecisionLoss);
        CHECK(ok(num(4611686018427387904LL), t) == "4611686018427387904"); // 2^62, exact
        CHECK(bad(num(INT64_MAX), t) == Reason::PrecisionLoss);
        CHECK(ok(num(INT64_MIN), t) == "-9223372036854775808"); // -2^63 is exact
    }
    SECTION("from REAL")
    {
        CHECK(ok(real(0.1), t) == "0.1");
        CHECK(ok(real(-0.0), t) == "-0");
        CHECK(ok(real(0.0), t) == "0");
        CHECK(ok(real(1e308), t) == "1e+308");
        CHECK(ok(real(1.7976931348623157e308), t) == "1.7976931348623157e+308");
        CHECK(ok(real(5e-324), t) == "5e-324");
        CHECK(ok(real(2.2250738585072014e-308), t) == "2.2250738585072014e-308");
        CHECK(ok(real(1e21), t) == "1e+21");
        CHECK(ok(real(123.456), t) == "123.456");
        CHECK(ok(real(0.30000000000000004), t) == "0.30000000000000004");
        CHECK(ok(real(inf), t) == "Infinity");
        CHECK(ok(real(-inf), t) == "-Infinity");
        CHECK(ok(real(std::numeric_limits<double>::quiet_NaN()), t) == "NaN");
    }
    SECTION("from TEXT")
    {
        CHECK(ok(txt("1.5"), t) == "1.5");
        CHECK(ok(txt("  +1.5 \n"), t) == "1.5");
        CHECK(ok(txt("-2"), t) == "-2");
        CHECK(ok(txt("-0"), t) == "-0");
        CHECK(ok(txt(".5"), t) == "0.5");
        CHECK(ok(txt("5."), t) == "5");
        CHECK(ok(txt("1E3"), t) == "1000");
        CHECK(ok(txt("1e+21"), t) == "1e+21");
        CHECK(ok(txt("0.1000000000000000055511151231257827"), t) == "0.1");
        CHECK(ok(txt("1.7976931348623157e308"), t) == "1.7976931348623157e+308");
        CHECK(ok(txt("5e-324"), t) == "5e-324"); // subnormal
        CHECK(ok(txt("1e-320"), t) == "1e-320");
        CHECK(ok(txt("0e-400"), t) == "0");
        CHECK(ok(txt("Infinity"), t) == "Infinity");
        CHECK(ok(txt("-infinity"), t) == "-Infinity");
        CHECK(ok(txt("+inf"), t) == "Infinity");
        CHECK(ok(txt("INF"), t) == "Infinity");
        CHECK(ok(txt("NaN"), t) == "NaN");
        CHECK(ok(txt(" nan "), t) == "NaN");
        CHECK(bad(txt("1e400"), t) == Reason::OutOfRange);
        CHECK(bad(txt("-1e400"), t) == Reason::OutOfRange);
        CHECK(bad(txt("1.8e308"), t) == Reason::OutOfRange);
        CHECK(bad(txt("1e-400"), t) == Reason::OutOfRange);
        CHECK(bad(txt("2.4703282292062327e-324"), t) == Reason::OutOfRange); // rounds to 0
        CHECK(message(txt("1e-400"), t) == "value is too close to zero for double precision");
        CHECK(message(txt("1e400"), t) == "value is out of range for double precision");
        for (auto s : {"", "  ", ".", "e5", "1e", "1e+", "1.2.3", "+-1", "--1", "0x10", "1,5",
                       "nan(1)", "infinit", "Infinityx", "1 2", "abc", "1d"})
            CHECK(bad(txt(s), t) == Reason::BadNumber);
    }
    CHECK(bad(blob("1"), t) == Reason::TypeMismatch);
}

TEST_CASE("float4", "[convert]")
{
    PgType const t = ty(PgKind::Float4);
    CHECK(ok(real(0.1), t) == "0.1");
    CHECK(ok(real(0.5), t) == "0.5");
    CHECK(ok(real(-0.0), t) == "-0");
    CHECK(ok(real(static_cast<double>(0.1f)), t) == "0.1"); // exact
    CHECK(bad(real(0.123456789), t) == Reason::PrecisionLoss);
    CHECK(message(real(0.123456789), t) == "0.123456789 would be rounded to 0.12345679 in real");
    CHECK(bad(real(0.30000000000000004), t) == Reason::PrecisionLoss);
    CHECK(ok(real(3.4028234663852886e38), t) == "3.4028235e+38"); // FLT_MAX
    CHECK(ok(real(3.4028235e38), t) == "3.4028235e+38");            // rounds to FLT_MAX
    CHECK(bad(real(3.5e38), t) == Reason::OutOfRange);
    CHECK(bad(real(1e300), t) == Reason::OutOfRange);
    CHECK(ok(real(1e-40), t) == "1e-40"); // float subnormal
    CHECK(bad(real(1e-46), t) == Reason::OutOfRange);
    CHECK(ok(real(std::numeric_limits<double>::infinity()), t) == "Infinity");
    CHECK(ok(real(std::numeric_limits<double>::quiet_NaN()), t) == "NaN");

    CHECK(ok(num(16777216), t) == "16777216");
    CHECK(bad(num(16777217), t) == Reason::PrecisionLoss);
    CHECK(ok(num(-16777216), t) == "-16777216");
    CHECK(bad(num(INT64_MAX), t) == Reason::PrecisionLoss);
    CHECK(ok(num(INT64_MIN), t) == "-9.223372e+18");

    CHECK(ok(txt(" 0.1 "), t) == "0.1");
    CHECK(ok(txt("2.5"), t) == "2.5");
    CHECK(ok(txt("-Infinity"), t) == "-Infinity");
    CHECK(bad(txt("0.123456789"), t) == Reason::PrecisionLoss);
    CHECK(bad(txt("16777217"), t) == Reason::PrecisionLoss);
    CHECK(bad(txt("1e39"), t) == Reason::OutOfRange);
    CHECK(bad(txt("1e-50"), t) == Reason::OutOfRange);
    CHECK(bad(txt("x"), t) == Reason::BadNumber);
    CHECK(bad(blob("1"), t) == Reason::TypeMismatch);
}

TEST_CASE("numeric, unconstrained", "[convert]")
{
    PgType const t = ty(PgKind::Numeric);
    CHECK(ok(num(42), t) == "42");
    CHECK(ok(num(INT64_MIN), t) == "-9223372036854775808");
    CHECK(ok(real(1.5), t) == "1.5");
    CHECK(ok(real(0.1), t) == "0.1");
    CHECK(ok(real(-0.0), t) == "0");
    CHECK(ok(real(100.0), t) == "100");
    CHECK(ok(real(1e21), t) == "1000000000000000000000");
    CHECK(ok(real(1.5e-7), t) == "0.00000015");
    CHECK(ok(real(-123.456), t) == "-123.456");
    CHECK(ok(real(0.30000000000000004), t) == "0.30000000000000004");
    CHECK(ok(real(5e-324), t) == "0." + std::string(323, '0') + "5");
    CHECK(ok(real(1.7976931348623157e308), t) == "17976931348623157" + std::string(292, '0'));
    CHECK(ok(real(std::numeric_limits<double>::infinity()), t) == "Infinity");
    CHECK(ok(real(-std::numeric_limits<double>::infinity()), t) == "-Infinity");

    CHECK(ok(txt("1.50"), t) == "1.50");
    CHECK(ok(txt("+1.50"), t) == "1.50");
    CHECK(ok(txt(" -1.50 "), t) == "-1.50");
    CHECK(ok(txt("-0.00"), t) == "0.00");
    CHECK(ok(txt("-0"), t) == "0");
    CHECK(ok(txt("007"), t) == "7");
    CHECK(ok(txt("000.000"), t) == "0.000");
    CHECK(ok(txt(".5"), t) == "0.5");
    CHECK(ok(txt("5."), t) == "5");
    CHECK(ok(txt("1e3"), t) == "1000");
    CHECK(ok(txt("1.5E+3"), t) == "1500");
    CHECK(ok(txt("1.50e1"), t) == "15.0");
    CHECK(ok(txt("150e-1"), t) == "15.0");
    CHECK(ok(txt("1.5e-3"), t) == "0.0015");
    CHECK(ok(txt("-12.5e-1"), t) == "-1.25");
    CHECK(ok(txt("0e10"), t) == "0");
    CHECK(ok(txt("0.0e-2"), t) == "0.000");
    CHECK(ok(txt("123456789012345678901234567890.123456789"), t) ==
          "123456789012345678901234567890.123456789");
    CHECK(ok(txt("NaN"), t) == "NaN");
    CHECK(ok(txt("nan"), t) == "NaN");
    CHECK(ok(txt("Infinity"), t) == "Infinity");
    CHECK(ok(txt("-inf"), t) == "-Infinity");
    CHECK(ok(txt("+INFINITY"), t) == "Infinity");
    CHECK(ok(txt("1e131071"), t) == "1" + std::string(131071, '0'));
    CHECK(bad(txt("1e131072"), t) == Reason::OutOfRange);
    CHECK(bad(txt("1e999999999999999999"), t) == Reason::OutOfRange);
    CHECK(ok(txt("1e-16383"), t).size() == 16385);
    CHECK(bad(txt("1e-16384"), t) == Reason::OutOfRange);
    for (auto s : {"", " ", ".", "e5", "1e", "1e-", "1.2.3", "12a", "+-1", "-NaN", "0x10",
                   "1_000", "1 000", "1,5"})
        CHECK(bad(txt(s), t) == Reason::BadNumber);
    CHECK(bad(blob("1"), t) == Reason::TypeMismatch);
}

TEST_CASE("numeric(p,s)", "[convert]")
{
    PgType const t = numeric(5, 2);
    CHECK(ok(txt("123.45"), t) == "123.45");
    CHECK(ok(txt("123.450"), t) == "123.450"); // a zero past the scale rounds nothing
    CHECK(ok(txt("-999.99"), t) == "-999.99");
    CHECK(ok(txt("00123.4"), t) == "123.4");
    CHECK(ok(txt("0.000"), t) == "0.000");
    CHECK(ok(txt("1.2e2"), t) == "120");
    CHECK(ok(txt("NaN"), t) == "NaN");
    CHECK(bad(txt("123.456"), t) == Reason::PrecisionLoss);
    CHECK(message(txt("123.456"), t) == "would be rounded to 2 decimal places by numeric(5,2)");
    CHECK(bad(txt("0.001"), t) == Reason::PrecisionLoss);
    CHECK(bad(txt("1234.5"), t) == Reason::OutOfRange);
    CHECK(message(txt("1234.5"), t) ==
          "numeric field overflow: numeric(5,2) allows 3 digits before the point");
    CHECK(bad(txt("1e3"), t) == Reason::OutOfRange);
    CHECK(bad(txt("Infinity"), t) == Reason::OutOfRange);
    CHECK(ok(num(999), t) == "999");
    CHECK(ok(num(-999), t) == "-999");
    CHECK(bad(num(1000), t) == Reason::OutOfRange);
    CHECK(ok(real(1.25), t) == "1.25");
    CHECK(bad(real(1.005), t) == Reason::PrecisionLoss);
    CHECK(bad(real(1e3), t) == Reason::OutOfRange);
    CHECK(bad(real(std::numeric_limits<double>::infinity()), t) == Reason::OutOfRange);

    // PostgreSQL 15 scales: negative rounds left of the point, larger than p stays below 1.
    PgType const neg = numeric(3, -2);
    CHECK(ok(txt("12300"), neg) == "12300");
    CHECK(ok(num(-99900), neg) == "-99900");
    CHECK(bad(txt("12345"), neg) == Reason::PrecisionLoss);
    CHECK(bad(txt("123400"), neg) == Reason::OutOfRange);
    PgType const small = numeric(3, 5);
    CHECK(ok(txt("0.00123"), small) == "0.00123");
    CHECK(bad(txt("0.01"), small) == Reason::OutOfRange);
    CHECK(bad(txt("0.001234"), small) == Reason::PrecisionLoss);
    CHECK(ok(txt("0"), small) == "0");
}

TEST_CASE("text, varchar, bpchar, other", "[convert]")
{
    PgType const t = ty(PgKind::Text);
    CHECK(ok(num(-42), t) == "-42");
    CHECK(ok(real(1.5), t) == "1.5");
    CHECK(ok(real(-0.0), t) == "-0");
    CHECK(ok(real(std::numeric_limits<double>::infinity()), t) == "Infinity");
    CHECK(ok(txt(""), t) == "");
    CHECK(ok(txt("  spaced  "), t) == "  spaced  ");
    CHECK(ok(txt("tab\there\\ and \"quotes\"\n"), t) == "tab\there\\ and \"quotes\"\n");
    CHECK(ok(txt("\xf0\x9f\x98\x80"), t) == "\xf0\x9f\x98\x80");
    CHECK(ok(blob("abc"), t) == "abc");
    CHECK(ok(blob(""), t) == "");
    CHECK(bad(blob("\xff\xfe"), t) == Reason::InvalidUtf8);
    CHECK(bad(blob("ab\0"sv), t) == Reason::NulByte);
    CHECK(bad(txt("\xe0\x80\xaf"), t) == Reason::InvalidUtf8); // overlong
    CHECK(bad(txt("\xed\xa0\x80"), t) == Reason::InvalidUtf8); // surrogate
    CHECK(bad(txt("\xf4\x90\x80\x80"), t) == Reason::InvalidUtf8);
    CHECK(bad(txt("abc\xe2\x82"), t) == Reason::InvalidUtf8); // truncated
    // past the 8-byte fast path
    CHECK(bad(txt("0123456789abcdef\0x"sv), t) == Reason::NulByte);
    CHECK(bad(txt("0123456789abcdef\xc3"), t) == Reason::InvalidUtf8);
    CHECK(message(txt("0123456789\xc3"), t) == "invalid UTF-8 (at byte 10)");
    CHECK(message(txt("abc\0"sv), t) == "text has a NUL byte at byte 3; PostgreSQL text cannot hold it");

    PgType const v3 = ty(PgKind::Varchar, 3);
    CHECK(ok(txt("abc"), v3) == "abc");
    CHECK(ok(txt("\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), v3).size() == 12);
    CHECK(bad(txt("abcd"), v3) == Reason::TooLong);
    CHECK(bad(txt("\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), v3) ==
          Reason::TooLong);
    CHECK(message(txt("abcd"), v3) == "4 characters, character varying(3) allows 3");
    CHECK(ok(num(123), v3) == "123");
    CHECK(bad(num(1234), v3) == Reason::TooLong);
    CHECK(bad(real(0.25), v3) == Reason::TooLong);
    PgType named = ty(PgKind::Varchar, 40);
    named.name = "varchar(40)";
    CHECK(message(txt(std::string(43, 'x')), named) == "43 characters, varchar(40) allows 40");
    CHECK(bad(txt("abc "), ty(PgKind::Bpchar, 3)) == Reason::TooLong);
    CHECK(ok(txt("\xc3\xa9\xc3\xa9"), ty(PgKind::Bpchar, 2)) == "\xc3\xa9\xc3\xa9");
    CHECK(ok(txt(std::string(1000, 'x')), ty(PgKind::Varchar)).size() == 1000);
    CHECK(ok(txt(std::string(1000, 'x')), ty(PgKind::Other)).size() == 1000);
    CHECK(ok(txt("192.168.0.1/24"), ty(PgKind::Other)) == "192.168.0.1/24");
    CHECK(ok(blob("{1,2}"), ty(PgKind::Other)) == "{1,2}");
}

TEST_CASE("the output buffer is replaced, not appended to", "[convert]")
{
    std::string out;
    ConvertError err;
    REQUIRE(convert_value(num(12345), ty(PgKind::Int8), {}, out, err) == Converted::Value);
    REQUIRE(convert_value(num(7), ty(PgKind::Int8), {}, out, err) == Converted::Value);
    CHECK(out == "7");
    REQUIRE(convert_value(txt("1.5e1"), ty(PgKind::Numeric), {}, out, err) == Converted::Value);
    CHECK(out == "15");
    REQUIRE(convert_value(blob("\x01"), ty(PgKind::Bytea), {}, out, err) == Converted::Value);
    CHECK(out == "\\x01");
}

TEST_CASE("json and jsonb values", "[convert]")
{
    PgType const j = ty(PgKind::Json), jb = ty(PgKind::Jsonb);
    CHECK(ok(num(42), j) == "42");
    CHECK(ok(num(INT64_MIN), jb) == "-9223372036854775808");
    CHECK(ok(real(1.5), j) == "1.5");
    CHECK(ok(real(1e21), jb) == "1e+21");
    CHECK(ok(real(-0.0), jb) == "-0");
    CHECK(bad(real(std::numeric_limits<double>::infinity()), j) == Reason::BadJson);
    CHECK(bad(real(std::numeric_limits<double>::quiet_NaN()), jb) == Reason::BadJson);

    std::string const doc = " {\"a\" : [1, 2.50, \"x\"],\n \"b\":null} ";
    CHECK(ok(txt(doc), j) == doc); // byte-exact, not reformatted
    CHECK(ok(txt(doc), jb) == doc);
    CHECK(ok(blob("[true]"), jb) == "[true]");
    CHECK(ok(txt("123456789012345678901234567890"), jb) == "123456789012345678901234567890");
    CHECK(ok(txt("{\"big\": 1e400}"), j) == "{\"big\": 1e400}");
    CHECK(bad(txt(""), j) == Reason::BadJson);
    CHECK(bad(txt("   "), jb) == Reason::BadJson);
    CHECK(bad(txt("{"), j) == Reason::BadJson);
    CHECK(bad(txt("{\"a\":1,}"), j) == Reason::BadJson);
    CHECK(bad(txt("[1e400,]"), j) == Reason::BadJson);
    CHECK(bad(blob("[1]\0"sv), j) == Reason::NulByte);
    CHECK(bad(blob("[\"\xff\"]"), j) == Reason::InvalidUtf8);
    CHECK(bad(txt("\"\\u0000\""), jb) == Reason::JsonNulChar);
    CHECK(ok(txt("\"\\u0000\""), j) == "\"\\u0000\"");
    CHECK(message(txt("[\"\\u0000\"]"), jb) ==
          "\\u0000 in a JSON string at byte 2; jsonb cannot hold it");
    CHECK(message(txt("[1,]"), j) == "invalid JSON at byte 3: expected a JSON value");
}

TEST_CASE("check_json grammar", "[convert]")
{
    for (auto s : {"0", "-0", "1", "-1.5e+10", "1E5", "0.5e-3", "true", "false", "null",
                   "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\\u00e9\\u00E9\"",
                   "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"", "[]", "{}", "[ ]", "{ }",
                   "[[[]]]", "{\"a\":{\"b\":[1,{\"c\":\"d\"}]}}", " \t\r\n[1] \n",
                   "{\"a\":1,\"a\":2}"}) {
        INFO(s);
        CHECK(json_ok(s));
        // A number simdjson refuses sends the document through the fallback grammar.
        CHECK(json_ok("[1e400, "s + s + "]"));
        CHECK(json_ok("{\"k\": 123456789012345678901234567890, \"v\": "s + s + "}"));
    }
    for (auto s : {"", " ", "01", "-01", "1.", ".5", "+1", "-", "1e", "1e+", "0x10", "1.5.2",
                   "Infinity", "NaN", "-Infinity", "tru", "truex", "nul", "nulll", "False",
                   "\"abc", "\"a\\x\"", "\"a\\u12\"", "\"a\\u12g4\"", "\"tab\there\"",
                   "\"nl\nhere\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
                   "\"\\ud800\\ud800\"", "\"\\ud800x\"", "'single'", "[", "]", "[1,]", "[,1]",
                   "[1 2]", "[1,,2]", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{a:1}", "{1:1}",
                   "{\"a\":1,}", "{,}", "{\"a\":1 \"b\":2}", "[1]]", "[1] [2]", "1 2", "[}",
                   "{]", "\"a\"\"b\"", "\xef\xbb\xbf[1]", "[1]\x0b", "/*c*/1", "[1e400"}) {
        INFO(s);
        CHECK(json_reason(s) == Reason::BadJson);
        CHECK(json_reason("[1e400, "s + s + "]") == Reason::BadJson);
        CHECK(json_reason("[" + std::string(s) + ", 123456789012345678901234567890]") ==
              Reason::BadJson);
    }
    // numbers PostgreSQL keeps as numeric although no double or int64 holds them
    for (auto s : {"123456789012345678901234567890", "-123456789012345678901234567890",
                   "18446744073709551616", "-9223372036854775809", "1e400", "-1E+999",
                   "1e-400", "0.5e99999", "[1e400, {\"a\": -1e-999}]",
                   "{\"n\": 99999999999999999999999999999999.99999999999999999999}"}) {
        INFO(s);
        CHECK(json_ok(s));
        CHECK(json_ok(s, true));
    }
    std::string deep(1000, '[');
    deep += std::string(1000, ']');
    CHECK(json_ok(deep));
    std::string too_deep(1100, '[');
    too_deep += "1e400" + std::string(1100, ']');
    CHECK(json_reason(too_deep) == Reason::BadJson);
    std::string deep_big(1000, '[');
    deep_big += "1e400" + std::string(1000, ']');
    CHECK(json_ok(deep_big));
    CHECK(json_reason("[1e400, \"\xff\"]") == Reason::InvalidUtf8);
}

TEST_CASE("check_json: jsonb and \\u0000", "[convert]")
{
    CHECK(json_ok("\"\\u0000\""));
    CHECK(json_reason("\"\\u0000\"", true) == Reason::JsonNulChar);
    CHECK(json_reason("{\"a\\u0000\": 1}", true) == Reason::JsonNulChar);
    CHECK(json_reason("[1e400, \"x\\u0000\"]", true) == Reason::JsonNulChar);
    CHECK(json_ok("\"\\\\u0000\"", true));            // escaped backslash, then text u0000
    CHECK(json_ok("\"\\\\\\\\u0000\"", true));        // two escaped backslashes
    CHECK(json_reason("\"\\\\\\u0000\"", true) == Reason::JsonNulChar); // \\ then \u0000
    CHECK(json_ok("\"\\u00000\"", false));
    CHECK(json_ok("\"\\u0001\\\"u0000\"", true));
    CHECK(json_ok("\"u0000\"", true));
}

TEST_CASE("check_json agrees with simdjson on mutated documents", "[convert]")
{
    // Numbers stay small (no exponent, few digits), so simdjson's verdict is the JSON
    // grammar's and the fallback grammar must reach the same one.
    std::mt19937 rng(20240601);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    std::function<void(std::string &, int)> gen = [&](std::string &s, int depth) {
        int const k = depth > 4 ? pick(5) : pick(7);
        switch (k) {
        case 0: s += std::to_string(static_cast<int>(rng() % 2000) - 1000); break;
        case 1: s += "12.5"; break;
        case 2: s += pick(2) ? "true" : "null"; break;
        case 3: s += "\"a\\n\\u00e9\\ud83d\\ude00\""; break;
        case 4: s += "false"; break;
        case 5: {
            s += '[';
            int const n = pick(4);
            for (int i = 0; i < n; ++i) {
                if (i) s += ", ";
                gen(s, depth + 1);
            }
            s += ']';
            break;
        }
        default: {
            s += "{ ";
            int const n = pick(4);
            for (int i = 0; i < n; ++i) {
                if (i) s += ',';
                s += "\"k" + std::to_string(i) + "\": ";
                gen(s, depth + 1);
            }
            s += '}';
        }
        }
    };
    std::string_view const alphabet = "{}[],:\" \\u0123456789-+.eEtrfalsnd\t\n\x01\x7f";
    simdjson::dom::parser parser;
    int disagreements = 0, rejected = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        std::string s;
        gen(s, 0);
        for (int m = pick(3); m >= 0; --m) {
            std::size_t const at = s.empty() ? 0 : rng() % s.size();
            char const c = alphabet[rng() % alphabet.size()];
            switch (pick(3)) {
            case 0: s.insert(at, 1, c); break;
            case 1: if (!s.empty()) s.erase(at, 1); break;
            default: if (!s.empty()) s[at] = c;
            }
        }
        auto const code = parser.parse(s.data(), s.size(), true).error();
        bool const simd = code == simdjson::SUCCESS;
        ConvertError err;
        bool const mine = check_json(s, false, err);
        // A mutation can grow an exponent past double range ("9e844"): valid for
        // PostgreSQL, refused by simdjson; that is the disagreement the fallback is for.
        bool big_exponent = false;
        for (std::size_t i = 1; i < s.size(); ++i)
            big_exponent |= (s[i] == 'e' || s[i] == 'E') && s[i - 1] >= '0' && s[i - 1] <= '9';
        if (mine && code == simdjson::NUMBER_ERROR && big_exponent) continue;
        if (simd != mine) {
            ++disagreements;
            UNSCOPED_INFO("disagreement on: " << s);
        }
        rejected += !mine;
    }
    CHECK(disagreements == 0);
    CHECK(rejected > 1000); // the mutations did produce invalid documents
}

TEST_CASE("uuid", "[convert]")
{
    PgType const t = ty(PgKind::Uuid);
    std::string const canon = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    CHECK(ok(txt(canon), t) == canon);
    CHECK(ok(txt("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"), t) == canon);
    CHECK(ok(txt("a0eebc999c0b4ef8bb6d6bb9bd380a11"), t) == canon);
    CHECK(ok(txt("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"), t) == canon);
    CHECK(ok(txt("{a0eebc999c0b4ef8bb6d6bb9bd380a11}"), t) == canon);
    CHECK(ok(txt("a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11"), t) == canon);
    CHECK(ok(txt("a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11"), t) == canon);
    for (auto s : {"", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",
                   " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ",
                   "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
                   "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                   "a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11", "-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                   "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-", "(a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11)",
                   "{}", "a0eebc99 9c0b 4ef8 bb6d 6bb9bd380a11"}) {
        INFO(s);
        CHECK(bad(txt(s), t) == Reason::BadUuid);
    }
    CHECK(ok(blob("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\xfe\xff"sv), t) ==
          "00010203-0405-0607-0809-0a0b0c0dfeff");
    CHECK(bad(blob("123456789012345"), t) == Reason::BadUuid);
    CHECK(message(blob("123456789012345"), t) == "blob of 15 bytes, a uuid is 16");
    CHECK(bad(blob(""), t) == Reason::BadUuid);
    CHECK(bad(num(1), t) == Reason::TypeMismatch);
    CHECK(bad(real(1), t) == Reason::TypeMismatch);
}

TEST_CASE("bytea", "[convert]")
{
    PgType const t = ty(PgKind::Bytea);
    CHECK(ok(blob("\x00\xff\x10\xab"sv), t) == "\\x00ff10ab");
    CHECK(ok(blob(""), t) == "\\x");
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    std::string const hex = ok(blob(all), t);
    REQUIRE(hex.size() == 514);
    CHECK(hex.substr(0, 8) == "\\x000102");
    CHECK(hex.substr(2 + 2 * 0x7f, 6) == "7f8081");
    CHECK(hex.substr(508) == "fdfeff");
    CHECK(bad(txt("abc"), t) == Reason::TypeMismatch);
    CHECK(message(txt("abc"), t) ==
          "text in a bytea column; pass --text-to-bytea to store its bytes");
    ConvertOptions o;
    o.text_to_bytea = true;
    CHECK(ok(txt("h\xc3\xa9"), t, o) == "\\x68c3a9");
    CHECK(ok(txt("a\0\xff"sv), t, o) == "\\x6100ff"); // bytes kept exactly, no text checks
    CHECK(ok(txt(""), t, o) == "\\x");
    CHECK(bad(num(1), t) == Reason::TypeMismatch);
    CHECK(message(num(1), t) == "INTEGER value in a bytea column");
    CHECK(bad(real(1.5), t, o) == Reason::TypeMismatch);
}

TEST_CASE("date/time dispatch", "[convert]")
{
    for (PgKind k : {PgKind::Date, PgKind::Time, PgKind::Timestamp, PgKind::Timestamptz}) {
        CHECK(bad(blob("2024-01-01"), ty(k)) == Reason::TypeMismatch);
        CHECK(bad(txt("2024-01-01\0"sv), ty(k)) == Reason::NulByte);
    }
    ConvertOptions o;
    o.epoch = EpochUnit::Seconds;
    CHECK(bad(num(0), ty(PgKind::Time), o) == Reason::TypeMismatch);
    CHECK(bad(real(0.5), ty(PgKind::Time), o) == Reason::TypeMismatch);
    CHECK(message(blob("x"), ty(PgKind::Timestamptz)) ==
          "BLOB value in a timestamp with time zone column");
}

TEST_CASE("jsonb: duplicate keys would lose a value and are refused; json keeps them", "[convert][unit]")
{
    ConvertError err;
    CHECK_FALSE(check_json(R"({"a":1,"a":2})", true, err));
    CHECK(err.reason == Reason::BadJson);
    CHECK(err.message.find("duplicate key \"a\"") != std::string::npos);
    CHECK_FALSE(check_json(R"([{"x":{"k":1,"j":0,"k":2}}])", true, err));
    // Escapes are compared unescaped, as jsonb does.
    CHECK_FALSE(check_json(R"({"a":1,"\u0061":2})", true, err));
    CHECK(check_json(R"({"a":1,"a":2})", false, err));
    CHECK(check_json(R"({"a":{"a":1},"b":[{"a":2},{"a":3}]})", true, err));
    std::string many = "{";
    for (int i = 0; i < 40; ++i) many += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":" + std::to_string(i);
    CHECK(check_json(many + "}", true, err));
    CHECK_FALSE(check_json(many + ",\"k7\":0}", true, err));
}

TEST_CASE("timestamp(p) and time(p): digits beyond p would be rounded", "[convert][unit]")
{
    PgType ts3 = PgType::from_catalog("timestamptz", 3, "timestamp(3) with time zone");
    CHECK(ts3.precision == 3);
    std::string out;
    ConvertError err;
    CHECK(convert_value(SqlValue::text("2024-01-01 12:00:00.123"), ts3, {}, out, err) == Converted::Value);
    CHECK(convert_value(SqlValue::text("2024-01-01 12:00:00.123000"), ts3, {}, out, err) == Converted::Value);
    CHECK(convert_value(SqlValue::text("2024-01-01 12:00:00"), ts3, {}, out, err) == Converted::Value);
    CHECK(convert_value(SqlValue::text("2024-01-01 12:00:00.1234"), ts3, {}, out, err) == Converted::Error);
    CHECK(err.reason == Reason::PrecisionLoss);
    PgType t0 = PgType::from_catalog("time", 0, "time(0) without time zone");
    CHECK(convert_value(SqlValue::text("10:00:00.5"), t0, {}, out, err) == Converted::Error);
    CHECK(convert_value(SqlValue::text("10:00:01"), t0, {}, out, err) == Converted::Value);
    PgType ts = PgType::from_catalog("timestamp", -1, "timestamp without time zone");
    CHECK(ts.precision == -1);
    CHECK(convert_value(SqlValue::text("2024-01-01 12:00:00.123456"), ts, {}, out, err) == Converted::Value);
}
