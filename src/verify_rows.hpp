#pragma once
// The two row streams verification compares: source rows converted exactly as the
// migration converts them, and target rows read back from PostgreSQL with COPY TO
// STDOUT; both as canonical cells (canonical.hpp), plus what comparing them needs.
#include "convert.hpp"
#include "planner.hpp"
#include "source_reader.hpp"

#include <xxhash.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct pg_conn;
struct sqlite3_stmt;

namespace s2p {

struct Cell {
    bool null = true;
    bool bad = false;  // the source value does not convert: the migration cannot have stored it
    std::string text;  // canonical text; for `bad`, why
    bool operator==(const Cell &o) const { return null == o.null && !bad && !o.bad && text == o.text; }
};
using Row = std::vector<Cell>;

// Streams a source table's mapped columns (plan order), ordered by `order_by` (indexes into
// the plan's columns; empty: rowid order, or none for WITHOUT ROWID tables).
class SourceRows {
public:
    SourceRows(SourceDb &db, const TablePlan &tp, const std::vector<int> &order_by, const ConvertOptions &conv);
    // Seeking instead of streaming (rowid tables only): each seek() is one lookup in the
    // table's b-tree, so a sample costs as many lookups as it has rows, not a scan.
    struct SeekByRowid {};
    SourceRows(SourceDb &db, const TablePlan &tp, SeekByRowid, const ConvertOptions &conv);
    ~SourceRows();
    SourceRows(const SourceRows &) = delete;
    SourceRows &operator=(const SourceRows &) = delete;

    bool next();             // false at the end; throws SourceError
    // Seek mode: makes the first row with rowid >= `from` the current row; false if none.
    bool seek(std::int64_t from);
    const Row &convert();    // the current row, converted and canonical (lazy: sampling skips rows)
    std::int64_t rowid() const;

private:
    // SELECT [_rowid_,] the plan's columns FROM the table, followed by `tail`; prepared.
    void prepare(const std::string &tail);

    SourceDb &m_db;
    const TablePlan &m_tp;
    const ConvertOptions &m_conv;
    sqlite3_stmt *m_stmt = nullptr;
    int m_offset = 0; // 1 when column 0 is the rowid
    Row m_row;
    std::string m_scratch;
};

// COPY (query) TO STDOUT on the raw connection, one row per next(); `types` gives each
// column's type for canonicalisation. Inside the caller's transaction.
//
// A reader thread receives, parses, canonicalises and hashes the rows, so that this side
// runs while the caller converts the source side (two cores: SQLite + conversion on one,
// libpq + canonicalisation of the target on the other). Rows travel in batches through a
// bounded queue (rows and bytes bounded), and batches are reused, so memory stays flat and
// values cost no allocation once the buffers have grown. While the reader runs, the
// connection belongs to it: the caller must not use it until the object is destroyed or
// next() has returned false.
class TargetRows {
public:
    TargetRows(pg_conn *conn, const std::string &query, std::vector<const PgType *> types, std::string what);
    ~TargetRows(); // drains an unfinished COPY so the connection stays usable
    TargetRows(const TargetRows &) = delete;
    TargetRows &operator=(const TargetRows &) = delete;

    bool next();  // false at the end; throws TargetError (from the reader, here)
    const Row &row() const { return m_current->rows[m_pos]; }
    XXH128_hash_t hash() const { return m_current->hashes[m_pos]; } // row_hash(row())

private:
    struct Batch {
        std::vector<Row> rows; // reused: only the first `size` are this batch's
        std::vector<XXH128_hash_t> hashes;
        std::size_t size = 0;
    };
    void reader();
    bool fill(Batch &b); // false at the end of the COPY
    void finish();
    void drain() noexcept;
    void stop();

    pg_conn *m_conn;
    std::vector<const PgType *> m_types;
    std::string m_what;
    std::string m_encoded; // reader's scratch
    Row m_parsed;

    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::unique_ptr<Batch>> m_ready; // filled, in order
    std::vector<std::unique_ptr<Batch>> m_free;
    bool m_done = false;     // the reader has queued its last batch
    bool m_stopping = false; // the consumer is gone: drain and end
    std::exception_ptr m_error;

    std::unique_ptr<Batch> m_current; // being consumed
    std::size_t m_pos = 0;
};

// XXH3-128 of the row's encoded cells: what checksums and the multiset match use.
XXH128_hash_t row_hash(const Row &row, std::string &scratch);

// Splits one COPY text-format line (without or with its newline) into fields, undoing
// COPY's escapes; \N is NULL. Exposed for tests.
void parse_copy_line(std::string_view line, std::vector<Cell> &fields);

// Canonical cell from a converted or read-back value.
void canonical_cell(const PgType &t, std::string_view text, Cell &c);

// Encodes cells (NULL, bad and text kept apart) for hashing and as map keys.
void encode_cells(const Row &row, const std::vector<int> &which, std::string &out);
void encode_row(const Row &row, std::string &out);

// -1/0/1 in the order PostgreSQL sorts the key: NULLs first, integers by value,
// everything else by bytes (text columns are sorted COLLATE "C" on the target).
int compare_keys(const Row &a, const Row &b, const std::vector<int> &key, const std::vector<PgKind> &kinds);

} // namespace s2p
