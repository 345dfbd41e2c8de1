#pragma once
// `sqlite2pg check`: the preflight an operator runs before a cutover. It connects the
// way migrate does and asks the server, without writing anything, whether a migration
// would get past every point where it needs something from the target: schema,
// tables (present, empty), privileges, sequence ownership. Superuser is reported
// for information only: the tool never needs it.
#include "errors.hpp"
#include "options.hpp"
#include "progress.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace s2p {

struct CheckLine {
    enum class Status { Ok, Fail, Info };
    Status status = Status::Info;
    std::string subject; // "connect", "schema app", "table items"
    std::string detail;
};

struct CheckReport {
    std::vector<CheckLine> lines;
    int failures() const;
};

// Never throws for what it checks (a failed connection is a FAIL line); throws
// UsageError / SourceError for a bad command line or an unreadable --source.
CheckReport run_check(const CheckOptions &o, Log &log);

// One line per check ("ok", "FAIL", "info") and the verdict; returns the exit code:
// Ok, or Target when a migration would fail.
ExitCode print_check(std::FILE *out, const CheckReport &r, const CheckOptions &o);

} // namespace s2p
