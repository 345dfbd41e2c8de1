#include "copy_encoder.hpp"

#include "copy_binary.hpp"

#include <cstring>

namespace s2p {

void CopyRowEncoder::begin_stream()
{
    if (m_binary) append_binary_header(m_buf);
}

void CopyRowEncoder::end_stream()
{
    if (m_binary) append_binary_trailer(m_buf);
}

void CopyRowEncoder::begin_row()
{
    m_row_start = m_buf.size();
    m_first = true;
    if (m_binary) {
        m_buf.push_back(static_cast<char>((m_fields >> 8) & 0xff));
        m_buf.push_back(static_cast<char>(m_fields & 0xff));
    }
}

void CopyRowEncoder::null_field()
{
    if (m_binary) {
        m_buf.append("\xff\xff\xff\xff", 4); // length -1
        return;
    }
    separator();
    m_buf.append("\\N", 2);
}

void CopyRowEncoder::field(const PgType &t, std::string_view value)
{
    if (m_binary) {
        append_binary_field(m_buf, t, value);
        return;
    }
    separator();
    copy_escape(m_buf, value);
}

void copy_escape(std::string &out, std::string_view value)
{
    // Most values need no escaping: copy runs of plain bytes in one append.
    char const *p = value.data();
    char const *const end = p + value.size();
    while (p < end) {
        char const *run = p;
        while (p < end && *p != '\\' && *p != '\t' && *p != '\n' && *p != '\r') ++p;
        out.append(run, static_cast<std::size_t>(p - run));
        if (p == end) break;
        out.push_back('\\');
        switch (*p) {
        case '\\': out.push_back('\\'); break;
        case '\t': out.push_back('t'); break;
        case '\n': out.push_back('n'); break;
        case '\r': out.push_back('r'); break;
        }
        ++p;
    }
}

} // namespace s2p
