#include "canonical.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
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

// Deep enough for any real document; bounded so a hostile one cannot exhaust the stack.
constexpr int json_max_depth = 4096;

void escape_json_string(std::string_view s, std::string &out)
{
    out += '"';
    for (char ch : s) {
        auto const c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) out += fmt::format("\\u{:04x}", c);
            else out += ch;
        }
    }
    out += '"';
}

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

class JsonCanon {
public:
    explicit JsonCanon(std::string_view s) : m_s(s) {}

    bool document(std::string &out)
    {
        ws();
        if (!value(out, 0)) return false;
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
    void ws()
    {
        while (m_p < m_s.size() && (m_s[m_p] == ' ' || m_s[m_p] == '\t' || m_s[m_p] == '\n' || m_s[m_p] == '\r'))
            ++m_p;
    }
    bool literal(std::string_view word, std::string &out)
    {
        if (m_s.substr(m_p, word.size()) != word) return fail("invalid literal");
        m_p += word.size();
        out += word;
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

    // The unescaped bytes of a string; a lone surrogate escape (json allows it, jsonb
    // does not) stays an escape so that it remains distinct from any real text.
    bool string(std::string &raw)
    {
        ++m_p; // opening quote
        while (m_p < m_s.size()) {
            char const c = m_s[m_p];
            if (c == '"') {
                ++m_p;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
            if (c != '\\') {
                raw += c;
                ++m_p;
                continue;
            }
            if (++m_p >= m_s.size()) break;
            char const e = m_s[m_p++];
            switch (e) {
            case '"': raw += '"'; break;
            case '\\': raw += '\\'; break;
            case '/': raw += '/'; break;
            case 'b': raw += '\b'; break;
            case 'f': raw += '\f'; break;
            case 'n': raw += '\n'; break;
            case 'r': raw += '\r'; break;
            case 't': raw += '\t'; break;
            case 'u': {
                int cp = hex4();
                if (cp < 0) return fail("invalid \\u escape");
                if (cp >= 0xD800 && cp <= 0xDBFF && m_s.substr(m_p, 2) == "\\u") {
                    std::size_t const save = m_p;
                    m_p += 2;
                    int const lo = hex4();
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        append_utf8(raw, 0x10000u + ((static_cast<std::uint32_t>(cp) - 0xD800u) << 10) +
                                             (static_cast<std::uint32_t>(lo) - 0xDC00u));
                        break;
                    }
                    m_p = save;
                }
                if (cp >= 0xD800 && cp <= 0xDFFF) raw += fmt::format("\\u{:04x}", cp);
                else append_utf8(raw, static_cast<std::uint32_t>(cp));
                break;
            }
            default: return fail("invalid escape in a string");
            }
        }
        return fail("unterminated string");
    }

    bool number(std::string &out)
    {
        std::size_t const b = m_p;
        auto digit = [&] { return m_p < m_s.size() && m_s[m_p] >= '0' && m_s[m_p] <= '9'; };
        if (m_s[m_p] == '-') ++m_p;
        if (!digit()) return fail("invalid number");
        if (m_s[m_p] == '0') ++m_p;
        else while (digit()) ++m_p;
        if (m_p < m_s.size() && m_s[m_p] == '.') {
            ++m_p;
            if (!digit()) return fail("invalid number");
            while (digit()) ++m_p;
        }
        if (m_p < m_s.size() && (m_s[m_p] == 'e' || m_s[m_p] == 'E')) {
            ++m_p;
            if (m_p < m_s.size() && (m_s[m_p] == '+' || m_s[m_p] == '-')) ++m_p;
            if (!digit()) return fail("invalid number");
            while (digit()) ++m_p;
        }
        out += canonical_json_number(m_s.substr(b, m_p - b));
        return true;
    }

    bool value(std::string &out, int depth)
    {
        if (depth > json_max_depth) return fail("nested too deeply");
        if (m_p >= m_s.size()) return fail("unexpected end");
        switch (m_s[m_p]) {
        case '{': return object(out, depth);
        case '[': return array(out, depth);
        case '"': {
            std::string raw;
            if (!string(raw)) return false;
            escape_json_string(raw, out);
            return true;
        }
        case 't': return literal("true", out);
        case 'f': return literal("false", out);
        case 'n': return literal("null", out);
        default: return number(out);
        }
    }

    bool array(std::string &out, int depth)
    {
        ++m_p;
        out += '[';
        ws();
        if (m_p < m_s.size() && m_s[m_p] == ']') {
            ++m_p;
            out += ']';
            return true;
        }
        for (bool first = true;; first = false) {
            if (!first) out += ',';
            ws();
            if (!value(out, depth + 1)) return false;
            ws();
            if (m_p < m_s.size() && m_s[m_p] == ',') { ++m_p; continue; }
            if (m_p < m_s.size() && m_s[m_p] == ']') { ++m_p; out += ']'; return true; }
            return fail("expected ',' or ']'");
        }
    }

    bool object(std::string &out, int depth)
    {
        ++m_p;
        std::vector<std::pair<std::string, std::string>> members; // unescaped key, canonical value
        ws();
        if (m_p < m_s.size() && m_s[m_p] == '}') {
            ++m_p;
        } else {
            for (;;) {
                ws();
                if (m_p >= m_s.size() || m_s[m_p] != '"') return fail("expected a key");
                members.emplace_back();
                if (!string(members.back().first)) return false;
                ws();
                if (m_p >= m_s.size() || m_s[m_p] != ':') return fail("expected ':'");
                ++m_p;
                ws();
                if (!value(members.back().second, depth + 1)) return false;
                ws();
                if (m_p < m_s.size() && m_s[m_p] == ',') { ++m_p; continue; }
                if (m_p < m_s.size() && m_s[m_p] == '}') { ++m_p; break; }
                return fail("expected ',' or '}'");
            }
        }
        // Stable: among equal keys the input order survives, and jsonb keeps the last.
        std::stable_sort(members.begin(), members.end(),
                         [](auto const &a, auto const &b) { return a.first < b.first; });
        out += '{';
        bool first = true;
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
            if (!first) out += ',';
            first = false;
            escape_json_string(members[i].first, out);
            out += ':';
            out += members[i].second;
        }
        out += '}';
        return true;
    }

    std::string_view m_s;
    std::size_t m_p = 0;
    std::string m_error;
};

} // namespace

std::string canonical_json_number(std::string_view text)
{
    std::size_t i = 0;
    bool const neg = !text.empty() && text[0] == '-';
    if (neg) ++i;
    std::string digits;
    std::int64_t exp10 = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) digits += text[i];
    if (i < text.size() && text[i] == '.') {
        for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            digits += text[i];
            --exp10;
        }
    }
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
    std::size_t const lead = digits.find_first_not_of('0');
    if (lead == std::string::npos) return "0";
    std::size_t const last = digits.find_last_not_of('0');
    exp10 += static_cast<std::int64_t>(digits.size() - 1 - last);
    std::string out = neg ? "-" : "";
    out.append(digits, lead, last - lead + 1);
    if (exp10 != 0) out += fmt::format("e{}", exp10);
    return out;
}

bool canonical_json(std::string_view text, std::string &out, std::string *error)
{
    out.clear();
    JsonCanon c(text);
    if (c.document(out)) return true;
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
