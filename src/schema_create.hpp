#pragma once
// --create-schema: the PostgreSQL schema planned from the SQLite schema and the data
// profile (types, NOT NULL, defaults), the DDL run before the load (CREATE TABLE) and
// after it (keys, UNIQUE, CHECK, indexes, foreign keys), and the report of everything
// that was changed, reported or left out.
#include "planner.hpp"
#include "profile.hpp"
#include "progress.hpp"
#include "schema_map.hpp"
#include "source_schema.hpp"
#include "target_catalog.hpp"

#include <pqxx/dbtransaction>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace s2p {

struct ColumnPlan {
    std::string source_name, name, declared;
    TypeChoice choice;
    std::string type_note;                // why the type differs from the declared type's mapping
    bool not_null = false;
    std::optional<std::string> default_sql;
    ConvertOptions conv;                  // this column's conversion settings
    bool conv_differs = false;            // from the run's global settings
    ColumnTypeProfile profile;
};

// One statement run after the load. Steps that fail are rolled back to a savepoint
// and reported, except `required` ones (primary keys), which end the run.
struct DdlStep {
    std::string what; // "primary key on \"t\" (a, b)"
    std::string sql;
    bool required = false;
    std::string not_valid_sql; // foreign keys: the NOT VALID form, used when the data has orphans
    std::string orphans_sql;   // foreign keys: counts the target's rows without a parent
};

struct TableSchemaPlan {
    const SourceTable *source = nullptr;
    std::string name;
    std::int64_t rows = 0;
    bool profiled = true;            // false: the first mapping of each declared type, data unread
    std::vector<ColumnPlan> columns; // per source column
    std::optional<std::int64_t> autoincrement_floor; // sqlite_sequence: next id must exceed it
};

struct SchemaPlan {
    std::string schema;
    std::vector<TableSchemaPlan> tables;
    std::vector<std::string> create_sql; // before the load
    std::vector<DdlStep> after_load;
    std::vector<std::string> notes;      // fallbacks, untranslated parts, orphans, skipped objects

    // The target catalog the DDL creates: the dry run plans against it without a server.
    TargetCatalog catalog() const;
    const TableSchemaPlan *find(const SourceTable *source) const;
    // A column typed without a profile, whose declared type has fallbacks: a value
    // it refuses may fit one of them.
    bool may_fall_back(const SourceTable *source, const std::string &column) const;
    // Profile, notes and DDL, for --dry-run.
    void print(std::FILE *out) const;
};

// Reads the extra schema, profiles every selected table and plans the DDL.
// Throws UsageError for bad --cast rules or names that collide after case folding.
SchemaPlan plan_schema(SourceDb &src, const Selection &selection, const SchemaOptions &o,
                       const ConvertOptions &conv, const std::string &target_schema, Log &log);

// Tables of the plan that already exist in the target schema.
std::vector<std::string> existing_tables(pqxx::transaction_base &tx, const SchemaPlan &plan);
// CREATE SCHEMA IF NOT EXISTS and CREATE TABLE; throws TargetError naming tables that exist.
void create_tables(pqxx::transaction_base &tx, const SchemaPlan &plan, Log &log);
// Keys, UNIQUE, CHECK, indexes and foreign keys after the load; optional steps that fail
// are reported. Throws DataError when a primary key cannot be created.
void create_constraints(pqxx::dbtransaction &tx, const SchemaPlan &plan, Log &log);
// After the sequence reset: an AUTOINCREMENT table never reuses an id SQLite handed
// out, even one whose row was deleted.
void keep_autoincrement_floor(pqxx::transaction_base &tx, const SchemaPlan &plan, Log &log);
// Per-column conversion settings (--cast epoch units, text-to-bytea fallbacks) into the plan.
void apply_column_options(Plan &plan, const SchemaPlan &schema);

} // namespace s2p
