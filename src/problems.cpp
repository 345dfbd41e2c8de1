#include "problems.hpp"

#include "utf8.hpp"

#include <fmt/format.h>

namespace s2p {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

} // namespace

std::string excerpt(const SqlValue &v, std::size_t max_chars)
{
    switch (v.cls) {
    case StorageClass::Null: return "NULL";
    case StorageClass::Integer: return std::to_string(v.i);
    case StorageClass::Real: return fmt::format("{}", v.d);
    case StorageClass::Blob: {
        std::string out = "x'";
        std::size_t const n = std::min<std::size_t>(v.bytes.size(), max_chars / 2);
        for (std::size_t i = 0; i < n; ++i) {
            auto const b = static_cast<unsigned char>(v.bytes[i]);
            out.push_back(hex_digits[b >> 4]);
            out.push_back(hex_digits[b & 15]);
        }
        out += n < v.bytes.size() ? "…'" : "'";
        return out + fmt::format(" ({} bytes)", v.bytes.size());
    }
    case StorageClass::Text: break;
    }
    std::string out = "'";
    std::string_view const s = v.bytes;
    std::size_t chars = 0, i = 0;
    while (i < s.size() && chars < max_chars) {
        auto const b = static_cast<unsigned char>(s[i]);
        std::size_t const n = utf8_sequence_length(s, i);
        if (n == 0) {
            out += fmt::format("\\x{:02x}", b);
            i += 1;
        } else if (b < 0x20 || b == 0x7f) {
            out += b == '\n' ? "\\n" : b == '\t' ? "\\t" : b == '\r' ? "\\r" : fmt::format("\\x{:02x}", b);
            i += 1;
        } else if (b == '\\') {
            out += "\\\\";
            i += 1;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
        ++chars;
    }
    out += i < s.size() ? "…'" : "'";
    return out;
}

std::string describe(const Problem &p)
{
    return fmt::format("table \"{}\", {}, column \"{}\": value {} — {} [{}]", p.table, p.row, p.column,
                       p.value, p.message, reason_code(p.reason));
}

void ProblemLog::add(Problem p)
{
    ++m_total;
    Entry &e = m_entries[{p.table, p.column, std::string{reason_code(p.reason)}}];
    ++e.count;
    if (e.examples.size() < m_examples) e.examples.push_back(std::move(p));
}

void ProblemLog::print(std::FILE *out) const
{
    if (m_total == 0) return;
    fmt::print(out, "\n{} problem value{} found:\n", m_total, m_total == 1 ? "" : "s");
    for (auto const &[key, e] : m_entries) {
        auto const &[table, column, reason] = key;
        fmt::print(out, "  {}.{}: {} × {}\n", table, column, e.count, reason);
        for (auto const &p : e.examples) {
            fmt::print(out, "    {}: value {} — {}\n", p.row, p.value, p.message);
        }
        if (e.count > e.examples.size()) {
            fmt::print(out, "    … and {} more\n", e.count - e.examples.size());
        }
    }
}

} // namespace s2p
