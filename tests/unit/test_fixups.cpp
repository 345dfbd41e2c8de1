#include "fixups.hpp"
#include "reject_file.hpp"

#include <catch2/catch.hpp>

using namespace s2p;
using namespace std::string_literals;

TEST_CASE("fixups: nothing is repaired unless asked", "[fixups][unit]")
{
    FixupPolicy const none;
    std::string out;
    CHECK(choose_fixup(none, Reason::NulByte, SqlValue::text("a\0b"s), out) == Fixup::None);
    CHECK(choose_fixup(none, Reason::InvalidUtf8, SqlValue::text("\xff"), out) == Fixup::None);
    CHECK(choose_fixup(none, Reason::BadJson, SqlValue::text("{"), out) == Fixup::None);
    FixupPolicy all{NulBytes::Strip, InvalidUtf8::Replace, InvalidJson::Null};
    CHECK(choose_fixup(all, Reason::OutOfRange, SqlValue::integer(1), out) == Fixup::None);
    CHECK(choose_fixup(all, Reason::TooLong, SqlValue::text("abc"), out) == Fixup::None);
}

TEST_CASE("fixups: the chosen repairs", "[fixups][unit]")
{
    FixupPolicy const all{NulBytes::Strip, InvalidUtf8::Replace, InvalidJson::Null};
    std::string out;
    std::string const with_nul = "a\0b\0"s;
    CHECK(choose_fixup(all, Reason::NulByte, SqlValue::text(with_nul), out) == Fixup::Repaired);
    CHECK(out == "ab");
    CHECK(choose_fixup(all, Reason::InvalidUtf8, SqlValue::text("ok\xff\xfe!"), out) == Fixup::Repaired);
    CHECK(out == "ok\xEF\xBF\xBD\xEF\xBF\xBD!");
    CHECK(choose_fixup(all, Reason::BadJson, SqlValue::text("{"), out) == Fixup::MakeNull);
    CHECK(choose_fixup(all, Reason::JsonNulChar, SqlValue::text("\"\\u0000\""), out) == Fixup::MakeNull);
}

TEST_CASE("replace_invalid_utf8: overlongs, surrogates, truncation, valid 4-byte", "[fixups][unit]")
{
    CHECK(replace_invalid_utf8("") == "");
    CHECK(replace_invalid_utf8("héllo 🎉") == "héllo 🎉");
    CHECK(replace_invalid_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");          // overlong '/'
    CHECK(replace_invalid_utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); // surrogate
    CHECK(replace_invalid_utf8("a\xE2\x82") == "a\xEF\xBF\xBD\xEF\xBF\xBD");          // truncated €
    CHECK(replace_invalid_utf8("\xF4\x90\x80\x80").find("\xF4") == std::string::npos); // > U+10FFFF
}

TEST_CASE("copy_line_from_context", "[fixups][unit]")
{
    CHECK(copy_line_from_context("COPY events, line 25001, column at: \"x\"") == 25001);
    CHECK(copy_line_from_context("COPY child, line 2") == 2);
    CHECK(copy_line_from_context("COPY \"Order Details\", line 7: \"1\t2\"") == 7);
    CHECK_FALSE(copy_line_from_context("SQL statement \"SELECT 1\"").has_value());
    CHECK_FALSE(copy_line_from_context("").has_value());
}

TEST_CASE("reject_json_line: full row, blobs and invalid text as hex", "[fixups][unit]")
{
    RejectedRow r;
    r.table = "events";
    r.rowid = 42;
    r.key = "rowid 42";
    r.column = "at";
    r.reason = Reason::BadTimestamp;
    r.message = "month 13 is out of range";
    r.value = "'2024-13-01'";
    // SqlValue holds a view: the blob's bytes must outlive the row (a temporary
    // std::string here was read after its end, found by AddressSanitizer).
    std::string const raw = "\x01\xff"s;
    r.row = {{"id", SqlValue::integer(42)},
             {"at", SqlValue::text("2024-13-01")},
             {"score", SqlValue::real(0.5)},
             {"note", SqlValue::null()},
             {"raw", SqlValue::blob(raw)},
             {"bad", SqlValue::text("a\xff")},
             {"quote", SqlValue::text("say \"hi\"\n")}};
    CHECK(reject_json_line(r) ==
          R"({"table":"events","rowid":42,"key":"rowid 42","column":"at","reason":"bad_timestamp",)"
          R"("message":"month 13 is out of range","value":"'2024-13-01'","row":{"id":42,"at":"2024-13-01",)"
          R"("score":0.5,"note":null,"raw":{"hex":"01ff"},"bad":{"hex":"61ff","invalid_utf8_text":true},)"
          R"("quote":"say \"hi\"\n"}})");
    r.column.clear();
    r.reason_code = "unique_violation";
    CHECK(reject_json_line(r).find(R"("column":null,"reason":"unique_violation")") != std::string::npos);
}
