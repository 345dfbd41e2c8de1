#pragma once
// --create-schema: SQLite SQL fragments (CHECK expressions, index columns and WHERE
// clauses, column DEFAULTs) rewritten for PostgreSQL. Only a known subset is
// translated; anything else returns a failure with the reason, so the caller reports
// it instead of writing something that would mean a different thing.
#include "convert.hpp"
#include "pg_type.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace s2p {

enum class Tok { Ident, QuotedIdent, String, Number, Blob, Op, LParen, RParen, Comma };

struct Token {
    Tok kind;
    std::string text; // unquoted for QuotedIdent and String; hex digits for Blob
};

// nullopt when the text has an unterminated quote or comment.
std::optional<std::vector<Token>> tokenize_sql(std::string_view sql);

// Source column name -> target column name; nullopt when not a column of the table.
using ColumnResolver = std::function<std::optional<std::string>(std::string_view)>;

struct Translated {
    std::optional<std::string> sql; // nullopt: not translated, `why` says why
    std::string why;
    bool nocase = false;            // a COLLATE NOCASE was dropped
};

// A boolean or scalar expression over the table's columns (CHECK, index WHERE,
// index expression).
Translated translate_expr(const std::vector<Token> &tokens, const ColumnResolver &columns);
Translated translate_expr(std::string_view sql, const ColumnResolver &columns);

// A column DEFAULT as pragma table_info shows it ("0", "'x'", "CURRENT_TIMESTAMP",
// "(datetime('now'))"), for a column of type `type`. A literal must convert to the
// type (checked with convert_value, as the load would); sql = nullopt and an empty
// `why` means "no default" (DEFAULT NULL).
Translated translate_default(std::string_view dflt, const PgType &type, const ConvertOptions &conv);

// The CHECK constraints and the COLLATE NOCASE columns of a CREATE TABLE statement.
struct TableSqlParts {
    std::vector<std::pair<std::string, std::vector<Token>>> checks; // (constraint name or "", expression)
    std::vector<std::string> nocase_columns;
};
TableSqlParts parse_create_table(std::string_view sql);

// The parts of a CREATE INDEX statement.
struct IndexSqlParts {
    std::vector<std::vector<Token>> items; // each key expression, COLLATE/ASC/DESC included
    std::vector<Token> where;              // empty: not partial
    bool ok = false;
};
IndexSqlParts parse_create_index(std::string_view sql);

// One index key item translated: a column as "col", an expression as "(expr)", with
// DESC kept and COLLATE NOCASE dropped (noted).
Translated translate_index_item(const std::vector<Token> &item, const ColumnResolver &columns);

// SQL string literal: 'text' with quotes doubled (standard_conforming_strings is on).
std::string quote_literal(std::string_view s);

} // namespace s2p
