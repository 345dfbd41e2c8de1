#include "sequences.hpp"

#include "target_catalog.hpp"

#include <pqxx/result>

namespace s2p {

namespace {

// 'a' (auto) dependencies are serial columns' sequences, 'i' (internal) identity ones.
constexpr char const *owned_sequences_sql = R"SQL(
SELECT a.attname, s.oid::regclass::text, seq.seqstart
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_depend d ON d.refobjid = c.oid AND d.refclassid = 'pg_class'::regclass
                 AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_sequence seq ON seq.seqrelid = s.oid
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
WHERE n.nspname = $1 AND c.relname = $2
ORDER BY a.attnum
)SQL";

} // namespace

std::vector<SequenceReset> reset_sequences(pqxx::transaction_base &tx, const std::string &schema,
                                           const std::vector<std::string> &tables)
{
    std::vector<SequenceReset> out;
    for (auto const &table : tables) {
        for (auto const &row : tx.exec_params(owned_sequences_sql, schema, table)) {
            SequenceReset r;
            r.table = table;
            r.column = row[0].as<std::string>();
            r.sequence = row[1].as<std::string>();
            long long const start = row[2].as<long long>();
            pqxx::result const max = tx.exec("SELECT max(" + quote_ident(r.column) + ")::bigint FROM " +
                                             qualified(schema, table));
            r.next_value = max[0][0].is_null() ? start : max[0][0].as<long long>() + 1;
            // ALTER SEQUENCE ... RESTART is undone by a rollback; setval() is not, and
            // would leave a failed run's target with a rewound sequence. r.sequence is
            // regclass output: already quoted and qualified.
            tx.exec("ALTER SEQUENCE " + r.sequence + " RESTART WITH " + std::to_string(r.next_value));
            out.push_back(std::move(r));
        }
    }
    return out;
}

} // namespace s2p
