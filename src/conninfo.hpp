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

// The conninfo with TCP keepalives, a TCP user timeout and a connect timeout added,
// unless the user set them, so a dropped connection fails in seconds, never hangs.
std::string with_network_defaults(const std::string &conninfo);

// Removes a password that a message might quote (libpq or server text).
std::string scrub_password(std::string message, const std::string &conninfo);

// The password text in a URI or key=value string as written (what mask_password
// hides), or "" when there is none. Works where libpq cannot parse the string.
std::string written_password(std::string_view conninfo);

// For error messages that may quote command-line arguments (a URL given where the
// source file was expected): every argument's password is masked.
std::string scrub_arguments(std::string message, int argc, const char *const *argv);

} // namespace s2p
