#pragma once
// migrate --per-table and --resume: each table is loaded, indexed, checked and
// committed in a transaction of its own, for databases too big for one transaction
// window. Progress lives in <schema>.sqlite2pg_state (run_state.hpp), updated in
// each table's transaction, so after a crash at any moment the finished tables are
// exactly the ones recorded, and --resume loads the rest.
//
// Foreign keys across transactions: tables are loaded parents first, so a child's
// foreign keys are validated against committed parents in the child's transaction.
// The tables still to load are emptied together, up front, in the transaction that
// records the run: PostgreSQL refuses to TRUNCATE a parent alone while a child
// references it, TRUNCATE ... CASCADE would empty tables outside the selection, and
// old child rows left over a reloaded parent would fail validation anyway. Foreign
// keys forming a cycle between tables cannot hold between two commits: such a
// schema is refused (run it in one transaction).
#include "convert.hpp"
#include "migrate.hpp"
#include "options.hpp"
#include "source_reader.hpp"

#include <pqxx/connection>

#include <cstdio>
#include <string>

namespace s2p {

// `fingerprint` is of the source file as it was before `src` took its snapshot, so a
// write in between makes a later --resume refuse rather than mix old and new rows.
MigrateResult run_per_table(const MigrateOptions &o, const ConvertOptions &conv, SourceDb &src,
                            const std::string &fingerprint, pqxx::connection &conn, const std::string &conninfo,
                            Log &log, std::FILE *out, RunTrace *trace);

} // namespace s2p
