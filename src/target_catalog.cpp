#include "target_catalog.hpp"

#include "errors.hpp"

#include <pqxx/result>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace s2p {

namespace {

// Domains are resolved to their base type so a column typed `email_address` over
// varchar(254) converts as varchar(254).
constexpr char const *columns_sql = R"SQL(
SELECT c.relname,
       a.attname,
       bt.typname,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
       format_type(a.atttypid, a.atttypmod),
       a.attnotnull OR (t.typtype = 'd' AND t.typnotnull),
       a.atthasdef OR (t.typtype = 'd' AND t.typdefault IS NOT NULL),
       a.attidentity <> '',
       a.attgenerated <> ''
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
ORDER BY c.relname, a.attnum
)SQL";

constexpr char const *foreign_keys_sql = R"SQL(
SELECT con.conname, c.relname, pn.nspname, p.relname,
       pg_get_constraintdef(con.oid), con.condeferrable
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class p ON p.oid = con.confrelid
JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE con.contype = 'f' AND n.nspname = $1
ORDER BY c.relname, con.conname
)SQL";

bool iequal(const std::string &a, const std::string &b)
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

// The three-step name match shared by tables and columns.
template <typename T>
const T *match_name(const std::vector<T> &items, const std::string &source_name)
{
    for (auto const &i : items)
        if (i.name == source_name) return &i;
    std::string const folded = fold_case(source_name);
    for (auto const &i : items)
        if (i.name == folded) return &i;
    const T *found = nullptr;
    for (auto const &i : items) {
        if (iequal(i.name, source_name)) {
            if (found) return nullptr; // ambiguous: "Name" and "NAME" both exist
            found = &i;
        }
    }
    return found;
}

} // namespace

std::string quote_ident(const std::string &name)
{
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string qualified(const std::string &schema, const std::string &table)
{
    return quote_ident(schema) + "." + quote_ident(table);
}

std::string qualified_list(const std::string &schema, const std::vector<std::string> &tables)
{
    std::string out;
    for (auto const &t : tables) out += (out.empty() ? "" : ", ") + qualified(schema, t);
    return out;
}

std::string fold_case(const std::string &name)
{
    std::string out = name;
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

const TargetColumn *TargetTable::find_column(const std::string &source_name) const
{
    return match_name(columns, source_name);
}

const TargetTable *TargetCatalog::find_table(const std::string &source_name) const
{
    return match_name(tables, source_name);
}

TargetCatalog TargetCatalog::load(pqxx::transaction_base &tx, const std::string &schema)
{
    TargetCatalog cat;
    cat.schema = schema;
    cat.server_version = tx.conn().server_version();
    pqxx::result const ns = tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema);
    if (ns.empty()) {
        throw TargetError(fmt::format(
            "target schema \"{}\" does not exist in the target database (create it with the "
            "application's migrations first, or pass --target-schema)",
            schema));
    }
    for (auto const &row : tx.exec_params(columns_sql, schema)) {
        std::string const table = row[0].as<std::string>();
        if (cat.tables.empty() || cat.tables.back().name != table) cat.tables.push_back({table, {}});
        TargetColumn col;
        col.name = row[1].as<std::string>();
        col.type = PgType::from_catalog(row[2].as<std::string>(), row[3].as<int>(), row[4].as<std::string>());
        col.not_null = row[5].as<bool>();
        col.has_default = row[6].as<bool>();
        col.identity = row[7].as<bool>();
        col.generated = row[8].as<bool>();
        cat.tables.back().columns.push_back(std::move(col));
    }
    for (auto const &row : tx.exec_params(foreign_keys_sql, schema)) {
        cat.foreign_keys.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                                    row[2].as<std::string>(), row[3].as<std::string>(),
                                    row[4].as<std::string>(), row[5].as<bool>()});
    }
    return cat;
}

} // namespace s2p
