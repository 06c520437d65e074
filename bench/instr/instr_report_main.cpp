// File: instr_report_main.cpp
// `instr-report`: the instruction gate's results and by-function explanations (cli.cpp).
#include <iostream>
#include <string>
#include <vector>

#include "instr/cli.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return instr::run(args, std::cout, std::cerr);
}
