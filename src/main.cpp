// sqlite2pg: parse the command line, run, map failures to exit codes (README.md).
#include "conninfo.hpp"
#include "errors.hpp"
#include "inspect.hpp"
#include "interrupt.hpp"
#include "migrate.hpp"
#include "options.hpp"
#include "preflight.hpp"
#include "report.hpp"
#include "verify.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>

int main(int argc, char **argv)
{
    using namespace s2p;
    try {
        CommandLine const cl = parse_command_line(argc, argv);
        if (cl.command == CommandLine::Command::Exit) return cl.exit_code;
        if (cl.command == CommandLine::Command::Inspect) {
            InspectReport const r = inspect_source(cl.inspect.source);
            if (cl.inspect.json) fmt::print("{}\n", inspect_json(r));
            else print_inspect_text(stdout, r);
            return 0;
        }
        if (cl.command == CommandLine::Command::Check) {
            Log log(false, false);
            return static_cast<int>(print_check(stdout, run_check(cl.check, log), cl.check));
        }
        if (cl.command == CommandLine::Command::Verify) {
            Log log(cl.verify.quiet, cl.verify.verbose);
            return static_cast<int>(run_verify(cl.verify, log, stdout));
        }
        install_interrupt_handlers();
        Log log(cl.migrate.quiet, cl.migrate.verbose);
        log.set_json(cl.migrate.log_json);
        MigrateResult const r = run_migrate_reported(cl.migrate, log, stdout);
        return static_cast<int>(r.code);
    } catch (const Error &e) {
        std::fflush(stdout);
        // A URL given in the wrong place may be quoted back (as a file or table name).
        fmt::print(stderr, "sqlite2pg: error: {}\n", scrub_arguments(e.what(), argc, argv));
        return static_cast<int>(e.code());
    } catch (const std::exception &e) {
        std::fflush(stdout);
        fmt::print(stderr, "sqlite2pg: internal error: {} (please report this)\n",
                   scrub_arguments(e.what(), argc, argv));
        return static_cast<int>(ExitCode::Internal);
    }
}
