#include "pg_error.hpp"

#include <libpq-fe.h>

#include <algorithm>

namespace s2p {

std::string describe_pg_error(const pg_result *res, const pg_conn *conn)
{
    auto field = [&](int code) -> std::string {
        char const *v = res ? PQresultErrorField(res, code) : nullptr;
        return v ? v : "";
    };
    std::string out = field(PG_DIAG_MESSAGE_PRIMARY);
    if (out.empty()) out = PQerrorMessage(conn);
    for (auto [code, label] : {std::pair{PG_DIAG_MESSAGE_DETAIL, "detail: "},
                               std::pair{PG_DIAG_MESSAGE_HINT, "hint: "},
                               std::pair{PG_DIAG_CONTEXT, "at: "}}) {
        std::string const v = field(code);
        if (v.empty()) continue;
        out += "; ";
        out += label;
        out += v;
    }
    std::replace(out.begin(), out.end(), '\n', ' ');
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

} // namespace s2p
