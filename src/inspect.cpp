#include "inspect.hpp"

#include "errors.hpp"
#include "json_writer.hpp"
#include "planner.hpp"
#include "progress.hpp"
#include "source_reader.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace s2p {

namespace {

// A one-row, one-column integer query on the source; -1 when it cannot run.
std::int64_t query_int(sqlite3 *db, const std::string &sql, const std::string *bind = nullptr)
{
    sqlite3_stmt *st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK) {
        sqlite3_finalize(st);
        return -1;
    }
    if (bind) sqlite3_bind_text(st, 1, bind->data(), static_cast<int>(bind->size()), SQLITE_TRANSIENT);
    std::int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

std::string query_text(sqlite3 *db, const std::string &sql)
{
    sqlite3_stmt *st = nullptr;
    std::string v;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (auto const *p = sqlite3_column_text(st, 0)) v = reinterpret_cast<const char *>(p);
    }
    sqlite3_finalize(st);
    return v;
}

std::vector<std::string> index_names(sqlite3 *db, const std::string &table)
{
    std::vector<std::string> out;
    sqlite3_stmt *st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_index_list(?)", -1, &st, nullptr) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
        while (sqlite3_step(st) == SQLITE_ROW)
            out.emplace_back(reinterpret_cast<const char *>(sqlite3_column_text(st, 0)));
    }
    sqlite3_finalize(st);
    return out;
}

// Page bytes of one b-tree from dbstat's per-object aggregate row (SQLite >= 3.31).
constexpr char const *dbstat_sql = "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ? AND aggregate = TRUE";

void fill_sizes(sqlite3 *db, InspectReport &r)
{
    bool const dbstat = query_int(db, "SELECT count(*) FROM (SELECT 1 FROM dbstat LIMIT 0)") >= 0;
    r.size_method = dbstat ? "dbstat" : "estimate";
    if (dbstat) {
        for (auto &t : r.tables) {
            t.table_bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(0, query_int(db, dbstat_sql, &t.name)));
            for (auto const &ix : index_names(db, t.name))
                t.index_bytes += static_cast<std::uint64_t>(std::max<std::int64_t>(0, query_int(db, dbstat_sql, &ix)));
        }
        return;
    }
    std::uint64_t total_rows_bytes = 0;
    for (auto const &t : r.tables) total_rows_bytes += t.row_bytes;
    double const file = static_cast<double>(r.page_size) * static_cast<double>(r.page_count);
    for (auto &t : r.tables) {
        if (total_rows_bytes > 0)
            t.table_bytes = static_cast<std::uint64_t>(file * static_cast<double>(t.row_bytes) /
                                                       static_cast<double>(total_rows_bytes));
    }
}

TableReport profile_table(SourceDb &src, const SourceTable &t)
{
    TableReport tr;
    tr.name = t.name;
    tr.without_rowid = t.without_rowid;
    std::vector<int> indexes;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        auto const &c = t.columns[i];
        tr.columns.push_back({c.name, c.declared_type, c.not_null, c.pk_position, {}});
        indexes.push_back(static_cast<int>(i));
    }
    RowCursor cur(src, t, indexes);
    int const n = static_cast<int>(indexes.size());
    while (cur.next()) {
        ++tr.rows;
        tr.row_bytes += cur.row_bytes();
        for (int i = 0; i < n; ++i) tr.columns[static_cast<std::size_t>(i)].profile.add(cur.value(i));
    }
    return tr;
}

std::string joined(const std::vector<std::string> &v, std::string_view sep = ", ")
{
    std::string out;
    for (auto const &s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

std::string classes_text(const ColumnProfile &p)
{
    std::string out;
    for (auto c : {StorageClass::Integer, StorageClass::Real, StorageClass::Text, StorageClass::Blob}) {
        if (p.count(c) == 0) continue;
        if (!out.empty()) out += ", ";
        out += fmt::format("{} {}", storage_class_name(c), with_commas(p.count(c)));
    }
    return out.empty() ? "-" : out;
}

std::string formats_text(const ColumnProfile &p)
{
    std::string out;
    for (auto const &f : p.detected()) {
        if (!out.empty()) out += "; ";
        out += fmt::format("{} {}", value_format_name(f.format), with_commas(f.fits));
        if (f.misfits > 0) out += fmt::format(" ({} do not fit)", with_commas(f.misfits));
    }
    return out;
}

} // namespace

std::vector<std::vector<std::string>> find_cycles(const std::vector<std::string> &nodes,
                                                  const std::vector<std::pair<std::string, std::string>> &edges)
{
    // Schemas have tens of tables: reachability by plain search is clearer than Tarjan.
    std::map<std::string, std::set<std::string>> next;
    for (auto const &[child, parent] : edges)
        if (child != parent) next[child].insert(parent);
    auto reach = [&](const std::string &from) {
        std::set<std::string> seen;
        std::vector<std::string> todo{from};
        while (!todo.empty()) {
            std::string n = todo.back();
            todo.pop_back();
            for (auto const &m : next[n])
                if (seen.insert(m).second) todo.push_back(m);
        }
        return seen;
    };
    std::map<std::string, std::set<std::string>> reachable;
    for (auto const &n : nodes) reachable[n] = reach(n);
    std::set<std::string> placed;
    std::vector<std::vector<std::string>> out;
    std::vector<std::string> sorted = nodes;
    std::sort(sorted.begin(), sorted.end());
    for (auto const &n : sorted) {
        if (placed.count(n) || !reachable[n].count(n)) continue;
        std::vector<std::string> group;
        for (auto const &m : sorted)
            if (reachable[n].count(m) && reachable[m].count(n)) group.push_back(m);
        if (group.size() < 2) continue;
        placed.insert(group.begin(), group.end());
        out.push_back(std::move(group));
    }
    return out;
}

InspectReport inspect_source(const std::string &path)
{
    SourceDb src(path);
    InspectReport r;
    r.path = path;
    std::error_code ec;
    r.file_bytes = std::filesystem::file_size(path, ec);
    r.page_size = query_int(src.handle(), "PRAGMA page_size");
    r.page_count = query_int(src.handle(), "PRAGMA page_count");
    r.encoding = query_text(src.handle(), "PRAGMA encoding");
    r.skipped = src.skipped();

    std::vector<std::string> names;
    std::set<std::string> known;
    std::vector<std::pair<std::string, std::string>> edges;
    for (auto const &t : src.tables()) {
        names.push_back(t.name);
        known.insert(t.name);
    }
    for (auto const &t : src.tables()) {
        for (auto const &fk : t.foreign_keys) {
            // SQLite compares table names without regard to ASCII case.
            std::string parent = fk.parent_table;
            for (auto const &n : names)
                if (fold_case(n) == fold_case(parent)) parent = n;
            r.foreign_keys.push_back({t.name, fk.columns, parent, known.count(parent) > 0});
            if (parent == t.name) {
                if (std::find(r.self_references.begin(), r.self_references.end(), t.name) == r.self_references.end())
                    r.self_references.push_back(t.name);
            } else {
                edges.emplace_back(t.name, parent);
            }
        }
    }
    r.load_order = order_tables(names, edges).order;
    r.cycles = find_cycles(names, edges);

    for (auto const &t : src.tables()) r.tables.push_back(profile_table(src, t));
    fill_sizes(src.handle(), r);
    return r;
}

void print_inspect_text(std::FILE *out, const InspectReport &r)
{
    fmt::print(out, "source: {} ({}, {} pages of {} B, {})\n", r.path, human_bytes(static_cast<double>(r.file_bytes)),
               with_commas(r.page_count), r.page_size, r.encoding);
    fmt::print(out, "sizes: {}\n\n",
               r.size_method == "dbstat" ? "exact, from SQLite's dbstat table"
                                         : "ESTIMATED (no dbstat in this SQLite): file pages shared by row bytes");
    std::size_t w = 5;
    for (auto const &t : r.tables) w = std::max(w, t.name.size());
    fmt::print(out, "{:<{}}  {:>12}  {:>10}  {:>10}  {:>10}\n", "table", w, "rows", "data", "table", "indexes");
    fmt::print(out, "{:-<{}}\n", "", w + 50);
    for (auto const &t : r.tables) {
        fmt::print(out, "{:<{}}  {:>12}  {:>10}  {:>10}  {:>10}\n", t.name, w, with_commas(t.rows),
                   human_bytes(static_cast<double>(t.row_bytes)), human_bytes(static_cast<double>(t.table_bytes)),
                   r.size_method == "dbstat" ? human_bytes(static_cast<double>(t.index_bytes)) : "-");
    }

    fmt::print(out, "\nforeign keys:\n");
    if (r.foreign_keys.empty()) fmt::print(out, "  none\n");
    for (auto const &fk : r.foreign_keys) {
        fmt::print(out, "  {}({}) -> {}{}\n", fk.child, joined(fk.columns), fk.parent,
                   fk.parent_exists ? "" : "  (NO SUCH TABLE in the source)");
    }
    fmt::print(out, "load order: {}\n", joined(r.load_order));
    for (auto const &c : r.cycles) {
        fmt::print(out, "cycle: {} -> {} (loaded with these foreign keys checked after the load)\n",
                   joined(c, " -> "), c.front());
    }
    if (!r.self_references.empty())
        fmt::print(out, "self-references (no ordering needed): {}\n", joined(r.self_references));
    if (!r.skipped.empty()) {
        fmt::print(out, "skipped:\n");
        for (auto const &[name, why] : r.skipped) fmt::print(out, "  {} ({})\n", name, why);
    }

    for (auto const &t : r.tables) {
        fmt::print(out, "\n{} ({} rows{})\n", t.name, with_commas(t.rows), t.without_rowid ? ", WITHOUT ROWID" : "");
        std::size_t cw = 6, tw = 8, sw = 7;
        for (auto const &c : t.columns) {
            cw = std::max(cw, c.name.size());
            tw = std::max(tw, c.declared_type.size());
            sw = std::max(sw, classes_text(c.profile).size());
        }
        fmt::print(out, "  {:<{}}  {:<{}}  {:<{}}  {:>9}  {:>7}  {}\n", "column", cw, "declared", tw, "classes", sw,
                   "nulls", "max len", "formats");
        for (auto const &c : t.columns) {
            auto const &p = c.profile;
            bool const has_len = p.count(StorageClass::Text) + p.count(StorageClass::Blob) > 0;
            fmt::print(out, "  {:<{}}  {:<{}}  {:<{}}  {:>9}  {:>7}  {}\n", c.name, cw,
                       c.declared_type.empty() ? "-" : c.declared_type, tw, classes_text(p), sw,
                       with_commas(p.nulls()), has_len ? with_commas(p.max_length()) : "-", formats_text(p));
        }
    }
    std::fflush(out);
}

std::string inspect_json(const InspectReport &r)
{
    JsonWriter j;
    j.begin_object();
    j.key("source").begin_object();
    j.field("path", r.path).field("file_bytes", r.file_bytes).field("page_size", r.page_size);
    j.field("page_count", r.page_count).field("encoding", r.encoding).field("size_method", r.size_method);
    j.end_object();
    j.key("tables").begin_array();
    for (auto const &t : r.tables) {
        j.begin_object();
        j.field("name", t.name).field("without_rowid", t.without_rowid).field("rows", t.rows);
        j.field("row_bytes", t.row_bytes).field("table_bytes", t.table_bytes).field("index_bytes", t.index_bytes);
        j.key("columns").begin_array();
        for (auto const &c : t.columns) {
            auto const &p = c.profile;
            j.begin_object();
            j.field("name", c.name).field("declared_type", c.declared_type).field("not_null", c.not_null);
            j.field("pk_position", c.pk_position);
            j.key("storage_classes").begin_object();
            for (auto cls : {StorageClass::Integer, StorageClass::Real, StorageClass::Text, StorageClass::Blob})
                j.field(storage_class_name(cls), p.count(cls));
            j.end_object();
            j.field("nulls", p.nulls()).field("max_length", p.max_length());
            j.key("formats").begin_array();
            for (auto const &f : p.detected()) {
                j.begin_object();
                j.field("format", value_format_name(f.format)).field("fits", f.fits).field("misfits", f.misfits);
                j.end_object();
            }
            j.end_array();
            j.end_object();
        }
        j.end_array();
        j.end_object();
    }
    j.end_array();
    j.key("foreign_keys").begin_array();
    for (auto const &fk : r.foreign_keys) {
        j.begin_object().field("table", fk.child).key("columns").begin_array();
        for (auto const &c : fk.columns) j.value(c);
        j.end_array().field("parent", fk.parent).field("parent_exists", fk.parent_exists).end_object();
    }
    j.end_array();
    j.key("load_order").begin_array();
    for (auto const &n : r.load_order) j.value(n);
    j.end_array();
    j.key("cycles").begin_array();
    for (auto const &c : r.cycles) {
        j.begin_array();
        for (auto const &n : c) j.value(n);
        j.end_array();
    }
    j.end_array();
    j.key("self_references").begin_array();
    for (auto const &n : r.self_references) j.value(n);
    j.end_array();
    j.key("skipped").begin_array();
    for (auto const &[name, why] : r.skipped) j.begin_object().field("name", name).field("reason", why).end_object();
    j.end_array();
    j.end_object();
    return j.str();
}

} // namespace s2p
