#include "verify.hpp"

#include "connect.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "problems.hpp"
#include "rowid_sample.hpp"
#include "target_catalog.hpp"
#include "verify_counts.hpp"
#include "verify_rows.hpp"
#include "pg_error.hpp"

#include <libpq-fe.h>

#include <pqxx/prepared_statement>
#include <pqxx/result>

#include <fmt/format.h>
#include <xxhash.h>

#include <chrono>
#include <map>
#include <unordered_map>

namespace s2p {

namespace {

// Keys per target query in sample mode: one round trip per batch, statements of bounded size.
constexpr std::size_t sample_batch = 500;
// A table without key is matched row for row in memory (a hash per distinct row, ~64
// bytes) up to this many source rows; above, only the multiset checksums are compared.
constexpr std::int64_t unkeyed_exact_rows = 2'000'000;

struct Checksum {
    std::uint64_t lo = 0, hi = 0;
    // Sums are order-independent, so the two sides may stream in different orders.
    void add(XXH128_hash_t h) { lo += h.low64; hi += h.high64; }
    std::string hex() const { return fmt::format("{:016x}{:016x}", hi, lo); }
};

bool is_text_kind(PgKind k) { return k == PgKind::Text || k == PgKind::Varchar || k == PgKind::Bpchar; }
bool is_int_kind(PgKind k) { return k == PgKind::Int2 || k == PgKind::Int4 || k == PgKind::Int8; }

// Where two texts differ, so a short excerpt of a long value shows the difference.
std::size_t first_difference(const std::string &a, const std::string &b)
{
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    return i;
}

constexpr std::size_t excerpt_chars = 40;

std::string cell_excerpt(const Cell &c, std::size_t from = 0)
{
    if (c.null) return "NULL";
    if (c.bad) return "(" + c.text + ")";
    if (from > c.text.size()) from = c.text.size();
    while (from > 0 && (static_cast<unsigned char>(c.text[from]) & 0xC0) == 0x80) --from; // UTF-8 boundary
    std::string out = excerpt(SqlValue::text(std::string_view(c.text).substr(from)), excerpt_chars);
    return from > 0 ? "…" + out : out;
}

class TableCheck {
public:
    TableCheck(const TablePlan &tp, const std::string &schema, const VerifySettings &settings, TableVerdict &v)
        : m_tp(tp), m_schema(schema), m_settings(settings), m_v(v)
    {
        for (auto const &c : tp.columns) m_types.push_back(&c.target->type);
        // The key: the source primary key (for a rowid table with INTEGER PRIMARY KEY that is
        // the rowid itself), when every one of its columns is copied to the target.
        std::vector<std::pair<int, int>> pk; // (position, plan column)
        std::size_t pk_columns = 0;
        for (auto const &sc : tp.source->columns) pk_columns += sc.pk_position > 0;
        for (std::size_t i = 0; i < tp.columns.size(); ++i) {
            auto const &sc = tp.source->columns[static_cast<std::size_t>(tp.columns[i].source_index)];
            if (sc.pk_position > 0) pk.emplace_back(sc.pk_position, static_cast<int>(i));
        }
        if (pk_columns > 0 && pk.size() == pk_columns) {
            std::sort(pk.begin(), pk.end());
            for (auto const &p : pk) {
                m_key.push_back(p.second);
                m_key_kinds.push_back(m_types[static_cast<std::size_t>(p.second)]->kind);
            }
        }
        for (std::size_t k = 0; k < m_key.size(); ++k)
            v.key += (k ? ", " : "") + tp.columns[static_cast<std::size_t>(m_key[k])].target->name;
    }

    bool keyed() const { return !m_key.empty(); }
    const std::vector<int> &key() const { return m_key; }

    std::string select_list(const char *alias = "") const
    {
        std::string s;
        for (auto const &c : m_tp.columns) s += (s.empty() ? "" : ", ") + std::string(alias) + quote_ident(c.target->name);
        return s.empty() ? "1" : s;
    }
    std::string from() const { return qualified(m_schema, m_tp.target->name); }
    std::string order_by() const
    {
        std::string s;
        for (std::size_t k = 0; k < m_key.size(); ++k) {
            s += (k ? ", " : " ORDER BY ") + quote_ident(m_tp.columns[static_cast<std::size_t>(m_key[k])].target->name);
            if (is_text_kind(m_key_kinds[k])) s += " COLLATE \"C\"";
            // NULLs first, as SQLite sorts them; said only where NULLs can be, since an
            // index (ASC NULLS LAST) cannot give that order and would go unused.
            if (!m_tp.columns[static_cast<std::size_t>(m_key[k])].target->not_null) s += " NULLS FIRST";
        }
        return s;
    }
    const std::vector<const PgType *> &types() const { return m_types; }
    const TablePlan &plan() const { return m_tp; }
    int compare(const Row &a, const Row &b) const { return compare_keys(a, b, m_key, m_key_kinds); }

    std::string key_label(const Row &r) const
    {
        std::string names, values;
        for (std::size_t k = 0; k < m_key.size(); ++k) {
            auto const i = static_cast<std::size_t>(m_key[k]);
            names += (k ? ", " : "") + m_tp.columns[i].target->name;
            values += (k ? ", " : "") + (is_int_kind(m_key_kinds[k]) && !r[i].null ? r[i].text : cell_excerpt(r[i]));
        }
        return m_key.size() == 1 ? names + "=" + values : "(" + names + ")=(" + values + ")";
    }
    std::string row_label(const Row &r) const
    {
        std::string values;
        for (std::size_t i = 0; i < r.size() && i < 4; ++i) values += (i ? ", " : "") + cell_excerpt(r[i]);
        return "row (" + values + (r.size() > 4 ? ", …)" : ")");
    }

    void add(Difference d)
    {
        if (m_v.differences.size() < static_cast<std::size_t>(m_settings.max_differences))
            m_v.differences.push_back(std::move(d));
    }
    void missing(const std::string &key) { ++m_v.missing; add({"missing", key, "", "", ""}); }
    void extra(const std::string &key) { ++m_v.extra; add({"extra", key, "", "", ""}); }

    // Compares two rows with the same key, column by column.
    void compare_values(const Row &s, const Row &t)
    {
        bool differs = false;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == t[i]) continue;
            if (!differs) ++m_v.rows_differing;
            differs = true;
            std::size_t const from =
                s[i].null || t[i].null ? 0 : first_difference(s[i].text, t[i].text);
            // Long values are shown from shortly before the first difference.
            bool const long_value = s[i].text.size() > excerpt_chars || t[i].text.size() > excerpt_chars;
            std::size_t const start = long_value && from > excerpt_chars / 2 ? from - excerpt_chars / 4 : 0;
            add({"value", key_label(s), m_tp.columns[i].target->name, cell_excerpt(s[i], start),
                 cell_excerpt(t[i], start)});
        }
    }

private:
    const TablePlan &m_tp;
    const std::string &m_schema;
    const VerifySettings &m_settings;
    TableVerdict &m_v;
    std::vector<const PgType *> m_types;
    std::vector<int> m_key;
    std::vector<PgKind> m_key_kinds;
};

// For the ordered read of the target: without sorts the planner walks the primary key's
// index, in key order already, instead of sorting the whole table (a sort of a table
// larger than work_mem spills to temporary files). Restored when done, since migrate
// runs this inside its own transaction.
class SortsOff {
public:
    explicit SortsOff(pg_conn *conn) : m_conn(conn)
    {
        PGresult *res = PQexec(m_conn, "SELECT current_setting('enable_sort'), set_config('enable_sort', 'off', true)");
        bool const ok = PQresultStatus(res) == PGRES_TUPLES_OK;
        if (ok) m_previous = PQgetvalue(res, 0, 0);
        std::string const msg = ok ? "" : describe_pg_error(res, m_conn);
        PQclear(res);
        if (!ok) throw TargetError("cannot set enable_sort for the ordered read: " + msg);
    }
    ~SortsOff()
    {
        char const *values[] = {m_previous.c_str()};
        PQclear(PQexecParams(m_conn, "SELECT set_config('enable_sort', $1, true)", 1, nullptr, values, nullptr,
                             nullptr, 0));
    }
    SortsOff(const SortsOff &) = delete;
    SortsOff &operator=(const SortsOff &) = delete;

private:
    pg_conn *m_conn;
    std::string m_previous;
};

// Both sides streamed in key order and merged: bounded memory, every row.
void full_keyed(SourceDb &src, pg_conn *raw, const ConvertOptions &conv, TableCheck &tc, TableVerdict &v)
{
    v.method = "full";
    SortsOff const sorts_off(raw); // destroyed after t, whose reader owns the connection
    TargetRows t(raw, "SELECT " + tc.select_list() + " FROM " + tc.from() + tc.order_by(), tc.types(),
                 fmt::format("table \"{}\"", v.table));
    SourceRows s(src, tc.plan(), tc.key(), conv);
    Checksum cs, ct;
    std::string scratch;
    // Only the key cells of the previous rows are kept, for the order check.
    Row sprev(tc.types().size()), tprev(tc.types().size());
    auto const copy_key = [&](const Row &from, Row &to) {
        for (int k : tc.key()) to[static_cast<std::size_t>(k)] = from[static_cast<std::size_t>(k)];
    };
    auto out_of_order = [&](const char *side) {
        v.unverifiable = true;
        v.note = fmt::format("the {} rows do not come in the order of the key ({}) as PostgreSQL sorts it, "
                             "so rows cannot be matched by key (a key column whose source values convert "
                             "to a differently sorting form?)",
                             side, v.key);
    };
    bool hs = s.next(), ht = t.next();
    const Row *sr = hs ? &s.convert() : nullptr;
    while (hs || ht) {
        int const c = !hs ? 1 : !ht ? -1 : tc.compare(*sr, t.row());
        XXH128_hash_t sh{};
        if (c <= 0) {
            ++v.source_rows;
            sh = row_hash(*sr, scratch);
            cs.add(sh);
        }
        if (c >= 0) {
            ++v.target_rows;
            ct.add(t.hash());
        }
        if (c < 0) tc.missing(tc.key_label(*sr));
        else if (c > 0) tc.extra(tc.key_label(t.row()));
        // Equal 128-bit hashes of the whole encoded rows (NULL, unconvertible and text kept
        // apart) mean equal rows; cells are compared one by one only to name a difference.
        else if (!XXH128_isEqual(sh, t.hash())) tc.compare_values(*sr, t.row());
        if (c <= 0) {
            copy_key(*sr, sprev);
            hs = s.next();
            sr = hs ? &s.convert() : nullptr;
            if (hs && tc.compare(*sr, sprev) < 0) return out_of_order("source");
        }
        if (c >= 0) {
            copy_key(t.row(), tprev);
            ht = t.next();
            if (ht && tc.compare(t.row(), tprev) < 0) return out_of_order("target");
        }
    }
    v.rows_compared = v.source_rows;
    v.source_checksum = cs.hex();
    v.target_checksum = ct.hex();
}

// PostgreSQL array literal of text elements: every element quoted, so no value can be
// misread as NULL or a nested array.
std::string array_literal(const std::vector<const Cell *> &cells)
{
    std::string out = "{";
    for (auto const *c : cells) {
        if (out.size() > 1) out += ',';
        if (c->null || c->bad) {
            out += "NULL";
            continue;
        }
        out += '"';
        for (char ch : c->text) {
            if (ch == '"' || ch == '\\') out += '\\';
            out += ch;
        }
        out += '"';
    }
    return out + "}";
}

// The sample's source rows: `sampled` (encoded key -> row, a row per key) and `in_order`
// (its entries in the order read), the checksum over every sampled row.
struct SourceSample {
    struct Entry {
        Row row;
        bool found = false;
    };
    std::map<std::string, Entry> sampled;
    std::vector<std::map<std::string, Entry>::iterator> in_order;
    Checksum cs;
    std::string enc, scratch;

    void add(Row r, const std::vector<int> &key)
    {
        cs.add(row_hash(r, scratch));
        encode_cells(r, key, enc);
        auto [it, inserted] = sampled.try_emplace(enc, Entry{std::move(r), false});
        if (inserted) in_order.push_back(it);
    }
};

// WITHOUT ROWID tables: every k-th source row in key order (k = ceil(rows / N): rows 1,
// 1+k, 1+2k, ...), which takes reading the whole table.
void scan_sample(SourceDb &src, const ConvertOptions &conv, std::int64_t n, TableCheck &tc, TableVerdict &v,
                 SourceSample &out)
{
    std::int64_t const step = (v.source_rows + n - 1) / n;
    SourceRows s(src, tc.plan(), tc.key(), conv);
    for (std::int64_t ordinal = 0; s.next(); ++ordinal) {
        if ((ordinal & 4095) == 0) check_interrupt();
        if (ordinal % step == 0) out.add(s.convert(), tc.key());
    }
}

// Rowid tables: N rows spread over the rowid range, found by seeking (rowid_sample.hpp),
// so the cost is N lookups whatever the table's size.
void seek_sample(SourceDb &src, const ConvertOptions &conv, std::int64_t n, TableCheck &tc, SourceSample &out)
{
    auto const range = src.rowid_range(*tc.plan().source);
    if (!range) return;
    SourceRows s(src, tc.plan(), SourceRows::SeekByRowid{}, conv);
    // Rows as converted when first found; a last pass may find more than it keeps.
    std::map<std::int64_t, Row> rows;
    std::int64_t seeks = 0;
    auto const seek = [&](std::int64_t from) -> std::optional<std::int64_t> {
        if ((seeks++ & 255) == 0) check_interrupt();
        if (!s.seek(from)) return std::nullopt;
        std::int64_t const id = s.rowid();
        if (!rows.contains(id)) rows.emplace(id, s.convert());
        return id;
    };
    for (std::int64_t id : sample_rowids(range->first, range->second, n, seek)) out.add(std::move(rows.at(id)), tc.key());
}

// The sampled source rows, and the rows with the same keys fetched from the target. Extra
// target rows show in the count.
void sample_keyed(SourceDb &src, pqxx::dbtransaction &tx, const ConvertOptions &conv, std::int64_t n,
                  TableCheck &tc, TableVerdict &v)
{
    v.method = "sample";
    SourceSample source;
    if (tc.plan().source->without_rowid) scan_sample(src, conv, n, tc, v, source);
    else seek_sample(src, conv, n, tc, source);
    auto &sampled = source.sampled;
    auto const &in_order = source.in_order;
    auto &enc = source.enc;
    auto &scratch = source.scratch;
    Checksum ct;
    auto const &key = tc.key();
    std::string on;
    std::string unnest;
    std::string names;
    for (std::size_t k = 0; k < key.size(); ++k) {
        auto const &col = *tc.plan().columns[static_cast<std::size_t>(key[k])].target;
        unnest += fmt::format("{}${}::{}[]", k ? ", " : "", k + 1, col.type.name);
        names += fmt::format("{}k{}", k ? ", " : "", k);
        on += fmt::format("{}t.{} = k.k{}", k ? " AND " : "", quote_ident(col.name), k);
    }
    std::string const query = "SELECT " + tc.select_list("t.") + " FROM " + tc.from() + " AS t JOIN unnest(" +
                              unnest + ") AS k(" + names + ") ON " + on;
    Row trow(tc.types().size());
    for (std::size_t b = 0; b < in_order.size(); b += sample_batch) {
        std::size_t const e = std::min(in_order.size(), b + sample_batch);
        std::vector<std::string> params;
        for (int col : key) {
            std::vector<const Cell *> cells;
            for (std::size_t i = b; i < e; ++i) cells.push_back(&in_order[i]->second.row[static_cast<std::size_t>(col)]);
            params.push_back(array_literal(cells));
        }
        pqxx::result const res = tx.exec_params(query, pqxx::prepare::make_dynamic_params(params));
        for (auto const &row : res) {
            for (std::size_t i = 0; i < trow.size(); ++i) {
                auto const f = row[static_cast<pqxx::row::size_type>(i)];
                if (f.is_null()) {
                    trow[i].null = true;
                    trow[i].bad = false;
                    trow[i].text.clear();
                } else {
                    canonical_cell(*tc.types()[i], std::string_view(f.c_str(), f.size()), trow[i]);
                }
            }
            ct.add(row_hash(trow, scratch));
            encode_cells(trow, key, enc);
            auto it = sampled.find(enc);
            if (it == sampled.end() || it->second.found) {
                tc.extra(tc.key_label(trow));
                continue;
            }
            it->second.found = true;
            tc.compare_values(it->second.row, trow);
        }
    }
    for (auto const &it : in_order) {
        if (!it->second.found) tc.missing(tc.key_label(it->second.row));
    }
    v.rows_compared = static_cast<std::int64_t>(in_order.size());
    v.source_checksum = source.cs.hex();
    v.target_checksum = ct.hex();
}

struct HashKey {
    std::size_t operator()(const XXH128_hash_t &h) const { return static_cast<std::size_t>(h.low64); }
};
struct HashEq {
    bool operator()(const XXH128_hash_t &a, const XXH128_hash_t &b) const { return XXH128_isEqual(a, b); }
};

// No key to match rows by: the two sides are compared as multisets of whole rows. A
// changed row shows as one missing and one extra row.
void unkeyed(SourceDb &src, pg_conn *raw, const ConvertOptions &conv, TableCheck &tc, TableVerdict &v)
{
    v.method = "unkeyed";
    bool const exact = v.source_rows <= unkeyed_exact_rows;
    struct Seen {
        std::int64_t count = 0;
        std::int64_t rowid = 0; // first source row with these values
    };
    std::unordered_map<XXH128_hash_t, Seen, HashKey, HashEq> seen;
    Checksum cs, ct;
    std::string scratch;
    std::int64_t read = 0;
    {
        SourceRows s(src, tc.plan(), std::vector<int>{}, conv);
        while (s.next()) {
            ++read;
            XXH128_hash_t const h = row_hash(s.convert(), scratch);
            cs.add(h);
            if (!exact) continue;
            auto &e = seen[h];
            if (e.count++ == 0) e.rowid = s.rowid();
        }
    }
    v.source_rows = read;
    v.target_rows = 0;
    TargetRows t(raw, "SELECT " + tc.select_list() + " FROM " + tc.from(), tc.types(),
                 fmt::format("table \"{}\"", v.table));
    while (t.next()) {
        ++v.target_rows;
        XXH128_hash_t const h = t.hash();
        ct.add(h);
        if (!exact) continue;
        auto it = seen.find(h);
        if (it == seen.end() || it->second.count == 0) tc.extra(tc.row_label(t.row()));
        else --it->second.count;
    }
    if (exact) {
        std::vector<std::int64_t> rowids; // report missing rows in source order
        for (auto const &[h, e] : seen) {
            if (e.count <= 0) continue;
            v.missing += e.count;
            rowids.push_back(e.rowid);
        }
        std::sort(rowids.begin(), rowids.end());
        std::int64_t const missing = v.missing;
        for (auto id : rowids) tc.missing(fmt::format("source rowid {}", id));
        v.missing = missing; // tc.missing counted each again
    }
    v.rows_compared = read;
    v.source_checksum = cs.hex();
    v.target_checksum = ct.hex();
    v.note = exact ? "no key: compared as a multiset of whole rows"
                   : fmt::format("no key and more than {} rows: compared by multiset checksum only, "
                                 "differing rows cannot be named",
                                 unkeyed_exact_rows);
}

} // namespace

std::string_view verify_mode_name(VerifyMode m)
{
    switch (m) {
    case VerifyMode::None: return "none";
    case VerifyMode::Count: return "count";
    case VerifyMode::Sample: return "sample";
    case VerifyMode::Full: return "full";
    }
    return "?";
}

bool VerifyResult::ok() const { return mismatched_tables() == 0; }

std::size_t VerifyResult::mismatched_tables() const
{
    std::size_t n = 0;
    for (auto const &t : tables) n += !t.ok();
    return n;
}

void set_verify_session(pqxx::transaction_base &tx)
{
    tx.exec("SET LOCAL TimeZone = 'UTC'");
    tx.exec("SET LOCAL DateStyle = 'ISO, YMD'");
    tx.exec("SET LOCAL IntervalStyle = 'postgres'");
    tx.exec("SET LOCAL client_encoding = 'UTF8'");
    // Exact floats: shortest round-trip text on PostgreSQL 12+, 17 digits before.
    tx.exec("SET LOCAL extra_float_digits = 3");
    tx.exec("SET LOCAL bytea_output = 'hex'");
}

VerifyResult verify_plan(SourceDb &src, pqxx::dbtransaction &tx, const Plan &plan, const std::string &schema,
                         const ConvertOptions &conv, const VerifySettings &settings, Log &log)
{
    auto const started = std::chrono::steady_clock::now();
    VerifyResult r;
    r.mode = settings.mode;
    r.sample_rows = settings.mode == VerifyMode::Sample ? settings.sample_rows : 0;
    r.target_schema = schema;
    pg_conn *raw = raw_connection(tx);
    for (auto const &tp : plan.tables) {
        check_interrupt();
        TableVerdict v;
        v.table = tp.target->name;
        v.source_table = tp.source->name;
        TableCheck tc(tp, schema, settings, v);
        auto const counts = [&] {
            v.source_rows = src.count_rows(*tp.source);
            auto const known = settings.known_target_rows.find(tp.target->name);
            v.target_rows = known != settings.known_target_rows.end() ? known->second
                                                                      : count_target_rows(tx, schema, tp.target->name);
        };
        if (settings.mode == VerifyMode::Count) {
            v.method = "count";
            counts();
        } else if (!tc.keyed()) {
            unkeyed(src, raw, conv, tc, v);
        } else if (settings.mode == VerifyMode::Full || src.count_rows(*tp.source) <= settings.sample_rows) {
            // (A sample of every row is the full comparison, which also finds extra rows.)
            full_keyed(src, raw, conv, tc, v);
            if (v.unverifiable) {
                // SQLite sorts the key differently (e.g. uuids stored in mixed case or as
                // blobs): match whole rows instead, which needs no order.
                TableVerdict retry;
                retry.table = v.table;
                retry.source_table = v.source_table;
                retry.key = v.key;
                v = std::move(retry);
                unkeyed(src, raw, conv, tc, v);
                v.note = "source key order differs from PostgreSQL's: " + v.note;
            }
        } else {
            counts();
            {
                sample_keyed(src, tx, conv, settings.sample_rows, tc, v);
            }
        }
        log.info(fmt::format("verified {} ({}): {}", v.table, v.method, v.ok() ? "match" : "DIFFERENT"));
        r.tables.push_back(std::move(v));
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
}

} // namespace s2p
