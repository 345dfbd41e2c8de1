#pragma once
// COPY row encoding: the one place that frames values for COPY FROM STDIN.
// Values arrive in PostgreSQL's input form (convert.hpp); in text format this only
// makes them safe inside a tab-separated, newline-terminated COPY line, in binary
// format copy_binary.hpp turns them into the types' send form.
#include "pg_type.hpp"

#include <string>
#include <string_view>

namespace s2p {

// Text is COPY's default; binary spares the server the parsing (copy_binary.hpp).
enum class CopyFormat { Text, Binary };

class CopyRowEncoder {
public:
    // Binary rows start with their field count, so the encoder must know it.
    explicit CopyRowEncoder(std::string &buffer, CopyFormat format = CopyFormat::Text, int fields = 0)
        : m_buf(buffer), m_binary(format == CopyFormat::Binary), m_fields(fields)
    {
    }

    // The stream's header (binary only), before the first row.
    void begin_stream();
    // The stream's trailer (binary only), after the last row.
    void end_stream();
    // Marks where a row starts so a row that fails conversion can be taken back.
    void begin_row();
    void null_field();
    // A value in PostgreSQL's input form (convert.hpp) for a column of type t.
    void field(const PgType &t, std::string_view value);
    void end_row() { if (!m_binary) m_buf.push_back('\n'); }
    void discard_row() { m_buf.resize(m_row_start); }

private:
    void separator() { if (!m_first) m_buf.push_back('\t'); m_first = false; }

    std::string &m_buf;
    bool m_binary;
    int m_fields;
    std::size_t m_row_start = 0;
    bool m_first = true;
};

// Escapes one value for COPY text format, appending to out.
void copy_escape(std::string &out, std::string_view value);

} // namespace s2p
