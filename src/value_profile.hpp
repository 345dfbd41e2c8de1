#pragma once
// What the values of one SQLite column actually look like: storage classes present,
// NULLs, longest value, and which formats (dates, epoch numbers, JSON, UUIDs,
// booleans) they follow. Fixed-size counters only, so a column of any size profiles
// in constant memory. The format tests reuse the migration's own converters, so
// "fits" means "the migration would read it as that".
#include "value.hpp"

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace s2p {

enum class ValueFormat {
    Date,           // "YYYY-MM-DD"
    DateTime,       // ISO date and time without a UTC offset (read in --source-timezone)
    DateTimeOffset, // ISO date and time with "Z" or ±HH[:MM]
    EpochSeconds,   // integer/real Unix time in seconds, 1980..2100
    EpochMillis,    // ... in milliseconds
    EpochMicros,    // ... in microseconds
    Json,           // text holding a JSON object or array
    UuidText,       // text in a form PostgreSQL's uuid input accepts
    UuidBlob,       // 16-byte blob
    Boolean,        // integer 0/1 or text true/false/yes/no/on/off/t/f/y/n
};
constexpr std::size_t value_format_count = 10;

// Stable snake_case names, used in inspect output and JSON.
std::string_view value_format_name(ValueFormat f);

// Bit (1 << ValueFormat) for each format `v` fits.
unsigned detect_formats(const SqlValue &v);

struct FormatFit {
    ValueFormat format;
    std::int64_t fits = 0;
    // Non-NULL values of the column that fit neither this format nor a listed format
    // of its family (a datetime column mixing offsets and none has 0 misfits in both).
    std::int64_t misfits = 0;
};

class ColumnProfile {
public:
    void add(const SqlValue &v);

    std::int64_t count(StorageClass c) const { return m_classes[static_cast<std::size_t>(c)]; }
    std::int64_t nulls() const { return count(StorageClass::Null); }
    std::int64_t non_null() const;
    // Characters of the longest TEXT (bytes if not valid UTF-8), bytes of the longest BLOB.
    std::int64_t max_length() const { return m_max_length; }
    // The formats that describe the column: those that at least half of the non-NULL
    // values fit, counting a family (date/time forms, epoch units, uuid forms) together,
    // so a column mixing "with offset" and "without" shows both.
    std::vector<FormatFit> detected() const;

private:
    std::array<std::int64_t, 5> m_classes{};
    std::array<std::int64_t, value_format_count> m_fits{};
    std::int64_t m_max_length = 0;
};

} // namespace s2p
