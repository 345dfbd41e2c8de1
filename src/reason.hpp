#pragma once
// Why a value could not be moved. Each reason has a stable snake_case code: it appears
// in error lines, dry-run reports and (later) reject files, so scripts may match on it.
#include <string>
#include <string_view>

namespace s2p {

enum class Reason {
    TypeMismatch,        // the storage class cannot become the target type (blob into integer)
    BadNumber,           // text that is not a number of the target's kind
    FractionToInteger,   // a REAL with a fractional part into an integer column
    OutOfRange,          // outside int2/int4/int8, float range, numeric(p,s) integer digits
    PrecisionLoss,       // the value would be rounded (numeric scale, float4, µs)
    BadBoolean,
    BadUuid,
    BadTimestamp,        // unparseable date/time text
    TimestampOutOfRange, // year 0, month 13, past PostgreSQL's limits
    NonexistentLocalTime,// inside a DST gap of --source-timezone
    AmbiguousLocalTime,  // inside a DST fold of --source-timezone
    BadJson,
    JsonNulChar,         // \u0000 inside a JSON string: jsonb rejects it
    NulByte,             // NUL byte in text: PostgreSQL text cannot hold it
    InvalidUtf8,
    TooLong,             // longer than varchar(n)/char(n)
    NullInNotNull,
    DuplicateKey,        // a second row with the same key where the target is unique
    OrphanRow,           // a foreign key whose parent row is missing
};

std::string_view reason_code(Reason r);

// A conversion failure: the reason and a short human explanation
// ("month 13 is out of range"); the caller adds table, row and column.
struct ConvertError {
    Reason reason = Reason::TypeMismatch;
    std::string message;
};

} // namespace s2p
