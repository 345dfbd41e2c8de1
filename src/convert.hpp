#pragma once
// Value conversion: one SQLite value into the text input form of a PostgreSQL type,
// driven by the target column's type and the value's actual storage class.
// The output is the value as PostgreSQL's input function reads it, not yet
// COPY-escaped (copy_encoder does that).
#include "pg_type.hpp"
#include "reason.hpp"
#include "value.hpp"

#include <string>

namespace date { class time_zone; }

namespace s2p {

// How integers and reals in date/time columns are read: never unless asked for.
enum class EpochUnit { None, Seconds, Millis, Micros };

struct ConvertOptions {
    // Zone in which date/time text without an offset is read; nullptr means UTC.
    const date::time_zone *source_zone = nullptr;
    EpochUnit epoch = EpochUnit::None;
    // TEXT values into bytea columns become their UTF-8 bytes (otherwise an error).
    bool text_to_bytea = false;
};

enum class Converted { Null, Value, Error };

// Writes the converted value into out (replacing its contents) and returns Value,
// returns Null for SQL NULL (NOT NULL is the caller's check), or Error with err filled.
Converted convert_value(const SqlValue &v, const PgType &t, const ConvertOptions &o,
                        std::string &out, ConvertError &err);

// Shared checks, exposed for tests and other stages.
bool valid_utf8(std::string_view s);
std::size_t utf8_length(std::string_view s); // code points of valid UTF-8
// Checks JSON text (simdjson); for jsonb also rejects \u0000 inside strings.
bool check_json(std::string_view text, bool jsonb, ConvertError &err);

} // namespace s2p
