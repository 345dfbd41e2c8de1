#include "verify_counts.hpp"

#include "target_catalog.hpp"

#include <pqxx/result>

namespace s2p {

std::int64_t count_target_rows(pqxx::transaction_base &tx, const std::string &schema,
                               const std::string &table)
{
    return tx.exec("SELECT count(*) FROM " + qualified(schema, table))[0][0].as<std::int64_t>();
}

} // namespace s2p
