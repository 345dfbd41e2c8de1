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
            std::string const start = row[2].as<std::string>();
            // setval(seq, max, true) makes nextval return max + 1; with no rows,
            // setval(seq, start, false) makes it return start.
            std::string const sql = "SELECT setval($1::regclass, coalesce(m, $2::bigint), m IS NOT NULL), "
                                    "coalesce(m + 1, $2::bigint) FROM (SELECT max(" +
                                    quote_ident(r.column) + ")::bigint AS m FROM " +
                                    qualified(schema, table) + ") x";
            pqxx::result const res = tx.exec_params(sql, r.sequence, start);
            r.next_value = res[0][1].as<long long>();
            out.push_back(std::move(r));
        }
    }
    return out;
}

} // namespace s2p
