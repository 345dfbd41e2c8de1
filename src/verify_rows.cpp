#include "verify_rows.hpp"

#include "canonical.hpp"
#include "errors.hpp"
#include "pg_error.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace s2p {

// ---------------------------------------------------------------------------
// Source

SourceRows::SourceRows(SourceDb &db, const TablePlan &tp, const std::vector<int> &order_by,
                       const ConvertOptions &conv)
    : m_db(db), m_tp(tp), m_conv(conv), m_row(tp.columns.size())
{
    const SourceTable &st = *tp.source;
    std::string tail;
    if (!order_by.empty()) {
        tail += " ORDER BY ";
        for (std::size_t k = 0; k < order_by.size(); ++k) {
            auto const &mapping = tp.columns.at(static_cast<std::size_t>(order_by[k]));
            tail += (k ? ", " : "") + quote_sqlite_ident(st.columns.at(static_cast<std::size_t>(mapping.source_index)).name);
        }
    } else if (!st.without_rowid) {
        tail += " ORDER BY _rowid_";
    }
    prepare(tail);
}

SourceRows::SourceRows(SourceDb &db, const TablePlan &tp, SeekByRowid, const ConvertOptions &conv)
    : m_db(db), m_tp(tp), m_conv(conv), m_row(tp.columns.size())
{
    if (tp.source->without_rowid)
        throw SourceError(fmt::format("table \"{}\" has no rowid to seek by (WITHOUT ROWID)", tp.source->name));
    // Answered by one descent of the rowid b-tree (SEARCH ... USING INTEGER PRIMARY KEY).
    prepare(" WHERE _rowid_ >= ? ORDER BY _rowid_ LIMIT 1");
}

void SourceRows::prepare(const std::string &tail)
{
    std::vector<int> columns;
    for (auto const &m : m_tp.columns) columns.push_back(m.source_index);
    m_stmt = prepare_table_select(m_db, *m_tp.source, columns, tail);
    m_offset = m_tp.source->without_rowid ? 0 : 1;
}

SourceRows::~SourceRows() { sqlite3_finalize(m_stmt); }

bool SourceRows::next() { return step_table_row(m_db, *m_tp.source, m_stmt); }

bool SourceRows::seek(std::int64_t from)
{
    sqlite3_reset(m_stmt);
    sqlite3_bind_int64(m_stmt, 1, from);
    return next();
}

std::int64_t SourceRows::rowid() const { return m_offset ? sqlite3_column_int64(m_stmt, 0) : 0; }

const Row &SourceRows::convert()
{
    ConvertError err;
    for (std::size_t i = 0; i < m_tp.columns.size(); ++i) {
        int const c = static_cast<int>(i) + m_offset;
        SqlValue v;
        switch (sqlite3_column_type(m_stmt, c)) {
        case SQLITE_INTEGER: v = SqlValue::integer(sqlite3_column_int64(m_stmt, c)); break;
        case SQLITE_FLOAT: v = SqlValue::real(sqlite3_column_double(m_stmt, c)); break;
        case SQLITE_TEXT:
            v = SqlValue::text({reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, c)),
                                static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, c))});
            break;
        case SQLITE_BLOB: {
            auto const *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, c));
            auto const n = static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, c));
            v = SqlValue::blob(n ? std::string_view{p, n} : std::string_view{});
            break;
        }
        default: break;
        }
        Cell &cell = m_row[i];
        const PgType &type = m_tp.columns[i].target->type;
        // A column's own settings (--create-schema: --cast epoch unit, text-to-bytea fallback).
        auto const &conv = m_tp.columns[i].convert ? *m_tp.columns[i].convert : m_conv;
        switch (convert_value(v, type, conv, m_scratch, err)) {
        case Converted::Value: canonical_cell(type, m_scratch, cell); break;
        case Converted::Null:
            cell.null = true;
            cell.bad = false;
            cell.text.clear();
            break;
        case Converted::Error:
            cell.null = false;
            cell.bad = true;
            cell.text = "cannot convert: " + err.message;
            break;
        }
    }
    return m_row;
}

// ---------------------------------------------------------------------------
// Target

namespace {
// A batch ends at this many rows or bytes of COPY data, whichever comes first; with
// target_queued batches queued the reader waits. Small enough for flat memory (a few MB
// even with wide rows: about 2 x 256 KB per batch), large enough that the hand-over costs nothing per row.
constexpr std::size_t batch_rows = 512;
constexpr std::size_t batch_bytes = 256 << 10;
constexpr std::size_t target_queued = 4;
} // namespace

TargetRows::TargetRows(pg_conn *conn, const std::string &query, std::vector<const PgType *> types, std::string what)
    : m_conn(conn), m_types(std::move(types)), m_what(std::move(what))
{
    std::string const sql = "COPY (" + query + ") TO STDOUT";
    PGresult *res = PQexec(m_conn, sql.c_str());
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        std::string const msg = describe_pg_error(res, m_conn);
        PQclear(res);
        throw TargetError(fmt::format("cannot read {} back: {}", m_what, msg));
    }
    PQclear(res);
    m_thread = std::thread([this] { reader(); });
}

TargetRows::~TargetRows() { stop(); }

void TargetRows::stop()
{
    if (!m_thread.joinable()) return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void TargetRows::reader()
{
    bool copy_open = true;
    try {
        for (;;) {
            std::unique_ptr<Batch> b;
            {
                std::unique_lock lock(m_mutex);
                m_changed.wait(lock, [&] { return m_ready.size() < target_queued || m_stopping; });
                if (m_stopping) break;
                if (!m_free.empty()) {
                    b = std::move(m_free.back());
                    m_free.pop_back();
                }
            }
            if (!b) b = std::make_unique<Batch>();
            bool const more = fill(*b);
            {
                std::lock_guard lock(m_mutex);
                if (b->size) m_ready.push_back(std::move(b));
            }
            m_changed.notify_all();
            if (!more) {
                copy_open = false;
                finish();
                break;
            }
        }
    } catch (...) {
        std::lock_guard lock(m_mutex);
        m_error = std::current_exception();
    }
    if (copy_open) drain();
    {
        std::lock_guard lock(m_mutex);
        m_done = true;
    }
    m_changed.notify_all();
}

void TargetRows::drain() noexcept
{
    // After an early stop or a failure the rest of the COPY must still be read for the
    // connection to be usable again (its errors are the failing transaction's to report).
    for (;;) {
        char *buf = nullptr;
        int const n = PQgetCopyData(m_conn, &buf, 0);
        if (buf) PQfreemem(buf);
        if (n < 0) break;
    }
    while (PGresult *res = PQgetResult(m_conn)) PQclear(res);
}

bool TargetRows::fill(Batch &b)
{
    b.size = 0;
    std::size_t bytes = 0;
    while (b.size < batch_rows && bytes < batch_bytes) {
        char *buf = nullptr;
        int const n = PQgetCopyData(m_conn, &buf, 0);
        if (n == -1) return false;
        if (n < 0) {
            std::string msg = PQerrorMessage(m_conn);
            while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
            throw TargetError(fmt::format("reading {} back failed: {}", m_what, msg));
        }
        struct Freer { char *p; ~Freer() { PQfreemem(p); } } freer{buf};
        if (b.rows.size() <= b.size) {
            b.rows.emplace_back();
            b.hashes.emplace_back();
        }
        // Parsed into one scratch row, canonicalised into the batch's row: each column's
        // buffers keep that column's size (swapping buffers between cells would, over
        // many batches, leave every cell with a buffer as large as the widest column's).
        parse_copy_line({buf, static_cast<std::size_t>(n)}, m_parsed);
        if (m_parsed.size() != m_types.size())
            throw TargetError(
                fmt::format("reading {} back: {} columns, expected {}", m_what, m_parsed.size(), m_types.size()));
        Row &row = b.rows[b.size];
        row.resize(m_parsed.size());
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (m_parsed[i].null) {
                row[i].null = true;
                row[i].bad = false;
                row[i].text.clear();
            } else {
                canonical_cell(*m_types[i], m_parsed[i].text, row[i]);
            }
        }
        b.hashes[b.size] = row_hash(row, m_encoded);
        ++b.size;
        bytes += static_cast<std::size_t>(n);
    }
    return true;
}

void TargetRows::finish()
{
    std::string error;
    while (PGresult *res = PQgetResult(m_conn)) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && error.empty()) error = describe_pg_error(res, m_conn);
        PQclear(res);
    }
    if (!error.empty()) throw TargetError(fmt::format("reading {} back failed: {}", m_what, error));
}

bool TargetRows::next()
{
    if (m_current && ++m_pos < m_current->size) return true;
    std::unique_lock lock(m_mutex);
    if (m_current) m_free.push_back(std::move(m_current));
    m_changed.notify_all();
    m_changed.wait(lock, [&] { return !m_ready.empty() || m_done; });
    if (m_ready.empty()) {
        if (m_error) {
            auto const e = m_error;
            m_error = nullptr;
            lock.unlock();
            stop();
            std::rethrow_exception(e);
        }
        return false;
    }
    m_current = std::move(m_ready.front());
    m_ready.pop_front();
    m_pos = 0;
    return true;
}

// ---------------------------------------------------------------------------
// Shared

void parse_copy_line(std::string_view line, std::vector<Cell> &fields)
{
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    std::size_t n = 0;
    std::size_t i = 0;
    for (;;) {
        if (fields.size() <= n) fields.emplace_back();
        Cell &c = fields[n++];
        c.bad = false;
        c.text.clear();
        std::size_t const end = std::min(line.find('\t', i), line.size());
        std::string_view raw = line.substr(i, end - i);
        if (raw == "\\N") {
            c.null = true;
        } else {
            c.null = false;
            // Runs without a backslash are copied whole; most values have no escape at all.
            for (;;) {
                std::size_t const bs = raw.find('\\');
                c.text.append(raw.data(), std::min(bs, raw.size()));
                if (bs == std::string_view::npos) break;
                if (bs + 1 >= raw.size()) { // a lone trailing backslash stands for itself
                    c.text += '\\';
                    break;
                }
                std::size_t k = bs + 1;
                char const e = raw[k];
                switch (e) {
                case 'b': c.text += '\b'; break;
                case 'f': c.text += '\f'; break;
                case 'n': c.text += '\n'; break;
                case 'r': c.text += '\r'; break;
                case 't': c.text += '\t'; break;
                case 'v': c.text += '\v'; break;
                case 'x': {
                    int v = 0, digits = 0;
                    while (digits < 2 && k + 1 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[k + 1]))) {
                        char const h = raw[++k];
                        v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                        ++digits;
                    }
                    if (digits) c.text += static_cast<char>(v);
                    else c.text += 'x';
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int d = 0; d < 2 && k + 1 < raw.size() && raw[k + 1] >= '0' && raw[k + 1] <= '7'; ++d)
                            v = v * 8 + (raw[++k] - '0');
                        c.text += static_cast<char>(v);
                    } else {
                        c.text += e; // \\ and any other escaped character stand for themselves
                    }
                }
                raw.remove_prefix(k + 1);
            }
        }
        if (end >= line.size()) break;
        i = end + 1;
    }
    fields.resize(n);
}

void canonical_cell(const PgType &t, std::string_view text, Cell &c)
{
    c.null = false;
    c.bad = false;
    canonicalize(t, text, c.text);
}

namespace {
void encode_cell(const Cell &c, std::string &out)
{
    out += c.null ? '\0' : c.bad ? '\2' : '\1';
    if (c.null) return;
    auto const n = static_cast<std::uint64_t>(c.text.size());
    char len[8];
    std::memcpy(len, &n, 8);
    out.append(len, 8);
    out += c.text;
}
} // namespace

void encode_cells(const Row &row, const std::vector<int> &which, std::string &out)
{
    out.clear();
    for (int i : which) encode_cell(row[static_cast<std::size_t>(i)], out);
}

void encode_row(const Row &row, std::string &out)
{
    out.clear();
    for (auto const &c : row) encode_cell(c, out);
}

XXH128_hash_t row_hash(const Row &row, std::string &scratch)
{
    encode_row(row, scratch);
    return XXH3_128bits(scratch.data(), scratch.size());
}

namespace {
bool plain_unsigned(const std::string &t)
{
    if (t.empty() || (t[0] == '0' && t.size() > 1)) return false;
    for (char const c : t)
        if (c < '0' || c > '9') return false;
    return true;
}
} // namespace

int compare_keys(const Row &a, const Row &b, const std::vector<int> &key, const std::vector<PgKind> &kinds)
{
    for (std::size_t k = 0; k < key.size(); ++k) {
        const Cell &x = a[static_cast<std::size_t>(key[k])];
        const Cell &y = b[static_cast<std::size_t>(key[k])];
        if (x.null || y.null) {
            if (x.null != y.null) return x.null ? -1 : 1;
            continue;
        }
        PgKind const kind = kinds[k];
        if (kind == PgKind::Int2 || kind == PgKind::Int4 || kind == PgKind::Int8) {
            // Non-negative integers without leading zeros, as both sides print them, order
            // by length and then by bytes: no parsing (three comparisons per row).
            if (plain_unsigned(x.text) && plain_unsigned(y.text)) {
                if (x.text.size() != y.text.size()) return x.text.size() < y.text.size() ? -1 : 1;
                if (int const c = std::memcmp(x.text.data(), y.text.data(), x.text.size()); c != 0) return c < 0 ? -1 : 1;
                continue;
            }
            std::int64_t i = 0, j = 0;
            auto const ri = std::from_chars(x.text.data(), x.text.data() + x.text.size(), i);
            auto const rj = std::from_chars(y.text.data(), y.text.data() + y.text.size(), j);
            if (ri.ec == std::errc() && rj.ec == std::errc()) {
                if (i != j) return i < j ? -1 : 1;
                continue;
            }
        }
        if (int const c = x.text.compare(y.text); c != 0) return c < 0 ? -1 : 1;
    }
    return 0;
}

} // namespace s2p
