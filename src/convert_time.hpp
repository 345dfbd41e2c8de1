#pragma once
// Date and time conversion: ISO-8601 text in the forms SQLite applications write,
// and Unix epoch numbers when asked for. Output is PostgreSQL's ISO input form.
#include "convert.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace s2p {

// Text accepted: "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DD HH:MM:SS",
// "YYYY-MM-DD HH:MM:SS.f" (1..6 digits; more only if the extra digits are 0),
// 'T' instead of ' ', then optionally "Z", "±HH:MM", "±HHMM", "±HH".
// Text without an offset is wall time in `zone` (nullptr = UTC).
//
// timestamptz: writes the UTC instant "YYYY-MM-DD HH:MM:SS[.ffffff]+00".
bool text_to_timestamptz(std::string_view text, const date::time_zone *zone, std::string &out,
                         ConvertError &err);
// timestamp without time zone: wall time in `zone`; text with an offset is converted to
// that zone's wall time. Writes "YYYY-MM-DD HH:MM:SS[.ffffff]".
bool text_to_timestamp(std::string_view text, const date::time_zone *zone, std::string &out,
                       ConvertError &err);
// date: "YYYY-MM-DD", or a date-time whose time is exactly midnight and that has no offset.
bool text_to_date(std::string_view text, std::string &out, ConvertError &err);
// time without time zone: "HH:MM", "HH:MM:SS", "HH:MM:SS.f"; "24:00[:00]" allowed.
bool text_to_time(std::string_view text, std::string &out, ConvertError &err);

// Epoch numbers (INTEGER or REAL storage) in the given unit, into timestamptz /
// timestamp (wall time in zone) / date (must be midnight in zone).
bool epoch_to_datetime(double value, bool is_integer, std::int64_t ivalue, EpochUnit unit,
                       PgKind kind, const date::time_zone *zone, std::string &out,
                       ConvertError &err);

// Looks up an IANA zone name ("UTC", "Europe/Berlin"); throws std::runtime_error naming it.
const date::time_zone *find_zone(std::string_view name);

} // namespace s2p
