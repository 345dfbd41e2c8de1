#pragma once
// COPY binary format for the types whose binary form spares PostgreSQL the parsing of
// text (timestamps, numbers, uuid, bytea hex): measured on the benchmark database,
// the server ingests the widest table about 20% faster in binary than in text.
// Values arrive as convert_value() wrote them (PostgreSQL's text input form, in the
// converter's own fixed spellings); this turns them into the type's send/recv form.
#include "pg_type.hpp"

#include <string>
#include <string_view>

namespace s2p {

// Whether a column of this type can be sent in binary. A table goes binary only when
// all of its columns can (COPY's format is per statement): enums, inet, arrays and
// other types are parsed by PostgreSQL from text.
bool binary_copy_supported(const PgType &t);

// The 19-byte file header COPY binary data starts with, and the trailer it ends with.
void append_binary_header(std::string &out);
void append_binary_trailer(std::string &out);

// Appends the field (32-bit length, then the bytes) for `text`, a value of type t in
// the converter's output form. Throws InternalError when the text is not in that
// form: a converter and encoder out of step is a bug, never data to send.
void append_binary_field(std::string &out, const PgType &t, std::string_view text);

} // namespace s2p
