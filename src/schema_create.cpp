// The schema plan put to work: the in-memory catalog for the dry run, the report,
// and the DDL inside the run's transaction.
#include "schema_create.hpp"

#include "errors.hpp"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/subtransaction>

#include <fmt/format.h>

namespace s2p {

namespace {

std::string one_line(std::string m)
{
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    for (char &c : m)
        if (c == '\n') c = ' ';
    return m;
}

std::string create_schema_sql(const std::string &schema) { return "CREATE SCHEMA IF NOT EXISTS " + quote_ident(schema); }

} // namespace

TargetCatalog SchemaPlan::catalog() const
{
    TargetCatalog cat;
    cat.schema = schema;
    for (auto const &t : tables) {
        TargetTable tt{t.name, {}};
        for (auto const &c : t.columns) {
            TargetColumn tc;
            tc.name = c.name;
            tc.type = c.choice.type;
            tc.not_null = c.not_null;
            tc.has_default = c.default_sql.has_value();
            tc.identity = c.choice.identity;
            tt.columns.push_back(std::move(tc));
        }
        cat.tables.push_back(std::move(tt));
    }
    return cat;
}

const TableSchemaPlan *SchemaPlan::find(const SourceTable *source) const
{
    for (auto const &t : tables)
        if (t.source == source) return &t;
    return nullptr;
}

bool SchemaPlan::may_fall_back(const SourceTable *source, const std::string &column) const
{
    const TableSchemaPlan *t = find(source);
    if (!t || t->profiled) return false;
    for (auto const &c : t->columns)
        if (c.source_name == column) return c.profile.failures.size() > 1; // one counter per candidate
    return false;
}

void SchemaPlan::print(std::FILE *out) const
{
    fmt::print(out, "Schema plan (--create-schema) for target schema \"{}\"\n", schema);
    for (auto const &t : tables) {
        fmt::print(out, "\ntable \"{}\" <- \"{}\", {} rows\n", t.name, t.source->name, t.rows);
        std::size_t wn = 6, wd = 8, wt = 4;
        for (auto const &c : t.columns) {
            wn = std::max(wn, c.name.size());
            wd = std::max(wd, c.declared.size());
            wt = std::max(wt, type_sql(c.choice).size() + (c.not_null ? 9 : 0));
        }
        fmt::print(out, "  {:<{}}  {:<{}}  {:<{}}  {}\n", "column", wn, "declared", wd, "type", wt, "values in the source");
        for (auto const &c : t.columns) {
            std::string const type = type_sql(c.choice) + (c.not_null ? " NOT NULL" : "");
            fmt::print(out, "  {:<{}}  {:<{}}  {:<{}}  {}{}\n", c.name, wn, c.declared.empty() ? "-" : c.declared, wd, type,
                       wt, describe_classes(c.profile), c.type_note.empty() ? "" : "; " + c.type_note);
        }
    }
    fmt::print(out, "\nNotes ({}):\n", notes.size());
    for (auto const &n : notes) fmt::print(out, "  - {}\n", n);
    fmt::print(out, "\nDDL before the load:\n{};\n", create_schema_sql(schema));
    for (auto const &s : create_sql) fmt::print(out, "{};\n", s);
    fmt::print(out, "\nDDL after the load:\n");
    for (auto const &s : after_load) fmt::print(out, "{};\n", s.sql);
    fmt::print(out, "\n");
}

std::vector<std::string> existing_tables(pqxx::transaction_base &tx, const SchemaPlan &plan)
{
    std::vector<std::string> out;
    for (auto const &t : plan.tables) {
        auto const r = tx.exec_params("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                      "WHERE n.nspname = $1 AND c.relname = $2",
                                      plan.schema, t.name);
        if (!r.empty()) out.push_back(t.name);
    }
    return out;
}

void create_tables(pqxx::transaction_base &tx, const SchemaPlan &plan, Log &log)
{
    // CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists.
    if (tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", plan.schema).empty()) {
        log.info(fmt::format("creating schema \"{}\"", plan.schema));
        tx.exec(create_schema_sql(plan.schema));
    }
    if (auto const existing = existing_tables(tx, plan); !existing.empty()) {
        std::string names;
        for (auto const &n : existing) names += (names.empty() ? "\"" : ", \"") + n + "\"";
        throw TargetError(fmt::format("--create-schema: table{} {} already exist{} in schema \"{}\" (drop {}, or omit "
                                      "--create-schema to load into the existing tables)",
                                      existing.size() == 1 ? "" : "s", names, existing.size() == 1 ? "s" : "",
                                      plan.schema, existing.size() == 1 ? "it" : "them"));
    }
    for (auto const &s : plan.create_sql) tx.exec(s);
    log.info(fmt::format("created {} table{}", plan.create_sql.size(), plan.create_sql.size() == 1 ? "" : "s"));
}

void create_constraints(pqxx::dbtransaction &tx, const SchemaPlan &plan, Log &log)
{
    // Each step in its own savepoint, so one that fails leaves the others and the data.
    auto attempt = [&](const std::string &sql) -> std::optional<pqxx::sql_error> {
        try {
            pqxx::subtransaction sub(tx, "s2p_ddl");
            sub.exec(sql);
            sub.commit();
            return std::nullopt;
        } catch (const pqxx::sql_error &e) {
            return e;
        }
    };
    int created = 0, failed = 0;
    for (auto const &step : plan.after_load) {
        auto err = attempt(step.sql);
        if (!err) { ++created; continue; }
        if (step.required) {
            throw DataError(fmt::format("{} cannot be created after the load: {}; nothing was written (the converted "
                                        "values may collide: see --create-schema --dry-run, or --cast the column to text)",
                                        step.what, one_line(err->what())));
        }
        if (!step.not_valid_sql.empty() && err->sqlstate() == "23503") {
            if (auto again = attempt(step.not_valid_sql); !again) {
                ++created;
                std::string rows = "rows";
                if (!step.orphans_sql.empty()) {
                    auto const n = tx.exec(step.orphans_sql)[0][0].as<std::int64_t>();
                    rows = fmt::format("{} row{}", n, n == 1 ? "" : "s");
                }
                log.warn(fmt::format("{}: created NOT VALID, {} without a parent row ({}); fix the rows, then ALTER "
                                     "TABLE ... VALIDATE CONSTRAINT",
                                     step.what, rows, one_line(err->what())));
                continue;
            }
        }
        ++failed;
        log.warn(fmt::format("{} not created: {}", step.what, one_line(err->what())));
    }
    log.info(fmt::format("after the load: {} key{}, constraint{} and index{} created{}", created, created == 1 ? "" : "s",
                         created == 1 ? "" : "s", created == 1 ? "" : "es",
                         failed ? fmt::format(", {} not created (see the warnings)", failed) : ""));
}

void keep_autoincrement_floor(pqxx::transaction_base &tx, const SchemaPlan &plan, Log &log)
{
    for (auto const &t : plan.tables) {
        if (!t.autoincrement_floor) continue;
        for (auto const &c : t.columns) {
            if (!c.choice.identity) continue;
            // setval(seq, floor) makes the next id floor + 1, unless the rows already go higher.
            auto const r = tx.exec_params("SELECT setval(pg_get_serial_sequence($1, $2), $3::bigint) FROM (SELECT max(" +
                                              quote_ident(c.name) + ") AS m FROM " + qualified(plan.schema, t.name) +
                                              ") x WHERE coalesce(m, 0) < $3::bigint",
                                          qualified(plan.schema, t.name), c.name, *t.autoincrement_floor);
            if (!r.empty())
                log.debug(fmt::format("\"{}\".\"{}\": next id {} (AUTOINCREMENT high-water mark)", t.name, c.name,
                                      *t.autoincrement_floor + 1));
        }
    }
}

void apply_column_options(Plan &plan, const SchemaPlan &schema)
{
    for (auto &tp : plan.tables) {
        const TableSchemaPlan *ts = schema.find(tp.source);
        if (!ts) continue;
        for (auto &m : tp.columns) {
            auto const &c = ts->columns.at(static_cast<std::size_t>(m.source_index));
            if (c.conv_differs) m.convert = c.conv;
        }
    }
}

} // namespace s2p
