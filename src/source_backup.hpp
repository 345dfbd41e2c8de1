#pragma once
// migrate --backup-source PATH: a consistent copy of the SQLite source, made with
// SQLite's online backup API and checked with PRAGMA quick_check before anything
// reads it. The migration then reads the copy, so an application may keep writing
// to the source (and the operator keeps the exact bytes that were migrated).
#include <cstdint>
#include <string>

namespace s2p {

class Log;

struct BackupStats {
    std::int64_t pages = 0;
    std::int64_t bytes = 0;
    double seconds = 0;
};

// Copies `source` to `dest`. Refuses (UsageError) when `dest` is the source, or
// exists and is not an empty file, or has a -journal/-wal beside it: an existing
// database is never overwritten. Waits up to busy_timeout_s for a writer holding the
// source, then fails (SourceError). A copy that fails quick_check is removed and
// reported as corrupt (SourceError), as is a source the backup cannot read. The copy
// is left in rollback-journal mode (one self-contained file).
BackupStats backup_source(const std::string &source, const std::string &dest, int busy_timeout_s, Log &log);

} // namespace s2p
