#include "profile.hpp"

#include "problems.hpp"

#include <fmt/format.h>

namespace s2p {

TableTypeProfile profile_types(SourceDb &db, const SourceTable &table,
                           const std::vector<std::vector<TypeChoice>> &candidates,
                           const std::vector<ConvertOptions> &conv, const std::vector<bool> &untyped)
{
    std::size_t const ncols = table.columns.size();
    TableTypeProfile tp;
    tp.columns.resize(ncols);
    // Each candidate's options: the column's, plus text_to_bytea where the candidate asks.
    std::vector<std::vector<ConvertOptions>> opts(ncols);
    for (std::size_t c = 0; c < ncols; ++c) {
        tp.columns[c].failures.assign(candidates[c].size(), 0);
        tp.columns[c].example.assign(candidates[c].size(), "");
        for (auto const &cand : candidates[c]) {
            ConvertOptions o = conv[c];
            o.text_to_bytea = o.text_to_bytea || cand.text_to_bytea;
            opts[c].push_back(o);
        }
    }
    std::vector<int> indexes;
    for (std::size_t c = 0; c < ncols; ++c) indexes.push_back(static_cast<int>(c));
    RowCursor cur(db, table, indexes);
    std::string out;
    ConvertError err;
    while (cur.next()) {
        ++tp.rows;
        for (std::size_t c = 0; c < ncols; ++c) {
            SqlValue const v = cur.value(static_cast<int>(c));
            ColumnTypeProfile &p = tp.columns[c];
            ++p.classes[static_cast<std::size_t>(v.cls)];
            if (v.cls == StorageClass::Null) continue;
            for (std::size_t k = 0; k < candidates[c].size(); ++k) {
                // A candidate that failed once can no longer be chosen: only the
                // first one's count is reported in full.
                if (k > 0 && p.failures[k] > 0) continue;
                if (convert_value(v, candidates[c][k].type, opts[c][k], out, err) == Converted::Error) {
                    if (p.failures[k]++ == 0) p.example[k] = fmt::format("{}: {}", excerpt(v, 30), err.message);
                }
            }
        }
    }
    for (std::size_t c = 0; c < ncols; ++c) {
        ColumnTypeProfile &p = tp.columns[c];
        p.fits = false;
        p.chosen = 0;
        if (untyped[c] && p.non_null() == 0) {
            for (std::size_t k = 0; k < candidates[c].size(); ++k) {
                if (candidates[c][k].type.kind == PgKind::Text) {
                    p.chosen = static_cast<int>(k);
                    break;
                }
            }
            p.fits = true;
            continue;
        }
        for (std::size_t k = 0; k < candidates[c].size(); ++k) {
            if (p.failures[k] == 0) {
                p.chosen = static_cast<int>(k);
                p.fits = true;
                break;
            }
        }
    }
    return tp;
}

std::string describe_classes(const ColumnTypeProfile &p)
{
    std::string out;
    // Most informative first: the classes that decide the type, NULL last.
    for (std::size_t k : {1u, 2u, 3u, 4u, 0u}) {
        if (p.classes[k] == 0) continue;
        if (!out.empty()) out += ", ";
        out += fmt::format("{} {}", p.classes[k], storage_class_name(static_cast<StorageClass>(k)));
    }
    return out.empty() ? "empty" : out;
}

} // namespace s2p
