#pragma once
// COPY FROM STDIN through libpq: rows are encoded into one buffer that is handed to
// PQputCopyData in large pieces (one call per row costs more than the data itself).
#include <cstddef>
#include <string>

struct pg_conn;

namespace s2p {

class CopyWriter {
public:
    // Sends `COPY <table> (<columns>) FROM STDIN`; throws TargetError on failure.
    CopyWriter(pg_conn *conn, const std::string &copy_sql, std::string what);
    // A COPY still open here is aborted: the transaction is then rolled back by its owner.
    ~CopyWriter();
    CopyWriter(const CopyWriter &) = delete;
    CopyWriter &operator=(const CopyWriter &) = delete;

    std::string &buffer() { return m_buf; }
    // Sends the buffer once it holds a full chunk.
    void maybe_flush() { if (m_buf.size() >= flush_bytes) flush(); }
    void flush();
    // Ends the COPY; returns the rows PostgreSQL reports, throws TargetError on failure.
    long long finish();
    std::size_t bytes_sent() const { return m_sent; }

    // 1 MiB: large enough that libpq sends full packets and calls are rare, small
    // enough to keep memory flat (one buffer per table being loaded).
    static constexpr std::size_t flush_bytes = 1 << 20;

private:
    [[noreturn]] void fail(const std::string &during);

    pg_conn *m_conn;
    std::string m_what;
    std::string m_buf;
    std::size_t m_sent = 0;
    bool m_open = false;
};

} // namespace s2p
