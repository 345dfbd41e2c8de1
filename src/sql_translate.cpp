#include "sql_translate.hpp"

#include "schema_map.hpp"
#include "target_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace s2p {

namespace {

std::string upper(std::string_view s)
{
    std::string out(s);
    for (char &c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool is_ident_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

bool is_word(const Token &t, std::string_view upper_word)
{
    return t.kind == Tok::Ident && upper(t.text) == upper_word;
}

// Keywords that mean the same in both dialects.
bool passthrough_keyword(const std::string &u)
{
    static constexpr std::string_view words[] = {"AND", "OR", "NOT", "NULL", "IN", "BETWEEN", "CASE", "WHEN",
                                                 "THEN", "ELSE", "END", "TRUE", "FALSE", "ESCAPE", "DISTINCT",
                                                 "FROM", "ISNULL", "NOTNULL"};
    return std::find(std::begin(words), std::end(words), u) != std::end(words);
}

// SQLite scalar functions with a PostgreSQL function of the same meaning.
std::optional<std::string> function_name(const std::string &u)
{
    static const std::map<std::string, std::string> names{
        {"LOWER", "lower"},   {"UPPER", "upper"},     {"LENGTH", "length"}, {"ABS", "abs"},
        {"COALESCE", "coalesce"}, {"IFNULL", "coalesce"}, {"NULLIF", "nullif"}, {"TRIM", "btrim"},
        {"LTRIM", "ltrim"},   {"RTRIM", "rtrim"},     {"SUBSTR", "substr"}, {"SUBSTRING", "substr"},
        {"REPLACE", "replace"}, {"INSTR", "strpos"},
    };
    auto it = names.find(u);
    if (it == names.end()) return std::nullopt;
    return it->second;
}

Translated fail(std::string why)
{
    Translated t;
    t.why = std::move(why);
    return t;
}

void append(std::string &out, std::string_view piece)
{
    if (!out.empty() && out.back() != '(' && piece != ")" && piece != ",") out += ' ';
    out += piece;
}

} // namespace

std::string quote_literal(std::string_view s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

std::optional<std::vector<Token>> tokenize_sql(std::string_view s)
{
    std::vector<Token> out;
    std::size_t i = 0;
    auto quoted = [&](char close, Tok kind) -> bool {
        std::string text;
        ++i;
        while (i < s.size()) {
            if (s[i] == close) {
                if (close != ']' && i + 1 < s.size() && s[i + 1] == close) {
                    text += close;
                    i += 2;
                    continue;
                }
                ++i;
                out.push_back({kind, std::move(text)});
                return true;
            }
            text += s[i++];
        }
        return false;
    };
    while (i < s.size()) {
        char const c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
        if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
            while (i < s.size() && s[i] != '\n') ++i;
            continue;
        }
        if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            std::size_t const end = s.find("*/", i + 2);
            if (end == std::string_view::npos) return std::nullopt;
            i = end + 2;
            continue;
        }
        if ((c == 'x' || c == 'X') && i + 1 < s.size() && s[i + 1] == '\'') {
            ++i;
            if (!quoted('\'', Tok::Blob)) return std::nullopt;
            continue;
        }
        if (c == '\'') { if (!quoted('\'', Tok::String)) return std::nullopt; continue; }
        if (c == '"') { if (!quoted('"', Tok::QuotedIdent)) return std::nullopt; continue; }
        if (c == '`') { if (!quoted('`', Tok::QuotedIdent)) return std::nullopt; continue; }
        if (c == '[') { if (!quoted(']', Tok::QuotedIdent)) return std::nullopt; continue; }
        if (c == '(') { out.push_back({Tok::LParen, "("}); ++i; continue; }
        if (c == ')') { out.push_back({Tok::RParen, ")"}); ++i; continue; }
        if (c == ',') { out.push_back({Tok::Comma, ","}); ++i; continue; }
        if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
            std::size_t j = i;
            while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.' ||
                                    ((s[j] == '+' || s[j] == '-') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
                ++j;
            out.push_back({Tok::Number, std::string(s.substr(i, j - i))});
            i = j;
            continue;
        }
        if (is_ident_char(c)) {
            std::size_t j = i;
            while (j < s.size() && is_ident_char(s[j])) ++j;
            out.push_back({Tok::Ident, std::string(s.substr(i, j - i))});
            i = j;
            continue;
        }
        static constexpr std::string_view two[] = {"||", "==", "!=", "<>", "<=", ">=", "<<", ">>"};
        std::string_view const pair = s.substr(i, 2);
        if (std::find(std::begin(two), std::end(two), pair) != std::end(two)) {
            out.push_back({Tok::Op, std::string(pair)});
            i += 2;
            continue;
        }
        out.push_back({Tok::Op, std::string(1, c)});
        ++i;
    }
    return out;
}

Translated translate_expr(const std::vector<Token> &tk, const ColumnResolver &columns)
{
    Translated r;
    std::string out;
    // Parentheses must balance: an expression is put inside "CHECK (...)" or an
    // index definition, and a stray ")" would end that early (found by fuzzing).
    int depth = 0;
    for (auto const &t : tk) {
        if (t.kind == Tok::LParen) ++depth;
        else if (t.kind == Tok::RParen && --depth < 0) break;
    }
    if (depth != 0) return fail("unbalanced parentheses");
    for (std::size_t i = 0; i < tk.size(); ++i) {
        Token const &t = tk[i];
        bool const call = i + 1 < tk.size() && tk[i + 1].kind == Tok::LParen;
        switch (t.kind) {
        case Tok::LParen: append(out, "("); break;
        case Tok::RParen: append(out, ")"); break;
        case Tok::Comma: append(out, ","); break;
        case Tok::Number: append(out, t.text); break;
        case Tok::String: append(out, quote_literal(t.text)); break;
        case Tok::Blob:
            // Only hex digits go inside the literal: X'0''...' would otherwise close
            // the quote early (found by fuzzing; SQLite itself refuses such a blob).
            if (t.text.size() % 2 || t.text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
                return fail("malformed blob literal");
            append(out, "'\\x" + t.text + "'::bytea");
            break;
        case Tok::Op:
            if (t.text == "==") append(out, "=");
            else if (t.text == "." || t.text == ";" || t.text == "?" || t.text == ":" || t.text == "@")
                return fail(fmt::format("'{}' is not supported", t.text));
            // Operators pass through only when they are SQL operators both databases
            // read alike; any other byte (a NUL, a backslash...) is not translated.
            else if (t.text.find_first_not_of("+-*/%<>=!|&~") != std::string::npos)
                return fail(fmt::format("unexpected character '{}'", t.text));
            else append(out, t.text);
            break;
        case Tok::QuotedIdent: {
            auto c = columns(t.text);
            // SQLite reads an unknown "name" as a string; PostgreSQL would not.
            if (!c) return fail(fmt::format("\"{}\" is not a column of the table", t.text));
            append(out, quote_ident(*c));
            break;
        }
        case Tok::Ident: {
            std::string const u = upper(t.text);
            if (u == "IS") {
                // SQLite's IS compares any two values; PostgreSQL's only NULL/TRUE/FALSE.
                std::size_t j = i + 1;
                bool const neg = j < tk.size() && is_word(tk[j], "NOT");
                if (neg) ++j;
                bool const simple = j < tk.size() && (is_word(tk[j], "NULL") || is_word(tk[j], "TRUE") ||
                                                      is_word(tk[j], "FALSE"));
                append(out, simple ? (neg ? "IS NOT" : "IS") : (neg ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM"));
                i = j - 1;
                break;
            }
            if (u == "LIKE") { append(out, "ILIKE"); break; } // SQLite's LIKE ignores ASCII case
            if (u == "COLLATE") {
                if (i + 1 < tk.size() && (is_word(tk[i + 1], "NOCASE") || is_word(tk[i + 1], "BINARY"))) {
                    r.nocase = r.nocase || is_word(tk[i + 1], "NOCASE");
                    ++i;
                    break;
                }
                return fail("COLLATE other than NOCASE/BINARY");
            }
            if (u == "CAST") {
                // CAST(expr AS declared): the declared type maps as a column's would.
                std::size_t depth = 0, as = 0, end = 0;
                for (std::size_t j = i + 1; j < tk.size(); ++j) {
                    if (tk[j].kind == Tok::LParen) ++depth;
                    else if (tk[j].kind == Tok::RParen && --depth == 0) { end = j; break; }
                    else if (depth == 1 && is_word(tk[j], "AS")) as = j;
                }
                if (!as || !end) return fail("malformed CAST");
                std::vector<Token> const inner(tk.begin() + static_cast<long>(i) + 2, tk.begin() + static_cast<long>(as));
                Translated e = translate_expr(inner, columns);
                if (!e.sql) return e;
                std::string declared;
                for (std::size_t j = as + 1; j < end; ++j) declared += tk[j].text + " ";
                auto const choice = type_candidates(declared, false, SchemaOptions{}).front();
                append(out, "CAST(" + *e.sql + " AS " + choice.type.name + ")");
                i = end;
                break;
            }
            if (passthrough_keyword(u)) { append(out, u); break; }
            if (call) {
                auto f = function_name(u);
                if (!f) return fail(fmt::format("function {}() has no PostgreSQL translation", t.text));
                append(out, *f + "(");
                ++i; // the "(" is written
                break;
            }
            auto c = columns(t.text);
            if (!c) return fail(fmt::format("'{}' is not a column or a known keyword", t.text));
            append(out, quote_ident(*c));
            break;
        }
        }
    }
    if (out.empty()) return fail("empty expression");
    r.sql = out;
    return r;
}

Translated translate_expr(std::string_view sql, const ColumnResolver &columns)
{
    auto tk = tokenize_sql(sql);
    if (!tk) return fail("unterminated quote or comment");
    return translate_expr(*tk, columns);
}

namespace {

// strftime() format -> to_char() format, for the directives both have.
std::optional<std::string> to_char_format(std::string_view f)
{
    std::string out;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] != '%') {
            // Letters would be read as to_char patterns: quote them.
            if (std::isalpha(static_cast<unsigned char>(f[i]))) out += std::string("\"") + f[i] + "\"";
            else out += f[i];
            continue;
        }
        if (++i == f.size()) return std::nullopt;
        switch (f[i]) {
        case 'Y': out += "YYYY"; break;
        case 'm': out += "MM"; break;
        case 'd': out += "DD"; break;
        case 'H': out += "HH24"; break;
        case 'M': out += "MI"; break;
        case 'S': out += "SS"; break;
        case 'f': out += "SS.MS"; break;
        case 'j': out += "DDD"; break;
        case '%': out += "%"; break;
        default: return std::nullopt;
        }
    }
    return out;
}

// The value of "now" in SQLite's forms, as SQLite writes it (UTC text), typed for the column.
Translated now_default(std::string_view sqlite_format, const PgType &type)
{
    Translated r;
    constexpr char const *utc = "(now() AT TIME ZONE 'UTC')";
    switch (type.kind) {
    case PgKind::Timestamptz: r.sql = "CURRENT_TIMESTAMP"; return r;
    case PgKind::Timestamp: r.sql = utc; return r;
    case PgKind::Date: r.sql = std::string("(") + utc + ")::date"; return r;
    case PgKind::Time: r.sql = std::string("(") + utc + ")::time(0)"; return r;
    case PgKind::Text:
    case PgKind::Varchar: {
        auto f = to_char_format(sqlite_format);
        if (!f) return fail(fmt::format("strftime format '{}' has no to_char() equivalent", sqlite_format));
        r.sql = fmt::format("to_char{}", "(" + std::string(utc) + ", " + quote_literal(*f) + ")");
        return r;
    }
    case PgKind::Int8:
    case PgKind::Numeric:
        if (sqlite_format == "%s") {
            r.sql = "(extract(epoch FROM now())::bigint)";
            return r;
        }
        break;
    default: break;
    }
    return fail(fmt::format("the current time has no translation for a {} column", type.name));
}

} // namespace

Translated translate_default(std::string_view dflt, const PgType &type, const ConvertOptions &conv)
{
    auto tko = tokenize_sql(dflt);
    if (!tko) return fail("unterminated quote");
    std::vector<Token> tk = *tko;
    while (tk.size() >= 2 && tk.front().kind == Tok::LParen && tk.back().kind == Tok::RParen) {
        tk.erase(tk.begin());
        tk.pop_back();
    }
    if (tk.size() == 1 && is_word(tk[0], "NULL")) return {};
    // A literal: converted exactly as the load converts a value of the column.
    std::optional<SqlValue> lit;
    std::string number;
    if (tk.size() == 1 && tk[0].kind == Tok::String) lit = SqlValue::text(tk[0].text);
    if (tk.size() == 1 && (is_word(tk[0], "TRUE") || is_word(tk[0], "FALSE"))) lit = SqlValue::integer(is_word(tk[0], "TRUE"));
    if ((tk.size() == 1 && tk[0].kind == Tok::Number) ||
        (tk.size() == 2 && tk[0].kind == Tok::Op && (tk[0].text == "-" || tk[0].text == "+") && tk[1].kind == Tok::Number)) {
        number = (tk.size() == 2 && tk[0].text == "-" ? "-" : "") + tk.back().text;
        char *end = nullptr;
        long long const i = std::strtoll(number.c_str(), &end, 10);
        if (*end == '\0') lit = SqlValue::integer(i);
        else lit = SqlValue::real(std::strtod(number.c_str(), &end));
    }
    if (lit) {
        std::string out;
        ConvertError err;
        Converted const c = convert_value(*lit, type, conv, out, err);
        if (c != Converted::Value)
            return fail(fmt::format("default {} does not convert to {}: {}", dflt, type.name, err.message));
        Translated r;
        bool const bare = (type.kind == PgKind::Int8 || type.kind == PgKind::Numeric || type.kind == PgKind::Float8) &&
                          out.find_first_not_of("-0123456789.") == std::string::npos;
        r.sql = bare ? out : quote_literal(out);
        return r;
    }
    if (tk.size() == 1 && is_word(tk[0], "CURRENT_TIMESTAMP")) return now_default("%Y-%m-%d %H:%M:%S", type);
    if (tk.size() == 1 && is_word(tk[0], "CURRENT_DATE")) return now_default("%Y-%m-%d", type);
    if (tk.size() == 1 && is_word(tk[0], "CURRENT_TIME")) return now_default("%H:%M:%S", type);
    // datetime('now'), date('now'), time('now'), strftime('fmt', 'now'), unixepoch()
    if (!tk.empty() && tk[0].kind == Tok::Ident && tk.size() >= 3 && tk[1].kind == Tok::LParen &&
        tk.back().kind == Tok::RParen) {
        std::string const f = upper(tk[0].text);
        std::vector<std::string> args;
        for (std::size_t i = 2; i + 1 < tk.size(); ++i) {
            if (tk[i].kind == Tok::String) args.push_back(tk[i].text);
            else if (tk[i].kind != Tok::Comma) return fail(fmt::format("default {} has no translation", dflt));
        }
        auto now_arg = [](const std::string &a) { return upper(a) == "NOW"; };
        if (f == "DATETIME" && args.size() == 1 && now_arg(args[0])) return now_default("%Y-%m-%d %H:%M:%S", type);
        if (f == "DATE" && args.size() == 1 && now_arg(args[0])) return now_default("%Y-%m-%d", type);
        if (f == "TIME" && args.size() == 1 && now_arg(args[0])) return now_default("%H:%M:%S", type);
        if (f == "STRFTIME" && args.size() == 2 && now_arg(args[1])) {
            // strftime gives text: only a text column, or %s into an integer one, keeps its meaning.
            if (args[0] == "%s" || type.kind == PgKind::Text || type.kind == PgKind::Varchar)
                return now_default(args[0], type);
            if (type.kind == PgKind::Timestamptz || type.kind == PgKind::Timestamp)
                return now_default("%Y-%m-%d %H:%M:%S", type);
        }
        if (f == "UNIXEPOCH" && args.empty()) return now_default("%s", type);
    }
    return fail(fmt::format("default {} has no translation", dflt));
}

TableSqlParts parse_create_table(std::string_view sql)
{
    TableSqlParts parts;
    auto tko = tokenize_sql(sql);
    if (!tko) return parts;
    auto const &tk = *tko;
    int depth = 0;
    bool item_start = false;
    std::string column; // the column being defined ("" inside a table constraint)
    for (std::size_t i = 0; i < tk.size(); ++i) {
        Token const &t = tk[i];
        if (t.kind == Tok::LParen) {
            if (++depth == 1) item_start = true;
            continue;
        }
        if (t.kind == Tok::RParen) { --depth; continue; }
        if (depth == 1 && t.kind == Tok::Comma) { item_start = true; continue; }
        if (depth != 1) continue;
        if (item_start) {
            item_start = false;
            bool const constraint = is_word(t, "CONSTRAINT") || is_word(t, "PRIMARY") || is_word(t, "UNIQUE") ||
                                    is_word(t, "CHECK") || is_word(t, "FOREIGN");
            column = constraint ? "" : t.text;
            if (!constraint) continue;
        }
        if (is_word(t, "COLLATE") && i + 1 < tk.size() && is_word(tk[i + 1], "NOCASE") && !column.empty())
            parts.nocase_columns.push_back(column);
        if (is_word(t, "CHECK") && i + 1 < tk.size() && tk[i + 1].kind == Tok::LParen) {
            std::string name;
            if (i >= 2 && is_word(tk[i - 2], "CONSTRAINT")) name = tk[i - 1].text;
            int d = 0;
            std::vector<Token> expr;
            std::size_t j = i + 1;
            for (; j < tk.size(); ++j) {
                if (tk[j].kind == Tok::LParen && d++ == 0) continue;
                if (tk[j].kind == Tok::RParen && --d == 0) break;
                expr.push_back(tk[j]);
            }
            parts.checks.emplace_back(name, std::move(expr));
            i = j;
        }
    }
    return parts;
}

IndexSqlParts parse_create_index(std::string_view sql)
{
    IndexSqlParts p;
    auto tko = tokenize_sql(sql);
    if (!tko) return p;
    auto const &tk = *tko;
    std::size_t i = 0;
    while (i < tk.size() && !is_word(tk[i], "ON")) ++i;
    i += 2; // ON table
    if (i >= tk.size() || tk[i].kind != Tok::LParen) return p;
    int depth = 0;
    std::vector<Token> item;
    for (; i < tk.size(); ++i) {
        if (tk[i].kind == Tok::LParen && depth++ == 0) continue;
        if (tk[i].kind == Tok::RParen && --depth == 0) break;
        if (depth == 1 && tk[i].kind == Tok::Comma) {
            p.items.push_back(std::move(item));
            item.clear();
            continue;
        }
        item.push_back(tk[i]);
    }
    if (i >= tk.size()) return p;
    p.items.push_back(std::move(item));
    if (++i < tk.size()) {
        if (!is_word(tk[i], "WHERE")) return p;
        p.where.assign(tk.begin() + static_cast<long>(i) + 1, tk.end());
        if (!p.where.empty() && tk.back().kind == Tok::Op && tk.back().text == ";") p.where.pop_back();
    }
    p.ok = true;
    return p;
}

Translated translate_index_item(const std::vector<Token> &item, const ColumnResolver &columns)
{
    std::vector<Token> expr = item;
    std::string order;
    if (!expr.empty() && (is_word(expr.back(), "ASC") || is_word(expr.back(), "DESC"))) {
        order = upper(expr.back().text) == "DESC" ? " DESC" : "";
        expr.pop_back();
    }
    bool nocase = false;
    if (expr.size() >= 2 && is_word(expr[expr.size() - 2], "COLLATE")) {
        if (!is_word(expr.back(), "NOCASE") && !is_word(expr.back(), "BINARY"))
            return fail("COLLATE other than NOCASE/BINARY");
        nocase = is_word(expr.back(), "NOCASE");
        expr.resize(expr.size() - 2);
    }
    Translated r;
    if (expr.size() == 1 && (expr[0].kind == Tok::Ident || expr[0].kind == Tok::QuotedIdent)) {
        auto c = columns(expr[0].text);
        if (!c) return fail(fmt::format("'{}' is not a column of the table", expr[0].text));
        r.sql = quote_ident(*c) + order;
    } else {
        r = translate_expr(expr, columns);
        if (!r.sql) return r;
        r.sql = "(" + *r.sql + ")" + order;
    }
    r.nocase = r.nocase || nocase;
    return r;
}

} // namespace s2p
