#include "value_profile.hpp"

#include "convert.hpp"
#include "convert_time.hpp"

#include <algorithm>

namespace s2p {

namespace {

// Plausible Unix times: 1980-01-01 to 2100-01-01 in seconds. Narrow on purpose: an
// id or a price column must not look like timestamps.
constexpr double epoch_min_s = 315532800.0;
constexpr double epoch_max_s = 4102444800.0;

unsigned bit(ValueFormat f) { return 1u << static_cast<unsigned>(f); }

int family(ValueFormat f)
{
    switch (f) {
    case ValueFormat::Date:
    case ValueFormat::DateTime:
    case ValueFormat::DateTimeOffset: return 1;
    case ValueFormat::EpochSeconds:
    case ValueFormat::EpochMillis:
    case ValueFormat::EpochMicros: return 2;
    case ValueFormat::UuidText:
    case ValueFormat::UuidBlob: return 3;
    default: return 0;
    }
}

// The converter decides; only the range that makes a number "epoch-looking" is ours.
unsigned epoch_formats(double d, bool is_integer, std::int64_t i)
{
    struct Unit { EpochUnit unit; double scale; ValueFormat format; };
    static constexpr Unit units[] = {{EpochUnit::Seconds, 1.0, ValueFormat::EpochSeconds},
                                     {EpochUnit::Millis, 1e3, ValueFormat::EpochMillis},
                                     {EpochUnit::Micros, 1e6, ValueFormat::EpochMicros}};
    std::string out;
    ConvertError err;
    for (auto const &u : units) {
        if (d >= epoch_min_s * u.scale && d < epoch_max_s * u.scale) {
            return epoch_to_datetime(d, is_integer, i, u.unit, PgKind::Timestamptz, nullptr, out, err)
                       ? bit(u.format)
                       : 0u;
        }
    }
    return 0;
}

unsigned text_formats(std::string_view s)
{
    std::string out;
    ConvertError err;
    unsigned f = 0;
    if (s.size() >= 10 && s[4] == '-') {
        if (s.size() == 10 && text_to_date(s, out, err)) return bit(ValueFormat::Date);
        if (text_to_timestamptz(s, nullptr, out, err)) {
            // Already validated; an offset is "Z" or a sign after the date part.
            bool const offset = s.find_first_of("Zz+-", 10) != std::string_view::npos;
            return bit(offset ? ValueFormat::DateTimeOffset : ValueFormat::DateTime);
        }
    }
    SqlValue const v = SqlValue::text(s);
    ConvertOptions const opts;
    if (s.size() >= 32 && s.size() <= 39) {
        PgType uuid;
        uuid.kind = PgKind::Uuid;
        if (convert_value(v, uuid, opts, out, err) == Converted::Value) f |= bit(ValueFormat::UuidText);
    }
    std::size_t const first = s.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && (s[first] == '{' || s[first] == '[') && check_json(s, false, err))
        f |= bit(ValueFormat::Json);
    // "1"/"0" as text are numbers first; count them as booleans only with the words.
    if (s.size() <= 5 && s != "1" && s != "0") {
        PgType boolean;
        boolean.kind = PgKind::Bool;
        if (convert_value(v, boolean, opts, out, err) == Converted::Value) f |= bit(ValueFormat::Boolean);
    }
    return f;
}

} // namespace

std::string_view value_format_name(ValueFormat f)
{
    switch (f) {
    case ValueFormat::Date: return "iso_date";
    case ValueFormat::DateTime: return "iso_datetime";
    case ValueFormat::DateTimeOffset: return "iso_datetime_offset";
    case ValueFormat::EpochSeconds: return "epoch_s";
    case ValueFormat::EpochMillis: return "epoch_ms";
    case ValueFormat::EpochMicros: return "epoch_us";
    case ValueFormat::Json: return "json";
    case ValueFormat::UuidText: return "uuid_text";
    case ValueFormat::UuidBlob: return "uuid_blob";
    case ValueFormat::Boolean: return "boolean";
    }
    return "?";
}

unsigned detect_formats(const SqlValue &v)
{
    switch (v.cls) {
    case StorageClass::Integer:
        if (v.i == 0 || v.i == 1) return bit(ValueFormat::Boolean);
        return epoch_formats(static_cast<double>(v.i), true, v.i);
    case StorageClass::Real: return epoch_formats(v.d, false, 0);
    case StorageClass::Text: return text_formats(v.bytes);
    case StorageClass::Blob: return v.bytes.size() == 16 ? bit(ValueFormat::UuidBlob) : 0u;
    case StorageClass::Null: break;
    }
    return 0;
}

void ColumnProfile::add(const SqlValue &v)
{
    ++m_classes[static_cast<std::size_t>(v.cls)];
    if (v.cls == StorageClass::Null) return;
    if (v.cls == StorageClass::Text || v.cls == StorageClass::Blob) {
        std::size_t const n =
            v.cls == StorageClass::Text && valid_utf8(v.bytes) ? utf8_length(v.bytes) : v.bytes.size();
        m_max_length = std::max(m_max_length, static_cast<std::int64_t>(n));
    }
    unsigned const f = detect_formats(v);
    for (std::size_t k = 0; k < value_format_count; ++k)
        if (f & (1u << k)) ++m_fits[k];
}

std::int64_t ColumnProfile::non_null() const
{
    std::int64_t n = 0;
    for (std::size_t c = 1; c < m_classes.size(); ++c) n += m_classes[c];
    return n;
}

std::vector<FormatFit> ColumnProfile::detected() const
{
    std::int64_t const total = non_null();
    std::vector<FormatFit> out;
    if (total == 0) return out;
    // A family (the date/time forms, the epoch units, the uuid forms) describes the
    // column when its members together fit half the values; then each member that fits
    // any value is listed, so "800 without offset, 200 with" shows as such.
    std::array<std::int64_t, 4> family_fits{};
    for (std::size_t k = 0; k < value_format_count; ++k)
        family_fits[static_cast<std::size_t>(family(static_cast<ValueFormat>(k)))] += m_fits[k];
    for (std::size_t k = 0; k < value_format_count; ++k) {
        auto const f = static_cast<ValueFormat>(k);
        auto const fam = static_cast<std::size_t>(family(f));
        std::int64_t const weight = fam == 0 ? m_fits[k] : family_fits[fam];
        if (m_fits[k] > 0 && weight * 2 >= total) out.push_back({f, m_fits[k], 0});
    }
    // The formats of one family exclude each other value by value, so what fits none
    // of them is the family's cleanup count.
    for (auto &fit : out) {
        auto const fam = static_cast<std::size_t>(family(fit.format));
        fit.misfits = total - (fam == 0 ? fit.fits : family_fits[fam]);
    }
    return out;
}

} // namespace s2p
