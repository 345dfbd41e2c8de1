#pragma once
// Ctrl-C and SIGTERM during a cutover: the run stops at the next row, rolls back
// and says so, instead of dying mid-COPY with no word.
namespace s2p {

void install_interrupt_handlers();
bool interrupted() noexcept;
// Throws an Error with ExitCode::Interrupted when a signal arrived.
void check_interrupt();

} // namespace s2p
