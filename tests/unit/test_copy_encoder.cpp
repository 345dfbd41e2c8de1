#include "copy_encoder.hpp"

#include <catch2/catch.hpp>

using namespace s2p;

namespace {
std::string esc(std::string_view v)
{
    std::string out;
    copy_escape(out, v);
    return out;
}
} // namespace

TEST_CASE("copy_escape: the characters COPY text format gives meaning to", "[copy][unit]")
{
    CHECK(esc("") == "");
    CHECK(esc("plain") == "plain");
    CHECK(esc("a\tb") == "a\\tb");
    CHECK(esc("a\nb") == "a\\nb");
    CHECK(esc("a\rb") == "a\\rb");
    CHECK(esc("a\\b") == "a\\\\b");
    // A literal \N text must not read back as NULL.
    CHECK(esc("\\N") == "\\\\N");
    // The end-of-data marker inside a value stays data.
    CHECK(esc("\\.") == "\\\\.");
    CHECK(esc("\\x0102") == "\\\\x0102");
    CHECK(esc("\t\n\r\\") == "\\t\\n\\r\\\\");
}

TEST_CASE("copy_escape: non-ASCII and other bytes pass through unchanged", "[copy][unit]")
{
    CHECK(esc("héllo 日本 🎉") == "héllo 日本 🎉");
    CHECK(esc("a\x01" "b") == "a\x01" "b");
    CHECK(esc("quote ' and \" and ,") == "quote ' and \" and ,");
}

TEST_CASE("CopyRowEncoder: rows, NULL vs empty, discarding a row", "[copy][unit]")
{
    std::string buf;
    CopyRowEncoder enc(buf);
    PgType text;
    text.kind = PgKind::Text;
    enc.begin_stream(); // nothing in text format
    enc.begin_row();
    enc.field(text, "1");
    enc.null_field();
    enc.field(text, "");
    enc.field(text, "x\ty");
    enc.end_row();
    CHECK(buf == "1\t\\N\t\tx\\ty\n");

    enc.begin_row();
    enc.field(text, "bad");
    enc.discard_row();
    CHECK(buf == "1\t\\N\t\tx\\ty\n");

    enc.begin_row();
    enc.null_field();
    enc.end_row();
    CHECK(buf == "1\t\\N\t\tx\\ty\n\\N\n");
}
