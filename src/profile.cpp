#include "profile.hpp"

#include "problems.hpp"

#include <fmt/format.h>

#include <exception>
#include <optional>
#include <thread>

namespace s2p {

namespace {
// Below this many rows a second thread and connection cost more than they save.
constexpr std::int64_t parallel_profile_rows = 100000;
} // namespace

TableTypeProfile profile_types(SourceDb &db, const SourceTable &table,
                           const std::vector<std::vector<TypeChoice>> &candidates,
                           const std::vector<ConvertOptions> &conv, const std::vector<bool> &untyped)
{
    std::size_t const ncols = table.columns.size();
    // Counters for every column and candidate, all zero.
    auto const blank = [&] {
        TableTypeProfile p;
        p.columns.resize(ncols);
        for (std::size_t c = 0; c < ncols; ++c) {
            p.columns[c].failures.assign(candidates[c].size(), 0);
            p.columns[c].example.assign(candidates[c].size(), "");
        }
        return p;
    };
    TableTypeProfile tp = blank();
    // Each candidate's options: the column's, plus text_to_bytea where the candidate asks.
    std::vector<std::vector<ConvertOptions>> opts(ncols);
    for (std::size_t c = 0; c < ncols; ++c) {
        for (auto const &cand : candidates[c]) {
            ConvertOptions o = conv[c];
            o.text_to_bytea = o.text_to_bytea || cand.text_to_bytea;
            opts[c].push_back(o);
        }
    }
    // Pass 1 tries only each column's first candidate: on clean data that is the
    // choice, and one conversion per value keeps the profile close to a plain read.
    // Only columns where it failed need their fallbacks tried, over the whole table
    // again (pass 2), since a fallback must take every value, not only later ones.
    using Range = std::optional<std::pair<std::int64_t, std::int64_t>>;
    auto scan = [&](SourceDb &from, TableTypeProfile &into, const std::vector<int> &cols, bool first_pass, Range range) {
        std::string out;
        ConvertError err;
        RowCursor cur(from, table, cols, range);
        while (cur.next()) {
            if (first_pass) ++into.rows;
            for (std::size_t i = 0; i < cols.size(); ++i) {
                auto const c = static_cast<std::size_t>(cols[i]);
                SqlValue const v = cur.value(static_cast<int>(i));
                ColumnTypeProfile &p = into.columns[c];
                if (first_pass) ++p.classes[static_cast<std::size_t>(v.cls)];
                if (v.cls == StorageClass::Null) continue;
                std::size_t const from_k = first_pass ? 0 : 1;
                std::size_t const to_k = first_pass ? 1 : candidates[c].size();
                for (std::size_t k = from_k; k < to_k; ++k) {
                    // A fallback that failed once can no longer be chosen: only the
                    // first candidate's count is reported in full.
                    if (k > 0 && p.failures[k] > 0) continue;
                    if (convert_value(v, candidates[c][k].type, opts[c][k], out, err) == Converted::Error) {
                        if (p.failures[k]++ == 0) p.example[k] = fmt::format("{}: {}", excerpt(v, 30), err.message);
                    }
                }
            }
        }
    };
    // The profile converts every value before anything is loaded, on one core while
    // the other waits: a big table's upper half of rowids is profiled on a second
    // thread through a connection of its own (its snapshot matters only for the type
    // chosen; the load reads and converts under the run's own), and the halves merged.
    std::optional<std::pair<std::int64_t, std::int64_t>> halves;
    if (!table.without_rowid && db.count_rows(table) >= parallel_profile_rows) {
        if (auto const r = db.rowid_range(table); r && r->second > r->first) halves = r;
    }
    auto scan_table = [&](const std::vector<int> &cols, bool first_pass) {
        if (!halves) return scan(db, tp, cols, first_pass, std::nullopt);
        std::int64_t const mid = halves->first + (halves->second - halves->first) / 2;
        TableTypeProfile upper = blank();
        std::exception_ptr failed;
        {
            std::jthread helper([&] {
                try {
                    SourceDb other(db.path());
                    scan(other, upper, cols, first_pass, std::pair{mid + 1, halves->second});
                } catch (...) {
                    failed = std::current_exception();
                }
            });
            scan(db, tp, cols, first_pass, std::pair{halves->first, mid});
        }
        if (failed) std::rethrow_exception(failed);
        tp.rows += upper.rows;
        for (std::size_t c = 0; c < ncols; ++c) {
            auto &p = tp.columns[c];
            auto const &q = upper.columns[c];
            for (std::size_t k = 0; k < p.classes.size(); ++k) p.classes[k] += q.classes[k];
            for (std::size_t k = 0; k < p.failures.size(); ++k) {
                if (p.failures[k] == 0) p.example[k] = q.example[k]; // the first failure in rowid order
                p.failures[k] += q.failures[k];
            }
        }
    };
    std::vector<int> all;
    for (std::size_t c = 0; c < ncols; ++c) all.push_back(static_cast<int>(c));
    scan_table(all, true);
    std::vector<int> retry;
    for (std::size_t c = 0; c < ncols; ++c)
        if (tp.columns[c].failures[0] > 0 && candidates[c].size() > 1) retry.push_back(static_cast<int>(c));
    if (!retry.empty()) scan_table(retry, false);
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
