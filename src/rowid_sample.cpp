#include "rowid_sample.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

namespace s2p {

namespace {
// Offsets into [lo, hi] span up to 2^64 values; products of two of them need 128 bits.
__extension__ using u128 = unsigned __int128;
} // namespace

std::vector<std::int64_t> sample_rowids(std::int64_t lo, std::int64_t hi, std::int64_t n, const RowidSeek &seek)
{
    std::vector<std::int64_t> chosen;
    if (n <= 0 || lo > hi) return chosen;
    auto const ulo = static_cast<std::uint64_t>(lo);
    u128 const span = u128(static_cast<std::uint64_t>(hi) - ulo) + 1; // 1 .. 2^64
    auto const want = static_cast<std::size_t>(n);
    // Each seek made: target -> first rowid at or after it (nullopt: none). Everything in
    // [target, answer) is known empty, so later points there need no seek.
    std::map<std::int64_t, std::optional<std::int64_t>> sought;
    std::set<std::int64_t> have; // == chosen, for lookups
    // grid points: lo + floor(i * span / grid), i in [0, grid); with grid == span every
    // rowid is a point, so the last pass finds every row.
    for (u128 grid = std::min(u128(static_cast<std::uint64_t>(n)), span);; grid = std::min(grid * 2, span)) {
        std::vector<std::int64_t> found; // new rows of this pass, ascending
        for (u128 i = 0; i < grid;) {
            auto const target = static_cast<std::int64_t>(ulo + static_cast<std::uint64_t>(i * span / grid));
            std::optional<std::int64_t> answer;
            auto const after = sought.upper_bound(target);
            if (after != sought.begin() && (!std::prev(after)->second || *std::prev(after)->second >= target)) {
                answer = std::prev(after)->second;
            } else {
                answer = seek(target);
                sought.emplace(target, answer);
                if (answer && !have.contains(*answer)) found.push_back(*answer);
            }
            if (!answer) break; // no row at or after target
            // Every point up to the row found leads to it again: go to the first one past it.
            u128 const past = u128(static_cast<std::uint64_t>(*answer) - ulo) + 1;
            if (past >= span) break; // the row at hi
            i = std::max(i + 1, (past * grid + span - 1) / span);
        }
        std::size_t const need = want - chosen.size();
        if (found.size() <= need) {
            chosen.insert(chosen.end(), found.begin(), found.end());
            have.insert(found.begin(), found.end());
        } else {
            // Evenly over the pass's new rows, so the rows after each gap share the remainder.
            for (std::size_t j = 0; j < need; ++j) chosen.push_back(found[j * found.size() / need]);
        }
        if (chosen.size() >= want || grid == span) break;
    }
    std::sort(chosen.begin(), chosen.end());
    return chosen;
}

} // namespace s2p
