#include "schema_map.hpp"

#include "errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>

namespace s2p {

namespace {

std::string upper(std::string_view s)
{
    std::string out(s);
    for (char &c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// "NUMERIC ( 10 , 2 )" -> base "NUMERIC", args {10, 2}; args that are not plain
// integers (SQLite accepts any tokens there) leave `args` empty.
struct DeclaredType {
    std::string base; // upper case, inner spaces collapsed
    std::vector<int> args;
};

DeclaredType split_declared(std::string_view declared)
{
    DeclaredType d;
    std::string_view s = trim(declared);
    std::size_t const open = s.find('(');
    std::string_view base = trim(s.substr(0, open));
    bool space = false;
    for (char c : base) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = true;
            continue;
        }
        if (space && !d.base.empty()) d.base += ' ';
        space = false;
        d.base += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (open == std::string_view::npos) return d;
    std::size_t const close = s.find(')', open);
    std::string_view inner = s.substr(open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1);
    while (!inner.empty()) {
        std::size_t const comma = inner.find(',');
        std::string_view part = trim(inner.substr(0, comma));
        int v = 0;
        auto r = std::from_chars(part.data(), part.data() + part.size(), v);
        if (part.empty() || r.ec != std::errc() || r.ptr != part.data() + part.size()) {
            d.args.clear();
            return d;
        }
        d.args.push_back(v);
        if (comma == std::string_view::npos) break;
        inner.remove_prefix(comma + 1);
    }
    return d;
}

bool one_of(const std::string &s, std::initializer_list<std::string_view> names)
{
    return std::find(names.begin(), names.end(), s) != names.end();
}

// PostgreSQL's limits for typmods: numeric precision 1..1000, varchar 1..10485760.
constexpr int numeric_max_precision = 1000;
constexpr int varchar_max_length = 10485760;

std::optional<PgType> numeric_type(const std::vector<int> &args)
{
    if (args.empty()) return make_type(PgKind::Numeric);
    int const p = args[0];
    int const s = args.size() > 1 ? args[1] : 0;
    if (args.size() > 2 || p < 1 || p > numeric_max_precision || s < 0 || s > p) return std::nullopt;
    return make_type(PgKind::Numeric, -1, p, s);
}

// The declared type's own mapping, when SQLite's name is one we know.
std::optional<TypeChoice> known_type(const DeclaredType &d, const SchemaOptions &o)
{
    auto const &b = d.base;
    auto kind = [](PgKind k) { return TypeChoice{make_type(k)}; };
    if (one_of(b, {"INTEGER", "INT", "BIGINT", "SMALLINT", "TINYINT", "MEDIUMINT", "INT2", "INT4", "INT8",
                   "UNSIGNED BIG INT", "BIG INT", "LONG"}))
        return kind(PgKind::Int8); // SQLite integers are 64-bit whatever the name says
    if (one_of(b, {"REAL", "DOUBLE", "DOUBLE PRECISION", "FLOAT", "FLOAT4", "FLOAT8"}))
        return kind(PgKind::Float8); // SQLite REAL is 8 bytes: never the 4-byte real
    if (one_of(b, {"NUMERIC", "DECIMAL", "MONEY", "NUMBER"})) {
        if (auto t = numeric_type(d.args)) return TypeChoice{*t};
        return kind(PgKind::Numeric);
    }
    if (one_of(b, {"VARCHAR", "CHAR", "CHARACTER", "NVARCHAR", "NCHAR", "VARYING CHARACTER", "CHARACTER VARYING",
                   "NATIVE CHARACTER", "VARCHAR2", "NVARCHAR2"})) {
        // char(n) would pad with blanks, so the values would not read back as stored.
        if (o.varchar_as_text || d.args.size() != 1 || d.args[0] < 1 || d.args[0] > varchar_max_length)
            return kind(PgKind::Text);
        return TypeChoice{make_type(PgKind::Varchar, d.args[0])};
    }
    if (one_of(b, {"TEXT", "CLOB", "STRING", "LONGTEXT", "MEDIUMTEXT", "TINYTEXT"})) return kind(PgKind::Text);
    if (one_of(b, {"BOOLEAN", "BOOL"})) return kind(PgKind::Bool);
    if (b == "DATE") return kind(PgKind::Date);
    if (one_of(b, {"DATETIME", "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"}))
        return kind(o.timestamp_without_tz && b != "TIMESTAMPTZ" && b != "TIMESTAMP WITH TIME ZONE"
                        ? PgKind::Timestamp
                        : PgKind::Timestamptz);
    if (b == "TIME") return kind(PgKind::Time);
    if (one_of(b, {"JSON", "JSONB"})) return kind(PgKind::Jsonb);
    if (one_of(b, {"BLOB", "BYTEA", "BINARY", "VARBINARY", "IMAGE"})) return kind(PgKind::Bytea);
    if (one_of(b, {"UUID", "GUID", "UNIQUEIDENTIFIER"})) return kind(PgKind::Uuid);
    return std::nullopt;
}

TypeChoice by_affinity(Affinity a)
{
    switch (a) {
    case Affinity::Integer: return {make_type(PgKind::Int8)};
    case Affinity::Text: return {make_type(PgKind::Text)};
    case Affinity::Real: return {make_type(PgKind::Float8)};
    case Affinity::Numeric: return {make_type(PgKind::Numeric)};
    case Affinity::Blob: return {make_type(PgKind::Bytea)};
    }
    return {make_type(PgKind::Text)};
}

EpochUnit epoch_unit(std::string_view s)
{
    if (s == "epoch-s") return EpochUnit::Seconds;
    if (s == "epoch-ms") return EpochUnit::Millis;
    if (s == "epoch-us") return EpochUnit::Micros;
    throw UsageError(fmt::format("unknown epoch unit '{}' (use epoch-s, epoch-ms or epoch-us)", s));
}

} // namespace

PgType make_type(PgKind kind, int length, int precision, int scale)
{
    PgType t;
    t.kind = kind;
    t.length = length;
    t.precision = precision;
    t.scale = scale;
    switch (kind) {
    case PgKind::Bool: t.name = "boolean"; break;
    case PgKind::Int2: t.name = "smallint"; break;
    case PgKind::Int4: t.name = "integer"; break;
    case PgKind::Int8: t.name = "bigint"; break;
    case PgKind::Numeric: t.name = precision > 0 ? fmt::format("numeric({},{})", precision, scale) : "numeric"; break;
    case PgKind::Float4: t.name = "real"; break;
    case PgKind::Float8: t.name = "double precision"; break;
    case PgKind::Text: t.name = "text"; break;
    case PgKind::Varchar: t.name = length > 0 ? fmt::format("character varying({})", length) : "character varying"; break;
    case PgKind::Bpchar: t.name = length > 0 ? fmt::format("character({})", length) : "character"; break;
    case PgKind::Json: t.name = "json"; break;
    case PgKind::Jsonb: t.name = "jsonb"; break;
    case PgKind::Uuid: t.name = "uuid"; break;
    case PgKind::Bytea: t.name = "bytea"; break;
    case PgKind::Date: t.name = "date"; break;
    case PgKind::Time: t.name = "time without time zone"; break;
    case PgKind::Timestamp: t.name = "timestamp without time zone"; break;
    case PgKind::Timestamptz: t.name = "timestamp with time zone"; break;
    case PgKind::Other: break;
    }
    return t;
}

Affinity affinity_of(std::string_view declared)
{
    std::string const u = upper(declared);
    if (u.find("INT") != std::string::npos) return Affinity::Integer;
    if (u.find("CHAR") != std::string::npos || u.find("CLOB") != std::string::npos ||
        u.find("TEXT") != std::string::npos)
        return Affinity::Text;
    if (u.find("BLOB") != std::string::npos || trim(u).empty()) return Affinity::Blob;
    if (u.find("REAL") != std::string::npos || u.find("FLOA") != std::string::npos ||
        u.find("DOUB") != std::string::npos)
        return Affinity::Real;
    return Affinity::Numeric;
}

std::optional<PgType> parse_pg_type(std::string_view text)
{
    // Only letters, digits, spaces, '_' and a (p[,s]) suffix: the text goes into DDL.
    std::string_view const s = trim(text);
    if (s.empty()) return std::nullopt;
    for (char c : s) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '_' || c == '(' || c == ')' ||
              c == ',' || c == '[' || c == ']'))
            return std::nullopt;
    }
    DeclaredType const d = split_declared(s);
    auto const &b = d.base;
    if (b.empty() || !std::isalpha(static_cast<unsigned char>(b[0]))) return std::nullopt;
    if (d.args.empty() && s.find('(') != std::string_view::npos) return std::nullopt;
    auto plain = [&](PgKind k) -> std::optional<PgType> {
        if (!d.args.empty()) return std::nullopt;
        return make_type(k);
    };
    if (one_of(b, {"BIGINT", "INT8"})) return plain(PgKind::Int8);
    if (one_of(b, {"INTEGER", "INT", "INT4"})) return plain(PgKind::Int4);
    if (one_of(b, {"SMALLINT", "INT2"})) return plain(PgKind::Int2);
    if (one_of(b, {"DOUBLE PRECISION", "FLOAT8"})) return plain(PgKind::Float8);
    if (one_of(b, {"REAL", "FLOAT4"})) return plain(PgKind::Float4);
    if (one_of(b, {"NUMERIC", "DECIMAL"})) return numeric_type(d.args);
    if (b == "TEXT") return plain(PgKind::Text);
    if (one_of(b, {"VARCHAR", "CHARACTER VARYING"})) {
        if (d.args.empty()) return make_type(PgKind::Varchar);
        if (d.args.size() != 1 || d.args[0] < 1 || d.args[0] > varchar_max_length) return std::nullopt;
        return make_type(PgKind::Varchar, d.args[0]);
    }
    if (one_of(b, {"BOOLEAN", "BOOL"})) return plain(PgKind::Bool);
    if (b == "DATE") return plain(PgKind::Date);
    if (one_of(b, {"TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"})) return plain(PgKind::Timestamptz);
    if (one_of(b, {"TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE"})) return plain(PgKind::Timestamp);
    if (one_of(b, {"TIME", "TIME WITHOUT TIME ZONE"})) return plain(PgKind::Time);
    if (b == "JSON") return plain(PgKind::Json);
    if (b == "JSONB") return plain(PgKind::Jsonb);
    if (b == "UUID") return plain(PgKind::Uuid);
    if (b == "BYTEA") return plain(PgKind::Bytea);
    // Any other type (inet, interval, citext, an enum...): PostgreSQL parses the text.
    PgType t;
    t.kind = PgKind::Other;
    t.name = std::string(s);
    return t;
}

CastRule parse_cast_rule(std::string_view rule)
{
    auto bad = [&](const std::string &why) {
        return UsageError(fmt::format("--cast '{}': {} (expected table.column=type[:epoch-s|epoch-ms|epoch-us] "
                                      "or type:DECLARED=type)",
                                      rule, why));
    };
    std::size_t const eq = rule.find('=');
    if (eq == std::string_view::npos) throw bad("no '='");
    std::string_view lhs = trim(rule.substr(0, eq));
    std::string_view rhs = trim(rule.substr(eq + 1));
    CastRule r;
    if (std::size_t const colon = rhs.rfind(':'); colon != std::string_view::npos) {
        r.epoch = epoch_unit(trim(rhs.substr(colon + 1)));
        r.has_epoch = true;
        rhs = trim(rhs.substr(0, colon));
    }
    auto t = parse_pg_type(rhs);
    if (!t) throw bad(fmt::format("'{}' is not a type name", rhs));
    r.type = *t;
    if (r.has_epoch && r.type.kind != PgKind::Timestamptz && r.type.kind != PgKind::Timestamp &&
        r.type.kind != PgKind::Date)
        throw bad("an epoch unit needs a date, timestamp or timestamptz type");
    if (lhs.size() > 5 && upper(lhs.substr(0, 5)) == "TYPE:") {
        r.declared = upper(trim(lhs.substr(5)));
        if (r.declared.empty()) throw bad("empty declared type");
        return r;
    }
    std::size_t const dot = lhs.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == lhs.size()) throw bad("no table.column");
    r.table = std::string(lhs.substr(0, dot));
    r.column = std::string(lhs.substr(dot + 1));
    return r;
}

std::vector<CastRule> read_cast_file(const std::string &path)
{
    std::ifstream in(path);
    if (!in) throw UsageError(fmt::format("cannot read --cast-file '{}'", path));
    std::vector<CastRule> out;
    std::string line;
    while (std::getline(in, line)) {
        std::string_view const l = trim(line);
        if (l.empty() || l[0] == '#') continue;
        out.push_back(parse_cast_rule(l));
    }
    return out;
}

std::vector<TypeChoice> type_candidates(std::string_view declared, bool rowid_alias, const SchemaOptions &o)
{
    if (rowid_alias) { // the rowid: always a 64-bit integer
        TypeChoice c{make_type(PgKind::Int8)};
        c.identity = true;
        return {c};
    }
    DeclaredType const d = split_declared(declared);
    auto const kind = [](PgKind k) { return TypeChoice{make_type(k)}; };
    TypeChoice t2b{make_type(PgKind::Bytea)};
    t2b.text_to_bytea = true;
    if (d.base.empty()) // untyped: the narrowest type the data fits
        return {kind(PgKind::Int8), kind(PgKind::Float8), kind(PgKind::Numeric), kind(PgKind::Text), t2b};
    TypeChoice const first = known_type(d, o).value_or(by_affinity(affinity_of(declared)));
    std::vector<TypeChoice> out{first};
    switch (first.type.kind) {
    case PgKind::Int8: out.insert(out.end(), {kind(PgKind::Numeric), kind(PgKind::Text), t2b}); break;
    case PgKind::Float8: out.insert(out.end(), {kind(PgKind::Numeric), kind(PgKind::Text), t2b}); break;
    case PgKind::Numeric:
        if (first.type.precision > 0) out.push_back(kind(PgKind::Numeric));
        out.insert(out.end(), {kind(PgKind::Text), t2b});
        break;
    case PgKind::Bool: out.insert(out.end(), {kind(PgKind::Int8), kind(PgKind::Text), t2b}); break;
    case PgKind::Date:
        out.insert(out.end(), {kind(o.timestamp_without_tz ? PgKind::Timestamp : PgKind::Timestamptz),
                               kind(PgKind::Int8), kind(PgKind::Text), t2b});
        break;
    case PgKind::Timestamp:
    case PgKind::Timestamptz:
        // Epoch numbers: bigint keeps them exact; --cast ...:epoch-s converts them.
        out.insert(out.end(), {kind(PgKind::Int8), kind(PgKind::Text), t2b});
        break;
    // Text columns that also hold 16-byte blobs are usually UUIDs written two ways.
    case PgKind::Varchar: out.insert(out.end(), {kind(PgKind::Text), kind(PgKind::Uuid), t2b}); break;
    case PgKind::Text: out.insert(out.end(), {kind(PgKind::Uuid), t2b}); break;
    case PgKind::Time:
    case PgKind::Jsonb:
    case PgKind::Uuid: out.insert(out.end(), {kind(PgKind::Text), t2b}); break;
    // A BLOB column holding only text reads better as text than as its bytes.
    case PgKind::Bytea: out.insert(out.end(), {kind(PgKind::Text), t2b}); break;
    default: break;
    }
    return out;
}

std::string type_sql(const TypeChoice &c)
{
    return c.identity ? c.type.name + " GENERATED BY DEFAULT AS IDENTITY" : c.type.name;
}

} // namespace s2p
