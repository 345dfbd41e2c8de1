// sqlite2pg: parse the command line, run, map failures to exit codes (README.md).
#include "errors.hpp"
#include "interrupt.hpp"
#include "migrate.hpp"
#include "options.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>

int main(int argc, char **argv)
{
    using namespace s2p;
    try {
        CommandLine const cl = parse_command_line(argc, argv);
        if (cl.command == CommandLine::Command::Exit) return cl.exit_code;
        install_interrupt_handlers();
        Log log(cl.migrate.quiet, cl.migrate.verbose);
        MigrateResult const r = run_migrate(cl.migrate, log, stdout);
        return static_cast<int>(r.code);
    } catch (const Error &e) {
        std::fflush(stdout);
        fmt::print(stderr, "sqlite2pg: error: {}\n", e.what());
        return static_cast<int>(e.code());
    } catch (const std::exception &e) {
        std::fflush(stdout);
        fmt::print(stderr, "sqlite2pg: internal error: {} (please report this)\n", e.what());
        return static_cast<int>(ExitCode::Internal);
    }
}
