#include "errors.hpp"
#include "planner.hpp"

#include <catch2/catch.hpp>

using namespace s2p;

namespace {
std::size_t pos(const std::vector<std::string> &v, const std::string &x)
{
    return static_cast<std::size_t>(std::find(v.begin(), v.end(), x) - v.begin());
}

TargetTable target_table(std::string name, std::vector<std::string> cols)
{
    TargetTable t{std::move(name), {}};
    for (auto &c : cols) {
        TargetColumn tc;
        tc.name = c;
        t.columns.push_back(tc);
    }
    return t;
}

SourceTable source_table(std::string name, std::vector<std::string> cols)
{
    SourceTable t;
    t.name = std::move(name);
    for (auto &c : cols) t.columns.push_back({c, "TEXT", false, 0});
    return t;
}
} // namespace

TEST_CASE("order_tables: parents before children", "[planner][unit]")
{
    Ordering const o = order_tables({"a", "b", "c", "d"}, {{"a", "b"}, {"b", "c"}, {"d", "a"}});
    REQUIRE(o.order.size() == 4);
    CHECK(pos(o.order, "c") < pos(o.order, "b"));
    CHECK(pos(o.order, "b") < pos(o.order, "a"));
    CHECK(pos(o.order, "a") < pos(o.order, "d"));
    CHECK(o.broken.empty());
}

TEST_CASE("order_tables: self references are no cycle", "[planner][unit]")
{
    Ordering const o = order_tables({"racks"}, {{"racks", "racks"}});
    CHECK(o.order == std::vector<std::string>{"racks"});
    CHECK(o.broken.empty());
}

TEST_CASE("order_tables: a cycle is broken deterministically and named", "[planner][unit]")
{
    Ordering const o = order_tables({"a", "b", "c"}, {{"a", "b"}, {"b", "a"}, {"c", "a"}});
    CHECK(o.order == std::vector<std::string>{"a", "b", "c"});
    REQUIRE(o.broken.size() == 1);
    CHECK(o.broken[0] == std::pair<std::string, std::string>{"a", "b"});
}

TEST_CASE("order_tables: edges to tables outside the selection are ignored", "[planner][unit]")
{
    Ordering const o = order_tables({"a"}, {{"a", "zzz"}});
    CHECK(o.order == std::vector<std::string>{"a"});
    CHECK(o.broken.empty());
}

TEST_CASE("make_plan: names match case-insensitively, as an ORM-created schema looks", "[planner][unit]")
{
    std::vector<SourceTable> src{source_table("Cursors", {"ID", "Name"})};
    TargetCatalog cat;
    cat.schema = "public";
    cat.tables.push_back(target_table("cursors", {"id", "name"}));
    Plan const p = make_plan(src, cat, {});
    REQUIRE(p.tables.size() == 1);
    CHECK(p.tables[0].target->name == "cursors");
    CHECK(p.tables[0].columns.size() == 2);
    CHECK(p.tables[0].columns[1].target->name == "name");
}

TEST_CASE("make_plan: every mismatch is listed before any data moves", "[planner][unit]")
{
    std::vector<SourceTable> src{source_table("a", {"id", "extra"}), source_table("missing", {"id"})};
    TargetCatalog cat;
    cat.schema = "app";
    cat.tables.push_back(target_table("a", {"id", "required"}));
    cat.tables[0].columns[1].not_null = true;
    try {
        make_plan(src, cat, {});
        FAIL("expected a TargetError");
    } catch (const TargetError &e) {
        std::string const m = e.what();
        CHECK(m.find("3 problems") != std::string::npos);
        CHECK(m.find("\"a\".\"extra\"") != std::string::npos);
        CHECK(m.find("source table \"missing\"") != std::string::npos);
        CHECK(m.find("\"a\".\"required\" is NOT NULL") != std::string::npos);
    }
}

TEST_CASE("make_plan: --tables and --exclude-tables", "[planner][unit]")
{
    std::vector<SourceTable> src{source_table("a", {"id"}), source_table("b", {"id"}), source_table("c", {"id"})};
    TargetCatalog cat;
    cat.schema = "public";
    cat.tables.push_back(target_table("a", {"id"}));
    cat.tables.push_back(target_table("b", {"id"}));
    Selection sel;
    sel.tables = {"A", "b"};
    sel.exclude_tables = {"b"};
    Plan const p = make_plan(src, cat, sel);
    REQUIRE(p.tables.size() == 1);
    CHECK(p.tables[0].target->name == "a");

    Selection bad;
    bad.tables = {"nope"};
    CHECK_THROWS_AS(make_plan(src, cat, bad), UsageError);
}

TEST_CASE("make_plan: NOT NULL columns with a default or identity need no source", "[planner][unit]")
{
    std::vector<SourceTable> src{source_table("a", {"name"})};
    TargetCatalog cat;
    cat.schema = "public";
    cat.tables.push_back(target_table("a", {"id", "name", "created"}));
    cat.tables[0].columns[0].not_null = true;
    cat.tables[0].columns[0].identity = true;
    cat.tables[0].columns[2].not_null = true;
    cat.tables[0].columns[2].has_default = true;
    CHECK_NOTHROW(make_plan(src, cat, {}));
}

TEST_CASE("make_plan: a cycle in the target's foreign keys is deferred", "[planner][unit]")
{
    std::vector<SourceTable> src{source_table("a", {"id"}), source_table("b", {"id"})};
    TargetCatalog cat;
    cat.schema = "public";
    cat.tables.push_back(target_table("a", {"id"}));
    cat.tables.push_back(target_table("b", {"id"}));
    cat.foreign_keys.push_back({"a_b_fk", "a", "public", "b", "FOREIGN KEY (id) REFERENCES b(id)", false});
    cat.foreign_keys.push_back({"b_a_fk", "b", "public", "a", "FOREIGN KEY (id) REFERENCES a(id)", false});
    Plan const p = make_plan(src, cat, {});
    REQUIRE(p.deferred_fks.size() == 1);
    CHECK(p.deferred_fks[0]->name == "a_b_fk");
}
