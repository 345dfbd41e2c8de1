#include "interrupt.hpp"

#include "errors.hpp"

#include <atomic>
#include <csignal>
#include <string>

namespace s2p {

namespace {

std::atomic<int> received{0};

extern "C" void on_signal(int sig)
{
    // A second signal means "now": the default action ends the process, and the
    // server rolls back the open transaction when the connection drops.
    if (received.exchange(sig) != 0) {
        std::signal(sig, SIG_DFL);
        std::raise(sig);
    }
}

} // namespace

void install_interrupt_handlers()
{
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() noexcept { return received.load(std::memory_order_relaxed) != 0; }

void check_interrupt()
{
    int const sig = received.load(std::memory_order_relaxed);
    if (sig == 0) return;
    throw Error(ExitCode::Interrupted,
                std::string{"interrupted by "} + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                    ": rolled back, the target is unchanged");
}

} // namespace s2p
