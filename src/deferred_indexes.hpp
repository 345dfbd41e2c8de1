#pragma once
// Loading into tables whose secondary indexes and foreign keys are in place costs
// twice the time of loading bare tables and building them after (measured by
// scripts/bench.sh). So, inside the run's transaction and as the table owner, the
// load drops them and recreates them exactly afterwards; a failure rolls the drop
// back with everything else. Unique constraints stay, and primary keys unless the
// source itself keeps them unique (the caller's KeyFilter: a SQLite rowid, say) and
// nothing but the dropped foreign keys depends on them: a key in place names a
// duplicate as it arrives, and views and other tables' keys may need it.
#include <pqxx/dbtransaction>
#include <pqxx/field>
#include <pqxx/transaction_base>

struct pg_conn;

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace s2p {

struct DeferredObject {
    std::string table;      // in the target schema
    std::string name;       // index or constraint name
    std::string definition; // pg_get_indexdef / pg_get_constraintdef
    // What orphans.hpp needs to find the rows that break it, read before the drop.
    bool unique = false;                   // a unique index
    std::vector<std::string> columns{};    // foreign key columns; index key columns ("" for an expression)
    std::vector<std::string> key_sql{};    // index keys as SQL (column names or expressions)
    std::string predicate{};               // a partial index's WHERE, as SQL
    std::string parent{};                  // foreign key: the referenced table, as SQL (schema-qualified)
    std::vector<std::string> parent_columns{};
    std::string parent_schema{}, parent_table{}; // foreign key: the referenced table's names
    // Kept apart from the definition, which does not carry them: COMMENT ON, and an
    // index's CLUSTER mark and REPLICA IDENTITY role.
    std::optional<std::string> comment{};
    bool clustered = false;
    bool replica_identity = false;
};

struct DeferredObjects {
    std::vector<DeferredObject> keys;         // primary keys (`columns`: the key's columns)
    std::vector<DeferredObject> indexes;      // plain (not constraint-backed) indexes
    std::vector<DeferredObject> foreign_keys; // whose child table is loaded
    bool contains_fk(const std::string &table, const std::string &name) const;
    bool empty() const;
};

// Whether a primary key that nothing else depends on may be dropped for the load:
// only when the loaded rows cannot break it, since a rebuild that fails names no row.
using KeyFilter = std::function<bool(const DeferredObject &key)>;

// Drops them; returns what was dropped, in the order to recreate. Without
// `rebuild_key`, primary keys stay.
DeferredObjects drop_deferred_objects(pqxx::transaction_base &tx, const std::string &schema,
                                      const std::vector<std::string> &tables, const KeyFilter &rebuild_key = {});

// A statement run on the raw connection, for statements that may fail inside a
// savepoint (pqxx 6 ends the whole transaction when one fails).
struct RawOutcome {
    std::string sqlstate;   // empty: it succeeded
    std::string constraint; // of a failure, when the server names one
    std::string table;
    long long rows = 0;     // rows the statement affected
};
RawOutcome raw_exec(pg_conn *conn, const std::string &sql, const std::vector<std::string> &params = {});
// raw_exec inside a savepoint of `tx`: released on success, rolled back to on failure
// (the transaction stays usable); throws TargetError if even the rollback fails.
RawOutcome raw_exec_in_savepoint(pqxx::dbtransaction &tx, const std::string &sql,
                                 const std::vector<std::string> &params = {});

// A text[] literal, bound as one parameter.
std::string text_array(std::vector<std::string>::const_iterator b, std::vector<std::string>::const_iterator e);
std::string text_array(const std::vector<std::string> &values);
// A text[] or name[] field as strings (NULL elements as "").
std::vector<std::string> strings(const pqxx::field &f);

// The foreign keys of `tables`, as drop_deferred_objects reads them (nothing dropped).
std::vector<DeferredObject> read_foreign_keys(pqxx::transaction_base &tx, const std::string &schema,
                                              const std::vector<std::string> &tables);

// Drops one foreign key of `table` and returns it, to recreate after the load like
// the others (a foreign key the load met row by row, or one inside a cycle).
DeferredObject drop_foreign_key(pqxx::transaction_base &tx, const std::string &schema, const std::string &table,
                                const std::string &name);

// Called when the loaded rows break a recreated object (SQLSTATE 23505 or 23503),
// after the failed statement was rolled back to a savepoint: throws DataError naming
// the first offending row, or sets the offenders aside and returns true to try again.
// Returning false reports the failure as it came.
using ViolationHandler = std::function<bool(const DeferredObject &, bool foreign_key)>;

// Recreates primary keys, indexes, then foreign keys (each validated by one query). Each runs in a
// savepoint so that `on_violation` can look at the rows that break it; foreign keys
// the handler adds to `objects` (by drop_foreign_key) are recreated too.
void recreate_deferred_objects(pqxx::dbtransaction &tx, const std::string &schema,
                               DeferredObjects &objects,
                               const std::function<void(const std::string &)> &note,
                               const ViolationHandler &on_violation = {});

} // namespace s2p
