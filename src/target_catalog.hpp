#pragma once
// What the target schema holds: tables, columns with their types and constraints,
// foreign keys, and owned sequences, read from pg_catalog once at the start.
#include "pg_type.hpp"

#include <pqxx/transaction_base>

#include <optional>
#include <string>
#include <vector>

namespace s2p {

struct TargetColumn {
    std::string name;
    PgType type;
    bool not_null = false;
    bool has_default = false;
    bool identity = false;
    bool generated = false; // GENERATED ALWAYS AS (...) STORED: COPY cannot write it
};

struct TargetForeignKey {
    std::string name;
    std::string table;        // in the target schema
    std::string parent_schema;
    std::string parent_table;
    std::string definition;   // pg_get_constraintdef(), to recreate it exactly
    bool deferrable = false;
};

struct TargetTable {
    std::string name;
    std::vector<TargetColumn> columns;

    // Exact name first, then the name PostgreSQL folds an unquoted one to, then a
    // unique case-insensitive match (SQLite names are case-insensitive).
    const TargetColumn *find_column(const std::string &source_name) const;
};

struct TargetCatalog {
    std::string schema;
    std::vector<TargetTable> tables;
    std::vector<TargetForeignKey> foreign_keys; // those whose child table is in `schema`
    int server_version = 0;

    // Throws TargetError when the schema does not exist or cannot be read.
    static TargetCatalog load(pqxx::transaction_base &tx, const std::string &schema);
    const TargetTable *find_table(const std::string &source_name) const;
};

// PostgreSQL identifier quoting: "name" with embedded quotes doubled.
std::string quote_ident(const std::string &name);
std::string qualified(const std::string &schema, const std::string &table);
// "s"."a", "s"."b": the tables of one LOCK TABLE or TRUNCATE statement.
std::string qualified_list(const std::string &schema, const std::vector<std::string> &tables);
// What an unquoted identifier folds to (ASCII lower case, as PostgreSQL does).
std::string fold_case(const std::string &name);

} // namespace s2p
