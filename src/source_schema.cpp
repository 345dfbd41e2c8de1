#include "source_schema.hpp"

#include "errors.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace s2p {

namespace {

// A prepared statement with text binds; every column read as text (NULL -> nullopt).
class Query {
public:
    Query(SourceDb &db, const std::string &sql, const std::vector<std::string> &binds = {}) : m_db(db)
    {
        if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &m_stmt, nullptr) != SQLITE_OK) fail();
        for (std::size_t i = 0; i < binds.size(); ++i)
            sqlite3_bind_text(m_stmt, static_cast<int>(i + 1), binds[i].c_str(), -1, SQLITE_TRANSIENT);
    }
    ~Query() { sqlite3_finalize(m_stmt); }
    Query(const Query &) = delete;
    Query &operator=(const Query &) = delete;

    bool next()
    {
        int const rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE) fail();
        return false;
    }
    std::optional<std::string> opt(int i) const
    {
        if (sqlite3_column_type(m_stmt, i) == SQLITE_NULL) return std::nullopt;
        auto const *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, i));
        return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, i)));
    }
    std::string text(int i) const { return opt(i).value_or(""); }
    std::int64_t integer(int i) const { return sqlite3_column_int64(m_stmt, i); }

private:
    [[noreturn]] void fail()
    {
        throw SourceError(fmt::format("cannot read the schema of '{}': {}", m_db.path(), sqlite3_errmsg(m_db.handle())));
    }
    SourceDb &m_db;
    sqlite3_stmt *m_stmt = nullptr;
};

bool has_autoincrement(const std::string &sql)
{
    std::string u = sql;
    for (char &c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u.find("AUTOINCREMENT") != std::string::npos;
}

} // namespace

SourceTableSchema read_table_schema(SourceDb &db, const SourceTable &t)
{
    SourceTableSchema s;
    {
        Query q(db, "SELECT dflt_value FROM pragma_table_info(?) ORDER BY cid", {t.name});
        while (q.next()) s.defaults.push_back(q.opt(0));
    }
    {
        Query q(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", {t.name});
        if (q.next()) s.sql = q.text(0);
    }
    s.autoincrement = has_autoincrement(s.sql);
    if (s.autoincrement) {
        Query exists(db, "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'");
        if (exists.next()) {
            Query q(db, "SELECT seq FROM sqlite_sequence WHERE name = ?", {t.name});
            if (q.next()) s.sqlite_sequence = q.integer(0);
        }
    }
    {
        Query q(db, "SELECT l.name, l.\"unique\", l.origin, l.partial, coalesce(m.sql, '') FROM pragma_index_list(?) l "
                    "LEFT JOIN sqlite_schema m ON m.type = 'index' AND m.name = l.name ORDER BY l.name",
                {t.name});
        while (q.next()) s.indexes.push_back({q.text(0), q.integer(1) != 0, q.text(2), q.integer(3) != 0, {}, q.text(4)});
    }
    for (auto &ix : s.indexes) {
        Query q(db, "SELECT coalesce(name, '') FROM pragma_index_info(?) ORDER BY seqno", {ix.name});
        while (q.next()) ix.columns.push_back(q.text(0));
    }
    {
        Query q(db, "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?) "
                    "ORDER BY id, seq",
                {t.name});
        std::int64_t last = -1;
        while (q.next()) {
            if (q.integer(0) != last) {
                last = q.integer(0);
                s.foreign_keys.push_back({q.text(1), {}, {}, q.text(4), q.text(5)});
            }
            auto &fk = s.foreign_keys.back();
            fk.from.push_back(q.text(2));
            if (auto to = q.opt(3)) fk.to.push_back(*to);
        }
        // pragma_foreign_key_list returns them last-declared first: keep the declared order.
        std::reverse(s.foreign_keys.begin(), s.foreign_keys.end());
    }
    return s;
}

std::vector<SourceObject> read_views_and_triggers(SourceDb &db)
{
    std::vector<SourceObject> out;
    Query q(db, "SELECT type, name, coalesce(sql, '') FROM sqlite_schema WHERE type IN ('view', 'trigger') "
                "ORDER BY type DESC, name");
    while (q.next()) out.push_back({q.text(0), q.text(1), q.text(2)});
    return out;
}

} // namespace s2p
