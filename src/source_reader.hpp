#pragma once
// Reading the SQLite source: its schema, row counts and rows, all inside one read
// transaction so an application still writing to the file cannot tear the copy.
#include "value.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3_stmt;

namespace s2p {

struct SourceColumn {
    std::string name;
    std::string declared_type;
    bool not_null = false;
    int pk_position = 0; // 1-based position in the primary key, 0 if not part of it
};

struct SourceForeignKey {
    std::string parent_table;
    std::vector<std::string> columns;
};

struct SourceTable {
    std::string name;
    std::vector<SourceColumn> columns;
    std::vector<SourceForeignKey> foreign_keys;
    bool without_rowid = false;
};

class SourceDb {
public:
    // Opens read-only and starts the read transaction. Throws SourceError naming the
    // file and what to do when it is missing, not SQLite, corrupt or locked.
    SourceDb(const std::string &path, int busy_timeout_s = 10);
    ~SourceDb();

    const std::string &path() const { return m_path; }
    // User tables, in name order: no sqlite_* internals, no virtual or shadow tables.
    const std::vector<SourceTable> &tables() const { return m_tables; }
    // Tables left out on purpose, with why ("virtual table", "internal").
    const std::vector<std::pair<std::string, std::string>> &skipped() const { return m_skipped; }
    // Counted once per table: the read transaction keeps the file as it was when opened.
    std::int64_t count_rows(const SourceTable &t);
    // Smallest and largest rowid (one b-tree descent each); nullopt for an empty table.
    // Rowid tables only.
    std::optional<std::pair<std::int64_t, std::int64_t>> rowid_range(const SourceTable &t);
    sqlite3 *handle() const { return m_db->getHandle(); }

private:
    void load_schema();

    std::string m_path;
    int m_busy_timeout_s;
    std::unique_ptr<SQLite::Database> m_db;
    std::vector<SourceTable> m_tables;
    std::vector<std::pair<std::string, std::string>> m_skipped;
    std::map<std::string, std::int64_t> m_counts;
};

// `SELECT [_rowid_,] columns FROM table` + `tail`, prepared: the rowid comes first
// except WITHOUT ROWID. Throws SourceError naming the table and the file.
sqlite3_stmt *prepare_table_select(SourceDb &db, const SourceTable &table, const std::vector<int> &column_indexes,
                                   const std::string &tail);
// sqlite3_step: true for a row, false at the end; throws SourceError on a read error.
bool step_table_row(SourceDb &db, const SourceTable &table, sqlite3_stmt *stmt);

// Streams the rows of one table in rowid (or primary key) order, columns as asked.
class RowCursor {
public:
    // `rowids`: only the rows whose rowid is in [first, second] (ignored WITHOUT ROWID).
    RowCursor(SourceDb &db, const SourceTable &table, const std::vector<int> &column_indexes,
              std::optional<std::pair<std::int64_t, std::int64_t>> rowids = std::nullopt);
    ~RowCursor();
    RowCursor(const RowCursor &) = delete;
    RowCursor &operator=(const RowCursor &) = delete;

    bool next(); // false at the end; throws SourceError on read failure
    // The i-th requested column of the current row; views stay valid until next().
    SqlValue value(int i) const;
    // rowid of the current row (WITHOUT ROWID tables: 0)
    std::int64_t rowid() const;
    // Bytes of the current row as stored (for MB/s).
    std::size_t row_bytes() const;

private:
    SourceDb &m_db;
    const SourceTable &m_table;
    sqlite3_stmt *m_stmt = nullptr;
    int m_value_offset = 0; // 1 when column 0 is the rowid
    int m_ncols = 0;
};

// Whether `c` is the rowid under another name: the one column of the primary key of a
// rowid table, declared exactly INTEGER (https://sqlite.org/lang_createtable.html#rowid).
bool is_rowid_alias(const SourceTable &t, const SourceColumn &c);

// Throws SourceError naming the file when it is missing, a directory, unreadable or
// does not start with the SQLite 3 header (before SQLite sees it).
void check_is_sqlite_file(const std::string &path);

// SQLite identifier quoting: "name" with embedded quotes doubled.
std::string quote_sqlite_ident(const std::string &name);

} // namespace s2p
