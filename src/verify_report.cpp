// What verification tells the operator: the per-table table and the first differences
// on the terminal, and the same as JSON for scripts.
#include "verify.hpp"

#include "json_writer.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace s2p {

namespace {

std::string verdict_word(const TableVerdict &t)
{
    if (t.unverifiable) return "NOT VERIFIED";
    return t.ok() ? "match" : "DIFFERENT";
}

std::string difference_line(const Difference &d)
{
    if (d.kind == "missing") return fmt::format("{}: missing in the target", d.key);
    if (d.kind == "extra") return fmt::format("{}: only in the target", d.key);
    return fmt::format("{}, column {}: source {} / target {}", d.key, d.column, d.source, d.target);
}

} // namespace

std::string verify_summary(const VerifyResult &r)
{
    std::size_t const bad = r.mismatched_tables();
    if (bad == 0) {
        return fmt::format("verification ({}) passed: {} table{} match", verify_mode_name(r.mode), r.tables.size(),
                           r.tables.size() == 1 ? "" : "s");
    }
    std::string names;
    for (auto const &t : r.tables)
        if (!t.ok()) names += (names.empty() ? "" : ", ") + t.table;
    return fmt::format("verification ({}) found differences in {} of {} table{}: {}", verify_mode_name(r.mode), bad,
                       r.tables.size(), r.tables.size() == 1 ? "" : "s", names);
}

void print_verify_result(std::FILE *out, const VerifyResult &r)
{
    std::size_t w = 5;
    for (auto const &t : r.tables) w = std::max(w, t.table.size());
    fmt::print(out, "{:<{}}  {:<7}  {:>11}  {:>11}  {:>9}  {:>9}  {:>7}  {:>7}  {}\n", "table", w, "method",
               "source rows", "target rows", "compared", "differing", "missing", "extra", "verdict");
    for (auto const &t : r.tables) {
        fmt::print(out, "{:<{}}  {:<7}  {:>11}  {:>11}  {:>9}  {:>9}  {:>7}  {:>7}  {}\n", t.table, w, t.method,
                   with_commas(t.source_rows), with_commas(t.target_rows), with_commas(t.rows_compared),
                   with_commas(t.rows_differing), with_commas(t.missing), with_commas(t.extra), verdict_word(t));
    }
    for (auto const &t : r.tables) {
        if (t.ok() && t.note.empty()) continue;
        if (t.ok()) {
            fmt::print(out, "\n{}: {}\n", t.table, t.note);
            continue;
        }
        fmt::print(out, "\n{}:", t.table);
        if (!t.note.empty()) fmt::print(out, " {}", t.note);
        if (t.source_rows != t.target_rows)
            fmt::print(out, " row counts differ (source {}, target {})", with_commas(t.source_rows),
                       with_commas(t.target_rows));
        fmt::print(out, "\n");
        if (!t.differences.empty())
            fmt::print(out, "  first {} difference{} ({} row{}, {} missing, {} extra):\n",
                       t.differences.size(), t.differences.size() == 1 ? "" : "s", t.rows_differing,
                       t.rows_differing == 1 ? " differs" : "s differ", t.missing, t.extra);
        for (auto const &d : t.differences) fmt::print(out, "  - {}\n", difference_line(d));
    }
    fmt::print(out, "\n{} ({:.2f}s)\n", verify_summary(r), r.seconds);
}

std::string verify_result_json(const VerifyResult &r)
{
    JsonWriter j;
    j.begin_object();
    j.field("ok", r.ok());
    j.field("mode", std::string(verify_mode_name(r.mode)));
    if (r.mode == VerifyMode::Sample) j.field("sample_rows_per_table", static_cast<std::int64_t>(r.sample_rows));
    j.field("source", r.source);
    j.field("target", r.target);
    j.field("target_schema", r.target_schema);
    j.field("seconds", r.seconds);
    j.field("tables_checked", static_cast<std::int64_t>(r.tables.size()));
    j.field("tables_different", static_cast<std::int64_t>(r.mismatched_tables()));
    j.key("tables").begin_array();
    for (auto const &t : r.tables) {
        j.begin_object();
        j.field("table", t.table);
        j.field("source_table", t.source_table);
        j.field("verdict", t.unverifiable ? std::string("not_verified") : t.ok() ? std::string("match")
                                                                                  : std::string("different"));
        j.field("method", t.method);
        j.field("key", t.key);
        j.field("source_rows", t.source_rows);
        j.field("target_rows", t.target_rows);
        j.field("rows_compared", t.rows_compared);
        j.field("rows_differing", t.rows_differing);
        j.field("missing_rows", t.missing);
        j.field("extra_rows", t.extra);
        j.field("source_checksum", t.source_checksum);
        j.field("target_checksum", t.target_checksum);
        j.field("note", t.note);
        j.key("differences").begin_array();
        for (auto const &d : t.differences) {
            j.begin_object();
            j.field("kind", d.kind);
            j.field("key", d.key);
            if (d.kind == "value") {
                j.field("column", d.column);
                j.field("source", d.source);
                j.field("target", d.target);
            }
            j.end_object();
        }
        j.end_array();
        j.end_object();
    }
    j.end_array();
    j.end_object();
    return j.str() + "\n";
}

} // namespace s2p
