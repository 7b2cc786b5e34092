// The fleetsim executable: everything happens in cli_main.
#include <iostream>

#include "sim/cli/cli.hpp"

int main(int argc, char** argv) { return fleetsim::cli_main(argc, argv, std::cout, std::cerr); }
