#pragma once
// Helpers shared by the libFuzzer targets (tests/fuzz, -DSQLITE2PG_FUZZ=ON).
// A violated invariant aborts with the input's story on stderr, which libFuzzer
// turns into a crash-<hash> file to reproduce with.
#include "pg_type.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace s2p::fuzz {

[[noreturn]] inline void fail(const char *what, std::string_view detail = {})
{
    std::fprintf(stderr, "INVARIANT VIOLATED: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
    std::abort();
}

#define FUZZ_CHECK(cond, detail)                                                                                  \
    do {                                                                                                          \
        if (!(cond)) ::s2p::fuzz::fail(#cond, (detail));                                                          \
    } while (0)

// Reads the fuzzer's input front to back: a few control bytes, then the payload.
class Input {
public:
    Input(const std::uint8_t *data, std::size_t size) : m_p(reinterpret_cast<const char *>(data)), m_n(size) {}
    std::uint8_t byte()
    {
        if (m_n == 0) return 0;
        --m_n;
        return static_cast<std::uint8_t>(*m_p++);
    }
    std::int64_t int64()
    {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
        return static_cast<std::int64_t>(v);
    }
    std::string_view rest() const { return {m_p, m_n}; }

private:
    const char *m_p;
    std::size_t m_n;
};

// Every kind the converters handle, with the typmods that change their behaviour.
inline PgType pick_type(Input &in)
{
    static constexpr PgKind kinds[] = {PgKind::Bool,    PgKind::Int2,  PgKind::Int4,    PgKind::Int8,
                                       PgKind::Numeric, PgKind::Float4, PgKind::Float8, PgKind::Text,
                                       PgKind::Varchar, PgKind::Bpchar, PgKind::Json,   PgKind::Jsonb,
                                       PgKind::Uuid,    PgKind::Bytea, PgKind::Date,    PgKind::Time,
                                       PgKind::Timestamp, PgKind::Timestamptz, PgKind::Other};
    PgType t;
    t.kind = kinds[in.byte() % (sizeof kinds / sizeof kinds[0])];
    std::uint8_t const m = in.byte();
    switch (t.kind) {
    case PgKind::Varchar:
    case PgKind::Bpchar: t.length = (m & 0x80) ? -1 : m % 20; break;
    case PgKind::Numeric:
        if (!(m & 0x80)) {
            t.precision = 1 + m % 40;
            t.scale = in.byte() % (t.precision + 1);
        }
        break;
    case PgKind::Time:
    case PgKind::Timestamp:
    case PgKind::Timestamptz: t.precision = (m & 0x80) ? -1 : m % 7; break;
    default: break;
    }
    t.name = "fuzz";
    return t;
}

} // namespace s2p::fuzz
