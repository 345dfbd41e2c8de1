// libFuzzer target: convert_value() for every target kind and storage class, then
// the output's way to the server.
// Invariants: no crash, no exception; a converted value converts again (as TEXT, the
// same type) to itself, so the server's parser and ours agree on the output form;
// jsonb-accepted text is json-accepted; where the kind has a binary COPY form, the
// binary encoder accepts the converter's output (never InternalError) and writes a
// field whose length prefix matches the bytes written.
#include "convert.hpp"
#include "convert_time.hpp"
#include "copy_binary.hpp"
#include "errors.hpp"
#include "fuzz_common.hpp"

#include <cstdlib>
#include <cstring>

using namespace s2p;

namespace {

std::uint32_t be32(const char *p)
{
    return (std::uint32_t(std::uint8_t(p[0])) << 24) | (std::uint32_t(std::uint8_t(p[1])) << 16) |
           (std::uint32_t(std::uint8_t(p[2])) << 8) | std::uint32_t(std::uint8_t(p[3]));
}

// Re-reading the output as TEXT must give the same text. Bytea output is hex text
// (read back only with --text-to-bytea semantics), so it is checked with that option.
void check_reparse(const PgType &t, ConvertOptions o, const std::string &out)
{
    if (t.kind == PgKind::Bytea) return; // TEXT into bytea takes the bytes, not the hex
    std::string again;
    ConvertError err;
    Converted const r = convert_value(SqlValue::text(out), t, o, again, err);
    FUZZ_CHECK(r == Converted::Value, "output not accepted again: " + out + " / " + err.message);
    if (t.kind == PgKind::Float4 || t.kind == PgKind::Float8) {
        // An integer is written with all its digits, text in the shortest form that
        // reads back: the same double either way (found by fuzzing: not a bug).
        FUZZ_CHECK(std::strtod(again.c_str(), nullptr) == std::strtod(out.c_str(), nullptr) ||
                       (again == "NaN" && out == "NaN"),
                   "float value changes when converted again: " + out + " -> " + again);
        return;
    }
    FUZZ_CHECK(again == out, "output changes when converted again: " + out + " -> " + again);
}

void check_binary(const PgType &t, const std::string &out)
{
    if (!binary_copy_supported(t)) return;
    std::string buf = "prefix";
    try {
        append_binary_field(buf, t, out);
    } catch (const Error &e) {
        fuzz::fail("binary encoder refuses converter output", out + " : " + e.what());
    }
    FUZZ_CHECK(buf.size() >= 10, "binary field shorter than its length prefix");
    std::uint32_t const len = be32(buf.data() + 6);
    FUZZ_CHECK(len == buf.size() - 10, "binary length prefix does not match the bytes written: " + out);
    std::size_t fixed = 0;
    switch (t.kind) {
    case PgKind::Bool: fixed = 1; break;
    case PgKind::Int2: fixed = 2; break;
    case PgKind::Int4:
    case PgKind::Float4:
    case PgKind::Date: fixed = 4; break;
    case PgKind::Int8:
    case PgKind::Float8:
    case PgKind::Time:
    case PgKind::Timestamp:
    case PgKind::Timestamptz: fixed = 8; break;
    case PgKind::Uuid: fixed = 16; break;
    default: break;
    }
    FUZZ_CHECK(fixed == 0 || len == fixed, "fixed-width binary field has the wrong length: " + out);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const date::time_zone *const berlin = find_zone("Europe/Berlin");
    fuzz::Input in(data, size);
    PgType const t = fuzz::pick_type(in);
    std::uint8_t const opts = in.byte();
    ConvertOptions o;
    o.source_zone = (opts & 1) ? berlin : nullptr;
    o.epoch = static_cast<EpochUnit>((opts >> 1) % 4);
    o.text_to_bytea = (opts & 8) != 0;
    SqlValue v;
    std::string payload;
    switch ((opts >> 4) % 4) {
    case 0: v = SqlValue::integer(in.int64()); break;
    case 1: {
        std::int64_t const bits = in.int64();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        v = SqlValue::real(d);
        break;
    }
    case 2: payload = std::string(in.rest()); v = SqlValue::text(payload); break;
    default: payload = std::string(in.rest()); v = SqlValue::blob(payload); break;
    }
    std::string out;
    ConvertError err;
    Converted r;
    try {
        r = convert_value(v, t, o, out, err);
    } catch (const std::exception &e) {
        fuzz::fail("convert_value threw", e.what());
    }
    if (r == Converted::Error) FUZZ_CHECK(!err.message.empty(), "error without a message");
    if (r != Converted::Value) return 0;
    if (t.kind == PgKind::Jsonb) {
        ConvertError e2;
        FUZZ_CHECK(check_json(out, false, e2), "jsonb accepted what json refuses: " + out);
    }
    // Text output is always valid UTF-8: COPY sends it in client_encoding UTF8.
    if (t.kind != PgKind::Bytea) FUZZ_CHECK(valid_utf8(out), "output is not valid UTF-8");
    check_reparse(t, o, out);
    check_binary(t, out);
    return 0;
}
