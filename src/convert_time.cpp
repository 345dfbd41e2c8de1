#include "convert_time.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <unordered_map>

namespace s2p {
namespace {

constexpr std::int64_t kUsPerSec = 1'000'000;
constexpr std::int64_t kUsPerDay = 86'400 * kUsPerSec;

// Everything is carried as a count of microseconds since 1970-01-01 00:00 (UTC or wall),
// PostgreSQL's own resolution, so no step below can round.
std::int64_t days_from_civil(int y, int m, int d)
{
    return date::sys_days{date::year{y} / m / d}.time_since_epoch().count();
}

const std::int64_t kMinEpochUs = days_from_civil(1, 1, 1) * kUsPerDay;
const std::int64_t kMaxEpochUs = days_from_civil(10000, 1, 1) * kUsPerDay - 1;

struct Fields {
    int year = 0, month = 0, day = 0;
    int hour = 0, minute = 0, second = 0;
    std::int64_t micros = 0;
    int offset_seconds = 0;
    bool has_offset = false;
    bool excess_fraction = false; // non-zero digits past the sixth: reported after syntax
};

bool fail(ConvertError &err, Reason r, std::string msg)
{
    err.reason = r;
    err.message = std::move(msg);
    return false;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Reads exactly n digits at pos; no sign, no shorter or longer runs.
bool read_digits(std::string_view s, std::size_t &pos, int n, int &v)
{
    if (s.size() < pos + static_cast<std::size_t>(n))
        return false;
    int r = 0;
    for (int i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (!is_digit(c))
            return false;
        r = r * 10 + (c - '0');
    }
    pos += n;
    v = r;
    return true;
}

bool check_outer_whitespace(std::string_view s, ConvertError &err)
{
    if (s.empty())
        return fail(err, Reason::BadTimestamp, "empty string");
    if (is_space(s.front()) || is_space(s.back()))
        return fail(err, Reason::BadTimestamp, "leading or trailing whitespace");
    return true;
}

// "HH:MM[:SS[.f+]]" at pos; `expected` is the message when not even HH:MM is there.
bool parse_clock(std::string_view s, std::size_t &pos, Fields &f, const char *expected,
                 ConvertError &err)
{
    if (!read_digits(s, pos, 2, f.hour) || pos >= s.size() || s[pos] != ':' ||
        !read_digits(s, ++pos, 2, f.minute))
        return fail(err, Reason::BadTimestamp, expected);
    if (pos == s.size() || s[pos] != ':')
        return true;
    if (!read_digits(s, ++pos, 2, f.second))
        return fail(err, Reason::BadTimestamp, "expected two-digit seconds");
    if (pos == s.size() || s[pos] != '.')
        return true;
    ++pos;
    std::size_t start = pos;
    std::int64_t us = 0;
    for (; pos < s.size() && is_digit(s[pos]); ++pos) {
        std::size_t i = pos - start;
        if (i < 6)
            us = us * 10 + (s[pos] - '0');
        else if (s[pos] != '0')
            f.excess_fraction = true;
    }
    if (pos == start)
        return fail(err, Reason::BadTimestamp, "expected digits after the decimal point");
    for (std::size_t i = pos - start; i < 6; ++i)
        us *= 10;
    f.micros = us;
    return true;
}

// "Z", "±HH:MM", "±HHMM", "±HH", which must end the text.
bool parse_offset(std::string_view s, std::size_t &pos, Fields &f, ConvertError &err)
{
    char c = s[pos];
    if (c == 'Z' || c == 'z') {
        ++pos;
        f.has_offset = true;
    } else if (c == '+' || c == '-') {
        ++pos;
        int hh = 0, mm = 0;
        if (!read_digits(s, pos, 2, hh))
            return fail(err, Reason::BadTimestamp, "bad UTC offset: expected ±HH[:MM]");
        if (pos < s.size() && s[pos] == ':') {
            if (!read_digits(s, ++pos, 2, mm))
                return fail(err, Reason::BadTimestamp, "bad UTC offset: expected ±HH:MM");
        } else if (pos < s.size() && is_digit(s[pos])) {
            if (!read_digits(s, pos, 2, mm))
                return fail(err, Reason::BadTimestamp, "bad UTC offset: expected ±HHMM");
        }
        if (hh > 15 || mm > 59)
            return fail(err, Reason::BadTimestamp,
                        fmt::format("offset {}{:02}:{:02} is beyond ±15:59", c, hh, mm));
        f.offset_seconds = (c == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
        f.has_offset = true;
    } else if (is_space(c)) {
        return fail(err, Reason::BadTimestamp, "unexpected whitespace after the time");
    } else {
        return fail(err, Reason::BadTimestamp, "unexpected text after the time");
    }
    if (pos != s.size())
        return fail(err, Reason::BadTimestamp, "unexpected text after the UTC offset");
    return true;
}

// Range checks come after the whole syntax is known to be good, so "garbage" wins
// over "month 13", and both win over precision loss.
bool check_clock(const Fields &f, ConvertError &err)
{
    if (f.hour > 24)
        return fail(err, Reason::TimestampOutOfRange, fmt::format("hour {} is out of range", f.hour));
    if (f.minute > 59)
        return fail(err, Reason::TimestampOutOfRange,
                    fmt::format("minute {} is out of range", f.minute));
    if (f.second == 60)
        return fail(err, Reason::BadTimestamp,
                    fmt::format("leap second {:02}:{:02}:60 cannot be stored in PostgreSQL",
                                f.hour, f.minute));
    if (f.second > 60)
        return fail(err, Reason::TimestampOutOfRange,
                    fmt::format("second {} is out of range", f.second));
    if (f.hour == 24 && (f.minute != 0 || f.second != 0 || f.micros != 0 || f.excess_fraction))
        return fail(err, Reason::TimestampOutOfRange, "hour 24 is only valid as 24:00:00");
    if (f.excess_fraction)
        return fail(err, Reason::PrecisionLoss,
                    "fractional seconds beyond microseconds would be rounded");
    return true;
}

bool check_date(const Fields &f, ConvertError &err)
{
    if (f.year == 0)
        return fail(err, Reason::TimestampOutOfRange, "year 0 does not exist");
    if (f.month < 1 || f.month > 12)
        return fail(err, Reason::TimestampOutOfRange,
                    fmt::format("month {} is out of range", f.month));
    auto ymd = date::year{f.year} / f.month / f.day;
    if (!ymd.ok())
        return fail(err, Reason::TimestampOutOfRange,
                    fmt::format("day {} is out of range for {:04}-{:02}", f.day, f.year, f.month));
    return true;
}

// The full date-time grammar; a bare time of day is refused (that is text_to_time's job).
bool parse_datetime(std::string_view s, Fields &f, ConvertError &err)
{
    if (!check_outer_whitespace(s, err))
        return false;
    std::size_t pos = 0;
    if (!read_digits(s, pos, 4, f.year) || pos >= s.size() || s[pos] != '-' ||
        !read_digits(s, ++pos, 2, f.month) || pos >= s.size() || s[pos] != '-' ||
        !read_digits(s, ++pos, 2, f.day))
        return fail(err, Reason::BadTimestamp, "expected a date as YYYY-MM-DD");
    if (pos < s.size()) {
        char sep = s[pos];
        if (sep != ' ' && sep != 'T')
            return fail(err, Reason::BadTimestamp, "unexpected text after the date");
        ++pos;
        if (!parse_clock(s, pos, f, "expected HH:MM after the date", err))
            return false;
        if (pos < s.size() && !parse_offset(s, pos, f, err))
            return false;
    }
    return check_date(f, err) && check_clock(f, err);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b)
{
    std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::int64_t wall_micros(const Fields &f)
{
    // hour 24 lands on the next day's midnight by plain arithmetic.
    return days_from_civil(f.year, f.month, f.day) * kUsPerDay +
           ((f.hour * 60 + f.minute) * 60 + f.second) * kUsPerSec + f.micros;
}

bool is_utc(const date::time_zone *zone)
{
    if (zone == nullptr)
        return true;
    const std::string &n = zone->name();
    return n == "UTC" || n == "Etc/UTC";
}

std::string_view zone_name(const date::time_zone *zone)
{
    return zone == nullptr ? std::string_view("UTC") : std::string_view(zone->name());
}

struct Civil {
    std::int64_t year;
    int month, day, hour, minute, second;
    std::int64_t micros;
};

Civil to_civil(std::int64_t us)
{
    std::int64_t days = floor_div(us, kUsPerDay);
    std::int64_t rem = us - days * kUsPerDay;
    date::year_month_day ymd{date::sys_days{date::days{days}}};
    Civil c;
    c.year = int(ymd.year());
    c.month = int(unsigned(ymd.month()));
    c.day = int(unsigned(ymd.day()));
    std::int64_t secs = rem / kUsPerSec;
    c.micros = rem % kUsPerSec;
    c.hour = int(secs / 3600);
    c.minute = int(secs / 60 % 60);
    c.second = int(secs % 60);
    return c;
}

char *put2(char *p, int v)
{
    p[0] = char('0' + v / 10);
    p[1] = char('0' + v % 10);
    return p + 2;
}

char *put_clock(char *p, int h, int m, int s, std::int64_t micros)
{
    p = put2(p, h);
    *p++ = ':';
    p = put2(p, m);
    *p++ = ':';
    p = put2(p, s);
    if (micros != 0) {
        *p++ = '.';
        for (int i = 5; i >= 0; --i) {
            p[i] = char('0' + micros % 10);
            micros /= 10;
        }
        p += 6;
    }
    return p;
}

char *put_date(char *p, const Civil &c)
{
    // Years past 9999 (an offset can push 9999-12-31 over) keep all their digits:
    // PostgreSQL reads 5-digit ISO years.
    if (c.year < 10000) {
        std::int64_t y = c.year;
        for (int i = 3; i >= 0; --i) {
            p[i] = char('0' + y % 10);
            y /= 10;
        }
        p += 4;
    } else {
        p = std::to_chars(p, p + 20, c.year).ptr;
    }
    *p++ = '-';
    p = put2(p, c.month);
    *p++ = '-';
    return put2(p, c.day);
}

// Writes "YYYY-MM-DD HH:MM:SS[.ffffff][+00]"; callers have ensured year >= 1.
void write_timestamp(std::int64_t us, bool with_tz, std::string &out)
{
    char buf[64];
    Civil c = to_civil(us);
    char *p = put_date(buf, c);
    *p++ = ' ';
    p = put_clock(p, c.hour, c.minute, c.second, c.micros);
    if (with_tz) {
        *p++ = '+';
        *p++ = '0';
        *p++ = '0';
    }
    out.assign(buf, p);
}

bool check_not_bc(std::int64_t us, ConvertError &err)
{
    if (us < kMinEpochUs)
        return fail(err, Reason::TimestampOutOfRange, "before year 1");
    return true;
}

std::string format_wall(std::int64_t us)
{
    std::string s;
    write_timestamp(us, false, s);
    return s;
}

// date 3.0 with USE_OS_TZDB ignores the TZif footer, so past the file's last transition
// (2037 in Debian's data) it freezes a zone at its last offset, while PostgreSQL keeps
// applying the footer's POSIX TZ rule (RFC 8536 3.3): Berlin in July 2050 would come
// out an hour off. We evaluate that rule ourselves for instants beyond the table.
struct TzRule {
    struct When {
        char kind = 'M'; // 'M' month.week.weekday, 'J' 1-based ignoring Feb 29, 'N' 0-based
        int a = 0, b = 0, c = 0;
        std::int64_t secs = 7200; // local time of the switch, may be negative or past 24h
    };
    std::int64_t std_off = 0, dst_off = 0; // seconds east of UTC
    When start, end;
};

bool rule_name(std::string_view s, std::size_t &i)
{
    if (i < s.size() && s[i] == '<') {
        std::size_t close = s.find('>', i);
        if (close == std::string_view::npos || close == i + 1)
            return false;
        i = close + 1;
        return true;
    }
    std::size_t start = i;
    while (i < s.size() && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
        ++i;
    return i - start >= 3;
}

bool rule_num(std::string_view s, std::size_t &i, int max_digits, int &v)
{
    std::size_t start = i;
    v = 0;
    while (i < s.size() && is_digit(s[i]) && int(i - start) < max_digits)
        v = v * 10 + (s[i++] - '0');
    return i > start;
}

// [+-]h[hh][:mm[:ss]] in seconds.
bool rule_hms(std::string_view s, std::size_t &i, std::int64_t &secs)
{
    int sign = 1, h = 0, m = 0, sec = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
        sign = s[i++] == '-' ? -1 : 1;
    if (!rule_num(s, i, 3, h))
        return false;
    if (i < s.size() && s[i] == ':' && !rule_num(s, ++i, 2, m))
        return false;
    if (i < s.size() && s[i] == ':' && !rule_num(s, ++i, 2, sec))
        return false;
    secs = sign * (h * 3600 + m * 60 + sec);
    return true;
}

bool rule_when(std::string_view s, std::size_t &i, TzRule::When &w)
{
    if (i >= s.size())
        return false;
    if (s[i] == 'M') {
        w.kind = 'M';
        if (!rule_num(s, ++i, 2, w.a) || i >= s.size() || s[i] != '.' ||
            !rule_num(s, ++i, 1, w.b) || i >= s.size() || s[i] != '.' ||
            !rule_num(s, ++i, 1, w.c) || w.a < 1 || w.a > 12 || w.b < 1 || w.b > 5 || w.c > 6)
            return false;
    } else {
        w.kind = s[i] == 'J' ? 'J' : 'N';
        if (w.kind == 'J')
            ++i;
        if (!rule_num(s, i, 3, w.a) || w.a > 365 || (w.kind == 'J' && w.a < 1))
            return false;
    }
    return i >= s.size() || s[i] != '/' || rule_hms(s, ++i, w.secs);
}

// Only rules with daylight saving are kept: a fixed footer agrees with the table.
std::optional<TzRule> parse_rule(std::string_view s)
{
    TzRule r;
    std::size_t i = 0;
    std::int64_t west = 0;
    if (!rule_name(s, i) || !rule_hms(s, i, west) || i == s.size() || !rule_name(s, i))
        return std::nullopt;
    r.std_off = -west;
    r.dst_off = r.std_off + 3600;
    if (i < s.size() && s[i] != ',') {
        if (!rule_hms(s, i, west))
            return std::nullopt;
        r.dst_off = -west;
    }
    if (i >= s.size() || s[i] != ',' || !rule_when(s, ++i, r.start) || i >= s.size() ||
        s[i] != ',' || !rule_when(s, ++i, r.end) || i != s.size())
        return std::nullopt;
    return r;
}

std::int64_t switch_utc(const TzRule::When &w, int year, std::int64_t off_before)
{
    std::int64_t day = 0;
    if (w.kind == 'M') {
        auto wd = date::weekday{unsigned(w.c)};
        auto ym = date::year{year} / date::month{unsigned(w.a)};
        day = (w.b == 5 ? date::sys_days{ym / wd[date::last]}
                        : date::sys_days{ym / wd[unsigned(w.b)]})
                  .time_since_epoch()
                  .count();
    } else {
        day = days_from_civil(year, 1, 1) + w.a;
        if (w.kind == 'J' && !(date::year{year}.is_leap() && w.a >= 60))
            day -= 1;
    }
    return day * 86400 + w.secs - off_before;
}

std::int64_t rule_offset(const TzRule &r, std::int64_t t)
{
    int year = int(date::year_month_day{date::sys_days{date::days{floor_div(t + r.std_off, 86400)}}}
                       .year());
    std::int64_t start = switch_utc(r.start, year, r.std_off);
    std::int64_t end = switch_utc(r.end, year, r.dst_off);
    bool dst = start <= end ? (start <= t && t < end) : !(end <= t && t < start);
    return dst ? r.dst_off : r.std_off;
}

std::optional<TzRule> load_rule(const std::string &zone_name)
{
    std::ifstream in("/usr/share/zoneinfo/" + zone_name, std::ios::binary);
    std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (data.size() < 6 || data.compare(0, 4, "TZif") != 0 || data[4] < '2' || data.back() != '\n')
        return std::nullopt;
    std::size_t nl = data.rfind('\n', data.size() - 2);
    return parse_rule(std::string_view(data).substr(nl + 1, data.size() - nl - 2));
}

// The table's last entry is open-ended (date marks it with year 32767).
bool past_table(date::sys_seconds end)
{
    static const std::int64_t table_end = days_from_civil(32767, 1, 1) * 86400;
    return end.time_since_epoch().count() >= table_end;
}

const TzRule *footer_rule(const date::time_zone *zone)
{
    static std::mutex mu;
    static std::unordered_map<const date::time_zone *, std::optional<TzRule>> cache;
    std::lock_guard lock(mu);
    auto [it, fresh] = cache.try_emplace(zone);
    if (fresh)
        it->second = load_rule(zone->name());
    return it->second ? &*it->second : nullptr;
}

// Wall time in zone -> UTC, refusing wall times the zone skips or repeats rather than
// guessing which instant was meant.
bool local_to_utc(std::int64_t wall_us, const date::time_zone *zone, std::int64_t &utc_us,
                  ConvertError &err)
{
    if (is_utc(zone)) {
        utc_us = wall_us;
        return true;
    }
    // Transitions fall on whole seconds, so the floored second classifies the instant.
    date::local_seconds ls{std::chrono::seconds{floor_div(wall_us, kUsPerSec)}};
    date::local_info info = zone->get_info(ls);
    std::int64_t offset = info.first.offset.count();
    const TzRule *rule = nullptr;
    if (info.result == date::local_info::unique && past_table(info.first.end) &&
        (rule = footer_rule(zone)) != nullptr) {
        std::int64_t secs = ls.time_since_epoch().count();
        bool as_std = rule_offset(*rule, secs - rule->std_off) == rule->std_off;
        bool as_dst = rule_offset(*rule, secs - rule->dst_off) == rule->dst_off;
        info.result = as_std && as_dst && rule->std_off != rule->dst_off
                          ? date::local_info::ambiguous
                      : as_std || as_dst ? date::local_info::unique
                                         : date::local_info::nonexistent;
        offset = as_std ? rule->std_off : rule->dst_off;
    }
    if (info.result == date::local_info::nonexistent)
        return fail(err, Reason::NonexistentLocalTime,
                    fmt::format("{} does not exist in {} (DST gap)", format_wall(wall_us),
                                zone->name()));
    if (info.result == date::local_info::ambiguous)
        return fail(err, Reason::AmbiguousLocalTime,
                    fmt::format("{} is ambiguous in {} (DST fold)", format_wall(wall_us),
                                zone->name()));
    utc_us = wall_us - offset * kUsPerSec;
    return true;
}

std::int64_t utc_to_local(std::int64_t utc_us, const date::time_zone *zone)
{
    if (is_utc(zone))
        return utc_us;
    date::sys_seconds ss{std::chrono::seconds{floor_div(utc_us, kUsPerSec)}};
    date::sys_info info = zone->get_info(ss);
    std::int64_t offset = info.offset.count();
    if (past_table(info.end))
        if (const TzRule *rule = footer_rule(zone))
            offset = rule_offset(*rule, ss.time_since_epoch().count());
    return utc_us + offset * kUsPerSec;
}

// Finds the whole number of microseconds n whose decimal spelling (n / scale in the
// epoch unit) reads back as exactly `v`. A REAL cannot hold 1.1 exactly, so testing the
// binary value for integrality would refuse nearly every fraction; testing the decimal
// round trip accepts exactly the values someone could have written with <= 6 digits.
bool real_to_micros(double v, std::int64_t scale, int frac_digits, std::int64_t &n)
{
    double whole = std::trunc(v);
    double frac = v - whole; // exact for every finite double
    std::int64_t w = static_cast<std::int64_t>(whole);
    std::int64_t r = std::llround(frac * double(scale));
    n = w * scale + r;

    char buf[48];
    char *p = buf;
    std::int64_t a = n < 0 ? -n : n;
    if (n < 0)
        *p++ = '-';
    p = std::to_chars(p, buf + sizeof buf, a / scale).ptr;
    if (frac_digits > 0) {
        *p++ = '.';
        std::int64_t f = a % scale;
        for (int i = frac_digits - 1; i >= 0; --i) {
            p[i] = char('0' + f % 10);
            f /= 10;
        }
        p += frac_digits;
    }
    double back = 0;
    auto res = std::from_chars(buf, p, back);
    return res.ec == std::errc{} && back == v;
}

} // namespace

bool text_to_timestamptz(std::string_view text, const date::time_zone *zone, std::string &out,
                         ConvertError &err)
{
    Fields f;
    if (!parse_datetime(text, f, err))
        return false;
    std::int64_t wall = wall_micros(f), utc = 0;
    if (f.has_offset)
        utc = wall - f.offset_seconds * kUsPerSec;
    else if (!local_to_utc(wall, zone, utc, err))
        return false;
    if (!check_not_bc(utc, err))
        return false;
    write_timestamp(utc, true, out);
    return true;
}

bool text_to_timestamp(std::string_view text, const date::time_zone *zone, std::string &out,
                       ConvertError &err)
{
    Fields f;
    if (!parse_datetime(text, f, err))
        return false;
    // Without an offset the text already is the wall time wanted; even a wall time in a
    // DST gap is kept, since timestamp without time zone stores it as written.
    std::int64_t wall = wall_micros(f);
    if (f.has_offset)
        wall = utc_to_local(wall - f.offset_seconds * kUsPerSec, zone);
    if (!check_not_bc(wall, err))
        return false;
    write_timestamp(wall, false, out);
    return true;
}

bool text_to_date(std::string_view text, std::string &out, ConvertError &err)
{
    Fields f;
    if (!parse_datetime(text, f, err))
        return false;
    // 24:00 is midnight too, but of the next day: either date would be a guess.
    if (f.hour != 0 || f.minute != 0 || f.second != 0 || f.micros != 0)
        return fail(err, Reason::PrecisionLoss, "time part would be dropped");
    if (f.has_offset)
        return fail(err, Reason::PrecisionLoss, "offset would be dropped (a date has no time zone)");
    char buf[16];
    Civil c{f.year, f.month, f.day, 0, 0, 0, 0};
    out.assign(buf, put_date(buf, c));
    return true;
}

bool text_to_time(std::string_view text, std::string &out, ConvertError &err)
{
    if (!check_outer_whitespace(text, err))
        return false;
    if (text.size() >= 5 && is_digit(text[0]) && is_digit(text[1]) && is_digit(text[2]) &&
        is_digit(text[3]) && text[4] == '-')
        return fail(err, Reason::BadTimestamp, "expected a time of day, found a date");
    Fields f;
    std::size_t pos = 0;
    if (!parse_clock(text, pos, f, "expected a time of day as HH:MM[:SS]", err))
        return false;
    if (pos < text.size()) {
        char c = text[pos];
        if (c == 'Z' || c == 'z' || c == '+' || c == '-')
            return fail(err, Reason::BadTimestamp,
                        "offset not allowed for time without time zone");
        if (is_space(c))
            return fail(err, Reason::BadTimestamp, "unexpected whitespace after the time");
        return fail(err, Reason::BadTimestamp, "unexpected text after the time");
    }
    if (!check_clock(f, err))
        return false;
    char buf[24];
    out.assign(buf, put_clock(buf, f.hour, f.minute, f.second, f.micros));
    return true;
}

bool epoch_to_datetime(double value, bool is_integer, std::int64_t ivalue, EpochUnit unit,
                       PgKind kind, const date::time_zone *zone, std::string &out,
                       ConvertError &err)
{
    if (kind != PgKind::Timestamptz && kind != PgKind::Timestamp && kind != PgKind::Date)
        return fail(err, Reason::TypeMismatch,
                    "epoch numbers can only become timestamptz, timestamp or date");
    if (unit == EpochUnit::None)
        return fail(err, Reason::TypeMismatch,
                    is_integer ? "integer in a date/time column; pass --epoch-unit s|ms|us if "
                                 "these are Unix times"
                               : "real in a date/time column; pass --epoch-unit s|ms|us if "
                                 "these are Unix times");
    std::int64_t scale = unit == EpochUnit::Seconds ? kUsPerSec
                         : unit == EpochUnit::Millis ? 1000
                                                     : 1;
    int frac_digits = unit == EpochUnit::Seconds ? 6 : unit == EpochUnit::Millis ? 3 : 0;
    const char *range_msg = "epoch value is outside 0001-01-01..9999-12-31";

    std::int64_t us = 0;
    if (is_integer) {
        if (__builtin_mul_overflow(ivalue, scale, &us))
            return fail(err, Reason::TimestampOutOfRange, range_msg);
    } else {
        if (std::isnan(value) || std::isinf(value))
            return fail(err, Reason::OutOfRange, "infinity or NaN is not a point in time");
        // Coarse bound first so the int64 arithmetic below cannot overflow.
        if (value < double(kMinEpochUs / scale) - 1 || value > double(kMaxEpochUs / scale) + 1)
            return fail(err, Reason::TimestampOutOfRange, range_msg);
        if (!real_to_micros(value, scale, frac_digits, us))
            return fail(err, Reason::PrecisionLoss,
                        "epoch value is not a whole number of microseconds");
    }
    if (us < kMinEpochUs || us > kMaxEpochUs)
        return fail(err, Reason::TimestampOutOfRange, range_msg);

    if (kind == PgKind::Timestamptz) {
        write_timestamp(us, true, out);
        return true;
    }
    std::int64_t wall = utc_to_local(us, zone);
    if (wall < kMinEpochUs || wall > kMaxEpochUs)
        return fail(err, Reason::TimestampOutOfRange,
                    fmt::format("epoch value is outside 0001-01-01..9999-12-31 in {}",
                                zone_name(zone)));
    if (kind == PgKind::Timestamp) {
        write_timestamp(wall, false, out);
        return true;
    }
    Civil c = to_civil(wall);
    if (c.hour != 0 || c.minute != 0 || c.second != 0 || c.micros != 0)
        return fail(err, Reason::PrecisionLoss,
                    fmt::format("time part would be dropped: {:02}:{:02}:{:02} in {} is not "
                                "midnight",
                                c.hour, c.minute, c.second, zone_name(zone)));
    char buf[16];
    out.assign(buf, put_date(buf, c));
    return true;
}

const date::time_zone *find_zone(std::string_view name)
{
    try {
        return date::locate_zone(name);
    } catch (const std::exception &) {
        // nullptr means UTC everywhere, so UTC keeps working on hosts without tzdata.
        if (name == "UTC" || name == "Etc/UTC")
            return nullptr;
        throw std::runtime_error(fmt::format(
            "unknown time zone '{}' for --source-timezone; use an IANA name such as "
            "Europe/Berlin",
            name));
    }
}

} // namespace s2p
