#include "convert.hpp"

// check_json: simdjson first (fast), then an exact grammar where simdjson refuses
// a document, because PostgreSQL accepts numbers that do not fit a double or a
// 64-bit integer (1e400, 123456789012345678901234567890) and simdjson does not.

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <vector>

#include <cstdint>
#include <cstring>

namespace s2p {

namespace {

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// JSON grammar (RFC 8259 plus PostgreSQL's surrogate rules), used where simdjson
// refuses a document: its numbers must fit a double or 64-bit integer, PostgreSQL's
// need not. Iterative with a bit stack, so no allocation and no recursion.

constexpr int json_max_depth = 1024; // as simdjson's default

struct JsonScanner {
    const char *begin, *p, *end;
    const char *msg = nullptr;
    std::size_t at = 0;

    bool error(const char *m)
    {
        msg = m;
        at = static_cast<std::size_t>(p - begin);
        return false;
    }
    void ws()
    {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    }
    bool digit() const { return p < end && *p >= '0' && *p <= '9'; }

    bool string()
    {
        ++p; // opening quote
        bool high = false; // a high surrogate escape waits for its low half
        while (p < end) {
            auto const c = static_cast<unsigned char>(*p);
            if (c == '\\' && p + 1 < end && p[1] == 'u') {
                int cp = 0;
                for (int k = 2; k < 6; ++k) {
                    int const h = p + k < end ? hex_value(p[k]) : -1;
                    if (h < 0) return error("invalid \\u escape");
                    cp = cp << 4 | h;
                }
                bool const is_high = cp >= 0xD800 && cp <= 0xDBFF;
                bool const is_low = cp >= 0xDC00 && cp <= 0xDFFF;
                if (high != is_low) return error("unpaired Unicode surrogate escape");
                high = is_high;
                p += 6;
                continue;
            }
            if (high) return error("unpaired Unicode surrogate escape");
            if (c == '"') {
                ++p;
                return true;
            }
            if (c < 0x20) return error("control character in a string must be escaped");
            if (c == '\\') {
                if (p + 1 >= end || !std::strchr("\"\\/bfnrt", p[1]) || p[1] == 0)
                    return error("invalid escape in a string");
                p += 2;
                continue;
            }
            ++p;
        }
        return error("unterminated string");
    }

    bool number()
    {
        if (*p == '-') ++p;
        if (p < end && *p == '0') ++p;
        else if (digit()) while (digit()) ++p;
        else return error("invalid number");
        if (p < end && *p == '.') {
            ++p;
            if (!digit()) return error("invalid number");
            while (digit()) ++p;
        }
        if (p < end && (*p == 'e' || *p == 'E')) {
            ++p;
            if (p < end && (*p == '+' || *p == '-')) ++p;
            if (!digit()) return error("invalid number");
            while (digit()) ++p;
        }
        return true;
    }

    bool literal(std::string_view word)
    {
        if (static_cast<std::size_t>(end - p) < word.size() ||
            std::memcmp(p, word.data(), word.size()) != 0)
            return error("invalid token");
        p += word.size();
        return true;
    }

    // An object member up to its value: "key" ws ':' ws
    bool key()
    {
        ws();
        if (p >= end || *p != '"') return error("expected a string as object key");
        if (!string()) return false;
        ws();
        if (p >= end || *p != ':') return error("expected ':' after an object key");
        ++p;
        ws();
        return true;
    }

    bool run()
    {
        std::uint64_t is_object[json_max_depth / 64] = {};
        int depth = 0;
        ws();
        for (;;) {
            if (p >= end) return error(depth ? "unexpected end of input" : "expected a JSON value");
            char const c = *p;
            if (c == '{' || c == '[') {
                if (depth == json_max_depth) return error("nested too deeply (over 1024 levels)");
                std::uint64_t const bit = std::uint64_t{1} << (depth % 64);
                if (c == '{') is_object[depth / 64] |= bit;
                else is_object[depth / 64] &= ~bit;
                ++depth;
                ++p;
                ws();
                if (p < end && *p == (c == '{' ? '}' : ']')) {
                    ++p;
                    --depth;
                } else {
                    if (c == '{' && !key()) return false;
                    continue;
                }
            } else if (c == '"') {
                if (!string()) return false;
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                if (!number()) return false;
            } else if (c == 't') {
                if (!literal("true")) return false;
            } else if (c == 'f') {
                if (!literal("false")) return false;
            } else if (c == 'n') {
                if (!literal("null")) return false;
            } else {
                return error("expected a JSON value");
            }
            // A value is complete: close containers until one expects another value.
            for (;;) {
                ws();
                if (depth == 0) return p == end || error("unexpected data after the JSON value");
                if (p >= end) return error("unexpected end of input");
                bool const obj = is_object[(depth - 1) / 64] >> ((depth - 1) % 64) & 1;
                if (*p == ',') {
                    ++p;
                    ws();
                    if (obj && !key()) return false;
                    break;
                }
                if (*p != (obj ? '}' : ']'))
                    return error(obj ? "expected ',' or '}'" : "expected ',' or ']'");
                ++p;
                --depth;
            }
        }
    }
};

// jsonb keeps only the last of duplicate keys: {"a":1,"a":2} would lose the 1.
// Keys compare unescaped, as jsonb compares them.
bool find_duplicate_key(simdjson::dom::element e, std::string_view &dup)
{
    using simdjson::dom::element_type;
    if (e.type() == element_type::ARRAY) {
        simdjson::dom::array arr;
        if (e.get_array().get(arr) != simdjson::SUCCESS) return false;
        for (simdjson::dom::element child : arr)
            if (find_duplicate_key(child, dup)) return true;
        return false;
    }
    simdjson::dom::object obj;
    if (e.type() != element_type::OBJECT || e.get_object().get(obj) != simdjson::SUCCESS) return false;
    // Objects are small in practice: a fixed array spares the allocation.
    constexpr std::size_t small = 16;
    std::array<std::string_view, small> fixed;
    std::vector<std::string_view> many;
    std::size_t n = 0;
    for (auto field : obj) {
        if (n < small) fixed[n] = field.key;
        else {
            if (many.empty()) many.assign(fixed.begin(), fixed.end());
            many.push_back(field.key);
        }
        ++n;
    }
    std::string_view *keys = many.empty() ? fixed.data() : many.data();
    std::sort(keys, keys + n);
    for (std::size_t i = 1; i < n; ++i) {
        if (keys[i] == keys[i - 1]) {
            dup = keys[i];
            return true;
        }
    }
    for (auto field : obj)
        if (find_duplicate_key(field.value, dup)) return true;
    return false;
}

} // namespace

bool check_json(std::string_view text, bool jsonb, ConvertError &err)
{
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element root;
    auto const parse_error = parser.parse(text.data(), text.size(), true).get(root);
    if (parse_error == simdjson::SUCCESS && jsonb) {
        std::string_view dup;
        if (find_duplicate_key(root, dup)) {
            err.reason = Reason::BadJson;
            err.message = fmt::format("duplicate key \"{}\" in a JSON object; jsonb keeps only the last one",
                                      dup.substr(0, 40));
            return false;
        }
    }
    if (parse_error != simdjson::SUCCESS) {
        if (!valid_utf8(text)) {
            err.reason = Reason::InvalidUtf8;
            err.message = "invalid UTF-8 in JSON text";
            return false;
        }
        JsonScanner sc{text.data(), text.data(), text.data() + text.size()};
        if (!sc.run()) {
            err.reason = Reason::BadJson;
            err.message = fmt::format("invalid JSON at byte {}: {}", sc.at, sc.msg);
            return false;
        }
    }
    if (jsonb) {
        // The document is valid, so every backslash starts an escape inside a string.
        const char *p = text.data();
        const char *const end = p + text.size();
        while ((p = static_cast<const char *>(std::memchr(p, '\\', end - p))) != nullptr) {
            if (end - p >= 6 && std::memcmp(p + 1, "u0000", 5) == 0) {
                err.reason = Reason::JsonNulChar;
                err.message = fmt::format("\\u0000 in a JSON string at byte {}; jsonb cannot "
                                          "hold it",
                                          p - text.data());
                return false;
            }
            if (end - p < 2) break;
            p += 2;
        }
    }
    return true;
}

} // namespace s2p
