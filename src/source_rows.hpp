#pragma once
// A source row as the reject paths see it: its name in messages ("rowid 42" or
// "key (code)=('AB')"), its reject-file record, and its values converted with the
// operator's repairs. Shared by the table load and the post-load constraint checks
// (orphans.hpp) so both name and convert a row the same way.
#include "convert.hpp"
#include "errors.hpp"
#include "fixups.hpp"
#include "planner.hpp"
#include "reject_file.hpp"
#include "source_reader.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

namespace s2p {

std::string row_ref(const TablePlan &tp, const RowCursor &cur);

// Table, rowid, key and every source column of the cursor's row; the caller fills
// column, reason, message and value.
RejectedRow rejected_row(const TablePlan &tp, const RowCursor &cur);

// Converts, applying the repairs the operator chose when the first attempt fails.
Converted convert_with_fixups(const SqlValue &v, const TargetColumn &tc, const ConvertOptions &conv,
                              const FixupPolicy &fixups, std::string &value, ConvertError &err, bool &repaired);

// A cursor over the plan's columns of the table, in load order.
inline std::vector<int> plan_column_indexes(const TablePlan &tp)
{
    std::vector<int> indexes;
    for (auto const &c : tp.columns) indexes.push_back(c.source_index);
    return indexes;
}

// Reads the row at `ordinal` again (same read transaction, same order) and hands the
// cursor to `use` while its values are valid.
template <typename F> void visit_row_at(SourceDb &src, const TablePlan &tp, std::int64_t ordinal, F &&use)
{
    RowCursor cur(src, *tp.source, plan_column_indexes(tp));
    for (std::int64_t i = 0; i < ordinal; ++i) {
        if (!cur.next()) throw SourceError(fmt::format("table \"{}\" has no row {}", tp.source->name, ordinal));
    }
    use(cur);
}

} // namespace s2p
