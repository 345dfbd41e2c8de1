#pragma once
// UTF-8 sequence validation shared by every stage that walks text byte by byte
// (excerpts, JSON output, repairs), so they agree on what is valid.
#include <cstddef>
#include <string_view>

namespace s2p {

// Length of the valid UTF-8 sequence at s[i] (1-4), or 0 when none starts there:
// overlongs, surrogates and code points past U+10FFFF are invalid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

} // namespace s2p
