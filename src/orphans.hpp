#pragma once
// Rows that break a foreign key or unique index rebuilt after the load
// (deferred_indexes.hpp): an orphan whose parent is missing, or a duplicate of a
// unique key. PostgreSQL only says "violates constraint"; this finds the offending
// target rows with one query, maps them back to their source rows (by the target's
// primary key, else by the constraint's columns, converted exactly as the load did),
// and then either names the first one (abort) or sets them all aside: a reject line
// each, deleted from the target, so the rebuild can be tried again.
// It runs only after a rebuild failed, so a clean load pays nothing for it.
#include "deferred_indexes.hpp"
#include "fixups.hpp"
#include "planner.hpp"
#include "problems.hpp"
#include "reject_file.hpp"
#include "source_reader.hpp"

#include <pqxx/transaction_base>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <utility>
#include <string>
#include <vector>

namespace s2p {

struct ConvertOptions;

struct ConstraintCheck {
    pqxx::dbtransaction &tx;
    SourceDb &src;
    const Plan &plan;
    const std::string &schema;
    const ConvertOptions &conv;
    const FixupPolicy &fixups;
    // Per target table, the ordinals (scan order, 1-based, ascending) the load did not send.
    const std::map<std::string, std::vector<std::int64_t>> &not_loaded;
    // Reject mode: receives each row set aside. Empty: abort mode, the first row is named.
    std::function<void(const RejectedRow &)> reject;
    // Per target table, the rows set aside here (to add to the table's reject count).
    std::map<std::string, std::int64_t> removed;
    // The objects being recreated: a foreign key kept during the load (--keep-indexes)
    // that points at a row set aside joins them, so its own orphans are found too.
    DeferredObjects *deferred = nullptr;
    // (target table, ordinal) of every row set aside so far: they left the target, and
    // one named twice means the rows cannot be told apart, so the check gives up.
    std::set<std::pair<std::string, std::int64_t>> set_aside{};
};

// The ViolationHandler of recreate_deferred_objects: throws DataError naming the
// first offending source row (abort), or rejects and deletes every offender and
// returns true (reject). Returns false when the offenders cannot be told apart.
bool handle_violation(ConstraintCheck &c, const DeferredObject &o, bool foreign_key);

// --dry-run: the duplicate keys and orphan rows the load would meet, listed with the
// converter's problems: unique keys (primary key, UNIQUE, unique indexes) of plain
// columns, and foreign keys whose parent is loaded (its source rows) or not (its
// rows in the target). Rows with bad values are left out, as the load leaves them.
// Expression and partial indexes and CHECK constraints are met by the load only.
void list_key_problems(ConstraintCheck &c, ProblemLog &log);

// The KeyFilter of drop_deferred_objects: a primary key whose columns the source itself
// keeps unique in a way the conversion cannot undo (the rowid, or a full unique index of
// integer columns loaded into integer columns), so that no load can break it.
KeyFilter source_kept_keys(SourceDb &src, const Plan &plan, const FixupPolicy &fixups);

// The columns of `table`'s constraint `name` (a key, CHECK or foreign key), to name
// them when PostgreSQL refuses a row without naming a column; empty when unknown.
std::vector<std::string> constraint_columns(pqxx::transaction_base &tx, const std::string &schema,
                                            const std::string &table, const std::string &name);

} // namespace s2p
