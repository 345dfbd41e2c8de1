#pragma once
// `sqlite2pg inspect`: what the source holds, before anything is planned against a
// target. Row counts, sizes, the foreign-key graph and the load order it implies, and
// a profile of every column's actual values: the cleanup list for a rehearsal.
#include "value_profile.hpp"

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace s2p {

struct ColumnReport {
    std::string name;
    std::string declared_type;
    bool not_null = false;
    int pk_position = 0;
    ColumnProfile profile;
};

struct ForeignKeyEdge {
    std::string child;
    std::vector<std::string> columns;
    std::string parent;
    bool parent_exists = true;
};

struct TableReport {
    std::string name;
    bool without_rowid = false;
    std::int64_t rows = 0;
    std::uint64_t row_bytes = 0;   // sum of value sizes as read (the migration's "bytes")
    std::uint64_t table_bytes = 0; // on-disk pages of the table's b-tree
    std::uint64_t index_bytes = 0; // on-disk pages of its indexes (0 when estimated)
    std::vector<ColumnReport> columns;
};

struct InspectReport {
    std::string path;
    std::uint64_t file_bytes = 0;
    std::int64_t page_size = 0;
    std::int64_t page_count = 0;
    std::string encoding;
    // "dbstat": exact page sizes from SQLite's dbstat table; "estimate": the file's
    // pages shared out in proportion to the bytes each table's rows hold (this SQLite
    // was built without dbstat).
    std::string size_method;
    std::vector<TableReport> tables; // in name order
    std::vector<ForeignKeyEdge> foreign_keys;
    std::vector<std::string> load_order;
    std::vector<std::vector<std::string>> cycles; // each: tables of one cycle, in name order
    std::vector<std::string> self_references;     // tables with a foreign key to themselves
    std::vector<std::pair<std::string, std::string>> skipped; // (name, why)
};

// Reads every table once (one streaming pass each, inside one read transaction).
// Throws SourceError as the migration would.
InspectReport inspect_source(const std::string &path);

void print_inspect_text(std::FILE *out, const InspectReport &r);
std::string inspect_json(const InspectReport &r);

// Groups of tables that reference each other in a circle (strongly connected
// components with more than one table), each sorted, in order of their first table.
std::vector<std::vector<std::string>> find_cycles(const std::vector<std::string> &nodes,
                                                  const std::vector<std::pair<std::string, std::string>> &edges);

} // namespace s2p
