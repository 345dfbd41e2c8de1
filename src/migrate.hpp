#pragma once
// The migrate command: plan, load every table with COPY in one transaction, reset
// sequences, check counts, commit; or, with --dry-run, read and check everything
// and write nothing.
#include "errors.hpp"
#include "options.hpp"
#include "progress.hpp"

#include <cstdio>
#include <vector>

namespace s2p {

struct MigrateResult {
    ExitCode code = ExitCode::Ok;
    std::vector<TableStats> tables;
    std::uint64_t problems = 0; // dry run: bad values found
};

// Throws Error subclasses for failures that end the run (the transaction is rolled
// back); returns the result of a completed run. The summary goes to `out`.
MigrateResult run_migrate(const MigrateOptions &o, Log &log, std::FILE *out);

} // namespace s2p
