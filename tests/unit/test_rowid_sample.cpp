// Which rowids `verify --sample` compares (rowid_sample.hpp), against tables given as their
// sorted rowids: the seek is the lower_bound SQLite's b-tree answers.
#include "rowid_sample.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <set>

using namespace s2p;

namespace {

struct Table {
    std::vector<std::int64_t> rowids; // ascending
    int seeks = 0;

    std::vector<std::int64_t> sample(std::int64_t n)
    {
        seeks = 0;
        return sample_rowids(rowids.front(), rowids.back(), n, [this](std::int64_t from) -> std::optional<std::int64_t> {
            ++seeks;
            auto const it = std::lower_bound(rowids.begin(), rowids.end(), from);
            if (it == rowids.end()) return std::nullopt;
            return *it;
        });
    }
    bool has(std::int64_t id) const { return std::binary_search(rowids.begin(), rowids.end(), id); }
};

Table range(std::int64_t from, std::int64_t to, std::int64_t step = 1)
{
    Table t;
    for (std::int64_t i = from; i <= to; i += step) t.rowids.push_back(i);
    return t;
}

void add(Table &t, const Table &more) { t.rowids.insert(t.rowids.end(), more.rowids.begin(), more.rowids.end()); }

// Ascending, distinct, and every one a row of the table.
void check_valid(const Table &t, const std::vector<std::int64_t> &ids)
{
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
    for (auto id : ids) CHECK(t.has(id));
}

} // namespace

TEST_CASE("rowid sample: dense rowids give the grid rows, one seek each", "[verify][sample][unit]")
{
    Table t = range(1, 100000);
    auto const ids = t.sample(2000);
    REQUIRE(ids.size() == 2000);
    check_valid(t, ids);
    // The first row at or after lo + i*(hi-lo+1)/N.
    for (std::size_t i = 0; i < ids.size(); ++i) CHECK(ids[i] == 1 + static_cast<std::int64_t>(i) * 50);
    CHECK(t.seeks == 2000);
    CHECK(t.sample(2000) == ids); // deterministic
}

TEST_CASE("rowid sample: deleted rows are filled in from a finer grid, exactly N rows", "[verify][sample][unit]")
{
    Table t;
    for (std::int64_t i = 1; i <= 30000; ++i)
        if (i % 3 != 0 && i % 7 != 0) t.rowids.push_back(i); // 17143 rows
    auto const ids = t.sample(2000);
    CHECK(ids.size() == 2000);
    check_valid(t, ids);
    CHECK(ids.front() == 1);
    CHECK(ids.back() > 29000);
    CHECK(t.seeks < 3 * 2000);
    CHECK(t.sample(2000) == ids);
}

TEST_CASE("rowid sample: big rowid gaps still give N rows, spread by rows", "[verify][sample][unit]")
{
    // 1000 rows, a gap of ~10^9, 5001 rows: the first grid (step 500000) finds 2 rows.
    Table t = range(1, 1000);
    add(t, range(1'000'000'000, 1'000'005'000));
    auto const ids = t.sample(2000);
    REQUIRE(ids.size() == 2000);
    check_valid(t, ids);
    CHECK(ids.front() == 1);
    CHECK(std::find(ids.begin(), ids.end(), 1'000'000'000) != ids.end());
    auto const low = std::count_if(ids.begin(), ids.end(), [](std::int64_t id) { return id <= 1000; });
    // About 1000/6001 of the rows are below the gap: the sample follows the rows.
    CHECK(low > 200);
    CHECK(low < 500);
    CHECK(ids.back() > 1'000'004'000); // spread to the end of the dense part
    CHECK(t.seeks < 3 * 2000);
    CHECK(t.sample(2000) == ids);

    // Dense rows before the gap and a handful after it.
    Table u = range(1, 100000);
    add(u, range(1'000'000'000'000, 1'000'000'000'005));
    auto const uids = u.sample(2000);
    CHECK(uids.size() == 2000);
    check_valid(u, uids);
    CHECK(u.seeks < 3 * 2000);
}

TEST_CASE("rowid sample: the whole int64 range, no overflow", "[verify][sample][unit]")
{
    std::int64_t const min = std::numeric_limits<std::int64_t>::min();
    std::int64_t const max = std::numeric_limits<std::int64_t>::max();
    Table t;
    t.rowids.push_back(min);
    t.rowids.push_back(-5);
    add(t, range(0, 2999));
    t.rowids.push_back(max);
    auto const ids = t.sample(100);
    CHECK(ids.size() == 100);
    check_valid(t, ids);
    CHECK(ids.front() == min);
    CHECK(t.seeks < 1000);
}

TEST_CASE("rowid sample: a table of N rows or fewer gives every row", "[verify][sample][unit]")
{
    Table t = range(10, 1000, 10);
    auto const ids = t.sample(500);
    CHECK(ids == t.rowids);
    Table one = range(42, 42);
    CHECK(one.sample(5) == std::vector<std::int64_t>{42});
    CHECK(sample_rowids(1, 10, 0, [](std::int64_t) { return std::optional<std::int64_t>{}; }).empty());
}
