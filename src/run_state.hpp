#pragma once
// --per-table progress, kept in the target so it commits or rolls back with the
// table it describes: <schema>.sqlite2pg_state holds one row per table (pending or
// done, rows, finished_at) plus what the run was started with (the source file's
// fingerprint and the options that shape the data). --resume compares both before
// skipping a finished table; a successful run drops the table.
#include "options.hpp"

#include <pqxx/result>
#include <pqxx/transaction_base>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace s2p {

constexpr char const *state_table_name = "sqlite2pg_state";

// "key=value" lines: path, size, mtime, the xxh64 of the header page(s) (the file
// change counter and schema cookie live there), and the -wal file's size and mtime.
// Cheap on a file of any size: an edit changes the mtime or header, a copy the mtime.
std::string source_fingerprint(const std::string &path);

// "key=value" lines of the options that change what lands in the tables.
std::string data_options(const MigrateOptions &o);

// Keys whose values differ between two "key=value" texts, for the refusal message.
std::vector<std::string> differing_keys(const std::string &a, const std::string &b);

struct StoredState {
    std::string fingerprint;
    std::string options;
    std::map<std::string, std::int64_t> done; // finished table -> rows
    std::vector<std::string> tables;          // every table of the run, in load order
};

// The state of an earlier run in `schema`, if its table exists.
std::optional<StoredState> read_state(pqxx::transaction_base &tx, const std::string &schema);

// Why a run that is neither --resume nor --truncate stops on a leftover state.
std::string interrupted_run_message(const StoredState &s, const std::string &schema);

// Replaces any earlier state with a new run's: every table pending.
void create_state(pqxx::transaction_base &tx, const std::string &schema, const std::string &fingerprint,
                  const std::string &options, const std::vector<std::string> &tables);

void mark_table_done(pqxx::transaction_base &tx, const std::string &schema, const std::string &table,
                     std::int64_t rows);

void drop_state(pqxx::transaction_base &tx, const std::string &schema);

} // namespace s2p
