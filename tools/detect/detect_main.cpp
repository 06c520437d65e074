// File: detect_main.cpp
// `detect`: the detectors over log files; everything, the streams' checks included, is in cli.cpp.
#include <string>
#include <vector>

#include "detect/cli.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return tools::detect::run_process(args);
}
