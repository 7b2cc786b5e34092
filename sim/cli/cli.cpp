#include "sim/cli/cli.hpp"
namespace fleetsim {
int cli_main(int, const char* const*, std::ostream&, std::ostream&) { return 0; }
}  // namespace fleetsim
