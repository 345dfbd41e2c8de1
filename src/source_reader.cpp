#include "source_reader.hpp"

#include "errors.hpp"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace s2p {

void check_is_sqlite_file(const std::string &path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        throw SourceError(fmt::format("source file '{}' does not exist (check the path)", path));
    }
    if (std::filesystem::is_directory(path, ec)) {
        throw SourceError(fmt::format("source '{}' is a directory, not a SQLite file", path));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw SourceError(fmt::format("cannot open source file '{}' for reading (check permissions)", path));
    }
    char header[16] = {};
    in.read(header, sizeof header);
    if (in.gcount() != sizeof header || std::memcmp(header, "SQLite format 3\0", 16) != 0) {
        throw SourceError(fmt::format(
            "source file '{}' is not a SQLite 3 database (its header does not match)", path));
    }
}

namespace {

std::string sqlite_failure(const std::string &path, const SQLite::Exception &e, int busy_timeout_s)
{
    int const code = e.getErrorCode();
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        return fmt::format("source '{}' is locked by another process (waited {}s): stop the "
                           "application writing to it, then retry",
                           path, busy_timeout_s);
    }
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
        return fmt::format("source '{}' is corrupt: {} (run `sqlite3 {} 'PRAGMA integrity_check'`)",
                           path, e.what(), path);
    }
    return fmt::format("cannot read source '{}': {}", path, e.what());
}

} // namespace

std::string quote_sqlite_ident(const std::string &name)
{
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

SourceDb::SourceDb(const std::string &path, int busy_timeout_s)
    : m_path(path), m_busy_timeout_s(busy_timeout_s)
{
    check_is_sqlite_file(path);
    try {
        // One thread uses the connection at a time, so SQLite's own mutexes are pure cost
        // (a lock per step and per column read).
        m_db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX);
        m_db->setBusyTimeout(busy_timeout_s * 1000);
        // Deferred BEGIN takes the read snapshot at the first read, kept until the end.
        m_db->exec("BEGIN");
        load_schema();
    } catch (const SQLite::Exception &e) {
        throw SourceError(sqlite_failure(path, e, m_busy_timeout_s));
    }
}

SourceDb::~SourceDb()
{
    try {
        if (m_db) m_db->exec("ROLLBACK");
    } catch (...) {
        // Closing the handle ends the read transaction anyway.
    }
}

void SourceDb::load_schema()
{
    // pragma table_list (SQLite >= 3.37) tells virtual and shadow tables apart.
    SQLite::Statement list(*m_db, "SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main' ORDER BY name");
    std::vector<std::pair<std::string, bool>> names;
    while (list.executeStep()) {
        std::string name = list.getColumn(0).getString();
        std::string type = list.getColumn(1).getString();
        bool const wr = list.getColumn(2).getInt() != 0;
        if (name.starts_with("sqlite_")) {
            if (name != "sqlite_schema" && name != "sqlite_temp_schema")
                m_skipped.emplace_back(name, "SQLite internal table");
            continue;
        }
        if (type == "virtual" || type == "shadow") {
            m_skipped.emplace_back(name, type + " table");
            continue;
        }
        if (type != "table") continue; // views
        names.emplace_back(std::move(name), wr);
    }
    for (auto &[name, wr] : names) {
        SourceTable t;
        t.name = name;
        t.without_rowid = wr;
        SQLite::Statement cols(*m_db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid");
        cols.bind(1, name);
        while (cols.executeStep()) {
            t.columns.push_back({cols.getColumn(0).getString(), cols.getColumn(1).getString(),
                                 cols.getColumn(2).getInt() != 0, cols.getColumn(3).getInt()});
        }
        SQLite::Statement fks(*m_db, "SELECT id, \"table\", \"from\" FROM pragma_foreign_key_list(?) ORDER BY id, seq");
        fks.bind(1, name);
        int last_id = -1;
        while (fks.executeStep()) {
            int const id = fks.getColumn(0).getInt();
            if (id != last_id) {
                t.foreign_keys.push_back({fks.getColumn(1).getString(), {}});
                last_id = id;
            }
            t.foreign_keys.back().columns.push_back(fks.getColumn(2).getString());
        }
        m_tables.push_back(std::move(t));
    }
}

std::int64_t SourceDb::count_rows(const SourceTable &t)
{
    if (auto const it = m_counts.find(t.name); it != m_counts.end()) return it->second;
    try {
        SQLite::Statement q(*m_db, "SELECT count(*) FROM " + quote_sqlite_ident(t.name));
        q.executeStep();
        return m_counts[t.name] = q.getColumn(0).getInt64();
    } catch (const SQLite::Exception &e) {
        throw SourceError(sqlite_failure(m_path, e, m_busy_timeout_s));
    }
}

std::optional<std::pair<std::int64_t, std::int64_t>> SourceDb::rowid_range(const SourceTable &t)
{
    try {
        // Two scalar subqueries: SQLite answers a lone min() or max() of the rowid from the
        // b-tree's edge, but min() and max() in one SELECT from a full scan.
        std::string const from = " FROM " + quote_sqlite_ident(t.name) + ")";
        SQLite::Statement q(*m_db, "SELECT (SELECT min(_rowid_)" + from + ", (SELECT max(_rowid_)" + from);
        q.executeStep();
        if (q.getColumn(0).isNull()) return std::nullopt;
        return std::pair{q.getColumn(0).getInt64(), q.getColumn(1).getInt64()};
    } catch (const SQLite::Exception &e) {
        throw SourceError(sqlite_failure(m_path, e, m_busy_timeout_s));
    }
}

bool is_rowid_alias(const SourceTable &t, const SourceColumn &c)
{
    if (t.without_rowid || c.pk_position != 1) return false;
    for (auto const &other : t.columns)
        if (&other != &c && other.pk_position > 0) return false;
    std::string_view d = c.declared_type;
    while (!d.empty() && std::isspace(static_cast<unsigned char>(d.front()))) d.remove_prefix(1);
    while (!d.empty() && std::isspace(static_cast<unsigned char>(d.back()))) d.remove_suffix(1);
    return d.size() == 7 && std::equal(d.begin(), d.end(), "INTEGER", [](char a, char b) {
               return std::toupper(static_cast<unsigned char>(a)) == b;
           });
}

sqlite3_stmt *prepare_table_select(SourceDb &db, const SourceTable &table, const std::vector<int> &column_indexes,
                                   const std::string &tail)
{
    std::string sql = "SELECT ";
    if (!table.without_rowid) sql += "_rowid_";
    for (std::size_t i = 0; i < column_indexes.size(); ++i) {
        if (i > 0 || !table.without_rowid) sql += ", ";
        sql += quote_sqlite_ident(table.columns.at(static_cast<std::size_t>(column_indexes[i])).name);
    }
    if (column_indexes.empty() && table.without_rowid) sql += "1";
    sql += " FROM " + quote_sqlite_ident(table.name) + tail;
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v2(db.handle(), sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
        sqlite3_finalize(stmt);
        throw SourceError(fmt::format("cannot read table \"{}\" of '{}': {}", table.name, db.path(),
                                      sqlite3_errmsg(db.handle())));
    }
    return stmt;
}

bool step_table_row(SourceDb &db, const SourceTable &table, sqlite3_stmt *stmt)
{
    int const rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw SourceError(fmt::format("reading table \"{}\" of '{}' failed: {} (the file may be corrupt: "
                                  "run `sqlite3 {} 'PRAGMA integrity_check'`)",
                                  table.name, db.path(), sqlite3_errmsg(db.handle()), db.path()));
}

RowCursor::RowCursor(SourceDb &db, const SourceTable &table, const std::vector<int> &column_indexes,
                     std::optional<std::pair<std::int64_t, std::int64_t>> rowids)
    : m_db(db), m_table(table), m_value_offset(table.without_rowid ? 0 : 1),
      m_ncols(static_cast<int>(column_indexes.size()))
{
    std::string tail;
    if (rowids && !table.without_rowid) tail = fmt::format(" WHERE _rowid_ BETWEEN {} AND {}", rowids->first, rowids->second);
    // rowid order is the table's storage order: the cheapest scan, and stable for resume.
    if (!table.without_rowid) tail += " ORDER BY _rowid_";
    m_stmt = prepare_table_select(db, table, column_indexes, tail);
}

RowCursor::~RowCursor()
{
    sqlite3_finalize(m_stmt);
}

bool RowCursor::next() { return step_table_row(m_db, m_table, m_stmt); }

SqlValue RowCursor::value(int i) const
{
    int const c = i + m_value_offset;
    switch (sqlite3_column_type(m_stmt, c)) {
    case SQLITE_INTEGER: return SqlValue::integer(sqlite3_column_int64(m_stmt, c));
    case SQLITE_FLOAT: return SqlValue::real(sqlite3_column_double(m_stmt, c));
    case SQLITE_TEXT: {
        auto const *p = reinterpret_cast<char const *>(sqlite3_column_text(m_stmt, c));
        return SqlValue::text({p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, c))});
    }
    case SQLITE_BLOB: {
        auto const *p = static_cast<char const *>(sqlite3_column_blob(m_stmt, c));
        int const n = sqlite3_column_bytes(m_stmt, c);
        return SqlValue::blob(n ? std::string_view{p, static_cast<std::size_t>(n)} : std::string_view{});
    }
    default: return SqlValue::null();
    }
}

std::int64_t RowCursor::rowid() const
{
    return m_value_offset ? sqlite3_column_int64(m_stmt, 0) : 0;
}

std::size_t RowCursor::row_bytes() const
{
    std::size_t n = 0;
    for (int c = m_value_offset; c < m_ncols + m_value_offset; ++c) {
        int const t = sqlite3_column_type(m_stmt, c);
        n += (t == SQLITE_TEXT || t == SQLITE_BLOB) ? static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, c)) : 8;
    }
    return n;
}

} // namespace s2p
