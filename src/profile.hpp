#pragma once
// --create-schema: one streaming pass over a table that counts, per column, the
// storage classes present and how many values convert to each candidate type, with
// the load's own converter, so "fits in the profile" means "will load". Memory is a
// few counters per column and candidate, whatever the table's size.
#include "convert.hpp"
#include "schema_map.hpp"
#include "source_reader.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace s2p {

struct ColumnTypeProfile {
    std::array<std::int64_t, 5> classes{}; // indexed by StorageClass
    std::vector<std::int64_t> failures;    // per candidate
    std::vector<std::string> example;      // per candidate: the first failure, "value: why"
    int chosen = 0;                        // first candidate without failures (0 when none fits)
    bool fits = true;                      // false: no candidate takes every value

    std::int64_t non_null() const { return classes[1] + classes[2] + classes[3] + classes[4]; }
};

struct TableTypeProfile {
    std::int64_t rows = 0;
    std::vector<ColumnTypeProfile> columns; // per source column
};

// candidates[i] and conv[i] belong to source column i; a column with an empty declared
// type (untyped[i]) and no values gets text.
TableTypeProfile profile_types(SourceDb &db, const SourceTable &table,
                           const std::vector<std::vector<TypeChoice>> &candidates,
                           const std::vector<ConvertOptions> &conv, const std::vector<bool> &untyped);

// "12 INTEGER, 3 TEXT, 1 NULL"
std::string describe_classes(const ColumnTypeProfile &p);

} // namespace s2p
