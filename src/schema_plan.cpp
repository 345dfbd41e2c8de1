// plan_schema(): types from the declared types, --cast rules and the data profile;
// the CREATE TABLE text; the after-load steps; the notes.
#include "schema_create.hpp"

#include "errors.hpp"
#include "sql_translate.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

namespace s2p {

namespace {

std::string upper_trim(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    std::string out(s);
    for (char &c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool same_name(const std::string &a, const std::string &b) { return fold_case(a) == fold_case(b); }

bool selected(const std::string &name, const std::vector<std::string> &list)
{
    return std::any_of(list.begin(), list.end(), [&](const std::string &s) { return s == name || same_name(s, name); });
}

std::string join(const std::vector<std::string> &items, std::string_view sep = ", ")
{
    std::string out;
    for (auto const &i : items) out += (out.empty() ? "" : std::string(sep)) + i;
    return out;
}

// One integer from the source; nullopt when the statement does not prepare (e.g. a
// column that does not exist: reported by the caller).
std::optional<std::int64_t> query_int(SourceDb &src, const std::string &sql)
{
    sqlite3_stmt *st = nullptr;
    if (sqlite3_prepare_v2(src.handle(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        sqlite3_finalize(st);
        return std::nullopt;
    }
    std::optional<std::int64_t> n;
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

// Counts the rows of `child` whose non-NULL key has no parent row (MATCH SIMPLE, in
// SQLite as in PostgreSQL); every name comes quoted for the database that runs it.
std::string orphans_sql(const std::string &child, const std::vector<std::string> &from, const std::string &parent,
                        const std::vector<std::string> &to)
{
    std::string sql = "SELECT count(*) FROM " + child + " c WHERE ";
    std::string match;
    for (std::size_t i = 0; i < from.size(); ++i) {
        sql += "c." + from[i] + " IS NOT NULL AND ";
        match += (i ? " AND " : "") + ("p." + to[i] + " = c." + from[i]);
    }
    return sql + "NOT EXISTS (SELECT 1 FROM " + parent + " p WHERE " + match + ")";
}

// The count in the source, for the dry run's notes.
std::int64_t count_orphans(SourceDb &src, const std::string &child, const std::vector<std::string> &from,
                           const std::string &parent, const std::vector<std::string> &to)
{
    auto quoted = [](const std::vector<std::string> &names) {
        std::vector<std::string> out;
        for (auto const &n : names) out.push_back(quote_sqlite_ident(n));
        return out;
    };
    return query_int(src, orphans_sql(quote_sqlite_ident(child), quoted(from), quote_sqlite_ident(parent), quoted(to)))
        .value_or(-1);
}

struct Casts {
    std::vector<CastRule> rules;
    std::vector<bool> used;

    const CastRule *find(const std::string &table, const std::string &column, const std::string &declared)
    {
        for (std::size_t i = 0; i < rules.size(); ++i) {
            auto const &r = rules[i];
            if (!r.table.empty() && same_name(r.table, table) && same_name(r.column, column)) {
                used[i] = true;
                return &r;
            }
        }
        std::string const d = upper_trim(declared);
        std::string const base = upper_trim(d.substr(0, d.find('(')));
        for (std::size_t i = 0; i < rules.size(); ++i) {
            auto const &r = rules[i];
            if (r.table.empty() && (r.declared == d || r.declared == base)) {
                used[i] = true;
                return &r;
            }
        }
        return nullptr;
    }
};

class Planner {
public:
    Planner(SourceDb &src, const SchemaOptions &o, const ConvertOptions &conv, SchemaPlan &plan, Log &log)
        : m_src(src), m_o(o), m_conv(conv), m_plan(plan), m_log(log)
    {
    }

    std::string ident(const std::string &source_name) const
    {
        return m_o.quote_identifiers ? source_name : fold_case(source_name);
    }
    std::string table_ref(const TableSchemaPlan &t) const { return qualified(m_plan.schema, t.name); }

    void plan_table(const SourceTable &t, Casts &casts);
    void plan_foreign_keys(const TableSchemaPlan &t, const SourceTableSchema &ts);
    std::vector<DdlStep> fk_steps;
    std::map<const SourceTable *, SourceTableSchema> schemas;

private:
    void plan_columns(TableSchemaPlan &tp, const SourceTableSchema &ts, Casts &casts);
    void plan_keys_and_indexes(const TableSchemaPlan &tp, const SourceTableSchema &ts);
    ColumnResolver resolver(const TableSchemaPlan &tp) const
    {
        return [&tp](std::string_view name) -> std::optional<std::string> {
            for (auto const &c : tp.columns)
                if (same_name(c.source_name, std::string(name))) return c.name;
            return std::nullopt;
        };
    }

    SourceDb &m_src;
    const SchemaOptions &m_o;
    const ConvertOptions &m_conv;
    SchemaPlan &m_plan;
    Log &m_log;
};

void Planner::plan_columns(TableSchemaPlan &tp, const SourceTableSchema &ts, Casts &casts)
{
    const SourceTable &t = *tp.source;
    std::vector<std::vector<TypeChoice>> candidates;
    std::vector<ConvertOptions> convs;
    std::vector<bool> untyped;
    for (auto const &c : t.columns) {
        bool const alias = is_rowid_alias(t, c);
        ConvertOptions cv = m_conv;
        if (const CastRule *r = casts.find(t.name, c.name, c.declared_type)) {
            TypeChoice ch{r->type};
            ch.identity = alias && r->type.kind == PgKind::Int8;
            candidates.push_back({ch});
            if (r->has_epoch) cv.epoch = r->epoch;
        } else {
            candidates.push_back(type_candidates(c.declared_type, alias, m_o));
        }
        convs.push_back(cv);
        untyped.push_back(upper_trim(c.declared_type).empty());
    }
    bool const profile = m_o.profile_all || std::find(untyped.begin(), untyped.end(), true) != untyped.end();
    TableTypeProfile prof;
    if (profile) {
        prof = profile_types(m_src, t, candidates, convs, untyped);
    } else { // every column takes its first candidate, as a profile of clean data would choose
        prof.rows = m_src.count_rows(t);
        prof.columns.resize(t.columns.size());
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            prof.columns[i].failures.assign(candidates[i].size(), 0);
            prof.columns[i].example.assign(candidates[i].size(), "");
        }
    }
    tp.rows = prof.rows;
    tp.profiled = profile;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        auto const &sc = t.columns[i];
        ColumnPlan cp;
        cp.source_name = sc.name;
        cp.name = ident(sc.name);
        cp.declared = sc.declared_type;
        cp.profile = std::move(prof.columns[i]);
        auto const &p = cp.profile;
        cp.choice = candidates[i][static_cast<std::size_t>(p.chosen)];
        cp.conv = convs[i];
        cp.conv.text_to_bytea = cp.conv.text_to_bytea || cp.choice.text_to_bytea;
        cp.conv_differs = cp.conv.epoch != m_conv.epoch || cp.conv.text_to_bytea != m_conv.text_to_bytea;
        cp.not_null = sc.not_null || cp.choice.identity;
        std::string const where = fmt::format("\"{}\".\"{}\"", t.name, sc.name);
        if (!p.fits) {
            m_plan.notes.push_back(fmt::format("{} {}: {} of {} values do not convert to {} (first: {}); no fallback "
                                               "takes them all, the load will report them: add a --cast rule",
                                               where, sc.declared_type, p.failures[0], p.non_null(),
                                               candidates[i][0].type.name, p.example[0]));
        } else if (p.chosen > 0) {
            cp.type_note = fmt::format("{} of {} values do not fit {} (first: {}): falls back to {}", p.failures[0],
                                       p.non_null(), candidates[i][0].type.name, p.example[0], cp.choice.type.name);
            if (cp.choice.type.kind == PgKind::Int8 && (candidates[i][0].type.kind == PgKind::Timestamptz ||
                                                        candidates[i][0].type.kind == PgKind::Timestamp))
                cp.type_note += fmt::format(" (if these are Unix times: --cast '{}.{}=timestamptz:epoch-s')", t.name, sc.name);
            m_plan.notes.push_back(fmt::format("{} {}: {}", where, sc.declared_type.empty() ? "(no type)" : sc.declared_type,
                                               cp.type_note));
        }
        if (!cp.choice.identity && i < ts.defaults.size() && ts.defaults[i]) {
            Translated const d = translate_default(*ts.defaults[i], cp.choice.type, cp.conv);
            cp.default_sql = d.sql;
            if (!d.sql && !d.why.empty())
                m_plan.notes.push_back(fmt::format("{}: DEFAULT {} not created: {}", where, *ts.defaults[i], d.why));
        }
        tp.columns.push_back(std::move(cp));
    }
    std::set<std::string> seen;
    for (auto const &c : tp.columns) {
        if (!seen.insert(c.name).second)
            throw UsageError(fmt::format("columns of table \"{}\" collide as \"{}\" once folded to lower case "
                                         "(pass --quote-identifiers to keep exact names)",
                                         t.name, c.name));
    }
}

void Planner::plan_keys_and_indexes(const TableSchemaPlan &tp, const SourceTableSchema &ts)
{
    const SourceTable &t = *tp.source;
    std::vector<std::pair<int, std::string>> pk;
    bool pk_nulls = false;
    std::string null_test; // unprofiled: the source is asked
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        if (t.columns[i].pk_position == 0) continue;
        pk.emplace_back(t.columns[i].pk_position, quote_ident(tp.columns[i].name));
        pk_nulls = pk_nulls || tp.columns[i].profile.classes[0] > 0;
        null_test += (null_test.empty() ? "" : " OR ") + quote_sqlite_ident(t.columns[i].name) + " IS NULL";
    }
    // A WITHOUT ROWID table's key and a rowid alias cannot hold NULL; other keys can.
    bool const alias_key = pk.size() == 1 && std::any_of(t.columns.begin(), t.columns.end(), [&](const SourceColumn &c) {
                               return c.pk_position && is_rowid_alias(t, c);
                           });
    if (!tp.profiled && !pk.empty() && !t.without_rowid && !alias_key) {
        auto const any = query_int(m_src, "SELECT EXISTS (SELECT 1 FROM " + quote_sqlite_ident(t.name) + " WHERE " +
                                              null_test + ")");
        if (!any)
            throw SourceError(fmt::format("{}: cannot read table \"{}\" to check its primary key for NULLs: {}",
                                          m_src.path(), t.name, sqlite3_errmsg(m_src.handle())));
        pk_nulls = *any != 0;
    }
    std::sort(pk.begin(), pk.end());
    std::vector<std::string> pk_cols;
    for (auto const &[pos, name] : pk) pk_cols.push_back(name);
    if (!pk_cols.empty()) {
        std::string const cols = join(pk_cols);
        if (pk_nulls) {
            // SQLite lets NULL into a non-INTEGER primary key of a rowid table; PostgreSQL does not.
            m_plan.notes.push_back(fmt::format("\"{}\": primary key ({}) holds NULLs: created as UNIQUE instead", t.name, cols));
            m_plan.after_load.push_back({fmt::format("unique key on \"{}\" ({})", tp.name, cols),
                                         "ALTER TABLE " + table_ref(tp) + " ADD UNIQUE (" + cols + ")", false, "", ""});
        } else {
            m_plan.after_load.push_back({fmt::format("primary key on \"{}\" ({})", tp.name, cols),
                                         "ALTER TABLE " + table_ref(tp) + " ADD PRIMARY KEY (" + cols + ")", true, "", ""});
        }
    }
    auto const resolve = resolver(tp);
    for (auto const &ix : ts.indexes) {
        if (ix.origin == "pk") continue;
        if (ix.origin == "u") {
            std::vector<std::string> cols;
            for (auto const &c : ix.columns) {
                auto n = resolve(c);
                if (!n) break;
                cols.push_back(quote_ident(*n));
            }
            if (cols.size() != ix.columns.size()) {
                m_plan.notes.push_back(fmt::format("\"{}\": UNIQUE constraint {} has an expression: not created", t.name, ix.name));
                continue;
            }
            m_plan.after_load.push_back({fmt::format("unique constraint on \"{}\" ({})", tp.name, join(cols)),
                                         "ALTER TABLE " + table_ref(tp) + " ADD UNIQUE (" + join(cols) + ")", false, "", ""});
            continue;
        }
        IndexSqlParts const parts = parse_create_index(ix.sql);
        std::vector<std::string> items;
        std::string why;
        bool nocase = false;
        for (auto const &item : parts.items) {
            Translated const tr = translate_index_item(item, resolve);
            if (!tr.sql) { why = tr.why; break; }
            nocase = nocase || tr.nocase;
            items.push_back(*tr.sql);
        }
        std::string where;
        if (why.empty() && !parts.where.empty()) {
            Translated const tr = translate_expr(parts.where, resolve);
            if (tr.sql) where = " WHERE " + *tr.sql;
            else why = "WHERE clause: " + tr.why;
        }
        if (!parts.ok && why.empty()) why = "cannot parse its SQL";
        if (!why.empty()) {
            m_plan.notes.push_back(fmt::format("index \"{}\" not created ({}): {}", ix.name, why, ix.sql));
            continue;
        }
        if (nocase)
            m_plan.notes.push_back(fmt::format("index \"{}\": COLLATE NOCASE dropped; PostgreSQL compares exactly{}", ix.name,
                                               ix.unique ? " (the UNIQUE now allows values differing in case only)" : ""));
        m_plan.after_load.push_back({fmt::format("index \"{}\"", ident(ix.name)),
                                     fmt::format("CREATE {}INDEX {} ON {} ({}){}", ix.unique ? "UNIQUE " : "",
                                                 quote_ident(ident(ix.name)), table_ref(tp), join(items), where),
                                     false, "", ""});
    }
    TableSqlParts const parts = parse_create_table(ts.sql);
    for (auto const &c : parts.nocase_columns)
        m_plan.notes.push_back(fmt::format("\"{}\".\"{}\" is COLLATE NOCASE in SQLite: PostgreSQL compares it exactly "
                                           "(consider citext or lower() in queries)", t.name, c));
    for (auto const &[name, expr] : parts.checks) {
        std::string text;
        for (auto const &tok : expr) text += tok.text + " ";
        // SQLAlchemy's `CHECK (flag IN (0, 1))` for a BOOLEAN: the boolean type says it already.
        if (expr.size() == 7 && (expr[0].kind == Tok::Ident || expr[0].kind == Tok::QuotedIdent) &&
            fold_case(expr[1].text) == "in" && expr[3].text == "0" && expr[5].text == "1") {
            auto const col = std::find_if(tp.columns.begin(), tp.columns.end(),
                                          [&](const ColumnPlan &c) { return same_name(c.source_name, expr[0].text); });
            if (col != tp.columns.end() && col->choice.type.kind == PgKind::Bool) {
                m_plan.notes.push_back(fmt::format("\"{}\": CHECK ({}) is implied by the boolean type: not created", t.name, text));
                continue;
            }
        }
        Translated const tr = translate_expr(expr, resolve);
        if (!tr.sql) {
            m_plan.notes.push_back(fmt::format("\"{}\": CHECK ({}) not created: {}", t.name, text, tr.why));
            continue;
        }
        std::string const named = name.empty() ? "" : "CONSTRAINT " + quote_ident(ident(name)) + " ";
        m_plan.after_load.push_back({fmt::format("check on \"{}\" {}", tp.name, *tr.sql),
                                     "ALTER TABLE " + table_ref(tp) + " ADD " + named + "CHECK (" + *tr.sql + ")", false, "", ""});
    }
}

void Planner::plan_foreign_keys(const TableSchemaPlan &tp, const SourceTableSchema &ts)
{
    for (auto const &fk : ts.foreign_keys) {
        const TableSchemaPlan *parent = nullptr;
        for (auto const &p : m_plan.tables)
            if (same_name(p.source->name, fk.parent_table)) parent = &p;
        std::string const label = fmt::format("foreign key \"{}\" ({}) -> \"{}\"", tp.source->name, join(fk.from), fk.parent_table);
        if (!parent) {
            m_plan.notes.push_back(label + " not created: the parent table is not migrated");
            continue;
        }
        std::vector<std::string> to = fk.to;
        if (to.size() != fk.from.size()) { // REFERENCES parent without columns: its primary key
            std::vector<std::pair<int, std::string>> pk;
            for (auto const &c : parent->source->columns)
                if (c.pk_position) pk.emplace_back(c.pk_position, c.name);
            std::sort(pk.begin(), pk.end());
            to.clear();
            for (auto const &[pos, n] : pk) to.push_back(n);
        }
        auto map_cols = [](const TableSchemaPlan &t, const std::vector<std::string> &names) {
            std::vector<std::string> out;
            for (auto const &n : names)
                for (auto const &c : t.columns)
                    if (same_name(c.source_name, n)) { out.push_back(quote_ident(c.name)); break; }
            return out;
        };
        auto const from = map_cols(tp, fk.from), parent_cols = map_cols(*parent, to);
        if (from.size() != fk.from.size() || parent_cols.size() != fk.from.size()) {
            m_plan.notes.push_back(label + " not created: it names columns the tables do not have");
            continue;
        }
        std::string sql = fmt::format("ALTER TABLE {} ADD FOREIGN KEY ({}) REFERENCES {} ({})", table_ref(tp), join(from),
                                      table_ref(*parent), join(parent_cols));
        if (fk.on_delete != "NO ACTION" && !fk.on_delete.empty()) sql += " ON DELETE " + fk.on_delete;
        if (fk.on_update != "NO ACTION" && !fk.on_update.empty()) sql += " ON UPDATE " + fk.on_update;
        std::int64_t const orphans =
            m_o.count_orphans ? count_orphans(m_src, tp.source->name, fk.from, parent->source->name, to) : 0;
        if (orphans > 0)
            m_plan.notes.push_back(fmt::format("{}: {} row{} of \"{}\" have no parent row: the key is created NOT VALID "
                                               "(fix the rows, then ALTER TABLE ... VALIDATE CONSTRAINT)",
                                               label, orphans, orphans == 1 ? "" : "s", tp.source->name));
        fk_steps.push_back({fmt::format("foreign key on \"{}\" ({}) -> \"{}\"", tp.name, join(from), parent->name), sql, false,
                            sql + " NOT VALID", orphans_sql(table_ref(tp), from, table_ref(*parent), parent_cols)});
    }
}

void Planner::plan_table(const SourceTable &t, Casts &casts)
{
    SourceTableSchema const &ts = schemas[&t] = read_table_schema(m_src, t);
    TableSchemaPlan &tp = m_plan.tables.emplace_back();
    tp.source = &t;
    tp.name = ident(t.name);
    plan_columns(tp, ts, casts);
    if (ts.autoincrement && ts.sqlite_sequence) tp.autoincrement_floor = ts.sqlite_sequence;
    std::vector<std::string> defs;
    for (auto const &c : tp.columns) {
        std::string d = quote_ident(c.name) + " " + type_sql(c.choice);
        if (c.not_null) d += " NOT NULL";
        if (c.default_sql) d += " DEFAULT " + *c.default_sql;
        defs.push_back(d);
    }
    m_plan.create_sql.push_back("CREATE TABLE " + table_ref(tp) + " (\n    " + join(defs, ",\n    ") + "\n)");
    plan_keys_and_indexes(tp, ts);
    if (tp.profiled) m_log.debug(fmt::format("planned table \"{}\": {} rows profiled", tp.name, tp.rows));
    else m_log.debug(fmt::format("planned table \"{}\": declared types, data not profiled", tp.name));
}

} // namespace

SchemaPlan plan_schema(SourceDb &src, const Selection &selection, const SchemaOptions &o, const ConvertOptions &conv,
                       const std::string &target_schema, Log &log)
{
    SchemaPlan plan;
    plan.schema = target_schema;
    Casts casts;
    for (auto const &r : o.casts) casts.rules.push_back(parse_cast_rule(r));
    if (!o.cast_file.empty())
        for (auto &r : read_cast_file(o.cast_file)) casts.rules.push_back(std::move(r));
    casts.used.assign(casts.rules.size(), false);

    std::vector<const SourceTable *> tables;
    for (auto const &t : src.tables()) {
        if (!selection.tables.empty() && !selected(t.name, selection.tables)) continue;
        if (selected(t.name, selection.exclude_tables)) continue;
        tables.push_back(&t);
    }
    Planner p(src, o, conv, plan, log);
    std::map<std::string, std::string> names;
    for (auto const *t : tables) {
        auto [it, fresh] = names.emplace(p.ident(t->name), t->name);
        if (!fresh)
            throw UsageError(fmt::format("tables \"{}\" and \"{}\" collide as \"{}\" once folded to lower case (pass "
                                         "--quote-identifiers to keep exact names)",
                                         it->second, t->name, it->first));
    }
    plan.tables.reserve(tables.size()); // plan_foreign_keys keeps pointers into it
    for (auto const *t : tables) p.plan_table(*t, casts);
    for (auto const &tp : plan.tables) p.plan_foreign_keys(tp, p.schemas[tp.source]);
    plan.after_load.insert(plan.after_load.end(), p.fk_steps.begin(), p.fk_steps.end());
    for (std::size_t i = 0; i < casts.rules.size(); ++i) {
        auto const &r = casts.rules[i];
        if (!casts.used[i] && !r.table.empty())
            throw UsageError(fmt::format("--cast names column \"{}\".\"{}\", which no selected source table has",
                                         r.table, r.column));
        if (!casts.used[i]) plan.notes.push_back(fmt::format("--cast type:{} matched no column", r.declared));
    }
    for (auto const &[name, why] : src.skipped()) plan.notes.push_back(fmt::format("skipped \"{}\" ({})", name, why));
    for (auto const &obj : read_views_and_triggers(src)) {
        std::string sql;
        for (char c : obj.sql) sql += c == '\n' ? std::string("\n      ") : std::string(1, c);
        plan.notes.push_back(fmt::format("{} \"{}\" not created (port it by hand):\n      {}", obj.type, obj.name, sql));
    }
    return plan;
}

} // namespace s2p
