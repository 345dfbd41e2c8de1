#pragma once
// Target connection strings: where they come from, and how to print them without
// ever showing a password.
#include <optional>
#include <string>
#include <string_view>

namespace s2p {

// The URL given on the command line, else $DATABASE_URL, else "" (libpq then uses
// the PG* variables and .pgpass by its own rules).
std::string resolve_conninfo(const std::optional<std::string> &arg);

// A printable description: the conninfo with any password replaced by "****",
// for both URI ("postgresql://u:pw@h/db") and key=value ("password=pw") forms.
std::string mask_password(std::string_view conninfo);

// Short "user@host:port/dbname" for messages, from libpq's own parse (no password).
std::string describe_target(const std::string &conninfo);

// Removes a password that a message might quote (libpq or server text).
std::string scrub_password(std::string message, const std::string &conninfo);

} // namespace s2p
