#include "planner.hpp"

#include "errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace s2p {

Ordering order_tables(const std::vector<std::string> &nodes,
                      const std::vector<std::pair<std::string, std::string>> &edges)
{
    std::set<std::string> const known(nodes.begin(), nodes.end());
    std::map<std::string, std::set<std::string>> parents; // child -> parents not yet loaded
    for (auto const &n : nodes) parents[n];
    for (auto const &[child, parent] : edges) {
        if (child != parent && known.count(child) && known.count(parent)) parents[child].insert(parent);
    }
    Ordering out;
    std::set<std::string> done;
    // Stable: among ready tables, the input order (name order) decides.
    while (out.order.size() < nodes.size()) {
        std::string pick;
        for (auto const &n : nodes) {
            if (done.count(n)) continue;
            if (parents[n].empty()) { pick = n; break; }
        }
        if (pick.empty()) {
            // A cycle: load the first remaining table, checking its parent keys later.
            for (auto const &n : nodes) {
                if (!done.count(n)) { pick = n; break; }
            }
            for (auto const &p : parents[pick]) out.broken.emplace_back(pick, p);
        }
        done.insert(pick);
        out.order.push_back(pick);
        for (auto &[child, ps] : parents) ps.erase(pick);
    }
    return out;
}

namespace {

bool selected(const std::string &name, const std::vector<std::string> &list)
{
    return std::any_of(list.begin(), list.end(), [&](const std::string &s) {
        return s == name || fold_case(s) == fold_case(name);
    });
}

void check_selection_names(const std::vector<SourceTable> &source, const std::vector<std::string> &names,
                           const char *option)
{
    for (auto const &n : names) {
        bool const found = std::any_of(source.begin(), source.end(), [&](const SourceTable &t) {
            return t.name == n || fold_case(t.name) == fold_case(n);
        });
        if (!found) {
            throw UsageError(fmt::format("{} names table \"{}\", which the source does not have "
                                         "(see `sqlite2pg inspect`)",
                                         option, n));
        }
    }
}

} // namespace

Plan make_plan(const std::vector<SourceTable> &source, const TargetCatalog &target,
               const Selection &selection)
{
    check_selection_names(source, selection.tables, "--tables");
    check_selection_names(source, selection.exclude_tables, "--exclude-tables");

    Plan plan;
    std::vector<std::string> problems;
    std::map<std::string, TablePlan> by_target; // keyed by target table name
    std::vector<std::string> target_names;
    for (auto const &st : source) {
        if (!selection.tables.empty() && !selected(st.name, selection.tables)) continue;
        if (selected(st.name, selection.exclude_tables)) continue;
        const TargetTable *tt = target.find_table(st.name);
        if (!tt) {
            problems.push_back(fmt::format("source table \"{}\" has no table in target schema \"{}\"",
                                           st.name, target.schema));
            continue;
        }
        if (by_target.count(tt->name)) {
            problems.push_back(fmt::format("source tables \"{}\" and \"{}\" both map to target table \"{}\"",
                                           by_target[tt->name].source->name, st.name, tt->name));
            continue;
        }
        TablePlan tp{&st, tt, {}};
        std::set<const TargetColumn *> used;
        for (std::size_t i = 0; i < st.columns.size(); ++i) {
            const TargetColumn *tc = tt->find_column(st.columns[i].name);
            if (!tc) {
                problems.push_back(fmt::format("column \"{}\".\"{}\" has no column in target table \"{}\".\"{}\"",
                                               st.name, st.columns[i].name, target.schema, tt->name));
                continue;
            }
            if (tc->generated) {
                plan.notes.push_back(fmt::format("\"{}\".\"{}\" is a generated column in the target: "
                                                 "PostgreSQL computes it, the source values are not copied",
                                                 tt->name, tc->name));
                continue;
            }
            if (!used.insert(tc).second) {
                problems.push_back(fmt::format("two columns of source table \"{}\" map to \"{}\".\"{}\"",
                                               st.name, tt->name, tc->name));
                continue;
            }
            tp.columns.push_back({static_cast<int>(i), tc});
        }
        if (tp.columns.empty() && !st.columns.empty()) {
            problems.push_back(fmt::format("source table \"{}\" has no column that can be loaded into \"{}\" "
                                           "(all its target columns are generated)",
                                           st.name, tt->name));
        }
        for (auto const &tc : tt->columns) {
            if (tc.not_null && !tc.has_default && !tc.identity && !tc.generated && !used.count(&tc)) {
                problems.push_back(fmt::format("target column \"{}\".\"{}\" is NOT NULL without a default "
                                               "and has no source column",
                                               tt->name, tc.name));
            }
        }
        target_names.push_back(tt->name);
        by_target.emplace(tt->name, std::move(tp));
    }
    if (!problems.empty()) {
        std::string msg = fmt::format("the target schema does not match the source ({} problem{}):",
                                      problems.size(), problems.size() == 1 ? "" : "s");
        for (auto const &p : problems) msg += "\n  - " + p;
        msg += "\n  run the application's migrations on the target, or select tables with "
               "--tables/--exclude-tables";
        throw TargetError(msg);
    }

    // Parents first, by the foreign keys of both sides: the target's are the ones
    // PostgreSQL enforces, the source's catch schemas whose FKs were left out.
    std::vector<std::pair<std::string, std::string>> edges;
    for (auto const &fk : target.foreign_keys) {
        if (fk.parent_schema == target.schema) edges.emplace_back(fk.table, fk.parent_table);
    }
    for (auto const &[name, tp] : by_target) {
        for (auto const &fk : tp.source->foreign_keys) {
            if (const TargetTable *parent = target.find_table(fk.parent_table)) {
                edges.emplace_back(name, parent->name);
            }
        }
    }
    std::sort(target_names.begin(), target_names.end());
    Ordering const ord = order_tables(target_names, edges);
    for (auto const &n : ord.order) plan.tables.push_back(std::move(by_target.at(n)));
    for (auto const &[child, parent] : ord.broken) {
        for (auto const &fk : target.foreign_keys) {
            if (fk.table == child && fk.parent_table == parent && fk.parent_schema == target.schema)
                plan.deferred_fks.push_back(&fk);
        }
    }
    return plan;
}

} // namespace s2p
