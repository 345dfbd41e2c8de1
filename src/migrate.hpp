#pragma once
// The migrate command: plan, load every table with COPY in one transaction, reset
// sequences, check counts, commit; or, with --dry-run, read and check everything
// and write nothing.
#include "errors.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "verify_counts.hpp"

#include <cstdio>
#include <optional>
#include <vector>

namespace s2p {

struct MigrateResult {
    ExitCode code = ExitCode::Ok;
    std::vector<TableStats> tables;
    std::uint64_t problems = 0; // dry run: bad values found
};

// What a run has done so far, filled as it goes, so that --report can describe a run
// that failed half-way (run_migrate throws; the trace keeps what happened).
struct RunTrace {
    std::vector<std::pair<std::string, double>> phases; // (name, seconds), finished phases in order
    std::string phase;                 // the phase under way; after a failure, where it failed
    std::vector<TableStats> tables;    // tables loaded (or checked, in a dry run)
    std::vector<CountCheck> counts;    // row counts compared before COMMIT
    std::string verification_json;     // verify_result_json() of the check before COMMIT, if it ran
    std::vector<std::string> committed_tables; // --per-table: committed by this run, in order
    std::vector<std::string> skipped_tables;   // --resume: committed by the interrupted run
    // --create-schema: the first attempt, with the declared types, met a value they
    // do not take and was rolled back; the rest of the trace is the second attempt.
    struct Restart {
        std::string reason;
        double after_seconds = 0;
    };
    std::optional<Restart> restarted;
};

// Throws Error subclasses for failures that end the run (the transaction is rolled
// back); returns the result of a completed run. The summary goes to `out`.
MigrateResult run_migrate(const MigrateOptions &o, Log &log, std::FILE *out, RunTrace *trace = nullptr);

} // namespace s2p
