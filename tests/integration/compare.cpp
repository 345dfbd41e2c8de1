#include "compare.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace s2p::test {

namespace {

std::string hex(const void *p, int n)
{
    static char const digits[] = "0123456789abcdef";
    std::string out;
    auto const *b = static_cast<const unsigned char *>(p);
    for (int i = 0; i < n; ++i) {
        out.push_back(digits[b[i] >> 4]);
        out.push_back(digits[b[i] & 15]);
    }
    return out;
}

std::string shortest(double d)
{
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    return {buf, r.ptr};
}

struct TargetCol {
    std::string name, type, typname;
};

std::vector<TargetCol> target_columns(pqxx::transaction_base &tx, const std::string &schema, const std::string &table)
{
    std::vector<TargetCol> out;
    auto r = tx.exec_params(R"(SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname
                               FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                               JOIN pg_namespace n ON n.oid = c.relnamespace
                               JOIN pg_type t ON t.oid = a.atttypid
                               WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped)",
                            schema, table);
    for (auto const &row : r) out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
    return out;
}

// The source value as a text literal PostgreSQL's input function for the column's type reads.
std::string literal(pqxx::transaction_base &tx, const TargetCol &tc, const SQLite::Column &v)
{
    if (v.isNull()) return "NULL";
    if (v.isInteger()) return tx.quote(std::to_string(v.getInt64()));
    if (v.isFloat()) return tx.quote(shortest(v.getDouble()));
    if (v.isText() && tc.typname == "bytea") return tx.quote("\\x" + hex(v.getText(), v.getBytes()));
    if (v.isText()) return tx.quote(v.getString());
    if (tc.typname == "bytea") return tx.quote("\\x" + hex(v.getBlob(), v.getBytes()));
    return tx.quote(hex(v.getBlob(), v.getBytes()));
}

// json has no equality operator; it keeps the text exactly, so compare that.
std::string typed(const TargetCol &tc, const std::string &expr)
{
    if (tc.typname == "json") return "(" + expr + ")::text";
    return "CAST(" + expr + " AS " + tc.type + ")";
}

std::string quote_sqlite(const std::string &name)
{
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

} // namespace

std::string lower_name(const std::string &name)
{
    std::string out = name;
    for (char &ch : out)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return out;
}

// The source rows go into a temporary table as text; the target must hold the same
// multiset of rows (EXCEPT ALL both ways, same count), with every source text cast to
// the target column's type by PostgreSQL.
Compared compare_all(TestDb &db, const std::string &source, const std::string &schema, const NameMap &names)
{
    Compared c;
    SQLite::Database src(source, SQLite::OPEN_READONLY);
    SQLite::Statement tables(src, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%'");
    pqxx::work tx(db.conn());
    tx.exec("SET LOCAL TimeZone = 'UTC'");
    while (tables.executeStep()) {
        std::string const table = tables.getColumn(0).getString();
        std::string const target = names(table);
        auto const cols = target_columns(tx, schema, target);
        INFO("table " << table);
        REQUIRE_FALSE(cols.empty());
        ++c.tables;
        SQLite::Statement rows(src, "SELECT * FROM " + quote_sqlite(table));
        std::vector<const TargetCol *> order;
        for (int i = 0; i < rows.getColumnCount(); ++i) {
            std::string const name = names(rows.getColumnName(i));
            auto it = std::find_if(cols.begin(), cols.end(), [&](const TargetCol &t) { return t.name == name; });
            INFO("column " << rows.getColumnName(i));
            REQUIRE(it != cols.end());
            order.push_back(&*it);
        }
        std::string defs, src_cols, dst_cols;
        for (std::size_t i = 0; i < order.size(); ++i) {
            defs += (i ? ", c" : "c") + std::to_string(i) + " text";
            src_cols += (i ? ", " : "") + typed(*order[i], "c" + std::to_string(i));
            dst_cols += (i ? ", " : "") + (order[i]->typname == "json" ? tx.quote_name(order[i]->name) + "::text"
                                                                         : tx.quote_name(order[i]->name));
        }
        tx.exec("DROP TABLE IF EXISTS pg_temp.s2p_src");
        tx.exec("CREATE TEMP TABLE s2p_src (" + defs + ")");
        std::int64_t n = 0;
        std::string batch;
        auto flush = [&] {
            if (!batch.empty()) tx.exec("INSERT INTO s2p_src VALUES " + batch);
            batch.clear();
        };
        while (rows.executeStep()) {
            ++n;
            std::string row;
            for (int i = 0; i < rows.getColumnCount(); ++i) {
                row += (i ? ", " : "") + literal(tx, *order[static_cast<std::size_t>(i)], rows.getColumn(i));
                ++c.values;
            }
            batch += (batch.empty() ? "(" : ", (") + row + ")";
            if (batch.size() > (1u << 20)) flush();
        }
        flush();
        std::string const from = tx.quote_name(schema) + "." + tx.quote_name(target);
        std::string const a = "SELECT " + src_cols + " FROM s2p_src", b = "SELECT " + dst_cols + " FROM " + from;
        CHECK(tx.exec("SELECT count(*) FROM (" + a + " EXCEPT ALL " + b + ") x")[0][0].as<std::int64_t>() == 0);
        CHECK(tx.exec("SELECT count(*) FROM (" + b + " EXCEPT ALL " + a + ") x")[0][0].as<std::int64_t>() == 0);
        CHECK(tx.exec("SELECT count(*) FROM " + from)[0][0].as<std::int64_t>() == n);
        c.rows += n;
    }
    return c;
}

} // namespace s2p::test
