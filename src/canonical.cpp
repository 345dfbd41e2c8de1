#include "canonical.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <utility>
#include <vector>

namespace s2p {

namespace {

// ---------------------------------------------------------------------------
// Scalars

template <class F> bool canonical_float(std::string_view text, std::string &out)
{
    F v{};
    auto const r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return false;
    // PostgreSQL's spellings; all NaNs are one value to PostgreSQL.
    if (std::isnan(v)) out = "NaN";
    else if (std::isinf(v)) out = v > 0 ? "Infinity" : "-Infinity";
    else {
        char buf[64];
        auto const w = std::to_chars(buf, buf + sizeof buf, v);
        out.assign(buf, w.ptr);
    }
    return true;
}

// numeric(p,s) stores exactly s fraction digits (none for a negative s); the conversion
// has already refused values that would need rounding, so only zeros are added or cut.
bool canonical_numeric(const PgType &t, std::string_view text, std::string &out)
{
    out.assign(text);
    if (t.precision <= 0 || text.empty() || (text[0] != '-' && (text[0] < '0' || text[0] > '9')))
        return true; // unconstrained, NaN, Infinity
    auto const scale = static_cast<std::size_t>(std::max(t.scale, 0));
    std::size_t const dot = out.find('.');
    std::size_t const have = dot == std::string::npos ? 0 : out.size() - dot - 1;
    if (have < scale) {
        if (dot == std::string::npos) out += '.';
        out.append(scale - have, '0');
    } else if (have > scale) {
        std::size_t const keep = dot + 1 + scale;
        if (out.find_first_not_of('0', keep) != std::string::npos) return false;
        out.resize(scale == 0 ? dot : keep);
    }
    return true;
}

// PostgreSQL prints fractions of seconds without trailing zeros; our conversion does
// too, but the rule is cheap and makes the comparison independent of that detail.
void canonical_time(std::string_view text, std::string &out)
{
    out.assign(text);
    std::size_t const dot = out.find('.');
    if (dot == std::string::npos) return;
    std::size_t end = dot + 1;
    while (end < out.size() && out[end] >= '0' && out[end] <= '9') ++end;
    std::size_t cut = end;
    while (cut > dot + 1 && out[cut - 1] == '0') --cut;
    if (cut == dot + 1) cut = dot;
    out.erase(cut, end - cut);
}

// ---------------------------------------------------------------------------
// JSON
//
// One pass over the text, writing the canonical form straight into the output: strings
// are copied in runs between escapes, numbers rewritten in place, and an object's members
// are reordered only when they are not already in canonical key order. That order is
// jsonb's own (shorter keys first, then by bytes), so PostgreSQL's jsonb output, the
// target side of every comparison, never needs sorting. Buffers are reused across calls
// (one set per thread), so a value costs no heap allocation once they have grown.

// Deep enough for any real document; bounded so a hostile one cannot exhaust the stack.
constexpr int json_max_depth = 4096;

// Members up to this many are put in order by insertion sort (no allocation; objects are
// small); larger ones by std::stable_sort.
constexpr std::size_t json_insertion_sort_max = 32;

void append_utf8(std::string &out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

constexpr char hex_digits[] = "0123456789abcdef";

// The one escaped spelling of an unescaped byte inside a canonical string.
void put_string_byte(unsigned char c, std::string &out)
{
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
        if (c < 0x20) {
            char const u[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 15]};
            out.append(u, 6);
        } else {
            out += static_cast<char>(c);
        }
    }
}

// Bytes a string copies as they are: not '"', not '\\', not a control character.
struct PlainBytes {
    bool plain[256];
    constexpr PlainBytes() : plain()
    {
        for (int c = 0; c < 256; ++c) plain[c] = c >= 0x20 && c != '"' && c != '\\';
    }
};
constexpr PlainBytes plain_bytes;

void append_json_number(std::string_view text, std::string &out);

class JsonCanon {
public:
    JsonCanon(std::string_view s, std::string &out, std::vector<std::size_t> &members, std::string &scratch,
              std::vector<std::size_t> &order)
        : m_s(s), m_out(out), m_members(members), m_scratch(scratch), m_order(order)
    {
    }

    bool document()
    {
        ws();
        if (!value(0)) return false;
        ws();
        return m_p == m_s.size() || fail("trailing characters after the JSON value");
    }
    const std::string &error() const { return m_error; }

private:
    bool fail(const char *what)
    {
        if (m_error.empty()) m_error = fmt::format("{} at byte {}", what, m_p);
        return false;
    }
    bool at(char c) const { return m_p < m_s.size() && m_s[m_p] == c; }
    void ws()
    {
        while (m_p < m_s.size() && (m_s[m_p] == ' ' || m_s[m_p] == '\t' || m_s[m_p] == '\n' || m_s[m_p] == '\r'))
            ++m_p;
    }
    bool literal(std::string_view word)
    {
        if (m_s.substr(m_p, word.size()) != word) return fail("invalid literal");
        m_p += word.size();
        m_out += word;
        return true;
    }
    int hex4()
    {
        if (m_p + 4 > m_s.size()) return -1;
        int v = 0;
        for (int k = 0; k < 4; ++k) {
            char const c = m_s[m_p + static_cast<std::size_t>(k)];
            int const h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (h < 0) return -1;
            v = v << 4 | h;
        }
        m_p += 4;
        return v;
    }

    // A string, unescaped and re-escaped one way. A lone surrogate escape (json allows
    // it, jsonb does not) is kept as the text "\uXXXX" (escaped backslash), so that it
    // stays distinct from every real character.
    bool string()
    {
        ++m_p; // opening quote
        m_out += '"';
        for (;;) {
            std::size_t const run = m_p;
            while (m_p < m_s.size() && plain_bytes.plain[static_cast<unsigned char>(m_s[m_p])]) ++m_p;
            m_out.append(m_s.data() + run, m_p - run);
            if (m_p >= m_s.size()) return fail("unterminated string");
            char const c = m_s[m_p];
            if (c == '"') {
                ++m_p;
                m_out += '"';
                return true;
            }
            if (c != '\\') return fail("control character in a string");
            if (++m_p >= m_s.size()) return fail("unterminated string");
            char const e = m_s[m_p++];
            switch (e) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't': {
                static constexpr std::string_view from = "\"\\/bfnrt", to = "\"\\/\b\f\n\r\t";
                put_string_byte(static_cast<unsigned char>(to[from.find(e)]), m_out);
                break;
            }
            case 'u': {
                int cp = hex4();
                if (cp < 0) return fail("invalid \\u escape");
                if (cp >= 0xD800 && cp <= 0xDBFF && m_s.substr(m_p, 2) == "\\u") {
                    std::size_t const save = m_p;
                    m_p += 2;
                    int const lo = hex4();
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        append_utf8(m_out, 0x10000u + ((static_cast<std::uint32_t>(cp) - 0xD800u) << 10) +
                                               (static_cast<std::uint32_t>(lo) - 0xDC00u));
                        break;
                    }
                    m_p = save;
                }
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    char const u[7] = {'\\', '\\', 'u', hex_digits[cp >> 12], hex_digits[(cp >> 8) & 15],
                                       hex_digits[(cp >> 4) & 15], hex_digits[cp & 15]};
                    m_out.append(u, 7);
                } else if (cp < 0x80) {
                    put_string_byte(static_cast<unsigned char>(cp), m_out);
                } else {
                    append_utf8(m_out, static_cast<std::uint32_t>(cp));
                }
                break;
            }
            default: return fail("invalid escape in a string");
            }
        }
    }

    bool number()
    {
        std::size_t const b = m_p;
        auto digit = [&] { return m_p < m_s.size() && m_s[m_p] >= '0' && m_s[m_p] <= '9'; };
        if (m_s[m_p] == '-') ++m_p;
        if (!digit()) return fail("invalid number");
        if (m_s[m_p] == '0') ++m_p;
        else while (digit()) ++m_p;
        if (at('.')) {
            ++m_p;
            if (!digit()) return fail("invalid number");
            while (digit()) ++m_p;
        }
        if (at('e') || at('E')) {
            ++m_p;
            if (at('+') || at('-')) ++m_p;
            if (!digit()) return fail("invalid number");
            while (digit()) ++m_p;
        }
        append_json_number(m_s.substr(b, m_p - b), m_out);
        return true;
    }

    bool value(int depth)
    {
        if (depth > json_max_depth) return fail("nested too deeply");
        if (m_p >= m_s.size()) return fail("unexpected end");
        switch (m_s[m_p]) {
        case '{': return object(depth);
        case '[': return array(depth);
        case '"': return string();
        case 't': return literal("true");
        case 'f': return literal("false");
        case 'n': return literal("null");
        default: return number();
        }
    }

    bool array(int depth)
    {
        ++m_p;
        m_out += '[';
        ws();
        if (at(']')) {
            ++m_p;
            m_out += ']';
            return true;
        }
        for (bool first = true;; first = false) {
            if (!first) m_out += ',';
            ws();
            if (!value(depth + 1)) return false;
            ws();
            if (at(',')) { ++m_p; continue; }
            if (at(']')) { ++m_p; m_out += ']'; return true; }
            return fail("expected ',' or ']'");
        }
    }

    // Members are kept as offsets into the output, three per member (key start, key end
    // = where ':' is, member end), on one stack shared by the nested objects.
    bool key_less(std::size_t a, std::size_t b) const
    {
        std::size_t const la = m_members[a + 1] - m_members[a], lb = m_members[b + 1] - m_members[b];
        if (la != lb) return la < lb;
        return std::memcmp(m_out.data() + m_members[a], m_out.data() + m_members[b], la) < 0;
    }
    bool key_equal(std::size_t a, std::size_t b) const { return !key_less(a, b) && !key_less(b, a); }

    bool object(int depth)
    {
        ++m_p;
        m_out += '{';
        std::size_t const body = m_out.size();
        std::size_t const base = m_members.size();
        ws();
        if (at('}')) {
            ++m_p;
            m_out += '}';
            return true;
        }
        for (;;) {
            ws();
            if (!at('"')) return fail("expected a key");
            if (m_members.size() > base) m_out += ',';
            std::size_t const key = m_out.size();
            if (!string()) return false;
            std::size_t const key_end = m_out.size();
            ws();
            if (!at(':')) return fail("expected ':'");
            ++m_p;
            m_out += ':';
            ws();
            if (!value(depth + 1)) return false;
            // After value(): a nested object may have been shortened by dropped duplicates.
            m_members.insert(m_members.end(), {key, key_end, m_out.size()});
            ws();
            if (at(',')) { ++m_p; continue; }
            if (at('}')) { ++m_p; break; }
            return fail("expected ',' or '}'");
        }
        bool ordered = true; // strictly: equal neighbours are duplicates to drop
        for (std::size_t i = base + 3; i < m_members.size() && ordered; i += 3) ordered = key_less(i - 3, i);
        if (!ordered) reorder(body, base);
        m_members.resize(base);
        m_out += '}';
        return true;
    }

    // Rewrites the members after `body` in key order; of equal keys the last one in the
    // text survives (jsonb's rule), which a stable sort leaves last among its equals.
    void reorder(std::size_t body, std::size_t base)
    {
        std::size_t const n = (m_members.size() - base) / 3;
        m_order.clear();
        for (std::size_t i = 0; i < n; ++i) m_order.push_back(base + 3 * i);
        auto const less = [this](std::size_t a, std::size_t b) { return key_less(a, b); };
        if (n <= json_insertion_sort_max) {
            for (std::size_t i = 1; i < n; ++i) {
                std::size_t const m = m_order[i];
                std::size_t j = i;
                for (; j > 0 && less(m, m_order[j - 1]); --j) m_order[j] = m_order[j - 1];
                m_order[j] = m;
            }
        } else {
            std::stable_sort(m_order.begin(), m_order.end(), less);
        }
        // Of equal neighbours all but the last are dropped; decided before the text moves.
        for (std::size_t i = 0; i + 1 < n; ++i)
            if (key_equal(m_order[i], m_order[i + 1])) m_order[i] = dropped;
        m_scratch.assign(m_out, body, std::string::npos);
        m_out.resize(body);
        for (std::size_t const m : m_order) {
            if (m == dropped) continue;
            if (m_out.size() > body) m_out += ',';
            m_out.append(m_scratch, m_members[m] - body, m_members[m + 2] - m_members[m]);
        }
    }

    static constexpr std::size_t dropped = static_cast<std::size_t>(-1);

    std::string_view m_s;
    std::size_t m_p = 0;
    std::string &m_out;
    std::vector<std::size_t> &m_members;
    std::string &m_scratch;
    std::vector<std::size_t> &m_order;
    std::string m_error;
};

// Sign, significant digits and a decimal exponent, appended to out. The digits before
// and after the point are read as one sequence; `text` matches the JSON number grammar.
void append_json_number(std::string_view text, std::string &out)
{
    std::size_t i = 0;
    bool const neg = !text.empty() && text[0] == '-';
    if (neg) ++i;
    std::size_t const int_begin = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    std::size_t const int_end = i;
    std::size_t frac_begin = i, frac_end = i;
    if (i < text.size() && text[i] == '.') {
        frac_begin = ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
        frac_end = i;
    }
    std::int64_t exp10 = -static_cast<std::int64_t>(frac_end - frac_begin);
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool eneg = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) eneg = text[i++] == '-';
        std::int64_t e = 0;
        // Saturates far beyond what any parser accepts, so no overflow.
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
            e = std::min<std::int64_t>(e * 10 + (text[i] - '0'), 1'000'000'000'000);
        exp10 += eneg ? -e : e;
    }
    // Positions 0..n-1 over the integer digits followed by the fraction digits.
    std::size_t const n_int = int_end - int_begin, n = n_int + (frac_end - frac_begin);
    auto const digit = [&](std::size_t k) { return k < n_int ? text[int_begin + k] : text[frac_begin + k - n_int]; };
    std::size_t lead = 0;
    while (lead < n && digit(lead) == '0') ++lead;
    if (lead == n) {
        out += '0';
        return;
    }
    std::size_t last = n - 1;
    while (digit(last) == '0') --last;
    exp10 += static_cast<std::int64_t>(n - 1 - last);
    if (neg) out += '-';
    if (last < n_int) {
        out.append(text.data() + int_begin + lead, last - lead + 1);
    } else {
        if (lead < n_int) out.append(text.data() + int_begin + lead, n_int - lead);
        std::size_t const f = std::max(lead, n_int);
        out.append(text.data() + frac_begin + (f - n_int), last - f + 1);
    }
    if (exp10 != 0) fmt::format_to(std::back_inserter(out), "e{}", exp10);
}

} // namespace

std::string canonical_json_number(std::string_view text)
{
    std::string out;
    append_json_number(text, out);
    return out;
}

bool canonical_json(std::string_view text, std::string &out, std::string *error)
{
    // Per thread: verification canonicalises the target side on its reader thread.
    thread_local std::vector<std::size_t> members;
    thread_local std::vector<std::size_t> order;
    thread_local std::string scratch;
    out.clear();
    members.clear();
    JsonCanon c(text, out, members, scratch, order);
    if (c.document()) return true;
    if (error) *error = c.error();
    out.assign(text);
    return false;
}

bool canonicalize(const PgType &t, std::string_view text, std::string &out)
{
    switch (t.kind) {
    case PgKind::Float4:
        if (canonical_float<float>(text, out)) return true;
        break;
    case PgKind::Float8:
        if (canonical_float<double>(text, out)) return true;
        break;
    case PgKind::Numeric: return canonical_numeric(t, text, out);
    case PgKind::Bpchar:
        while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
        out.assign(text);
        return true;
    case PgKind::Jsonb: return canonical_json(text, out);
    case PgKind::Time:
    case PgKind::Timestamp:
    case PgKind::Timestamptz: canonical_time(text, out); return true;
    case PgKind::Uuid:
        out.assign(text);
        for (char &c : out)
            if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
        return true;
    default: out.assign(text); return true;
    }
    out.assign(text);
    return false;
}

} // namespace s2p
