#pragma once
// COPY text format encoding: the one place that escapes values for COPY FROM STDIN.
// Values arrive in PostgreSQL's input form (convert.hpp); this only makes them safe
// inside a tab-separated, newline-terminated COPY line.
#include <string>
#include <string_view>

namespace s2p {

class CopyRowEncoder {
public:
    explicit CopyRowEncoder(std::string &buffer) : m_buf(buffer) {}

    // Marks where a row starts so a row that fails conversion can be taken back.
    void begin_row() { m_row_start = m_buf.size(); m_first = true; }
    void null_field() { separator(); m_buf.append("\\N", 2); }
    void field(std::string_view value);
    void end_row() { m_buf.push_back('\n'); }
    void discard_row() { m_buf.resize(m_row_start); }

private:
    void separator() { if (!m_first) m_buf.push_back('\t'); m_first = false; }

    std::string &m_buf;
    std::size_t m_row_start = 0;
    bool m_first = true;
};

// Escapes one value for COPY text format, appending to out.
void copy_escape(std::string &out, std::string_view value);

} // namespace s2p
