#include "json_writer.hpp"

#include "utf8.hpp"

#include <fmt/format.h>

#include <cmath>

namespace s2p {


void append_json_string(std::string &out, std::string_view s)
{
    out.push_back('"');
    for (std::size_t i = 0; i < s.size();) {
        unsigned char const c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            if (std::size_t const n = utf8_sequence_length(s, i)) {
                out.append(s.substr(i, n));
                i += n;
            } else {
                out.append("\xEF\xBF\xBD"); // U+FFFD
                ++i;
            }
            continue;
        }
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        default:
            if (c < 0x20 || c == 0x7F) out.append(fmt::format("\\u{:04x}", c));
            else out.push_back(static_cast<char>(c));
        }
        ++i;
    }
    out.push_back('"');
}

std::string json_string(std::string_view s)
{
    std::string out;
    append_json_string(out, s);
    return out;
}

void JsonWriter::before_value()
{
    if (m_after_key) {
        m_after_key = false;
        return;
    }
    if (!m_has_items.empty()) {
        if (m_has_items.back()) m_out.push_back(',');
        m_has_items.back() = true;
    }
}

JsonWriter &JsonWriter::begin_object()
{
    before_value();
    m_out.push_back('{');
    m_has_items.push_back(false);
    return *this;
}

JsonWriter &JsonWriter::end_object()
{
    m_out.push_back('}');
    m_has_items.pop_back();
    return *this;
}

JsonWriter &JsonWriter::begin_array()
{
    before_value();
    m_out.push_back('[');
    m_has_items.push_back(false);
    return *this;
}

JsonWriter &JsonWriter::end_array()
{
    m_out.push_back(']');
    m_has_items.pop_back();
    return *this;
}

JsonWriter &JsonWriter::key(std::string_view k)
{
    before_value();
    append_json_string(m_out, k);
    m_out.push_back(':');
    m_after_key = true;
    return *this;
}

JsonWriter &JsonWriter::value(std::string_view s)
{
    before_value();
    append_json_string(m_out, s);
    return *this;
}

JsonWriter &JsonWriter::value(bool b)
{
    before_value();
    m_out.append(b ? "true" : "false");
    return *this;
}

JsonWriter &JsonWriter::value(std::int64_t n)
{
    before_value();
    fmt::format_to(std::back_inserter(m_out), "{}", n);
    return *this;
}

JsonWriter &JsonWriter::value(std::uint64_t n)
{
    before_value();
    fmt::format_to(std::back_inserter(m_out), "{}", n);
    return *this;
}

JsonWriter &JsonWriter::value(double d)
{
    before_value();
    // {} prints the shortest text that reads back as the same double.
    if (std::isfinite(d)) fmt::format_to(std::back_inserter(m_out), "{}", d);
    else m_out.append("null");
    return *this;
}

JsonWriter &JsonWriter::raw(std::string_view json)
{
    before_value();
    m_out.append(json);
    return *this;
}

JsonWriter &JsonWriter::null()
{
    before_value();
    m_out.append("null");
    return *this;
}

} // namespace s2p
