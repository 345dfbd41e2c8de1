#pragma once
// Which rows of a rowid table `verify --sample` compares, chosen by seeking rather than by
// reading the table: SQLite keeps no row counts in its b-tree, so the k-th row can only be
// found by a scan, but "the first row with rowid >= x" is one descent. The sample is spread
// over the rowid range, deterministic (same rows for the same file), and costs about one
// lookup per sampled row instead of a read of every row.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace s2p {

// The first rowid >= the argument, or nullopt when there is none.
using RowidSeek = std::function<std::optional<std::int64_t>(std::int64_t)>;

// Up to `n` distinct rowids of a table whose rowids lie in [lo, hi] (lo and hi are rows),
// ascending. First pass: for i in 0..n-1, the first row at or after lo + i*(hi-lo+1)/n.
// A gap in the rowids makes several of these land on the row after it; then the grid is
// halved, pass by pass (only the new points are sought, and none inside a stretch a
// previous seek showed empty), until n rows are found: where rows are dense after a gap
// they are sampled about as densely as elsewhere. The last pass's new rows are thinned
// evenly to exactly n. Fewer than n only when the table has fewer rows.
std::vector<std::int64_t> sample_rowids(std::int64_t lo, std::int64_t hi, std::int64_t n, const RowidSeek &seek);

} // namespace s2p
