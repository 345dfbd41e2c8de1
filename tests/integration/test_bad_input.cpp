// The bad-input corpus: one small SQLite file per case, made here, and the target
// DDL it loads into. Each case runs the real binary three ways and checks the exact
// outcome:
//   --on-error abort  exit 5, one error line naming table, row, column, value excerpt
//                     and reason; the target untouched;
//   --dry-run         every bad value listed under its table.column and reason;
//   --on-error reject exit 7, the reject file checked field by field, the good rows
//                     committed and read back.
#include "pg_fixture.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace s2p::test;

namespace {

// One value (or row) the tool must name.
struct Bad {
    std::string table;
    std::string row;      // as named in messages: "rowid 2" or "key (k)=('1')"
    std::int64_t rowid;   // in the reject file: 0 for WITHOUT ROWID tables
    std::string column;   // the column named ("" when PostgreSQL names none)
    std::string reason;
    std::string value;    // the excerpt, as printed
    // A second bad value in a row already listed: only the dry run names it (abort
    // stops at the row's first, the reject file has one line per row).
    bool same_row = false;
    // Met by the load only: the dry run cannot see it (CHECK constraints, expression
    // indexes, and rows that become orphans when another row is set aside).
    bool load_only = false;
};

struct Case {
    std::string name;
    std::string target;                 // DDL, run as the owning role
    std::string source;                 // SQLite SQL
    std::vector<Bad> bad;               // in the order the load meets them
    std::vector<std::pair<std::string, std::string>> committed; // table -> ids left after reject ("1,3")
    std::vector<std::string> args;      // extra options for every run
    std::size_t abort_names = 0;        // the bad row abort names, when not the first reject line
};

bool load_only(const Bad &b)
{
    return b.load_only || b.reason == "check_violation";
}

std::vector<std::string> lines_of(const std::string &path)
{
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool has(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

std::vector<std::string> error_lines(const std::string &output)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < output.size()) {
        std::size_t const end = std::min(output.find('\n', pos), output.size());
        std::string const line = output.substr(pos, end - pos);
        if (line.rfind("sqlite2pg: error:", 0) == 0) out.push_back(line);
        pos = end + 1;
    }
    return out;
}

std::string ids(TestDb &db, const std::string &table)
{
    return db.query("SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM " + table)[0][0].as<std::string>();
}

std::int64_t rows_in(TestDb &db, const std::string &table)
{
    return db.query("SELECT count(*) FROM " + table)[0][0].as<std::int64_t>();
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string> &b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

void run_case(const Case &c)
{
    INFO("case: " << c.name);
    TestDb db;
    db.exec(c.target);
    std::string const src = new_sqlite(c.source);
    std::vector<std::string> const base = with({"migrate", src, db.app_conninfo()}, c.args);
    REQUIRE(!c.bad.empty());
    Bad const &first = c.bad.at(c.abort_names);

    // Abort: exit 5, one line naming the first bad row, nothing written.
    {
        ToolRun const r = run_tool(base);
        INFO(r.output);
        CHECK(r.code == 5);
        auto const errors = error_lines(r.output);
        REQUIRE(errors.size() == 1);
        std::string const e = errors[0];
        CHECK(has(e, "table \"" + first.table + "\", " + first.row + ", "));
        if (!first.column.empty()) CHECK(has(e, "column \"" + first.column + "\": value " + first.value + " — "));
        CHECK(has(e, "[" + first.reason + "]"));
        CHECK(has(e, "nothing was written"));
        for (auto const &[table, expected] : c.committed) CHECK(rows_in(db, table) == 0);
    }

    // Dry run: every bad value with the same reason, or (server-side checks) clean.
    {
        ToolRun const r = run_tool(with(base, {"--dry-run"}));
        INFO(r.output);
        if (std::all_of(c.bad.begin(), c.bad.end(), load_only)) {
            CHECK(r.code == 0);
            CHECK(has(r.output, "DRY RUN OK"));
        } else {
            CHECK(r.code == 5);
            std::size_t values = 0;
            for (auto const &b : c.bad) {
                if (load_only(b)) continue;
                ++values;
                CHECK(has(r.output, "  " + b.table + "." + b.column + ": "));
                CHECK(has(r.output, " × " + b.reason + "\n"));
                CHECK(has(r.output, "    " + b.row + ": value " + b.value + " — "));
            }
            CHECK(has(r.output, "DRY RUN FAILED: " + std::to_string(values) + " bad value"));
        }
        for (auto const &[table, expected] : c.committed) CHECK(rows_in(db, table) == 0);
    }

    // Reject: one JSON line per bad row, field by field; the rest committed.
    {
        std::string const rejects = temp_path(".jsonl");
        ToolRun const r = run_tool(with(base, {"--on-error", "reject", "--reject-file", rejects}));
        INFO(r.output);
        CHECK(r.code == 7);
        CHECK(has(r.output, "COMMITTED WITH REJECTS"));
        auto const lines = lines_of(rejects);
        std::vector<const Bad *> rows;
        for (auto const &b : c.bad)
            if (!b.same_row) rows.push_back(&b);
        REQUIRE(lines.size() == rows.size());
        simdjson::dom::parser parser;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            Bad const &b = *rows[i];
            INFO("reject line " << i + 1 << ": " << lines[i]);
            simdjson::dom::element doc;
            REQUIRE(parser.parse(lines[i]).get(doc) == simdjson::SUCCESS);
            CHECK(std::string(doc["table"].get_string().value()) == b.table);
            CHECK(doc["rowid"].get_int64().value() == b.rowid);
            CHECK(std::string(doc["key"].get_string().value()) == b.row);
            if (b.column.empty()) CHECK(doc["column"].is_null());
            else CHECK(std::string(doc["column"].get_string().value()) == b.column);
            CHECK(std::string(doc["reason"].get_string().value()) == b.reason);
            if (!b.column.empty()) CHECK(std::string(doc["value"].get_string().value()) == b.value);
            CHECK(!doc["message"].get_string().value().empty());
            simdjson::dom::object row;
            REQUIRE(doc["row"].get_object().get(row) == simdjson::SUCCESS);
            CHECK(row.size() >= 2);
            if (b.rowid != 0) CHECK(row["id"].get_int64().value() == b.rowid);
        }
        for (auto const &[table, expected] : c.committed) {
            INFO("table " << table);
            CHECK(ids(db, table) == expected);
        }
        std::filesystem::remove(rejects);
    }
    std::filesystem::remove(src);
}

// The usual shape: t (id, v) with one bad value in row 2 of three.
Case one_column(std::string name, std::string pg_type, std::string sqlite_type, std::string bad_sql,
                std::string reason, std::string excerpt, std::vector<std::string> args = {})
{
    Case c;
    c.name = std::move(name);
    c.target = "CREATE TABLE t (id bigint PRIMARY KEY, v " + pg_type + ")";
    c.source = "CREATE TABLE t (id INTEGER PRIMARY KEY, v " + sqlite_type + ");\n" +
               "INSERT INTO t VALUES (1, NULL), (2, " + bad_sql + "), (3, NULL);";
    c.bad = {{"t", "rowid 2", 2, "v", std::move(reason), std::move(excerpt)}};
    c.committed = {{"t", "1,3"}};
    c.args = std::move(args);
    return c;
}

} // namespace

TEST_CASE("bad input: numbers", "[integration][badinput]")
{
    for (Case const &c : {
             one_column("text into integer", "integer", "", "'abc'", "bad_number", "'abc'"),
             one_column("empty text into bigint", "bigint", "", "''", "bad_number", "''"),
             one_column("text into numeric", "numeric", "", "'twelve'", "bad_number", "'twelve'"),
             one_column("text into double precision", "double precision", "", "'1.5x'", "bad_number", "'1.5x'"),
             one_column("REAL with a fraction into integer", "integer", "REAL", "1.5", "fraction_to_integer", "1.5"),
             one_column("REAL with a fraction into smallint", "smallint", "", "-2.25", "fraction_to_integer", "-2.25"),
             one_column("text with a fraction into bigint", "bigint", "", "'3.7'", "bad_number", "'3.7'"),
             one_column("integer above int2", "smallint", "INTEGER", "70000", "out_of_range", "70000"),
             one_column("integer below int2", "smallint", "INTEGER", "-40000", "out_of_range", "-40000"),
             one_column("integer above int4", "integer", "INTEGER", "3000000000", "out_of_range", "3000000000"),
             one_column("REAL beyond int4", "integer", "", "1e10", "out_of_range", "10000000000"),
             one_column("numeric(5,2) integer digits overflow", "numeric(5,2)", "", "12345.6", "out_of_range",
                        "12345.6"),
             one_column("numeric(5,2) scale would round", "numeric(5,2)", "", "'1.234'", "precision_loss", "'1.234'"),
             one_column("blob into integer", "integer", "", "X'0102'", "type_mismatch", "x'0102' (2 bytes)"),
             one_column("text into boolean", "boolean", "", "'maybe'", "bad_boolean", "'maybe'"),
         })
        run_case(c);
}

TEST_CASE("bad input: dates and times", "[integration][badinput]")
{
    for (Case const &c : {
             one_column("unparseable date", "date", "", "'yesterday'", "bad_timestamp", "'yesterday'"),
             one_column("unparseable timestamp", "timestamp", "", "'at noon'", "bad_timestamp", "'at noon'"),
             one_column("hour 25", "timestamp", "", "'2024-01-01 25:00'", "timestamp_out_of_range",
                        "'2024-01-01 25:00'"),
             one_column("MySQL zero date", "date", "", "'0000-00-00'", "timestamp_out_of_range", "'0000-00-00'"),
             one_column("MySQL zero timestamp", "timestamptz", "", "'0000-00-00 00:00:00'", "timestamp_out_of_range",
                        "'0000-00-00 00:00:00'"),
             one_column("year 0", "date", "", "'0000-01-01'", "timestamp_out_of_range", "'0000-01-01'"),
             one_column("month 13", "timestamp", "", "'2024-13-01 00:00:00'", "timestamp_out_of_range",
                        "'2024-13-01 00:00:00'"),
             one_column("local time in a DST gap", "timestamptz", "", "'2024-03-31 02:30:00'",
                        "nonexistent_local_time", "'2024-03-31 02:30:00'", {"--source-timezone", "Europe/Berlin"}),
         })
        run_case(c);
}

TEST_CASE("bad input: text, JSON and UUID", "[integration][badinput]")
{
    for (Case const &c : {
             one_column("invalid JSON into json", "json", "", "'{\"a\": '", "bad_json", "'{\"a\": '"),
             one_column("invalid JSON into jsonb", "jsonb", "", "'[1, 2'", "bad_json", "'[1, 2'"),
             one_column("\\u0000 in JSON for jsonb", "jsonb", "", "'{\"a\": \"x\\u0000y\"}'", "json_nul_char",
                        "'{\"a\": \"x\\\\u0000y\"}'"),
             one_column("NUL byte in text", "text", "", "'a' || char(0) || 'b'", "nul_byte", "'a\\x00b'"),
             one_column("NUL byte in varchar", "varchar(10)", "", "char(0)", "nul_byte", "'\\x00'"),
             one_column("invalid UTF-8 in text", "text", "", "CAST(X'6F6BFF21' AS TEXT)", "invalid_utf8",
                        "'ok\\xff!'"),
             one_column("invalid UTF-8 in jsonb", "jsonb", "", "CAST(X'22C3' AS TEXT) || '\"'", "invalid_utf8",
                        "'\"\\xc3\"'"),
             one_column("text longer than varchar(n)", "varchar(3)", "", "'abcd'", "too_long", "'abcd'"),
             one_column("multibyte text longer than varchar(n)", "varchar(2)", "", "'ééé'", "too_long", "'ééé'"),
             one_column("text longer than char(n)", "char(2)", "", "'abc'", "too_long", "'abc'"),
             one_column("bad UUID text", "uuid", "", "'not-a-uuid'", "bad_uuid", "'not-a-uuid'"),
             one_column("UUID blob of 15 bytes", "uuid", "", "X'000102030405060708090a0b0c0d0e'", "bad_uuid",
                        "x'000102030405060708090a0b0c0d0e' (15 bytes)"),
         })
        run_case(c);
}

TEST_CASE("bad input: NOT NULL and keys", "[integration][badinput]")
{
    Case not_null = one_column("NULL into NOT NULL", "text NOT NULL", "", "NULL", "null_in_not_null", "NULL");
    not_null.source = "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n"
                      "INSERT INTO t VALUES (1, 'a'), (2, NULL), (3, 'c');";
    Case null_pk;
    null_pk.name = "NULLs in a SQLite primary key";
    null_pk.target = "CREATE TABLE k (code text PRIMARY KEY, id bigint)";
    // SQLite lets a non-INTEGER primary key hold NULL, even twice.
    null_pk.source = "CREATE TABLE k (code TEXT PRIMARY KEY, id INTEGER);\n"
                     "INSERT INTO k VALUES ('a', 1), (NULL, 2), (NULL, 3), ('d', 4);";
    null_pk.bad = {{"k", "rowid 2", 2, "code", "null_in_not_null", "NULL"},
                   {"k", "rowid 3", 3, "code", "null_in_not_null", "NULL"}};
    null_pk.committed = {{"k", "1,4"}};
    Case dup_pk;
    dup_pk.name = "duplicate primary key: 1 and '1' are distinct in a SQLite column without affinity";
    dup_pk.target = "CREATE TABLE w (k text PRIMARY KEY, id bigint)";
    dup_pk.source = "CREATE TABLE w (k PRIMARY KEY, id INTEGER) WITHOUT ROWID;\n"
                    "INSERT INTO w VALUES (1, 1), ('1', 2), ('2', 3);";
    dup_pk.bad = {{"w", "key (k)=('1')", 0, "k", "duplicate_key", "'1'"}};
    dup_pk.committed = {{"w", "1,3"}};
    Case dup_unique;
    dup_unique.name = "duplicate in a UNIQUE constraint kept during the load";
    dup_unique.target = "CREATE TABLE u (id bigint PRIMARY KEY, email text UNIQUE)";
    dup_unique.source = "CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT);\n"
                        "INSERT INTO u VALUES (1, 'a@x'), (2, 'b@x'), (3, 'a@x'), (4, 'c@x');";
    dup_unique.bad = {{"u", "rowid 3", 3, "email", "duplicate_key", "'a@x'"}};
    dup_unique.committed = {{"u", "1,2,4"}};
    Case dup_index;
    dup_index.name = "duplicate in a unique index rebuilt after the load";
    dup_index.target = "CREATE TABLE u (id bigint PRIMARY KEY, code text);\n"
                       "CREATE UNIQUE INDEX u_code ON u (code);";
    dup_index.source = "CREATE TABLE u (id INTEGER PRIMARY KEY, code TEXT);\n"
                       "INSERT INTO u VALUES (1, 'a'), (2, 'b'), (3, 'a'), (4, 'a'), (5, 'c');";
    dup_index.bad = {{"u", "rowid 3", 3, "code", "duplicate_key", "'a'"},
                     {"u", "rowid 4", 4, "code", "duplicate_key", "'a'"}};
    dup_index.committed = {{"u", "1,2,5"}};
    Case nocase;
    nocase.name = "SQLite NOCASE folds ASCII only: 'Émile' and 'émile' collide in lower()";
    nocase.target = "CREATE TABLE p (id bigint PRIMARY KEY, name text NOT NULL);\n"
                    "CREATE UNIQUE INDEX p_name_ci ON p (lower(name COLLATE \"und-x-icu\"));";
    nocase.source = "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE);\n"
                    "INSERT INTO p VALUES (1, 'Émile'), (2, 'Zoë'), (3, 'émile');";
    nocase.bad = {{"p", "rowid 3", 3, "lower(name COLLATE \"und-x-icu\")", "duplicate_key", "(émile)", false, true}};
    nocase.committed = {{"p", "1,2"}};
    Case dup_no_pk;
    dup_no_pk.name = "duplicate in a unique index of a table without primary key: every copy set aside";
    dup_no_pk.target = "CREATE TABLE n (id bigint, code text);\n"
                       "CREATE UNIQUE INDEX n_code ON n (code);";
    dup_no_pk.source = "CREATE TABLE n (id INTEGER, code TEXT);\n"
                       "INSERT INTO n VALUES (1, 'a'), (2, 'b'), (3, 'a');";
    dup_no_pk.bad = {{"n", "rowid 1", 1, "code", "duplicate_key", "'a'", false, true},
                     {"n", "rowid 3", 3, "code", "duplicate_key", "'a'"}};
    dup_no_pk.committed = {{"n", "2"}};
    dup_no_pk.abort_names = 1; // the first row that repeats a key
    Case check;
    check.name = "CHECK violation";
    check.target = "CREATE TABLE c (id bigint PRIMARY KEY, age int CHECK (age >= 0))";
    check.source = "CREATE TABLE c (id INTEGER PRIMARY KEY, age INTEGER);\n"
                   "INSERT INTO c VALUES (1, 30), (2, -1), (3, 40), (4, -5);";
    check.bad = {{"c", "rowid 2", 2, "age", "check_violation", "-1"},
                 {"c", "rowid 4", 4, "age", "check_violation", "-5"}};
    check.committed = {{"c", "1,3"}};
    // Integer keys SQLite itself keeps unique need no pass in the dry run (orphans.cpp,
    // source_keeps_unique); these two are not kept unique by the source and must be found.
    Case dup_int_partial;
    dup_int_partial.name = "duplicate integers outside a partial unique index of the source";
    dup_int_partial.target = "CREATE TABLE q (id bigint PRIMARY KEY, n bigint);\n"
                             "CREATE UNIQUE INDEX q_n ON q (n);";
    dup_int_partial.source = "CREATE TABLE q (id INTEGER PRIMARY KEY, n INTEGER);\n"
                             "CREATE UNIQUE INDEX q_pos ON q (n) WHERE n > 0;\n"
                             "INSERT INTO q VALUES (1, 5), (2, -1), (3, -1), (4, 6);";
    dup_int_partial.bad = {{"q", "rowid 3", 3, "n", "duplicate_key", "-1"}};
    dup_int_partial.committed = {{"q", "1,2,4"}};
    Case dup_int_wider;
    dup_int_wider.name = "duplicate integers under a unique key the source only has with one more column";
    dup_int_wider.target = "CREATE TABLE r (id bigint PRIMARY KEY, n bigint, m bigint);\n"
                           "CREATE UNIQUE INDEX r_n ON r (n);";
    dup_int_wider.source = "CREATE TABLE r (id INTEGER PRIMARY KEY, n INTEGER, m INTEGER, UNIQUE (n, m));\n"
                           "INSERT INTO r VALUES (1, 7, 1), (2, 7, 2), (3, 8, 1);";
    dup_int_wider.bad = {{"r", "rowid 2", 2, "n", "duplicate_key", "7"}};
    dup_int_wider.committed = {{"r", "1,3"}};
    Case dup_index_kept = dup_index;
    dup_index_kept.name = "duplicate in a unique index with --keep-indexes: found by the COPY itself";
    dup_index_kept.args = {"--keep-indexes"};
    for (Case const &c : {not_null, null_pk, dup_pk, dup_unique, dup_index, nocase, dup_no_pk, check, dup_index_kept,
                          dup_int_partial, dup_int_wider})
        run_case(c);
}

TEST_CASE("bad input: orphan rows", "[integration][badinput]")
{
    Case orphan;
    orphan.name = "orphan row whose parent is missing";
    orphan.target = "CREATE TABLE parent (id bigint PRIMARY KEY);\n"
                    "CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent(id));";
    orphan.source = "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
                    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));\n"
                    "INSERT INTO parent VALUES (1), (2);\n"
                    "INSERT INTO child VALUES (1, 1), (2, 7), (3, 2), (4, NULL), (5, 7);";
    orphan.bad = {{"child", "rowid 2", 2, "parent_id", "orphan_row", "7"},
                  {"child", "rowid 5", 5, "parent_id", "orphan_row", "7"}};
    orphan.committed = {{"parent", "1,2"}, {"child", "1,3,4"}};
    Case composite;
    composite.name = "orphan by a two-column foreign key";
    composite.target = "CREATE TABLE a (x int, y text, id bigint, PRIMARY KEY (x, y));\n"
                       "CREATE TABLE b (id bigint PRIMARY KEY, x int, y text, FOREIGN KEY (x, y) REFERENCES a (x, y));";
    composite.source = "CREATE TABLE a (x INTEGER, y TEXT, id INTEGER, PRIMARY KEY (x, y));\n"
                       "CREATE TABLE b (id INTEGER PRIMARY KEY, x INTEGER, y TEXT);\n"
                       "INSERT INTO a VALUES (1, 'p', 1), (2, 'q', 2);\n"
                       "INSERT INTO b VALUES (1, 1, 'p'), (2, 1, 'q'), (3, 2, 'q');";
    composite.bad = {{"b", "rowid 2", 2, "x, y", "orphan_row", "1, 'q'"}};
    composite.committed = {{"a", "1,2"}, {"b", "1,3"}};
    Case chain;
    chain.name = "self-referencing orphans: setting one aside orphans its children";
    chain.target = "CREATE TABLE node (id bigint PRIMARY KEY, up bigint REFERENCES node(id))";
    chain.source = "CREATE TABLE node (id INTEGER PRIMARY KEY, up INTEGER);\n"
                   "INSERT INTO node VALUES (1, NULL), (2, 9), (3, 2), (4, 1);";
    chain.bad = {{"node", "rowid 2", 2, "up", "orphan_row", "9"},
                 {"node", "rowid 3", 3, "up", "orphan_row", "2", false, true}};
    chain.committed = {{"node", "1,4"}};
    Case mixed;
    mixed.name = "a converter reject and an orphan in one table";
    mixed.target = orphan.target;
    mixed.source = "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
                   "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id);\n"
                   "INSERT INTO parent VALUES (1);\n"
                   "INSERT INTO child VALUES (1, 1), (2, 'one'), (3, 5), (4, 1);";
    mixed.bad = {{"child", "rowid 2", 2, "parent_id", "bad_number", "'one'"},
                 {"child", "rowid 3", 3, "parent_id", "orphan_row", "5"}};
    mixed.committed = {{"parent", "1"}, {"child", "1,4"}};
    Case rejected_parent;
    rejected_parent.name = "a parent rejected for bad data orphans its children";
    rejected_parent.target = "CREATE TABLE parent (id bigint PRIMARY KEY, born date);\n"
                             "CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent(id));";
    rejected_parent.source = "CREATE TABLE parent (id INTEGER PRIMARY KEY, born TEXT);\n"
                             "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER);\n"
                             "INSERT INTO parent VALUES (1, '2000-01-01'), (2, '0000-00-00');\n"
                             "INSERT INTO child VALUES (1, 1), (2, 2);";
    rejected_parent.bad = {{"parent", "rowid 2", 2, "born", "timestamp_out_of_range", "'0000-00-00'"},
                           {"child", "rowid 2", 2, "parent_id", "orphan_row", "2"}};
    rejected_parent.committed = {{"parent", "1"}, {"child", "1"}};
    Case kept = orphan;
    kept.name = "orphan row with --keep-indexes: found by the COPY itself";
    kept.args = {"--keep-indexes"};
    Case cycle;
    cycle.name = "orphan in a foreign key cycle";
    cycle.target = "CREATE TABLE a (id bigint PRIMARY KEY, b_id bigint);\n"
                   "CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a(id));\n"
                   "ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b(id);";
    cycle.source = "CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER);\n"
                   "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER);\n"
                   "INSERT INTO a VALUES (1, 1), (2, 42);\n"
                   "INSERT INTO b VALUES (1, 1), (2, 2);";
    cycle.bad = {{"a", "rowid 2", 2, "b_id", "orphan_row", "42"},
                 {"b", "rowid 2", 2, "a_id", "orphan_row", "2", false, true}};
    cycle.committed = {{"a", "1"}, {"b", "1"}};
    Case cycle_kept = cycle;
    cycle_kept.name = "orphan in a foreign key cycle with --keep-indexes";
    cycle_kept.args = {"--keep-indexes"};
    // Setting a(2) aside must not fire c's ON DELETE SET NULL: c(2) becomes a named
    // orphan instead of a silently changed row.
    Case cycle_set_null = cycle_kept;
    cycle_set_null.name = "orphan in a cycle whose parent row has an ON DELETE SET NULL child, --keep-indexes";
    cycle_set_null.target += "\nCREATE TABLE c (id bigint PRIMARY KEY, a_id bigint REFERENCES a(id) ON DELETE SET NULL);";
    cycle_set_null.source += "\nCREATE TABLE c (id INTEGER PRIMARY KEY, a_id INTEGER);\n"
                             "INSERT INTO c VALUES (1, 1), (2, 2);";
    // c's key is checked before b's: it was dropped (into the rebuild list) when a(2) was set aside.
    cycle_set_null.bad.insert(cycle_set_null.bad.begin() + 1, {"c", "rowid 2", 2, "a_id", "orphan_row", "2", false, true});
    cycle_set_null.committed.push_back({"c", "1"});
    Case mixed_kept = mixed;
    mixed_kept.name = "a converter reject and an orphan in one table, with --keep-indexes";
    mixed_kept.args = {"--keep-indexes"};
    for (Case const &c :
         {orphan, composite, chain, mixed, rejected_parent, kept, cycle, cycle_kept, cycle_set_null, mixed_kept})
        run_case(c);
}

TEST_CASE("bad input: several bad values and tables", "[integration][badinput]")
{
    Case two_values;
    two_values.name = "two bad values in one row: the dry run lists both, reject writes one line";
    two_values.target = "CREATE TABLE t (id bigint PRIMARY KEY, n smallint, s varchar(2))";
    two_values.source = "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT);\n"
                        "INSERT INTO t VALUES (1, 1, 'a'), (2, 99999, 'abc'), (3, 3, 'c');";
    two_values.bad = {{"t", "rowid 2", 2, "n", "out_of_range", "99999"},
                      {"t", "rowid 2", 2, "s", "too_long", "'abc'", true}};
    two_values.committed = {{"t", "1,3"}};
    Case two_tables;
    two_tables.name = "bad rows in two tables: abort names the first in load order";
    two_tables.target = "CREATE TABLE a (id bigint PRIMARY KEY, d date);\n"
                        "CREATE TABLE b (id bigint PRIMARY KEY, u uuid);";
    two_tables.source = "CREATE TABLE a (id INTEGER PRIMARY KEY, d TEXT);\n"
                        "CREATE TABLE b (id INTEGER PRIMARY KEY, u TEXT);\n"
                        "INSERT INTO a VALUES (1, '2024-02-30'), (2, '2024-02-29');\n"
                        "INSERT INTO b VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (2, 'zz');";
    two_tables.bad = {{"a", "rowid 1", 1, "d", "timestamp_out_of_range", "'2024-02-30'"},
                      {"b", "rowid 2", 2, "u", "bad_uuid", "'zz'"}};
    two_tables.committed = {{"a", "2"}, {"b", "1"}};
    Case not_null_json;
    not_null_json.name = "--invalid-json null cannot repair a NOT NULL column";
    not_null_json.target = "CREATE TABLE t (id bigint PRIMARY KEY, doc jsonb NOT NULL)";
    not_null_json.source = "CREATE TABLE t (id INTEGER PRIMARY KEY, doc TEXT);\n"
                           "INSERT INTO t VALUES (1, '{}'), (2, '{'), (3, '[]');";
    not_null_json.bad = {{"t", "rowid 2", 2, "doc", "bad_json", "'{'"}};
    not_null_json.committed = {{"t", "1,3"}};
    not_null_json.args = {"--invalid-json", "null"};
    Case strip_still_long;
    strip_still_long.name = "--nul-bytes strip, then too long for varchar(n)";
    strip_still_long.target = "CREATE TABLE t (id bigint PRIMARY KEY, v varchar(2))";
    strip_still_long.source = "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n"
                              "INSERT INTO t VALUES (1, 'a' || char(0) || 'b'), (2, 'a' || char(0) || 'bc');";
    strip_still_long.bad = {{"t", "rowid 2", 2, "v", "too_long", "'a\\x00bc'"}};
    strip_still_long.committed = {{"t", "1"}};
    strip_still_long.args = {"--nul-bytes", "strip"};
    for (Case const &c : {two_values, two_tables, not_null_json, strip_still_long}) run_case(c);
}

// The explicit repairs: the run succeeds and the stored value is the repaired one.
TEST_CASE("bad input: fix-ups repair exactly what they name", "[integration][badinput]")
{
    struct Fix {
        std::string name, pg_type, bad_sql, expected; // expected: v::text, or "NULL"
        std::vector<std::string> args;
        bool refused_without = true; // the default run refuses the value
    };
    for (Fix const &f : {
             Fix{"--nul-bytes strip", "text", "'a' || char(0) || 'b' || char(0)", "ab", {"--nul-bytes", "strip"}},
             Fix{"--invalid-utf8 replace", "text", "CAST(X'6F6BFF21' AS TEXT)", "ok\xEF\xBF\xBD!",
                 {"--invalid-utf8", "replace"}},
             Fix{"--invalid-json null", "jsonb", "'{\"a\":'", "NULL", {"--invalid-json", "null"}},
             Fix{"--invalid-json null keeps valid JSON", "json", "'{\"a\": \"x\\u0000y\"}'",
                 "{\"a\": \"x\\u0000y\"}", {"--invalid-json", "null"}, false},
             Fix{"--nul-bytes strip and --invalid-utf8 replace on one value", "text",
                 "CAST(X'610062FF' AS TEXT)", "ab\xEF\xBF\xBD", {"--nul-bytes", "strip", "--invalid-utf8", "replace"}},
         }) {
        INFO(f.name);
        TestDb db;
        db.exec("CREATE TABLE t (id bigint PRIMARY KEY, v " + f.pg_type + ")");
        std::string const src = new_sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY, v);\n"
                                           "INSERT INTO t VALUES (1, " + f.bad_sql + ");");
        // Without the option the value is refused; with it the run is clean.
        CHECK(run_tool({"migrate", src, db.app_conninfo()}).code == (f.refused_without ? 5 : 0));
        // Both modes: --per-table verifies each table before its commit, and a repaired
        // value differs from the source by the operator's choice, not by a fault.
        for (std::string const mode : {"", "--per-table"}) {
            INFO("mode " << mode);
            std::vector<std::string> args = with({"migrate", src, db.app_conninfo(), "--truncate"}, f.args);
            if (!mode.empty()) args.push_back(mode);
            ToolRun const r = run_tool(args);
            INFO(r.output);
            CHECK(r.code == 0);
            CHECK(db.query("SELECT coalesce(v::text, 'NULL') FROM t WHERE id = 1")[0][0].as<std::string>() ==
                  f.expected);
        }
        std::filesystem::remove(src);
    }
}

TEST_CASE("bad input: --max-rejects overflow writes nothing", "[integration][badinput]")
{
    TestDb db;
    db.exec("CREATE TABLE parent (id bigint PRIMARY KEY);\n"
            "CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent(id), n smallint)");
    std::string const src = new_sqlite("CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
                                       "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER, n INTEGER);\n"
                                       "INSERT INTO parent VALUES (1);\n"
                                       "INSERT INTO child VALUES (1, 1, 1), (2, 1, 99999), (3, 8, 3), (4, 1, 4);");
    // Two bad rows: a converter reject, then an orphan found when the foreign key returns.
    for (auto const &[max, lines, last] : {std::tuple{"0", 0, "table \"child\", rowid 2"},
                                           std::tuple{"1", 1, "table \"child\", rowid 3"}}) {
        INFO("--max-rejects " << max);
        std::string const rejects = temp_path(".jsonl");
        ToolRun const r = run_tool({"migrate", src, db.app_conninfo(), "--on-error", "reject", "--reject-file", rejects,
                                    "--max-rejects", max});
        INFO(r.output);
        CHECK(r.code == 5);
        auto const errors = error_lines(r.output);
        REQUIRE(errors.size() == 1);
        CHECK(has(errors[0], std::string("more than ") + max + " rows rejected"));
        CHECK(has(errors[0], last));
        CHECK(lines_of(rejects).size() == static_cast<std::size_t>(lines));
        CHECK(rows_in(db, "parent") == 0);
        CHECK(rows_in(db, "child") == 0);
        std::filesystem::remove(rejects);
    }
    // Exactly at the limit the run commits.
    std::string const rejects = temp_path(".jsonl");
    ToolRun const r = run_tool({"migrate", src, db.app_conninfo(), "--on-error", "reject", "--reject-file", rejects,
                                "--max-rejects", "2"});
    INFO(r.output);
    CHECK(r.code == 7);
    CHECK(ids(db, "child") == "1,4");
    CHECK(lines_of(rejects).size() == 2);
    std::filesystem::remove(rejects);
    std::filesystem::remove(src);
}
