#include "source_rows.hpp"

#include "problems.hpp"

namespace s2p {

std::string row_ref(const TablePlan &tp, const RowCursor &cur)
{
    if (!tp.source->without_rowid) return fmt::format("rowid {}", cur.rowid());
    std::string names, values;
    for (std::size_t i = 0; i < tp.columns.size(); ++i) {
        auto const &sc = tp.source->columns[static_cast<std::size_t>(tp.columns[i].source_index)];
        if (sc.pk_position == 0) continue;
        if (!names.empty()) { names += ", "; values += ", "; }
        names += sc.name;
        values += excerpt(cur.value(static_cast<int>(i)), 20);
    }
    return fmt::format("key ({})=({})", names, values);
}

RejectedRow rejected_row(const TablePlan &tp, const RowCursor &cur)
{
    RejectedRow r;
    r.table = tp.source->name;
    r.rowid = cur.rowid();
    r.key = row_ref(tp, cur);
    for (std::size_t i = 0; i < tp.columns.size(); ++i) {
        r.row.emplace_back(tp.source->columns[static_cast<std::size_t>(tp.columns[i].source_index)].name,
                           cur.value(static_cast<int>(i)));
    }
    return r;
}

Converted convert_with_fixups(const SqlValue &v, const TargetColumn &tc, const ConvertOptions &conv,
                              const FixupPolicy &fixups, std::string &value, ConvertError &err, bool &repaired)
{
    Converted r = convert_value(v, tc.type, conv, value, err);
    repaired = false;
    std::string text;
    SqlValue current = v;
    // A value may need two repairs (NUL bytes and invalid UTF-8); a third is never due.
    for (int attempt = 0; r == Converted::Error && attempt < 2; ++attempt) {
        Fixup const f = choose_fixup(fixups, err.reason, current, text);
        if (f == Fixup::None) break;
        if (f == Fixup::MakeNull) {
            if (tc.not_null) break;
            repaired = true;
            return Converted::Null;
        }
        current = current.cls == StorageClass::Blob ? SqlValue::blob(text) : SqlValue::text(text);
        r = convert_value(current, tc.type, conv, value, err);
        repaired = r != Converted::Error;
    }
    return r;
}

} // namespace s2p
