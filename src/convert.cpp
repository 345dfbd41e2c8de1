#include "convert.hpp"

#include "convert_time.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace s2p {

namespace {

// ---------------------------------------------------------------------------
// Error helpers (error path only: allocation is fine here)

Converted fail(ConvertError &err, Reason r, std::string msg)
{
    err.reason = r;
    err.message = std::move(msg);
    return Converted::Error;
}

std::string type_label(const PgType &t)
{
    if (!t.name.empty()) return t.name;
    switch (t.kind) {
    case PgKind::Bool: return "boolean";
    case PgKind::Int2: return "smallint";
    case PgKind::Int4: return "integer";
    case PgKind::Int8: return "bigint";
    case PgKind::Numeric:
        return t.precision > 0 ? fmt::format("numeric({},{})", t.precision, t.scale) : "numeric";
    case PgKind::Float4: return "real";
    case PgKind::Float8: return "double precision";
    case PgKind::Text: return "text";
    case PgKind::Varchar:
        return t.length >= 0 ? fmt::format("character varying({})", t.length) : "character varying";
    case PgKind::Bpchar: return t.length >= 0 ? fmt::format("character({})", t.length) : "bpchar";
    case PgKind::Json: return "json";
    case PgKind::Jsonb: return "jsonb";
    case PgKind::Uuid: return "uuid";
    case PgKind::Bytea: return "bytea";
    case PgKind::Date: return "date";
    case PgKind::Time: return "time without time zone";
    case PgKind::Timestamp: return "timestamp without time zone";
    case PgKind::Timestamptz: return "timestamp with time zone";
    case PgKind::Other: break;
    }
    return "target";
}

Converted mismatch(const SqlValue &v, const PgType &t, ConvertError &err)
{
    return fail(err, Reason::TypeMismatch,
                fmt::format("{} value in a {} column", storage_class_name(v.cls), type_label(t)));
}

// ---------------------------------------------------------------------------
// Number formatting

void append_int(std::string &out, std::int64_t v)
{
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// PostgreSQL's spellings of the non-finite values; to_chars would write "inf".
template <class F> void append_float(std::string &out, F v)
{
    if (std::isnan(v)) {
        out += "NaN";
    } else if (std::isinf(v)) {
        out += v > 0 ? "Infinity" : "-Infinity";
    } else {
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, v);
        out.append(buf, r.ptr);
    }
}

template <class F> std::string float_text(F v)
{
    std::string s;
    append_float(s, v);
    return s;
}

// ---------------------------------------------------------------------------
// Text checks

// isspace() in the C locale, which is what PostgreSQL's input functions skip.
constexpr bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view lower)
{
    if (a.size() != lower.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lower[i]) return false;
    }
    return true;
}

// Only used to explain a failure, so it may be slow; the verdict comes from valid_utf8.
std::size_t utf8_error_offset(std::string_view s)
{
    auto const *p = reinterpret_cast<const unsigned char *>(s.data());
    std::size_t const n = s.size();
    std::size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        std::size_t len;
        unsigned lo = 0x80, hi = 0xBF; // allowed range of the second byte
        if (c < 0x80) { ++i; continue; }
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;      // overlong
            if (c == 0xED) hi = 0x9F;      // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;      // overlong
            if (c == 0xF4) hi = 0x8F;      // above U+10FFFF
        } else return i;
        if (i + len > n) return i;
        if (p[i + 1] < lo || p[i + 1] > hi) return i;
        for (std::size_t k = 2; k < len; ++k)
            if ((p[i + k] & 0xC0) != 0x80) return i;
        i += len;
    }
    return n;
}

// Every value that reaches PostgreSQL as text passes here: UTF-8 and no NUL.
bool text_ok(std::string_view s, bool is_blob, ConvertError &err)
{
    const char *p = s.data();
    std::size_t const n = s.size();
    std::size_t i = 0;
    // Plain ASCII without NUL is by far the common case: 8 bytes per step.
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        std::uint64_t const zero = (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
        if ((w & 0x8080808080808080ULL) != 0 || zero != 0) break;
    }
    for (; i < n; ++i) {
        auto const c = static_cast<unsigned char>(p[i]);
        if (c == 0 || c >= 0x80) break;
    }
    if (i == n) return true;
    std::string_view const what = is_blob ? "BLOB value is not valid UTF-8 text" : "invalid UTF-8";
    if (!simdjson::validate_utf8(p + i, n - i)) {
        err.reason = Reason::InvalidUtf8;
        err.message = fmt::format("{} (at byte {})", what, utf8_error_offset(s));
        return false;
    }
    if (const void *z = std::memchr(p + i, 0, n - i)) {
        err.reason = Reason::NulByte;
        err.message = fmt::format("{} NUL byte at byte {}; PostgreSQL text cannot hold it",
                                  is_blob ? "BLOB value has a" : "text has a",
                                  static_cast<const char *>(z) - p);
        return false;
    }
    return true;
}

// ---------------------------------------------------------------------------
// Numbers from text

enum class Special { None, NaN, PosInf, NegInf };

// NaN and infinity in the spellings strtod and PostgreSQL accept.
Special special_word(std::string_view s, bool &signed_word)
{
    signed_word = !s.empty() && (s[0] == '+' || s[0] == '-');
    bool const neg = !s.empty() && s[0] == '-';
    if (signed_word) s.remove_prefix(1);
    if (iequals(s, "nan")) return Special::NaN;
    if (iequals(s, "inf") || iequals(s, "infinity")) return neg ? Special::NegInf : Special::PosInf;
    return Special::None;
}

// [sign] (digits [. digits*] | . digits) [e [sign] digits]; the exponent saturates
// so that absurd exponents cannot overflow later arithmetic.
struct Decimal {
    bool neg = false;
    std::string_view ipart, fpart;
    std::int64_t exp = 0;
};

bool parse_decimal(std::string_view s, Decimal &d)
{
    std::size_t i = 0, n = s.size();
    auto digit = [&](std::size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
    if (i < n && (s[i] == '+' || s[i] == '-')) d.neg = s[i++] == '-';
    std::size_t b = i;
    while (digit(i)) ++i;
    d.ipart = s.substr(b, i - b);
    if (i < n && s[i] == '.') {
        b = ++i;
        while (digit(i)) ++i;
        d.fpart = s.substr(b, i - b);
    }
    if (d.ipart.empty() && d.fpart.empty()) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        if (!digit(i)) return false;
        std::int64_t e = 0;
        for (; digit(i); ++i) e = std::min<std::int64_t>(e * 10 + (s[i] - '0'), 1'000'000'000'000);
        d.exp = eneg ? -e : e;
    }
    return i == n;
}

Converted parse_double_text(std::string_view text, const PgType &t, double &d, ConvertError &err)
{
    std::string_view s = trim(text);
    bool sgn;
    switch (special_word(s, sgn)) {
    case Special::NaN: d = std::nan(""); return Converted::Value;
    case Special::PosInf: d = HUGE_VAL; return Converted::Value;
    case Special::NegInf: d = -HUGE_VAL; return Converted::Value;
    case Special::None: break;
    }
    Decimal dec;
    if (!parse_decimal(s, dec))
        return fail(err, Reason::BadNumber,
                    fmt::format("not a valid number for {}", type_label(t)));
    // from_chars rejects a leading '+', which the grammar above has vetted.
    if (s[0] == '+') s.remove_prefix(1);
    auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ec == std::errc::result_out_of_range) {
        // Decimal exponent of the leading digit tells overflow from underflow.
        std::string_view const digits[2] = {dec.ipart, dec.fpart};
        std::int64_t pos = 0, lead = 0;
        bool found = false;
        for (auto part : digits)
            for (char c : part) {
                if (c != '0' && !found) {
                    found = true;
                    lead = static_cast<std::int64_t>(dec.ipart.size()) - pos;
                }
                ++pos;
            }
        return fail(err, Reason::OutOfRange,
                    fmt::format("value is {} for {}",
                                lead + dec.exp <= 0 ? "too close to zero" : "out of range",
                                type_label(t)));
    }
    if (r.ec != std::errc() || r.ptr != s.data() + s.size())
        return fail(err, Reason::BadNumber, fmt::format("not a valid number for {}", type_label(t)));
    return Converted::Value;
}

// ---------------------------------------------------------------------------
// Per-kind conversions

Converted to_bool(const SqlValue &v, const PgType &t, std::string &out, ConvertError &err)
{
    int b = -1;
    switch (v.cls) {
    case StorageClass::Integer:
        if (v.i == 0 || v.i == 1) b = static_cast<int>(v.i);
        else return fail(err, Reason::BadBoolean, fmt::format("{} is not a boolean (0 or 1)", v.i));
        break;
    case StorageClass::Real:
        if (v.d == 0.0 || v.d == 1.0) b = v.d == 1.0;
        else return fail(err, Reason::BadBoolean,
                         fmt::format("{} is not a boolean (0 or 1)", float_text(v.d)));
        break;
    case StorageClass::Text: {
        if (!text_ok(v.bytes, false, err)) return Converted::Error;
        // parse_bool_with_len(): any prefix of the words, but "o" alone is ambiguous.
        std::string_view s = trim(v.bytes);
        auto prefix_of = [&](std::string_view word, std::size_t min_len) {
            if (s.size() < min_len || s.size() > word.size()) return false;
            return iequals(s, word.substr(0, s.size()));
        };
        if (prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || s == "1") b = 1;
        else if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || s == "0")
            b = 0;
        else
            return fail(err, Reason::BadBoolean,
                        "not a boolean (true/false, yes/no, on/off, t/f, y/n, 1/0)");
        break;
    }
    default: return mismatch(v, t, err);
    }
    out.assign(b ? "t" : "f");
    return Converted::Value;
}

Converted to_integer(const SqlValue &v, const PgType &t, std::string &out, ConvertError &err)
{
    std::int64_t lo = INT64_MIN, hi = INT64_MAX;
    if (t.kind == PgKind::Int2) lo = INT16_MIN, hi = INT16_MAX;
    if (t.kind == PgKind::Int4) lo = INT32_MIN, hi = INT32_MAX;
    std::int64_t val = 0;
    switch (v.cls) {
    case StorageClass::Integer: val = v.i; break;
    case StorageClass::Real: {
        double const d = v.d;
        if (std::isnan(d))
            return fail(err, Reason::OutOfRange, fmt::format("NaN cannot be stored in {}", type_label(t)));
        if (std::isfinite(d) && d != std::trunc(d))
            return fail(err, Reason::FractionToInteger,
                        fmt::format("{} has a fractional part; {} holds whole numbers",
                                    float_text(d), type_label(t)));
        // 2^63 itself is the first double beyond int64 (INT64_MAX rounds up to it).
        if (!(d >= -0x1p63 && d < 0x1p63) || d < static_cast<double>(lo) ||
            d > static_cast<double>(hi))
            return fail(err, Reason::OutOfRange,
                        fmt::format("{} is out of range for {}", float_text(d), type_label(t)));
        val = static_cast<std::int64_t>(d);
        break;
    }
    case StorageClass::Text: {
        if (!text_ok(v.bytes, false, err)) return Converted::Error;
        std::string_view s = trim(v.bytes);
        std::size_t digits_from = !s.empty() && (s[0] == '+' || s[0] == '-') ? 1 : 0;
        bool ok = s.size() > digits_from;
        for (std::size_t k = digits_from; ok && k < s.size(); ++k) ok = s[k] >= '0' && s[k] <= '9';
        if (!ok)
            return fail(err, Reason::BadNumber, fmt::format("not a valid {}", type_label(t)));
        if (s[0] == '+') s.remove_prefix(1);
        auto r = std::from_chars(s.data(), s.data() + s.size(), val);
        if (r.ec == std::errc::result_out_of_range)
            return fail(err, Reason::OutOfRange,
                        fmt::format("value is out of range for {}", type_label(t)));
        if (r.ec != std::errc() || r.ptr != s.data() + s.size())
            return fail(err, Reason::BadNumber, fmt::format("not a valid {}", type_label(t)));
        break;
    }
    default: return mismatch(v, t, err);
    }
    if (val < lo || val > hi)
        return fail(err, Reason::OutOfRange, fmt::format("{} is out of range for {}", val, type_label(t)));
    out.clear();
    append_int(out, val);
    return Converted::Value;
}

// An integer is exact in a double/float only if it converts back unchanged;
// the bound check keeps the conversion back defined.
template <class F> bool int_exact(std::int64_t i)
{
    F const f = static_cast<F>(i);
    return f < static_cast<F>(0x1p63) && static_cast<std::int64_t>(f) == i;
}

Converted float4_from_double(double d, const PgType &t, std::string &out, ConvertError &err)
{
    if (!std::isfinite(d)) {
        out.clear();
        append_float(out, d);
        return Converted::Value;
    }
    // Halfway between FLT_MAX and the next power of two: from there on a float rounds
    // to infinity (and the conversion itself would be undefined).
    if (std::fabs(d) >= 0x1.ffffffp127)
        return fail(err, Reason::OutOfRange,
                    fmt::format("{} is out of range for {}", float_text(d), type_label(t)));
    auto const f = static_cast<float>(d);
    if (f == 0.0f && d != 0.0)
        return fail(err, Reason::OutOfRange,
                    fmt::format("{} is too close to zero for {}", float_text(d), type_label(t)));
    out.clear();
    append_float(out, f);
    // Not exact, but the decimal the user sees stays the same (0.1 and 0.1f).
    char buf[64];
    auto const r = std::to_chars(buf, buf + sizeof buf, d);
    if (static_cast<double>(f) != d && std::string_view(out) != std::string_view(buf, r.ptr - buf))
        return fail(err, Reason::PrecisionLoss,
                    fmt::format("{} would be rounded to {} in {}", float_text(d), out, type_label(t)));
    return Converted::Value;
}

Converted to_float(const SqlValue &v, const PgType &t, std::string &out, ConvertError &err)
{
    bool const single = t.kind == PgKind::Float4;
    double d = 0;
    switch (v.cls) {
    case StorageClass::Integer:
        if (single ? !int_exact<float>(v.i) : !int_exact<double>(v.i))
            return fail(err, Reason::PrecisionLoss,
                        fmt::format("{} cannot be stored exactly in {}", v.i, type_label(t)));
        out.clear();
        if (single) append_float(out, static_cast<float>(v.i));
        else append_int(out, v.i);
        return Converted::Value;
    case StorageClass::Real: d = v.d; break;
    case StorageClass::Text:
        if (!text_ok(v.bytes, false, err)) return Converted::Error;
        if (parse_double_text(v.bytes, t, d, err) != Converted::Value) return Converted::Error;
        break;
    default: return mismatch(v, t, err);
    }
    if (single) return float4_from_double(d, t, out, err);
    out.clear();
    append_float(out, d);
    return Converted::Value;
}

// numeric limits of PostgreSQL's storage format (NUMERIC_WEIGHT_MAX, NUMERIC_DSCALE_MAX)
constexpr std::int64_t numeric_max_int_digits = 131072;
constexpr std::int64_t numeric_max_scale = 16383;

// Writes dec as plain decimal with its own scale, checking numeric(p,s) without rounding.
Converted write_numeric(const Decimal &dec, const PgType &t, std::string &out, ConvertError &err)
{
    auto const ni = static_cast<std::int64_t>(dec.ipart.size());
    auto const n = ni + static_cast<std::int64_t>(dec.fpart.size());
    auto digit = [&](std::int64_t k) { return k < ni ? dec.ipart[k] : dec.fpart[k - ni]; };
    std::int64_t const point = ni + dec.exp; // digits before the decimal point
    std::int64_t z = 0;                      // first significant digit
    while (z < n && digit(z) == '0') ++z;
    bool const zero = z == n;
    std::int64_t const scale = std::max<std::int64_t>(0, n - point);
    std::int64_t const int_digits = zero ? 0 : point - z; // <= 0 for |value| < 1
    if (int_digits > numeric_max_int_digits || scale > numeric_max_scale)
        return fail(err, Reason::OutOfRange,
                    "value overflows numeric format (at most 131072 digits before the point "
                    "and 16383 after)");
    if (t.precision > 0) {
        std::int64_t const allowed = t.precision - t.scale;
        if (!zero && int_digits > allowed)
            return fail(err, Reason::OutOfRange,
                        allowed > 0 ? fmt::format("numeric field overflow: {} allows {} digits "
                                                  "before the point",
                                                  type_label(t), allowed)
                                    : fmt::format("numeric field overflow: {} allows only "
                                                  "absolute values below 1e{}",
                                                  type_label(t), allowed));
        for (std::int64_t k = std::max<std::int64_t>(0, point + t.scale); k < n; ++k)
            if (digit(k) != '0')
                return fail(err, Reason::PrecisionLoss,
                            fmt::format("would be rounded to {} decimal places by {}", t.scale,
                                        type_label(t)));
    }
    out.clear();
    if (dec.neg && !zero) out += '-';
    if (int_digits <= 0) {
        out += '0';
    } else {
        for (std::int64_t k = z; k < std::min(point, n); ++k) out += digit(k);
        if (point > n) out.append(static_cast<std::size_t>(point - n), '0');
    }
    if (scale > 0) {
        out += '.';
        if (point < 0) out.append(static_cast<std::size_t>(-point), '0');
        for (std::int64_t k = std::max<std::int64_t>(point, 0); k < n; ++k) out += digit(k);
    }
    return Converted::Value;
}

Converted numeric_special(Special sp, const PgType &t, std::string &out, ConvertError &err)
{
    if (sp != Special::NaN && t.precision > 0)
        return fail(err, Reason::OutOfRange,
                    fmt::format("numeric field overflow: {} cannot hold infinity", type_label(t)));
    out.assign(sp == Special::NaN ? "NaN" : sp == Special::PosInf ? "Infinity" : "-Infinity");
    return Converted::Value;
}

Converted to_numeric(const SqlValue &v, const PgType &t, std::string &out, ConvertError &err)
{
    char buf[64];
    Decimal dec;
    switch (v.cls) {
    case StorageClass::Integer: {
        if (t.precision <= 0) {
            out.clear();
            append_int(out, v.i);
            return Converted::Value;
        }
        auto r = std::to_chars(buf, buf + sizeof buf, v.i);
        parse_decimal(std::string_view(buf, r.ptr - buf), dec);
        break;
    }
    case StorageClass::Real: {
        if (std::isnan(v.d)) return numeric_special(Special::NaN, t, out, err);
        if (std::isinf(v.d))
            return numeric_special(v.d > 0 ? Special::PosInf : Special::NegInf, t, out, err);
        // Shortest round trip, in scientific form so one parser expands every case.
        auto r = std::to_chars(buf, buf + sizeof buf, v.d, std::chars_format::scientific);
        parse_decimal(std::string_view(buf, r.ptr - buf), dec);
        break;
    }
    case StorageClass::Text: {
        if (!text_ok(v.bytes, false, err)) return Converted::Error;
        std::string_view const s = trim(v.bytes);
        bool sgn;
        Special const sp = special_word(s, sgn);
        if (sp != Special::None && !(sp == Special::NaN && sgn))
            return numeric_special(sp, t, out, err);
        if (!parse_decimal(s, dec))
            return fail(err, Reason::BadNumber, fmt::format("not a valid {}", type_label(t)));
        break;
    }
    default: return mismatch(v, t, err);
    }
    return write_numeric(dec, t, out, err);
}

Converted to_text(const SqlValue &v, const PgType &t, std::string &out, ConvertError &err)
{
    switch (v.cls) {
    case StorageClass::Integer: out.clear(); append_int(out, v.i); break;
    case StorageClass::Real: out.clear(); append_float(out, v.d); break;
    case StorageClass::Text:
    case StorageClass::Blob:
        if (!text_ok(v.bytes, v.cls == StorageClass::Blob, err)) return Converted::Error;
        out.assign(v.bytes);
        break;
    default: return mismatch(v, t, err);
    }
    // Code points never outnumber bytes, so short values skip the count.
    if ((t.kind == PgKind::Varchar || t.kind == PgKind::Bpchar) && t.length >= 0 &&
        out.size() > static_cast<std::size_t>(t.length)) {
        std::size_t const len = utf8_length(out);
        if (len > static_cast<std::size_t>(t.length))
            return fail(err, Reason::TooLong,
                        fmt::format("{} characters, {} allows {}", len, type_label(t), t.length));
    }
    return Converted::Value;
}

Converted to_json(const SqlValue &v, const PgType &t, std::string &out, ConvertError &err)
{
    switch (v.cls) {
    case StorageClass::Integer: out.clear(); append_int(out, v.i); return Converted::Value;
    case StorageClass::Real:
        if (!std::isfinite(v.d))
            return fail(err, Reason::BadJson,
                        fmt::format("{} is not a JSON number", float_text(v.d)));
        out.clear();
        append_float(out, v.d);
        return Converted::Value;
    case StorageClass::Text:
    case StorageClass::Blob: break;
    default: return mismatch(v, t, err);
    }
    if (!text_ok(v.bytes, v.cls == StorageClass::Blob, err)) return Converted::Error;
    if (!check_json(v.bytes, t.kind == PgKind::Jsonb, err)) return Converted::Error;
    out.assign(v.bytes);
    return Converted::Value;
}

constexpr std::array<char, 512> hex_pairs = [] {
    std::array<char, 512> a{};
    constexpr char digits[] = "0123456789abcdef";
    for (int i = 0; i < 256; ++i) {
        a[2 * i] = digits[i >> 4];
        a[2 * i + 1] = digits[i & 15];
    }
    return a;
}();

// Writes 2 hex digits per byte at dst.
void write_hex(char *dst, const unsigned char *src, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) std::memcpy(dst + 2 * i, &hex_pairs[2 * src[i]], 2);
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void write_uuid(std::string &out, const unsigned char (&b)[16])
{
    out.resize(36);
    char *d = out.data();
    write_hex(d, b, 4);
    d[8] = '-';
    write_hex(d + 9, b + 4, 2);
    d[13] = '-';
    write_hex(d + 14, b + 6, 2);
    d[18] = '-';
    write_hex(d + 19, b + 8, 2);
    d[23] = '-';
    write_hex(d + 24, b + 10, 6);
}

Converted to_uuid(const SqlValue &v, const PgType &t, std::string &out, ConvertError &err)
{
    unsigned char b[16];
    if (v.cls == StorageClass::Blob) {
        if (v.bytes.size() != 16)
            return fail(err, Reason::BadUuid,
                        fmt::format("blob of {} bytes, a uuid is 16", v.bytes.size()));
        std::memcpy(b, v.bytes.data(), 16);
        write_uuid(out, b);
        return Converted::Value;
    }
    if (v.cls != StorageClass::Text) return mismatch(v, t, err);
    if (!text_ok(v.bytes, false, err)) return Converted::Error;
    // string_to_uuid(): optional braces, a hyphen allowed after any group of 4 digits.
    std::string_view s = v.bytes;
    std::size_t p = 0;
    bool const braces = !s.empty() && s[0] == '{';
    p += braces;
    bool ok = true;
    for (int i = 0; ok && i < 16; ++i) {
        int const h = p + 1 < s.size() ? hex_value(s[p]) : -1;
        int const l = h >= 0 ? hex_value(s[p + 1]) : -1;
        ok = l >= 0;
        b[i] = static_cast<unsigned char>(h << 4 | l);
        p += 2;
        if (ok && p < s.size() && s[p] == '-' && i % 2 == 1 && i < 15) ++p;
    }
    if (ok && braces) ok = p < s.size() && s[p++] == '}';
    if (!ok || p != s.size())
        return fail(err, Reason::BadUuid,
                    "not a uuid (expected 32 hex digits, as 8-4-4-4-12 with hyphens)");
    write_uuid(out, b);
    return Converted::Value;
}

Converted to_bytea(const SqlValue &v, const PgType &t, const ConvertOptions &o, std::string &out,
                   ConvertError &err)
{
    if (v.cls == StorageClass::Text && !o.text_to_bytea)
        return fail(err, Reason::TypeMismatch,
                    "text in a bytea column; pass --text-to-bytea to store its bytes");
    if (v.cls != StorageClass::Blob && v.cls != StorageClass::Text) return mismatch(v, t, err);
    out.resize(2 + 2 * v.bytes.size());
    out[0] = '\\';
    out[1] = 'x';
    write_hex(out.data() + 2, reinterpret_cast<const unsigned char *>(v.bytes.data()),
              v.bytes.size());
    return Converted::Value;
}

// timestamp(p) / time(p) round to p fractional digits (Prisma makes timestamp(3)):
// digits beyond p that are not zero would be rounded away.
bool fits_precision(const std::string &out, const PgType &t, ConvertError &err)
{
    if (t.precision < 0 || t.precision >= 6 || t.kind == PgKind::Date) return true;
    std::size_t const colon = out.rfind(':');
    if (colon == std::string::npos || colon + 3 >= out.size() || out[colon + 3] != '.') return true;
    std::size_t const first = colon + 4;
    std::size_t last = first;
    while (last < out.size() && out[last] >= '0' && out[last] <= '9') ++last;
    for (std::size_t i = first + static_cast<std::size_t>(t.precision); i < last; ++i) {
        if (out[i] != '0') {
            err.reason = Reason::PrecisionLoss;
            err.message = fmt::format("{} keeps {} fractional digit{}; .{} would be rounded", t.name, t.precision,
                                      t.precision == 1 ? "" : "s", out.substr(first, last - first));
            return false;
        }
    }
    return true;
}

Converted to_datetime(const SqlValue &v, const PgType &t, const ConvertOptions &o,
                      std::string &out, ConvertError &err)
{
    bool ok = false;
    out.clear();
    switch (v.cls) {
    case StorageClass::Text:
        if (!text_ok(v.bytes, false, err)) return Converted::Error;
        switch (t.kind) {
        case PgKind::Date: ok = text_to_date(v.bytes, out, err); break;
        case PgKind::Time: ok = text_to_time(v.bytes, out, err); break;
        case PgKind::Timestamp: ok = text_to_timestamp(v.bytes, o.source_zone, out, err); break;
        default: ok = text_to_timestamptz(v.bytes, o.source_zone, out, err); break;
        }
        break;
    case StorageClass::Integer:
    case StorageClass::Real:
        // A number of seconds is no time of day.
        if (t.kind == PgKind::Time) return mismatch(v, t, err);
        if (v.cls == StorageClass::Integer)
            ok = epoch_to_datetime(static_cast<double>(v.i), true, v.i, o.epoch, t.kind,
                                   o.source_zone, out, err);
        else
            ok = epoch_to_datetime(v.d, false, 0, o.epoch, t.kind, o.source_zone, out, err);
        break;
    default: return mismatch(v, t, err);
    }
    if (!ok) return Converted::Error;
    return fits_precision(out, t, err) ? Converted::Value : Converted::Error;
}

} // namespace

bool valid_utf8(std::string_view s)
{
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        if (w & 0x8080808080808080ULL) break;
    }
    while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
    return i == s.size() || simdjson::validate_utf8(s.data() + i, s.size() - i);
}

std::size_t utf8_length(std::string_view s)
{
    std::size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

Converted convert_value(const SqlValue &v, const PgType &t, const ConvertOptions &o,
                        std::string &out, ConvertError &err)
{
    if (v.cls == StorageClass::Null) return Converted::Null;
    switch (t.kind) {
    case PgKind::Bool: return to_bool(v, t, out, err);
    case PgKind::Int2:
    case PgKind::Int4:
    case PgKind::Int8: return to_integer(v, t, out, err);
    case PgKind::Float4:
    case PgKind::Float8: return to_float(v, t, out, err);
    case PgKind::Numeric: return to_numeric(v, t, out, err);
    case PgKind::Text:
    case PgKind::Varchar:
    case PgKind::Bpchar:
    case PgKind::Other: return to_text(v, t, out, err);
    case PgKind::Json:
    case PgKind::Jsonb: return to_json(v, t, out, err);
    case PgKind::Uuid: return to_uuid(v, t, out, err);
    case PgKind::Bytea: return to_bytea(v, t, o, out, err);
    case PgKind::Date:
    case PgKind::Time:
    case PgKind::Timestamp:
    case PgKind::Timestamptz: return to_datetime(v, t, o, out, err);
    }
    return mismatch(v, t, err);
}

} // namespace s2p
