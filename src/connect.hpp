#pragma once
// Connecting to the target, with retries so a server that is still starting does not
// fail a cutover, and with the raw libpq handle that COPY streaming needs.
#include <pqxx/connection>
#include <pqxx/dbtransaction>

#include <functional>
#include <memory>
#include <string>

struct pg_conn;

namespace s2p {

struct ConnectPolicy {
    int attempts = 5;          // --connect-retries: total attempts
    double first_delay_s = 0.5; // doubled after each failure...
    double max_delay_s = 8.0;   // ...up to this
};

// Connects or throws TargetError with a one-line reason and what to do; the password
// never appears in it. `note` receives one line per failed attempt.
std::unique_ptr<pqxx::connection> connect_target(const std::string &conninfo,
                                                 const ConnectPolicy &policy,
                                                 const std::function<void(const std::string &)> &note);

// The libpq connection under a libpqxx transaction: COPY is driven with
// PQputCopyData on it, inside that transaction.
pg_conn *raw_connection(const pqxx::dbtransaction &tx);

// Whether a connection failure is worth retrying (server down or starting) rather
// than final (bad password, unknown database or role).
bool retryable_connect_error(const std::string &message);

} // namespace s2p
