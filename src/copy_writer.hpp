#pragma once
// COPY FROM STDIN through libpq. Rows are encoded into 1 MiB buffers that a sender
// thread hands to PQputCopyData, so converting the next rows (this core) overlaps
// with PostgreSQL parsing the previous ones (the other core). Without the thread the
// two take turns: the socket buffer is far smaller than a chunk.
#include "errors.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

struct pg_conn;

namespace s2p {

// The server refused a row because of its data (SQLSTATE class 22 or 23): where,
// so the row can be named in the source (and, with --on-error reject, set aside).
struct CopyDataError : DataError {
    CopyDataError(const std::string &what, std::string sqlstate_, std::optional<long long> line_,
                  std::string column_, std::string server_message_, std::string constraint_ = {})
        : DataError(what), sqlstate(std::move(sqlstate_)), line(line_), column(std::move(column_)),
          server_message(std::move(server_message_)), constraint(std::move(constraint_))
    {
    }
    std::string sqlstate;
    std::optional<long long> line; // 1-based line of the COPY data
    std::string column;            // when the server names one
    std::string server_message;    // message and detail, one line
    std::string constraint;        // the constraint the row breaks, when one
};

class CopyWriter {
public:
    // Sends `COPY <table> (<columns>) FROM STDIN`; throws TargetError on failure.
    // A send that makes no progress for `send_timeout_s` seconds (a peer that stopped
    // reading but still acknowledges TCP probes, which no keepalive or TCP user timeout
    // detects) closes the connection and fails the load.
    CopyWriter(pg_conn *conn, const std::string &copy_sql, std::string what, int send_timeout_s = 60);
    // A COPY still open here is aborted: the transaction is then rolled back by its owner.
    ~CopyWriter();
    CopyWriter(const CopyWriter &) = delete;
    CopyWriter &operator=(const CopyWriter &) = delete;

    // The buffer rows are encoded into; it changes after each flush.
    std::string &buffer() { return m_buf; }
    // Queues the buffer once it holds a full chunk.
    void maybe_flush() { if (m_buf.size() >= flush_bytes) flush(); }
    void flush();
    // Ends the COPY; returns the rows PostgreSQL reports. Throws CopyDataError when
    // the data broke a rule (SQLSTATE class 22/23), TargetError otherwise.
    long long finish();

    // 1 MiB: large enough that libpq sends full packets and calls are rare.
    static constexpr std::size_t flush_bytes = 1 << 20;
    // Chunks waiting for the sender: with the one being filled and the one being
    // sent, memory stays under 6 MiB per table whatever its size.
    static constexpr std::size_t max_queued = 4;

private:
    void sender();
    void stop_sender();
    // Waits (lock held) until `done` or the send stalls; on a stall, shuts the socket
    // down so the blocked send returns, and records why.
    template <typename Pred> void wait_or_stall(std::unique_lock<std::mutex> &lock, Pred done);
    [[noreturn]] void fail(const std::string &during, const std::string &libpq_message);

    pg_conn *m_conn;
    std::string m_what;
    std::string m_buf;

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::string> m_queue;
    std::vector<std::string> m_free; // sent buffers, reused to avoid reallocation
    bool m_closing = false;
    bool m_sending = false;   // the sender is inside PQputCopyData
    bool m_stalled = false;   // wait_or_stall closed the connection: its message stands
    int m_send_timeout_s;
    std::string m_send_error; // set by the sender; the COPY is then dead
    std::thread m_thread;
    bool m_open = false;
};

} // namespace s2p
