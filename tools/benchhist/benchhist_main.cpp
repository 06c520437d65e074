// File: benchhist_main.cpp
// `benchhist`: benchmark history and timing gates. Everything is in the library; see cli.h.
#include <iostream>
#include <string>
#include <vector>

#include "benchhist/cli.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return tools::benchhist::run(args, std::cout, std::cerr);
}
