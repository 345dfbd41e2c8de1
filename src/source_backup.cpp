#include "source_backup.hpp"

#include "errors.hpp"
#include "progress.hpp"
#include "source_reader.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace s2p {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// An existing file is only replaced when nothing can be lost: an empty file (what
// `mktemp` or `touch` leaves). A database, a half-written earlier copy or anything
// else is the operator's to remove; so is a journal that SQLite would replay into it.
void check_destination(const std::string &source, const std::string &dest)
{
    std::error_code ec;
    if (fs::exists(dest, ec)) {
        if (fs::equivalent(source, dest, ec)) {
            throw UsageError(fmt::format("--backup-source '{}' is the source file itself: name a new file", dest));
        }
        if (!fs::is_regular_file(dest, ec) || fs::file_size(dest, ec) != 0) {
            throw UsageError(fmt::format("--backup-source '{}' already exists and is not an empty file: it is never "
                                         "overwritten (remove it, or name a new file)",
                                         dest));
        }
    }
    for (char const *suffix : {"-journal", "-wal"}) {
        if (fs::exists(dest + suffix, ec)) {
            throw UsageError(fmt::format("--backup-source '{}': '{}{}' exists beside it (left by an earlier run?); "
                                         "remove it or name a new file",
                                         dest, dest, suffix));
        }
    }
}

// Removes the copy (and SQLite's side files) when the backup did not end well.
struct RemoveOnFailure {
    std::string path;
    bool keep = false;
    ~RemoveOnFailure()
    {
        if (keep) return;
        std::error_code ec;
        for (char const *suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(path + suffix, ec);
    }
};

bool busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

std::string locked_message(const std::string &source, int busy_timeout_s)
{
    return fmt::format("source '{}' is locked by another process (waited {}s for --backup-source): stop the "
                       "application writing to it, or raise --source-busy-timeout, then retry",
                       source, busy_timeout_s);
}

} // namespace

BackupStats backup_source(const std::string &source, const std::string &dest, int busy_timeout_s, Log &log)
{
    check_is_sqlite_file(source);
    check_destination(source, dest);
    auto const start = Clock::now();
    auto const deadline = start + std::chrono::seconds(busy_timeout_s);
    BackupStats stats;
    RemoveOnFailure cleanup{dest};
    log.info(fmt::format("copying '{}' to '{}' with the SQLite backup API", source, dest));
    try {
        SQLite::Database src(source, SQLite::OPEN_READONLY);
        src.setBusyTimeout(busy_timeout_s * 1000);
        SQLite::Database dst(dest, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        dst.setBusyTimeout(busy_timeout_s * 1000);
        {
            // One step over all pages: the source stays in one read transaction for the
            // whole copy, so a concurrent writer cannot tear it (in WAL mode it is not
            // even blocked). A writer holding the lock makes the step return BUSY: wait.
            SQLite::Backup backup(dst, src);
            for (;;) {
                int rc = SQLITE_OK;
                try {
                    rc = backup.executeStep(-1);
                } catch (const SQLite::Exception &e) {
                    rc = e.getErrorCode();
                    if (!busy(rc)) throw;
                }
                if (rc == SQLITE_DONE) break;
                if (!busy(rc)) {
                    throw SourceError(fmt::format("copying source '{}' to '{}' failed: {}", source, dest,
                                                  sqlite3_errstr(rc)));
                }
                if (Clock::now() >= deadline) throw SourceError(locked_message(source, busy_timeout_s));
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            stats.pages = backup.getTotalPageCount();
        }
        // A WAL source gives a WAL-mode copy; make it one self-contained file.
        dst.exec("PRAGMA journal_mode = DELETE");
        stats.bytes = static_cast<std::int64_t>(fs::file_size(dest));
    } catch (const SQLite::Exception &e) {
        int const code = e.getErrorCode() & 0xff;
        if (busy(code)) throw SourceError(locked_message(source, busy_timeout_s));
        if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
            throw SourceError(fmt::format("source '{}' is corrupt: {} (the backup to '{}' was abandoned; run "
                                          "`sqlite3 {} 'PRAGMA integrity_check'`)",
                                          source, e.what(), dest, source));
        }
        if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY || code == SQLITE_IOERR || code == SQLITE_FULL) {
            throw SourceError(fmt::format("cannot write the backup of '{}' to '{}': {}", source, dest, e.what()));
        }
        throw SourceError(fmt::format("copying source '{}' to '{}' failed: {}", source, dest, e.what()));
    }

    // quick_check: O(N) structure and format checks, without the index-content
    // cross-check of integrity_check; enough to refuse a torn or corrupt file.
    std::vector<std::string> problems;
    try {
        SQLite::Database copy(dest, SQLite::OPEN_READONLY);
        SQLite::Statement q(copy, "PRAGMA quick_check(10)");
        // A row may hold several lines ("*** in database main ***\nPage 85: ..."):
        // one message line each, without the banner.
        while (q.executeStep()) {
            std::string row = q.getColumn(0).getString();
            std::size_t start = 0;
            while (start <= row.size()) {
                std::size_t end = row.find('\n', start);
                if (end == std::string::npos) end = row.size();
                std::string line = row.substr(start, end - start);
                if (!line.empty() && !line.starts_with("*** in database")) problems.push_back(std::move(line));
                start = end + 1;
            }
        }
    } catch (const SQLite::Exception &e) {
        problems.push_back(e.what());
    }
    if (problems.size() != 1 || problems.front() != "ok") {
        std::string list;
        for (auto const &p : problems) list += (list.empty() ? "" : "; ") + p;
        throw SourceError(fmt::format("source '{}' is corrupt: PRAGMA quick_check on its copy reports: {} "
                                      "(the copy was removed; nothing was migrated)",
                                      source, list));
    }
    stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    log.info(fmt::format("backup of '{}': {} pages, {:.1f} MB in {:.2f} s; quick_check ok; migrating from '{}'",
                         source, stats.pages, static_cast<double>(stats.bytes) / 1e6, stats.seconds, dest));
    cleanup.keep = true;
    return stats;
}

} // namespace s2p
