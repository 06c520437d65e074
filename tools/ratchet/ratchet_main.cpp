// File: ratchet_main.cpp
// `ratchet`: the allocation gate's command line; everything but the streams is in cli.cpp.
#include <iostream>
#include <string>
#include <vector>

#include "ratchet/cli.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return tools::ratchet::run(args, std::cout, std::cerr);
}
