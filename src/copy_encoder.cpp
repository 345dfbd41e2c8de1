#include "copy_encoder.hpp"

#include <cstring>

namespace s2p {

void CopyRowEncoder::field(std::string_view value)
{
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
