// File: corpus_gen_main.cpp
// `corpus-gen`: the corpus generator on the command line; everything but the streams is in
// cli.cpp.
#include <iostream>
#include <string>
#include <vector>

#include "corpus_gen/cli.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return tools::corpus_gen::run(args, std::cout, std::cerr);
}
