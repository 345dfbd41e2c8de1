#pragma once
// The check every run ends with: the rows now in each target table against the rows
// the source table holds.
#include <pqxx/transaction_base>

#include <cstdint>
#include <string>
#include <vector>

namespace s2p {

struct CountCheck {
    std::string table;        // target name
    std::int64_t source_rows = 0;
    std::int64_t target_rows = 0;
    bool ok() const { return source_rows == target_rows; }
};

std::int64_t count_target_rows(pqxx::transaction_base &tx, const std::string &schema,
                               const std::string &table);

} // namespace s2p
