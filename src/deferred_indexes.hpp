#pragma once
// Loading into tables whose secondary indexes and foreign keys are in place costs
// twice the time of loading bare tables and building them after (measured by
// scripts/bench.sh). So, inside the run's transaction and as the table owner, the
// load drops them and recreates them exactly afterwards; a failure rolls the drop
// back with everything else. Primary keys and unique constraints stay: other
// tables' foreign keys may depend on them, and they catch duplicates as rows arrive.
#include <pqxx/transaction_base>

#include <functional>
#include <string>
#include <vector>

namespace s2p {

struct DeferredObject {
    std::string table;      // in the target schema
    std::string name;       // index or constraint name
    std::string definition; // pg_get_indexdef / pg_get_constraintdef
};

struct DeferredObjects {
    std::vector<DeferredObject> indexes;      // plain (not constraint-backed) indexes
    std::vector<DeferredObject> foreign_keys; // whose child table is loaded
    bool contains_fk(const std::string &table, const std::string &name) const;
};

// Drops them; returns what was dropped, in the order to recreate.
DeferredObjects drop_deferred_objects(pqxx::transaction_base &tx, const std::string &schema,
                                      const std::vector<std::string> &tables);

// Recreates indexes, then foreign keys (each validated by one query). A foreign key
// whose rows have no parent throws DataError naming it.
void recreate_deferred_objects(pqxx::transaction_base &tx, const std::string &schema,
                               const DeferredObjects &objects,
                               const std::function<void(const std::string &)> &note);

} // namespace s2p
