#pragma once
// The part of a target column's type that value conversion depends on.
#include <string>
#include <string_view>

namespace s2p {

enum class PgKind {
    Bool, Int2, Int4, Int8, Numeric, Float4, Float8,
    Text, Varchar, Bpchar,
    Json, Jsonb, Uuid, Bytea,
    Date, Time, Timestamp, Timestamptz,
    Other // any other type (enum, inet, interval, arrays...): text handed to PostgreSQL's parser
};

struct PgType {
    PgKind kind = PgKind::Other;
    int length = -1;    // varchar(n) / char(n): n characters; -1 unlimited
    int precision = -1; // numeric(p,s): p; timestamp(p)/time(p): p; -1 unconstrained
    int scale = -1;     // numeric(p,s): s
    std::string name;   // as format_type() prints it, for messages

    // From pg_type.typname of the base type (domains resolved) and atttypmod.
    static PgType from_catalog(std::string_view typname, int typmod, std::string formatted);
};

} // namespace s2p
