#pragma once
// Naming bad values: the excerpt of a value, the one-line description of a problem
// (table, row, column, value, reason), and the dry run's tally of all of them.
#include "reason.hpp"
#include "value.hpp"

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace s2p {

// A short, printable excerpt: at most `max_chars` characters, control characters and
// invalid UTF-8 bytes escaped, blobs as x'hex'; "…" marks a cut.
std::string excerpt(const SqlValue &v, std::size_t max_chars = 40);

struct Problem {
    std::string table;
    std::string row;    // "rowid 42" or "key (code)=('AB')"
    std::string column;
    std::string value;  // excerpt
    Reason reason;
    std::string message;
};

// table "t", rowid 42, column "c": value '...' — why [reason_code]
std::string describe(const Problem &p);

class ProblemLog {
public:
    explicit ProblemLog(std::size_t examples) : m_examples(examples) {}
    void add(Problem p);
    std::uint64_t total() const { return m_total; }
    // Every problem kind with counts and examples, for the dry-run report.
    void print(std::FILE *out) const;

private:
    struct Entry {
        std::uint64_t count = 0;
        std::vector<Problem> examples;
    };
    std::size_t m_examples;
    std::uint64_t m_total = 0;
    std::map<std::tuple<std::string, std::string, std::string>, Entry> m_entries;
};

} // namespace s2p
