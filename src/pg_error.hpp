#pragma once
// One line from a PostgreSQL error result: message, detail, hint and where.
#include <string>

struct pg_conn;
struct pg_result;

namespace s2p {

std::string describe_pg_error(const pg_result *res, const pg_conn *conn);

} // namespace s2p
