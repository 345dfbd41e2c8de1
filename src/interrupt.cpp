#include "interrupt.hpp"

#include "errors.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <csignal>
#include <cerrno>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace s2p {

namespace {

std::atomic<int> received{0};
int wake_pipe[2] = {-1, -1};

std::mutex cancel_mutex;
// Shared so that the watcher can cancel without holding the mutex: PQcancel opens a
// new connection, which on a dead network takes as long as the kernel's connect timeout.
std::shared_ptr<PGcancel> cancel_handle; // guarded by cancel_mutex

extern "C" void on_signal(int sig)
{
    // A second signal means "now": the default action ends the process, and the
    // server rolls back the open transaction when the connection drops.
    if (received.exchange(sig) != 0) {
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
    }
    int const saved = errno;
    char const b = 1;
    [[maybe_unused]] auto n = ::write(wake_pipe[1], &b, 1); // async-signal-safe
    errno = saved;
}

// PQcancel is not async-signal-unsafe, but the PGcancel handle changes as connections
// come and go; doing it here, under a mutex, keeps the handler trivial.
void watch()
{
    for (;;) {
        char b = 0;
        ssize_t const n = ::read(wake_pipe[0], &b, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        std::shared_ptr<PGcancel> handle;
        {
            std::lock_guard lock(cancel_mutex);
            handle = cancel_handle;
        }
        if (handle) {
            char err[256];
            PQcancel(handle.get(), err, sizeof err);
        }
    }
}

} // namespace

void install_interrupt_handlers()
{
    if (wake_pipe[0] < 0) {
        if (::pipe2(wake_pipe, O_CLOEXEC) != 0) throw Error(ExitCode::Internal, "cannot create the signal pipe");
        std::thread(watch).detach();
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() noexcept { return received.load(std::memory_order_relaxed) != 0; }

std::string interrupt_signal_name()
{
    int const sig = received.load(std::memory_order_relaxed);
    if (sig == 0) return {};
    return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

void check_interrupt()
{
    if (!interrupted()) return;
    throw Error(ExitCode::Interrupted,
                "interrupted by " + interrupt_signal_name() + ": rolled back, the target is unchanged");
}

CancelOnInterrupt::CancelOnInterrupt(pg_conn *conn)
{
    // A signal that came while no connection was registered (between two tables'
    // transactions, say) cancelled nothing: stop here, before the next statement.
    check_interrupt();
    std::shared_ptr<PGcancel> c(PQgetCancel(conn), [](PGcancel *h) {
        if (h) PQfreeCancel(h);
    });
    std::lock_guard lock(cancel_mutex);
    cancel_handle = std::move(c);
}

CancelOnInterrupt::~CancelOnInterrupt()
{
    std::lock_guard lock(cancel_mutex);
    cancel_handle.reset();
}

} // namespace s2p
