#include "reason.hpp"

namespace s2p {

std::string_view reason_code(Reason r)
{
    switch (r) {
    case Reason::TypeMismatch: return "type_mismatch";
    case Reason::BadNumber: return "bad_number";
    case Reason::FractionToInteger: return "fraction_to_integer";
    case Reason::OutOfRange: return "out_of_range";
    case Reason::PrecisionLoss: return "precision_loss";
    case Reason::BadBoolean: return "bad_boolean";
    case Reason::BadUuid: return "bad_uuid";
    case Reason::BadTimestamp: return "bad_timestamp";
    case Reason::TimestampOutOfRange: return "timestamp_out_of_range";
    case Reason::NonexistentLocalTime: return "nonexistent_local_time";
    case Reason::AmbiguousLocalTime: return "ambiguous_local_time";
    case Reason::BadJson: return "bad_json";
    case Reason::JsonNulChar: return "json_nul_char";
    case Reason::NulByte: return "nul_byte";
    case Reason::InvalidUtf8: return "invalid_utf8";
    case Reason::TooLong: return "too_long";
    case Reason::NullInNotNull: return "null_in_not_null";
    case Reason::DuplicateKey: return "duplicate_key";
    case Reason::OrphanRow: return "orphan_row";
    }
    return "unknown";
}

} // namespace s2p
