#pragma once
// Sequences owned by target columns (serial, bigserial, identity): after the load each
// is set so that the next insert gets max + 1, and an empty table starts again at the
// sequence's start value.
#include <pqxx/transaction_base>

#include <string>
#include <vector>

namespace s2p {

struct SequenceReset {
    std::string table;
    std::string column;
    std::string sequence; // schema-qualified, as regclass prints it
    long long next_value = 0;
};

std::vector<SequenceReset> reset_sequences(pqxx::transaction_base &tx, const std::string &schema,
                                           const std::vector<std::string> &tables);

} // namespace s2p
