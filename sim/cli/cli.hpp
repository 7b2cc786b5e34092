// `fleetsim` subcommands: argument parsing, exit codes and the only place that writes to the
// terminal. cli_main is main() with its streams passed in, so tests can run it in-process.
#pragma once

#include <iosfwd>

namespace fleetsim {

// Exit codes: 0 ok, 1 internal error, 2 bad input (config, trace, arguments), 3 policy error,
// 4 `run --check` or `sweep --check` found a broken invariant.
int cli_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace fleetsim
