// libFuzzer target: the SQLite SQL fragment translation behind --create-schema
// (CHECK, DEFAULT, CREATE TABLE/INDEX parsing).
// Invariants: no crash, no exception; quote_literal() reads back as exactly one string
// token holding the input; every translated fragment tokenizes (no unterminated quote
// or comment), has balanced parentheses and contains no ';' and no comment outside a
// literal, so nothing from the source schema can end the statement it is put into.
#include "convert.hpp"
#include "fuzz_common.hpp"
#include "sql_translate.hpp"

#include <algorithm>

using namespace s2p;

namespace {

void check_output(const Translated &t, std::string_view input)
{
    if (!t.sql) return;
    std::string const &sql = *t.sql;
    // Outside quotes there is no comment opener: it would swallow the rest of a statement.
    char quote = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        char const c = sql[i];
        if (quote) {
            if (c == quote) quote = 0; // a doubled quote closes and reopens: same result
            continue;
        }
        if (c == '\'' || c == '"') { quote = c; continue; }
        FUZZ_CHECK(!(c == '-' && i + 1 < sql.size() && sql[i + 1] == '-'), "'--' in translated SQL: " + sql);
        FUZZ_CHECK(!(c == '/' && i + 1 < sql.size() && sql[i + 1] == '*'), "'/*' in translated SQL: " + sql);
    }
    auto const toks = tokenize_sql(sql);
    FUZZ_CHECK(toks.has_value(), "translated SQL does not tokenize: " + sql + " <- " + std::string(input));
    int depth = 0;
    for (auto const &tok : *toks) {
        if (tok.kind == Tok::LParen) ++depth;
        if (tok.kind == Tok::RParen) --depth;
        FUZZ_CHECK(depth >= 0, "unbalanced ')' in translated SQL: " + sql);
        FUZZ_CHECK(!(tok.kind == Tok::Op && tok.text == ";"), "';' in translated SQL: " + sql);
    }
    FUZZ_CHECK(depth == 0, "unbalanced '(' in translated SQL: " + sql);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::Input in(data, size);
    std::uint8_t const sel = in.byte();
    PgType const type = fuzz::pick_type(in);
    std::string_view const sql = in.rest();

    std::string const lit = quote_literal(sql);
    auto const lt = tokenize_sql(lit);
    FUZZ_CHECK(lt && lt->size() == 1 && (*lt)[0].kind == Tok::String && (*lt)[0].text == sql,
               "quote_literal does not read back: " + lit);

    // Columns: any name not starting with 'z' exists, renamed to lower case or kept.
    ColumnResolver const columns = [sel](std::string_view n) -> std::optional<std::string> {
        if (!n.empty() && (n[0] == 'z' || n[0] == 'Z')) return std::nullopt;
        std::string s(n);
        if (sel & 1) std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
        return s;
    };
    switch ((sel >> 1) % 4) {
    case 0: check_output(translate_expr(sql, columns), sql); break;
    case 1: {
        ConvertOptions conv;
        check_output(translate_default(sql, type, conv), sql);
        break;
    }
    case 2: {
        TableSqlParts const parts = parse_create_table(sql);
        for (auto const &[name, expr] : parts.checks) check_output(translate_expr(expr, columns), sql);
        break;
    }
    default: {
        IndexSqlParts const parts = parse_create_index(sql);
        for (auto const &item : parts.items) check_output(translate_index_item(item, columns), sql);
        if (!parts.where.empty()) check_output(translate_expr(parts.where, columns), sql);
        break;
    }
    }
    return 0;
}
