#include "fixups.hpp"

#include "utf8.hpp"

#include <charconv>

namespace s2p {

std::string strip_nul_bytes(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (char c : s)
        if (c != '\0') out.push_back(c);
    return out;
}

std::string replace_invalid_utf8(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 8);
    for (std::size_t i = 0; i < s.size();) {
        if (std::size_t const n = utf8_sequence_length(s, i)) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            out.append("\xEF\xBF\xBD");
            ++i;
        }
    }
    return out;
}

Fixup choose_fixup(const FixupPolicy &p, Reason reason, const SqlValue &v, std::string &repaired)
{
    bool const textual = v.cls == StorageClass::Text || v.cls == StorageClass::Blob;
    switch (reason) {
    case Reason::NulByte:
        if (p.nul_bytes != NulBytes::Strip || !textual) return Fixup::None;
        repaired = strip_nul_bytes(v.bytes);
        return Fixup::Repaired;
    case Reason::InvalidUtf8:
        if (p.invalid_utf8 != InvalidUtf8::Replace || !textual) return Fixup::None;
        repaired = replace_invalid_utf8(v.bytes);
        return Fixup::Repaired;
    case Reason::BadJson:
    case Reason::JsonNulChar:
        return p.invalid_json == InvalidJson::Null ? Fixup::MakeNull : Fixup::None;
    default:
        return Fixup::None;
    }
}

std::optional<long long> copy_line_from_context(std::string_view context)
{
    std::size_t const at = context.find(", line ");
    if (at == std::string_view::npos || !context.starts_with("COPY ")) return std::nullopt;
    std::string_view const rest = context.substr(at + 7);
    long long line = 0;
    auto const r = std::from_chars(rest.data(), rest.data() + rest.size(), line);
    if (r.ec != std::errc{} || line <= 0) return std::nullopt;
    return line;
}

} // namespace s2p
