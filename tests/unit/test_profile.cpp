// --create-schema's profile (profile.cpp): a big table is profiled in two halves of its
// rowids on two threads; the merged counts, the first failure in rowid order and the
// chosen type must be those of one pass over the whole table. No server needed.
#include "profile.hpp"
#include "schema_map.hpp"
#include "source_reader.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <unistd.h>

using namespace s2p;

namespace {

// rows 1..n: `at` an ISO date-time except `bad` rowids; `n` NULL on every 7th row.
std::string make_db(std::int64_t rows, const std::vector<std::int64_t> &bad)
{
    std::string const path = (std::filesystem::temp_directory_path() /
                              ("s2p-profile-" + std::to_string(::getpid()) + "-" + std::to_string(rows) + ".db"))
                                 .string();
    std::filesystem::remove(path);
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, at DATETIME, n INTEGER)");
    db.exec("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < " + std::to_string(rows) +
            ") INSERT INTO t SELECT i, datetime(1600000000 + i, 'unixepoch'), CASE WHEN i % 7 = 0 THEN NULL ELSE i END "
            "FROM k");
    for (auto id : bad) db.exec("UPDATE t SET at = 'bad-" + std::to_string(id) + "' WHERE id = " + std::to_string(id));
    return path;
}

TableTypeProfile profile_of(const std::string &path)
{
    SourceDb src(path);
    const SourceTable &t = src.tables().at(0);
    SchemaOptions const o;
    std::vector<std::vector<TypeChoice>> candidates;
    for (auto const &c : t.columns) candidates.push_back(type_candidates(c.declared_type, c.name == "id", o));
    std::vector<ConvertOptions> const conv(t.columns.size());
    std::vector<bool> const untyped(t.columns.size(), false);
    return profile_types(src, t, candidates, conv, untyped);
}

} // namespace

TEST_CASE("profile: a big table profiled in two halves counts like one pass", "[profile][unit]")
{
    std::int64_t const rows = 150000; // over the two-thread threshold
    SECTION("failures in both halves: counted together, the first in rowid order named")
    {
        std::string const path = make_db(rows, {140000, 10, 75001});
        TableTypeProfile const p = profile_of(path);
        CHECK(p.rows == rows);
        auto const &at = p.columns[1];
        CHECK(at.classes[static_cast<std::size_t>(StorageClass::Text)] == rows);
        CHECK(at.failures[0] == 3);
        CHECK(at.example[0].rfind("'bad-10'", 0) == 0);
        CHECK(at.chosen > 0); // a fallback takes every value
        CHECK(at.fits);
        auto const &n = p.columns[2];
        CHECK(n.classes[static_cast<std::size_t>(StorageClass::Null)] == rows / 7);
        CHECK(n.classes[static_cast<std::size_t>(StorageClass::Integer)] == rows - rows / 7);
        CHECK(n.failures[0] == 0);
        CHECK(n.chosen == 0);
        std::filesystem::remove(path);
    }
    SECTION("a failure only in the upper half is named from it")
    {
        std::string const path = make_db(rows, {149999});
        TableTypeProfile const p = profile_of(path);
        CHECK(p.columns[1].failures[0] == 1);
        CHECK(p.columns[1].example[0].rfind("'bad-149999'", 0) == 0);
        std::filesystem::remove(path);
    }
    SECTION("a small table, one pass: the same counts")
    {
        std::string const path = make_db(1000, {10, 900});
        TableTypeProfile const p = profile_of(path);
        CHECK(p.rows == 1000);
        CHECK(p.columns[1].failures[0] == 2);
        CHECK(p.columns[1].example[0].rfind("'bad-10'", 0) == 0);
        std::filesystem::remove(path);
    }
}
