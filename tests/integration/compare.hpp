#pragma once
// Reading every migrated value back: each source row must be found exactly once in the
// target with all its values, PostgreSQL's own input functions judging what each
// source text means (CAST of the source text to the target column's type).
#include "pg_fixture.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace s2p::test {

struct Compared {
    std::int64_t tables = 0;
    std::int64_t rows = 0;
    std::int64_t values = 0;
};

// Source name -> target name (default: PostgreSQL's lower-case folding).
using NameMap = std::function<std::string(const std::string &)>;
std::string lower_name(const std::string &name);

// Every table of `source` except sqlite_* ones, or only those in `only` when given.
Compared compare_all(TestDb &db, const std::string &source, const std::string &schema,
                     const NameMap &names = lower_name);

} // namespace s2p::test
