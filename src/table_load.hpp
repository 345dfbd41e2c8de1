#pragma once
// Loading one table: read, convert, COPY (binary where every column allows it), and
// in reject mode set aside rows the server refuses and load the table again from a
// savepoint. Shared by the one-transaction run and --per-table.
#include "errors.hpp"
#include "deferred_indexes.hpp"
#include "options.hpp"
#include "planner.hpp"
#include "problems.hpp"
#include "progress.hpp"
#include "reject_file.hpp"
#include "source_reader.hpp"

#include <pqxx/dbtransaction>

#include <fmt/format.h>

namespace s2p {

// A value the converter refuses (abort mode), from source column `column`: a type
// chosen from the data could take it, unlike a row the server refuses or a NULL
// into a NOT NULL column (see run_migrate).
struct ValueError : DataError {
    ValueError(const std::string &what, std::string col) : DataError(what), column(std::move(col)) {}
    std::string column;
};

// --on-error reject: where bad rows go, and how many there may be.
struct Rejects {
    RejectFile *file = nullptr;
    long long max = 0;
    long long total = 0;

    void add(const RejectedRow &r)
    {
        if (++total > max) {
            throw DataError(fmt::format("more than {} rows rejected (--max-rejects; the last: table \"{}\", {}: {}); "
                                        "nothing was written, the rejects so far are in {}",
                                        max, r.table, r.key, r.message, file->path()));
        }
        file->write(r);
    }
};

// What every table of a run shares.
struct TableLoadContext {
    const ConvertOptions &conv;
    const FixupPolicy &fixups;
    ProblemLog *problems; // dry run: collect every problem (no COPY)
    Rejects *rejects;     // reject mode; else the first bad row throws
    Progress &progress;
    CopyFormat requested_format;
    const std::string &schema;
    const std::string &reject_path; // for messages
    int send_timeout_s;
    Log &log;
    // The caller checked every table of the run is empty (or emptied it) in this
    // transaction, so each may be truncated again inside its load's savepoint: that
    // lets the COPY write its rows frozen (see copy_freeze_allowed).
    bool tables_known_empty = false;
};

// Loads `tp` in `tx` (nothing is written in a dry run); checks every source row was
// read. Throws DataError naming the first bad row unless rows are rejected or listed.
// A foreign key the COPY trips over without naming a line is dropped into `deferred`
// (checked after the load, where orphans.hpp names the rows); `not_sent` receives the
// row ordinals left out, for orphans.hpp.
TableStats load_one_table(SourceDb &src, pqxx::dbtransaction &tx, const TablePlan &tp, const TableLoadContext &ctx,
                          DeferredObjects &deferred, std::vector<std::int64_t> &not_sent);

} // namespace s2p
