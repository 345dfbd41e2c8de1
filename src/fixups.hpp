#pragma once
// The explicit, per-run repairs an operator may choose for the common kinds of bad
// text (--nul-bytes, --invalid-utf8, --invalid-json). Nothing is repaired unless asked,
// and every repair is counted and reported.
#include "reason.hpp"
#include "value.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace s2p {

enum class OnError { Abort, Reject };
enum class NulBytes { Reject, Strip };
enum class InvalidUtf8 { Reject, Replace };
enum class InvalidJson { Reject, Null };

struct FixupPolicy {
    NulBytes nul_bytes = NulBytes::Reject;
    InvalidUtf8 invalid_utf8 = InvalidUtf8::Reject;
    InvalidJson invalid_json = InvalidJson::Reject;

    // Whether any policy loads a value the converter refuses (repaired, or as NULL).
    bool repairs() const
    {
        return nul_bytes != NulBytes::Reject || invalid_utf8 != InvalidUtf8::Reject ||
               invalid_json != InvalidJson::Reject;
    }
};

enum class Fixup {
    None,      // the policy repairs nothing for this failure
    Repaired,  // `repaired` holds the text to convert again
    MakeNull,  // store NULL instead
};

// What the policy does about a failed conversion of `v` for `reason`.
Fixup choose_fixup(const FixupPolicy &p, Reason reason, const SqlValue &v, std::string &repaired);

std::string strip_nul_bytes(std::string_view s);
// Each maximal invalid byte sequence becomes U+FFFD (as PostgreSQL's and Python's
// "replace" error handlers do, one replacement per invalid byte).
std::string replace_invalid_utf8(std::string_view s);

// PostgreSQL reports a COPY failure with a context like "COPY events, line 25001,
// column at: ..."; this returns the line number.
std::optional<long long> copy_line_from_context(std::string_view context);

} // namespace s2p
