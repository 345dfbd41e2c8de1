#pragma once
// Steps both migrate modes (one transaction, --per-table) share: session settings,
// emptiness checks, phase timing, and turning a libpqxx failure into the tool's
// error with what it means for the target.
#include "deferred_indexes.hpp"
#include "migrate.hpp"
#include "planner.hpp"

#include <pqxx/transaction_base>

#include <chrono>
#include <string>
#include <vector>

namespace s2p {

using Clock = std::chrono::steady_clock;

inline double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Session settings the conversion relies on: the server must read our ISO text the
// way we wrote it, whatever the role's or database's defaults.
void set_session(pqxx::transaction_base &tx);

std::vector<std::string> non_empty_tables(pqxx::transaction_base &tx, const std::vector<std::string> &tables,
                                          const std::string &schema);

std::string joined(const std::vector<std::string> &names);

// The foreign keys the load order had to break (plan.deferred_fks), of every table or
// only of `table`: DEFERRABLE ones deferred to COMMIT, the others dropped into
// `deferred` to be recreated, and checked, after the load.
void defer_cycle_foreign_keys(pqxx::transaction_base &tx, const Plan &plan, const std::string &schema,
                              const std::string &table, DeferredObjects &deferred, Log &log);

// Phase timings for the report: each next() ends the running phase and starts one.
class Phases {
public:
    explicit Phases(RunTrace *t) : m_trace(t) {}
    void next(const char *name);
    void done();

private:
    RunTrace *m_trace;
    Clock::time_point m_start = Clock::now();
};

// Call inside a catch block: rethrows the exception under way as an Error. A signal
// that arrived makes it Interrupted (a cancelled statement fails like any other);
// libpqxx failures become TargetError saying the transaction was not committed.
[[noreturn]] void rethrow_as_error(const std::string &conninfo);

} // namespace s2p
