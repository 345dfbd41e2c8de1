#pragma once
// The command line as main() sees it, for the option tests.
#include "options.hpp"

#include <vector>

namespace s2p::test {

inline CommandLine parse(std::vector<const char *> args)
{
    args.insert(args.begin(), "sqlite2pg");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

} // namespace s2p::test
