#include "copy_binary.hpp"

#include "errors.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <vector>

namespace s2p {

namespace {

// PostgreSQL's binary timestamps and dates count from 2000-01-01.
constexpr std::int64_t pg_epoch_days = 10957; // 1970-01-01 .. 2000-01-01
constexpr std::int64_t usecs_per_day = 86'400'000'000;

[[noreturn]] void not_in_form(const PgType &t, std::string_view text)
{
    throw Error(ExitCode::Internal,
                fmt::format("internal error: value '{}' is not in the converter's form for {} (binary COPY); "
                            "please report this, and use --copy-format text meanwhile",
                            text.substr(0, 40), t.name.empty() ? "this type" : t.name));
}

template <class T> void put_be(std::string &out, T v)
{
    using U = std::make_unsigned_t<T>;
    auto u = static_cast<U>(v);
    char b[sizeof(T)];
    for (std::size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<char>(u >> (8 * (sizeof(T) - 1 - i)));
    out.append(b, sizeof(T));
}

void put_len(std::string &out, std::size_t n) { put_be<std::int32_t>(out, static_cast<std::int32_t>(n)); }

template <class T> bool parse_int(std::string_view s, T &v)
{
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

// Two digits at s[i]; false when they are not digits.
bool two(std::string_view s, std::size_t i, int &v)
{
    if (i + 2 > s.size() || s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9') return false;
    v = (s[i] - '0') * 10 + (s[i + 1] - '0');
    return true;
}

// "YYYY-MM-DD" (the year may have 5 digits); sets days since 2000-01-01 and the length used.
bool parse_date(std::string_view s, std::int64_t &days, std::size_t &used)
{
    std::size_t const dash = s.find('-');
    if (dash < 4 || dash == std::string_view::npos || dash > 5) return false;
    int year = 0, month = 0, day = 0;
    if (!parse_int(s.substr(0, dash), year)) return false;
    if (s.size() < dash + 6 || s[dash + 3] != '-' || !two(s, dash + 1, month) || !two(s, dash + 4, day)) return false;
    date::year_month_day const ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                   date::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return false;
    days = date::sys_days{ymd}.time_since_epoch().count() - pg_epoch_days;
    used = dash + 6;
    return true;
}

// "HH:MM:SS[.ffffff]" from s[i]; sets microseconds since midnight and the end.
bool parse_clock(std::string_view s, std::size_t i, std::int64_t &us, std::size_t &end)
{
    int h = 0, m = 0, sec = 0;
    if (!two(s, i, h) || i + 8 > s.size() || s[i + 2] != ':' || !two(s, i + 3, m) || s[i + 5] != ':' ||
        !two(s, i + 6, sec))
        return false;
    std::int64_t frac = 0;
    std::size_t j = i + 8;
    if (j < s.size() && s[j] == '.') {
        int digits = 0;
        for (++j; j < s.size() && s[j] >= '0' && s[j] <= '9'; ++j, ++digits) {
            if (digits == 6) return false;
            frac = frac * 10 + (s[j] - '0');
        }
        if (digits == 0) return false;
        for (; digits < 6; ++digits) frac *= 10;
    }
    us = ((std::int64_t{h} * 60 + m) * 60 + sec) * 1'000'000 + frac;
    end = j;
    return true;
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void put_uuid(std::string &out, const PgType &t, std::string_view s)
{
    if (s.size() != 36) not_in_form(t, s);
    put_len(out, 16);
    int nibble = -1;
    for (std::size_t i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') not_in_form(t, s);
            continue;
        }
        int const h = hex_value(s[i]);
        if (h < 0) not_in_form(t, s);
        if (nibble < 0) {
            nibble = h;
        } else {
            out.push_back(static_cast<char>(nibble << 4 | h));
            nibble = -1;
        }
    }
}

void put_bytea(std::string &out, const PgType &t, std::string_view s)
{
    if (s.size() < 2 || s[0] != '\\' || s[1] != 'x' || s.size() % 2 != 0) not_in_form(t, s);
    std::size_t const n = (s.size() - 2) / 2;
    put_len(out, n);
    std::size_t const at = out.size();
    out.resize(at + n);
    char *d = out.data() + at;
    for (std::size_t i = 0; i < n; ++i) {
        int const hi = hex_value(s[2 + 2 * i]), lo = hex_value(s[3 + 2 * i]);
        if (hi < 0 || lo < 0) not_in_form(t, s);
        d[i] = static_cast<char>(hi << 4 | lo);
    }
}

// numeric's send form: base-10000 digits with a weight (the power of 10000 of the
// first one), sign and display scale. From "[-]digits[.digits]", NaN or +-Infinity.
void put_numeric(std::string &out, const PgType &t, std::string_view s)
{
    constexpr std::uint16_t pos = 0x0000, neg = 0x4000, nan = 0xC000, pinf = 0xD000, ninf = 0xF000;
    auto special = [&](std::uint16_t sign) {
        put_len(out, 8);
        put_be<std::int16_t>(out, 0);
        put_be<std::int16_t>(out, 0);
        put_be<std::uint16_t>(out, sign);
        put_be<std::int16_t>(out, 0);
    };
    if (s == "NaN") return special(nan);
    if (s == "Infinity") return special(pinf);
    if (s == "-Infinity") return special(ninf);
    bool const negative = !s.empty() && s[0] == '-';
    std::string_view body = negative ? s.substr(1) : s;
    std::size_t const point = body.find('.');
    std::string_view const ip = body.substr(0, point);
    std::string_view const fp = point == std::string_view::npos ? std::string_view{} : body.substr(point + 1);
    if (ip.empty() || (point != std::string_view::npos && fp.empty())) not_in_form(t, s);
    for (char c : ip) if (c < '0' || c > '9') not_in_form(t, s);
    for (char c : fp) if (c < '0' || c > '9') not_in_form(t, s);
    // Pad the integer part on the left and the fraction on the right to whole groups.
    std::size_t const ipad = (4 - ip.size() % 4) % 4, fpad = (4 - fp.size() % 4) % 4;
    std::string digits(ipad, '0');
    digits.append(ip).append(fp).append(fpad, '0');
    std::vector<std::int16_t> groups;
    groups.reserve(digits.size() / 4);
    for (std::size_t i = 0; i < digits.size(); i += 4)
        groups.push_back(static_cast<std::int16_t>((digits[i] - '0') * 1000 + (digits[i + 1] - '0') * 100 +
                                                   (digits[i + 2] - '0') * 10 + (digits[i + 3] - '0')));
    auto weight = static_cast<std::int32_t>((ip.size() + ipad) / 4) - 1;
    std::size_t first = 0, last = groups.size();
    while (first < last && groups[first] == 0) {
        ++first;
        --weight;
    }
    while (last > first && groups[last - 1] == 0) --last;
    std::size_t const ndigits = last - first;
    if (ndigits == 0) weight = 0;
    put_len(out, 8 + 2 * ndigits);
    put_be<std::int16_t>(out, static_cast<std::int16_t>(ndigits));
    put_be<std::int16_t>(out, static_cast<std::int16_t>(weight));
    put_be<std::uint16_t>(out, negative && ndigits > 0 ? neg : pos);
    put_be<std::int16_t>(out, static_cast<std::int16_t>(fp.size()));
    for (std::size_t i = first; i < last; ++i) put_be<std::int16_t>(out, groups[i]);
}

template <class F, class Bits> void put_float(std::string &out, const PgType &t, std::string_view s)
{
    F v{};
    if (s == "NaN") v = std::numeric_limits<F>::quiet_NaN();
    else if (s == "Infinity") v = std::numeric_limits<F>::infinity();
    else if (s == "-Infinity") v = -std::numeric_limits<F>::infinity();
    else if (!parse_int(s, v)) not_in_form(t, s);
    put_len(out, sizeof(F));
    put_be<Bits>(out, std::bit_cast<Bits>(v));
}

template <class I> void put_integer(std::string &out, const PgType &t, std::string_view s)
{
    I v{};
    if (!parse_int(s, v)) not_in_form(t, s);
    put_len(out, sizeof(I));
    put_be<I>(out, v);
}

} // namespace

bool binary_copy_supported(const PgType &t) { return t.kind != PgKind::Other; }

void append_binary_header(std::string &out)
{
    static constexpr char signature[] = "PGCOPY\n\377\r\n"; // 11 bytes with its NUL
    out.append(signature, 11);
    put_be<std::int32_t>(out, 0); // flags: no OIDs
    put_be<std::int32_t>(out, 0); // header extension length
}

void append_binary_trailer(std::string &out) { put_be<std::int16_t>(out, -1); }

void append_binary_field(std::string &out, const PgType &t, std::string_view s)
{
    switch (t.kind) {
    case PgKind::Bool:
        if (s != "t" && s != "f") not_in_form(t, s);
        put_len(out, 1);
        out.push_back(s == "t" ? '\1' : '\0');
        return;
    case PgKind::Int2: return put_integer<std::int16_t>(out, t, s);
    case PgKind::Int4: return put_integer<std::int32_t>(out, t, s);
    case PgKind::Int8: return put_integer<std::int64_t>(out, t, s);
    case PgKind::Float4: return put_float<float, std::uint32_t>(out, t, s);
    case PgKind::Float8: return put_float<double, std::uint64_t>(out, t, s);
    case PgKind::Numeric: return put_numeric(out, t, s);
    case PgKind::Text:
    case PgKind::Varchar:
    case PgKind::Bpchar:
    case PgKind::Json:
        put_len(out, s.size());
        out.append(s);
        return;
    case PgKind::Jsonb: // version 1 of jsonb's send form: the JSON text
        put_len(out, s.size() + 1);
        out.push_back('\1');
        out.append(s);
        return;
    case PgKind::Uuid: return put_uuid(out, t, s);
    case PgKind::Bytea: return put_bytea(out, t, s);
    case PgKind::Date: {
        std::int64_t days = 0;
        std::size_t used = 0;
        if (!parse_date(s, days, used) || used != s.size()) not_in_form(t, s);
        put_len(out, 4);
        put_be<std::int32_t>(out, static_cast<std::int32_t>(days));
        return;
    }
    case PgKind::Time: {
        std::int64_t us = 0;
        std::size_t end = 0;
        if (!parse_clock(s, 0, us, end) || end != s.size() || us > usecs_per_day) not_in_form(t, s);
        put_len(out, 8);
        put_be<std::int64_t>(out, us);
        return;
    }
    case PgKind::Timestamp:
    case PgKind::Timestamptz: {
        // "YYYY-MM-DD HH:MM:SS[.ffffff]", with "+00" for timestamptz (always UTC).
        std::int64_t days = 0, us = 0;
        std::size_t used = 0, end = 0;
        if (!parse_date(s, days, used) || used >= s.size() || s[used] != ' ' || !parse_clock(s, used + 1, us, end))
            not_in_form(t, s);
        std::string_view const rest = s.substr(end);
        if (t.kind == PgKind::Timestamptz ? rest != "+00" : !rest.empty()) not_in_form(t, s);
        put_len(out, 8);
        put_be<std::int64_t>(out, days * usecs_per_day + us);
        return;
    }
    case PgKind::Other: break;
    }
    not_in_form(t, s);
}

} // namespace s2p
