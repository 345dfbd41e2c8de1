#include "reject_file.hpp"

#include "convert.hpp"
#include "errors.hpp"
#include "json_writer.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>

namespace s2p {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// Full values, not excerpts: the reject file is where the operator repairs the row.
void write_hex(JsonWriter &j, std::string_view bytes, bool invalid_text)
{
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (char c : bytes) {
        auto const b = static_cast<unsigned char>(c);
        hex.push_back(hex_digits[b >> 4]);
        hex.push_back(hex_digits[b & 15]);
    }
    j.begin_object().field("hex", hex);
    if (invalid_text) j.field("invalid_utf8_text", true);
    j.end_object();
}

void write_value(JsonWriter &j, const SqlValue &v)
{
    switch (v.cls) {
    case StorageClass::Null: j.null(); break;
    case StorageClass::Integer: j.value(static_cast<std::int64_t>(v.i)); break;
    case StorageClass::Real:
        if (std::isfinite(v.d)) j.value(v.d);
        else j.value(v.d > 0 ? "Infinity" : "-Infinity");
        break;
    // JSON cannot hold invalid UTF-8: such text goes as hex, marked, so no byte is lost.
    case StorageClass::Text:
        if (valid_utf8(v.bytes)) j.value(v.bytes);
        else write_hex(j, v.bytes, true);
        break;
    // Blobs as {"hex": "..."} so they cannot be mistaken for text.
    case StorageClass::Blob: write_hex(j, v.bytes, false); break;
    }
}

} // namespace

std::string reject_json_line(const RejectedRow &r)
{
    JsonWriter j;
    j.begin_object()
        .field("table", r.table)
        .field("rowid", static_cast<std::int64_t>(r.rowid))
        .field("key", r.key);
    j.key("column");
    if (r.column.empty()) j.null();
    else j.value(r.column);
    j.field("reason", r.reason_code.empty() ? std::string{reason_code(r.reason)} : r.reason_code)
        .field("message", r.message)
        .field("value", r.value);
    j.key("row").begin_object();
    for (auto const &[name, v] : r.row) {
        j.key(name);
        write_value(j, v);
    }
    j.end_object().end_object();
    return j.str();
}

RejectFile::RejectFile(std::string path) : m_path(std::move(path))
{
    m_file = std::fopen(m_path.c_str(), "w");
    if (!m_file) {
        throw UsageError(fmt::format("cannot write the reject file '{}': {} (choose another --reject-file)",
                                     m_path, std::strerror(errno)));
    }
}

RejectFile::~RejectFile()
{
    if (m_file) std::fclose(m_file);
}

void RejectFile::write(const RejectedRow &r)
{
    std::string line = reject_json_line(r);
    line.push_back('\n');
    // Flushed per row: a run that dies later still leaves every reject it found.
    if (std::fwrite(line.data(), 1, line.size(), m_file) != line.size() || std::fflush(m_file) != 0) {
        throw UsageError(fmt::format("writing the reject file '{}' failed: {} (choose another --reject-file)",
                                     m_path, std::strerror(errno)));
    }
}

} // namespace s2p
