#pragma once
// The plan: which source tables go where, column by column, and in which order
// (parents before children), decided before any data moves.
#include "convert.hpp"
#include "source_reader.hpp"
#include "target_catalog.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace s2p {

struct ColumnMapping {
    int source_index;            // into SourceTable::columns
    const TargetColumn *target;
    // This column's own conversion settings when they differ from the run's
    // (--create-schema: a --cast epoch unit, a text-to-bytea fallback).
    std::optional<ConvertOptions> convert = std::nullopt;
};

struct TablePlan {
    const SourceTable *source;
    const TargetTable *target;
    std::vector<ColumnMapping> columns;
};

struct Plan {
    std::vector<TablePlan> tables; // in load order
    // Target foreign keys that a cycle forces to check after the load: dropped and
    // recreated inside the transaction (or deferred when DEFERRABLE).
    std::vector<const TargetForeignKey *> deferred_fks;
    std::vector<std::string> notes; // e.g. generated columns left to PostgreSQL
};

struct Selection {
    std::vector<std::string> tables;         // --tables: empty means all
    std::vector<std::string> exclude_tables; // --exclude-tables
};

// Throws UsageError for a selection naming unknown tables and TargetError listing
// every mismatch (missing table or column, NOT NULL column without source or default).
Plan make_plan(const std::vector<SourceTable> &source, const TargetCatalog &target,
               const Selection &selection);

// Orders nodes so that every edge (child, parent) has the parent first; self-edges are
// ignored. Cycles are broken deterministically: the returned broken edges are those
// whose parent loads after the child. Node names are compared exactly.
struct Ordering {
    std::vector<std::string> order;
    std::vector<std::pair<std::string, std::string>> broken; // (child, parent)
};
Ordering order_tables(const std::vector<std::string> &nodes,
                      const std::vector<std::pair<std::string, std::string>> &edges);

} // namespace s2p
