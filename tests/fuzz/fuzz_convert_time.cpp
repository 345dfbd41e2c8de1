// libFuzzer target: the date/time text parsers and the epoch conversion.
// Invariants: no crash or exception; accepted text gives output in the documented
// form that the same parser accepts again unchanged (so the binary encoder and the
// server read it as we meant it); an error carries a message.
#include "convert_time.hpp"
#include "fuzz_common.hpp"

#include <cstring>
#include <functional>

using namespace s2p;

namespace {


void round_trip(const char *what, std::string_view text, const std::function<bool(std::string_view, std::string &, ConvertError &)> &parse)
{
    std::string out;
    ConvertError err;
    if (!parse(text, out, err)) {
        FUZZ_CHECK(!err.message.empty(), std::string(what) + ": error without a message");
        return;
    }
    std::string again;
    ConvertError err2;
    FUZZ_CHECK(parse(out, again, err2), std::string(what) + ": output refused: " + out + " / " + err2.message);
    FUZZ_CHECK(again == out, std::string(what) + ": output changes: " + out + " -> " + again);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const date::time_zone *const zones[] = {nullptr, find_zone("Europe/Berlin"),
                                                   find_zone("America/St_Johns"), find_zone("Pacific/Kiritimati")};
    fuzz::Input in(data, size);
    std::uint8_t const sel = in.byte();
    const date::time_zone *const zone = zones[sel % 4];
    if (sel & 0x80) {
        // Epoch numbers: integer or the double with these bits.
        std::int64_t const bits = in.int64();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        bool const is_int = (sel & 0x40) != 0;
        static constexpr PgKind kinds[] = {PgKind::Timestamptz, PgKind::Timestamp, PgKind::Date};
        static constexpr EpochUnit units[] = {EpochUnit::Seconds, EpochUnit::Millis, EpochUnit::Micros};
        std::string out;
        ConvertError err;
        bool const ok = epoch_to_datetime(is_int ? static_cast<double>(bits) : d, is_int, bits, units[(sel >> 2) % 3],
                                          kinds[(sel >> 4) % 3], zone, out, err);
        FUZZ_CHECK(ok || !err.message.empty(), "epoch: error without a message");
        return 0;
    }
    std::string_view const text = in.rest();
    round_trip("timestamptz", text, [&](std::string_view s, std::string &o, ConvertError &e) {
        return text_to_timestamptz(s, zone, o, e);
    });
    round_trip("timestamp", text, [&](std::string_view s, std::string &o, ConvertError &e) {
        return text_to_timestamp(s, zone, o, e);
    });
    round_trip("date", text, text_to_date);
    round_trip("time", text, text_to_time);
    return 0;
}
