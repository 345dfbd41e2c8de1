#include "pg_type.hpp"

#include <array>
#include <utility>

namespace s2p {

namespace {
// PostgreSQL stores varchar/bpchar typmod as n + VARHDRSZ and numeric as
// ((p << 16) | s) + VARHDRSZ.
constexpr int varhdrsz = 4;

constexpr std::array<std::pair<std::string_view, PgKind>, 17> kinds{{
    {"bool", PgKind::Bool},           {"int2", PgKind::Int2},
    {"int4", PgKind::Int4},           {"int8", PgKind::Int8},
    {"numeric", PgKind::Numeric},     {"float4", PgKind::Float4},
    {"float8", PgKind::Float8},       {"text", PgKind::Text},
    {"varchar", PgKind::Varchar},     {"bpchar", PgKind::Bpchar},
    {"json", PgKind::Json},           {"jsonb", PgKind::Jsonb},
    {"uuid", PgKind::Uuid},           {"bytea", PgKind::Bytea},
    {"date", PgKind::Date},           {"time", PgKind::Time},
    {"timestamp", PgKind::Timestamp},
}};
} // namespace

PgType PgType::from_catalog(std::string_view typname, int typmod, std::string formatted)
{
    PgType t;
    t.name = std::move(formatted);
    if (typname == "timestamptz") {
        t.kind = PgKind::Timestamptz;
    } else {
        for (auto const &[n, k] : kinds) {
            if (n == typname) t.kind = k;
        }
    }
    if ((t.kind == PgKind::Varchar || t.kind == PgKind::Bpchar) && typmod >= varhdrsz) {
        t.length = typmod - varhdrsz;
    }
    if (t.kind == PgKind::Numeric && typmod >= varhdrsz) {
        int const m = typmod - varhdrsz;
        t.precision = (m >> 16) & 0xffff;
        // PostgreSQL 15 allows a negative scale, stored as an 11-bit signed field.
        int s = m & 0x7ff;
        if (s & 0x400) s -= 0x800;
        t.scale = s;
    }
    // timestamp(p), timestamptz(p), time(p): typmod is p; -1 means 6.
    if ((t.kind == PgKind::Timestamp || t.kind == PgKind::Timestamptz || t.kind == PgKind::Time) && typmod >= 0) {
        t.precision = typmod;
    }
    return t;
}

} // namespace s2p
