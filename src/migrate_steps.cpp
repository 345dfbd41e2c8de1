#include "migrate_steps.hpp"

#include "conninfo.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "target_catalog.hpp"

#include <pqxx/except>

#include <fmt/format.h>

namespace s2p {

void set_session(pqxx::transaction_base &tx)
{
    tx.exec("SET LOCAL TimeZone = 'UTC'");
    tx.exec("SET LOCAL DateStyle = 'ISO, YMD'");
    tx.exec("SET LOCAL client_encoding = 'UTF8'");
    tx.exec("SET LOCAL standard_conforming_strings = on");
}

std::vector<std::string> non_empty_tables(pqxx::transaction_base &tx, const std::vector<std::string> &tables,
                                          const std::string &schema)
{
    std::vector<std::string> out;
    for (auto const &t : tables) {
        if (tx.exec("SELECT EXISTS (SELECT 1 FROM " + qualified(schema, t) + ")")[0][0].as<bool>())
            out.push_back(t);
    }
    return out;
}

std::string joined(const std::vector<std::string> &names)
{
    std::string out;
    for (auto const &n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

void defer_cycle_foreign_keys(pqxx::transaction_base &tx, const Plan &plan, const std::string &schema,
                              const std::string &table, DeferredObjects &deferred, Log &log)
{
    for (auto const *fk : plan.deferred_fks) {
        if ((!table.empty() && fk->table != table) || deferred.contains_fk(fk->table, fk->name)) continue;
        if (fk->deferrable) tx.exec("SET CONSTRAINTS " + qualified(schema, fk->name) + " DEFERRED");
        else deferred.foreign_keys.push_back(drop_foreign_key(tx, schema, fk->table, fk->name));
        log.info(fmt::format("foreign key {} on {} is in a cycle: checked after the load", fk->name, fk->table));
    }
}

void Phases::next(const char *name)
{
    if (!m_trace) return;
    done();
    m_trace->phase = name;
    m_start = Clock::now();
}

void Phases::done()
{
    if (!m_trace || m_trace->phase.empty()) return;
    m_trace->phases.emplace_back(m_trace->phase, since(m_start));
    m_trace->phase.clear();
}

void rethrow_as_error(const std::string &conninfo)
{
    try {
        throw;
    } catch (const pqxx::in_doubt_error &e) {
        throw TargetError(fmt::format("the connection to {} was lost during COMMIT: whether the migration was "
                                      "committed is unknown; run `sqlite2pg verify` against the target before "
                                      "anything else ({})",
                                      describe_target(conninfo), scrub_password(e.what(), conninfo)));
    } catch (const std::exception &e) {
        // Whatever failed (a cancelled statement, a COPY cut short), the cause was the signal.
        if (interrupted()) check_interrupt();
        try {
            throw;
        } catch (const Error &) {
            throw;
        } catch (const pqxx::broken_connection &e) {
            std::string m = scrub_password(e.what(), conninfo);
            while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
            throw TargetError(fmt::format("lost the connection to {}: {}; the transaction was not committed, "
                                          "the target is unchanged",
                                          describe_target(conninfo), m));
        } catch (const pqxx::insufficient_privilege &e) {
            throw TargetError(fmt::format("permission denied on the target: {} (the role must own the target "
                                          "tables or have INSERT/TRUNCATE on them)",
                                          scrub_password(e.what(), conninfo)));
        } catch (const pqxx::sql_error &e) {
            std::string m = scrub_password(e.what(), conninfo);
            while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
            throw TargetError(fmt::format("the target rejected a statement: {}; nothing was written", m));
        }
    }
}

} // namespace s2p
