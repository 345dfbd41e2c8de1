#pragma once
// One SQLite value exactly as stored: SQLite columns can hold any storage class,
// so conversion looks at the class of each value, not at the declared type.
#include <cstdint>
#include <string_view>

namespace s2p {

enum class StorageClass { Null, Integer, Real, Text, Blob };

struct SqlValue {
    StorageClass cls = StorageClass::Null;
    std::int64_t i = 0;     // Integer
    double d = 0;           // Real
    std::string_view bytes; // Text (bytes as stored, not checked) or Blob; valid until the next row

    static SqlValue null() { return {}; }
    static SqlValue integer(std::int64_t v) { SqlValue s; s.cls = StorageClass::Integer; s.i = v; return s; }
    static SqlValue real(double v) { SqlValue s; s.cls = StorageClass::Real; s.d = v; return s; }
    static SqlValue text(std::string_view v) { SqlValue s; s.cls = StorageClass::Text; s.bytes = v; return s; }
    static SqlValue blob(std::string_view v) { SqlValue s; s.cls = StorageClass::Blob; s.bytes = v; return s; }
};

inline std::string_view storage_class_name(StorageClass c)
{
    switch (c) {
    case StorageClass::Null: return "NULL";
    case StorageClass::Integer: return "INTEGER";
    case StorageClass::Real: return "REAL";
    case StorageClass::Text: return "TEXT";
    case StorageClass::Blob: return "BLOB";
    }
    return "?";
}

} // namespace s2p
