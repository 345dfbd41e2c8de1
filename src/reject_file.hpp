#pragma once
// The reject file of --on-error reject: one JSON object per line and per bad row,
// with everything needed to find and fix it in the source.
#include "reason.hpp"
#include "value.hpp"

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace s2p {

struct RejectedRow {
    std::string table;
    std::int64_t rowid = 0;  // 0 for WITHOUT ROWID tables
    std::string key;         // "rowid 42" or "key (code)=('AB')"
    std::string column;      // empty when PostgreSQL refused the row as a whole
    Reason reason = Reason::TypeMismatch;
    std::string reason_code; // reason_code(reason), or the SQLSTATE-derived code of a server-side reject
    std::string message;
    std::string value;       // excerpt
    std::vector<std::pair<std::string, SqlValue>> row; // every source column
};

// One JSON line: {"table","rowid","key","column","reason","message","value","row":{...}}.
std::string reject_json_line(const RejectedRow &r);

class RejectFile {
public:
    // Creates (truncates) the file; throws UsageError when it cannot be written.
    explicit RejectFile(std::string path);
    ~RejectFile();
    RejectFile(const RejectFile &) = delete;
    RejectFile &operator=(const RejectFile &) = delete;

    void write(const RejectedRow &r);
    const std::string &path() const { return m_path; }

private:
    std::string m_path;
    std::FILE *m_file = nullptr;
};

} // namespace s2p
