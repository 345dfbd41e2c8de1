#pragma once
// Canonical value text for verification: one spelling per value, so that the source
// value (after the migration's own conversion) and the value PostgreSQL prints back
// compare equal exactly when they are the same value in PostgreSQL's terms.
// The same function is applied to both sides; every rule is idempotent.
#include "pg_type.hpp"

#include <string>
#include <string_view>

namespace s2p {

// Writes the canonical form of `text` (PostgreSQL's input or output form of a value
// of type t) into out. Rules, by type:
//  float4/float8  the shortest text that reads back to the same bits ("-0" ≠ "0");
//                 a float is compared by its exact bits
//  numeric        the fraction padded (or zero-trimmed) to the column's declared scale,
//                 as PostgreSQL stores it; unconstrained numeric keeps its own scale,
//                 so 1.5 and 1.50 differ, as they do in PostgreSQL's output
//  char(n)        trailing spaces dropped (they are not significant in bpchar)
//  jsonb          see canonical_json
//  time/timestamp fraction of seconds without trailing zeros (PostgreSQL's own output);
//  /timestamptz   timestamptz is read back with TimeZone UTC, so both are UTC instants
//  everything else (text, json, bytea as \x hex, uuid, bool, integers): as is, by bytes
// Returns false (out holds the text unchanged) when the text is not of the expected form.
bool canonicalize(const PgType &t, std::string_view text, std::string &out);

// Canonical JSON, the way jsonb compares documents: no insignificant whitespace, object
// keys in jsonb's order (shorter first, then by bytes; compared in their canonical
// escaped spelling, which for keys without escapes is the same order) with the last of
// duplicate keys kept (jsonb's rule), so PostgreSQL's jsonb output is already in order;
// strings unescaped and re-escaped one way, numbers by numeric value (1.0, 1 and 1e0
// are the same; no precision limit). Returns false with *error set for invalid JSON.
bool canonical_json(std::string_view text, std::string &out, std::string *error = nullptr);

// Numbers in JSON: sign, significant digits and a decimal exponent ("-12e-1" for -1.2;
// "0" for every zero). `text` must match the JSON number grammar.
std::string canonical_json_number(std::string_view text);

} // namespace s2p
