#include "connect.hpp"

#include "conninfo.hpp"
#include "errors.hpp"

#include <pqxx/except>
#include <pqxx/largeobject>

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

namespace s2p {

bool retryable_connect_error(const std::string &m)
{
    for (char const *final_error : {"password authentication failed", "no password supplied",
                                    "does not exist", "authentication method",
                                    "pg_hba.conf", "invalid connection option",
                                    "invalid URI", "missing \"=\"", "invalid sslmode", "invalid percent-encoded",
                                    "permission denied"}) {
        if (m.find(final_error) != std::string::npos) return false;
    }
    return true;
}

namespace {

std::string first_line(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    // libpq may report one line per address tried; keep them on one line.
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
}

std::string hint_for(const std::string &m)
{
    if (m.find("password") != std::string::npos)
        return "check the password in the URL, PGPASSWORD or ~/.pgpass";
    if (m.find("does not exist") != std::string::npos)
        return "check the database and role names in the URL";
    if (m.find("pg_hba.conf") != std::string::npos)
        return "the server's pg_hba.conf does not admit this host/role";
    if (m.find("invalid") != std::string::npos || m.find("missing") != std::string::npos)
        return "check the URL syntax: postgresql://user@host:port/dbname or 'host=... dbname=...'";
    return "check that the server is running and reachable, and the host and port";
}

} // namespace

std::unique_ptr<pqxx::connection> connect_target(const std::string &conninfo,
                                                 const ConnectPolicy &policy,
                                                 const std::function<void(const std::string &)> &note)
{
    double delay = policy.first_delay_s;
    int const attempts = std::max(1, policy.attempts);
    for (int attempt = 1;; ++attempt) {
        std::string message;
        try {
            // All work happens inside one transaction, so libpqxx never silently
            // re-opens a dropped connection under us: it throws instead.
            return std::make_unique<pqxx::connection>(with_network_defaults(conninfo));
        } catch (const pqxx::broken_connection &e) {
            message = first_line(scrub_password(e.what(), conninfo));
        } catch (const pqxx::failure &e) {
            message = first_line(scrub_password(e.what(), conninfo));
        }
        bool const retry = retryable_connect_error(message) && attempt < attempts;
        if (!retry) {
            throw TargetError(fmt::format("cannot connect to {} after {} attempt{}: {} ({})",
                                          describe_target(conninfo), attempt,
                                          attempt == 1 ? "" : "s", message, hint_for(message)));
        }
        note(fmt::format("connection attempt {}/{} to {} failed: {}; retrying in {:.1f}s", attempt,
                         attempts, describe_target(conninfo), message, delay));
        std::this_thread::sleep_for(std::chrono::duration<double>(delay));
        delay = std::min(delay * 2, policy.max_delay_s);
    }
}

namespace {
// libpqxx 6.4 hands out the libpq handle only to large objects, through a protected
// static member: a subclass may call it.
struct RawConnection : pqxx::largeobject {
    static pg_conn *of(const pqxx::dbtransaction &tx) { return raw_connection(tx); }
};
} // namespace

pg_conn *raw_connection(const pqxx::dbtransaction &tx)
{
    return RawConnection::of(tx);
}

} // namespace s2p
