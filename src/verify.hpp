#pragma once
// Verification: proves that the target holds what the source holds. Source values go
// through the migration's own conversion, target values are read back from PostgreSQL,
// both are made canonical (canonical.hpp) and compared row by row, matched by key.
// Used by `sqlite2pg verify` and, inside its transaction, at the end of `migrate`.
#include "convert.hpp"
#include "errors.hpp"
#include "options.hpp"
#include "planner.hpp"
#include "progress.hpp"
#include "source_reader.hpp"

#include <pqxx/dbtransaction>

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace s2p {

struct VerifySettings {
    VerifyMode mode = VerifyMode::Sample;
    std::int64_t sample_rows = 2000; // per table
    int max_differences = 10;        // listed per table; all are counted
    // Target row counts the caller took in this same transaction (migrate, just before):
    // a second count(*) of a big table would cost a full scan for nothing.
    std::map<std::string, std::int64_t> known_target_rows;
};

struct Difference {
    std::string kind;   // "value", "missing" (in the target), "extra" (only in the target)
    std::string key;    // "id=42", "(a, b)=(1, 'x')", "source rowid 7" for tables without key
    std::string column; // value differences only
    std::string source; // excerpts; "NULL" for NULL, "" when absent
    std::string target;
};

struct TableVerdict {
    std::string table;        // target name
    std::string source_table;
    std::string method;       // "count", "sample", "full", "unkeyed" (multiset of row hashes)
    std::string key;          // key columns, "" without key
    std::int64_t source_rows = 0;
    std::int64_t target_rows = 0;
    std::int64_t rows_compared = 0;  // source rows whose values were compared
    std::int64_t rows_differing = 0; // compared rows with at least one different value
    std::int64_t missing = 0;        // source rows not found in the target
    std::int64_t extra = 0;          // target rows without a source row
    // Order-independent checksums over the canonical compared rows (sum of XXH3-64),
    // hex; equal when the compared rows are equal.
    std::string source_checksum, target_checksum;
    std::vector<Difference> differences; // the first max_differences
    std::string note;  // what was not or could not be checked
    bool unverifiable = false; // the comparison itself could not be done (note says why)

    bool ok() const
    {
        return !unverifiable && source_rows == target_rows && rows_differing == 0 && missing == 0 &&
               extra == 0 && source_checksum == target_checksum;
    }
};

struct VerifyResult {
    VerifyMode mode = VerifyMode::Sample;
    std::int64_t sample_rows = 0;
    std::string source;       // file
    std::string target;       // described target, password masked
    std::string target_schema;
    std::vector<TableVerdict> tables;
    double seconds = 0;

    bool ok() const;
    std::size_t mismatched_tables() const;
};

// Compares every table of the plan. Reads only; works inside the caller's transaction
// (migrate's, before COMMIT), whose session must already be in UTC/ISO (set_session).
// Throws TargetError/SourceError for failures that stop the check.
VerifyResult verify_plan(SourceDb &src, pqxx::dbtransaction &tx, const Plan &plan,
                         const std::string &schema, const ConvertOptions &conv,
                         const VerifySettings &settings, Log &log);

// Session settings the canonical forms rely on when reading values back.
void set_verify_session(pqxx::transaction_base &tx);

// Per-table verdicts and the first differences, aligned, on `out`.
void print_verify_result(std::FILE *out, const VerifyResult &r);
// One line: "verification (sample) found differences in 2 of 10 tables: a, b".
std::string verify_summary(const VerifyResult &r);
// The whole result as a JSON document (stable field names), for --report files.
std::string verify_result_json(const VerifyResult &r);
std::string_view verify_mode_name(VerifyMode m);

// The verify command. Returns Ok or Mismatch; throws Error subclasses otherwise.
ExitCode run_verify(const VerifyOptions &o, Log &log, std::FILE *out);

} // namespace s2p
