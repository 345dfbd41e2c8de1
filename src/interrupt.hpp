#pragma once
// Ctrl-C and SIGTERM during a cutover: the run stops at the next row, rolls back
// and says so, instead of dying mid-COPY with no word. A statement running on the
// server (an index build, the end of a COPY, a verification query) is cancelled too:
// the handler only writes a byte to a pipe; a watcher thread reads it and sends
// PQcancel for the connection registered with CancelOnInterrupt.
#include <string>

struct pg_conn;

namespace s2p {

void install_interrupt_handlers();
bool interrupted() noexcept;
// "SIGINT" or "SIGTERM"; empty when no signal arrived.
std::string interrupt_signal_name();
// Throws an Error with ExitCode::Interrupted when a signal arrived.
void check_interrupt();

// While alive, a signal also cancels the statement running on `conn`.
class CancelOnInterrupt {
public:
    explicit CancelOnInterrupt(pg_conn *conn);
    ~CancelOnInterrupt();
    CancelOnInterrupt(const CancelOnInterrupt &) = delete;
    CancelOnInterrupt &operator=(const CancelOnInterrupt &) = delete;
};

} // namespace s2p
