#pragma once
// --create-schema: the parts of the SQLite schema the data load does not need
// (defaults, indexes, foreign key details, CHECKs, views, triggers), read through the
// source's handle inside its read transaction.
#include "source_reader.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace s2p {

struct SourceIndex {
    std::string name;
    bool unique = false;
    std::string origin;               // "c" CREATE INDEX, "u" UNIQUE constraint, "pk" primary key
    bool partial = false;             // CREATE INDEX ... WHERE
    std::vector<std::string> columns; // key columns; "" for an expression
    std::string sql;                  // CREATE INDEX text ("" for constraint indexes)
};

struct SourceForeignKeyDetail {
    std::string parent_table;
    std::vector<std::string> from, to; // `to` empty: the parent's primary key
    std::string on_update, on_delete;  // "NO ACTION", "CASCADE", "SET NULL", ...
};

struct SourceTableSchema {
    std::vector<std::optional<std::string>> defaults; // per column, as pragma table_info gives it
    std::vector<SourceIndex> indexes;
    std::vector<SourceForeignKeyDetail> foreign_keys;
    std::string sql;                  // CREATE TABLE text
    bool autoincrement = false;
    std::optional<std::int64_t> sqlite_sequence; // AUTOINCREMENT's high-water mark
};

struct SourceObject {
    std::string type, name, sql; // "view" or "trigger"
};

// Throws SourceError when the schema cannot be read.
SourceTableSchema read_table_schema(SourceDb &db, const SourceTable &t);
std::vector<SourceObject> read_views_and_triggers(SourceDb &db);

} // namespace s2p
