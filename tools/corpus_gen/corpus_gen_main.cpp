// File: corpus_gen_main.cpp
// `corpus-gen`: writes a generated GPU-node stream (the corpus the benchmarks and tests use)
// as a plain log file, for `detect`, fuzzing seeds, or a look at what the detectors see.
// Exit codes: 0 success, 2 bad arguments or unwritable output.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <string>

#include "detectors/corpus.h"
#include "common/error.h"

int main(int argc, char** argv) {
  std::string detector = "all";
  std::string format = "text";
  std::string output = "-";
  detectors::corpus_options o;
  CLI::App app{
      "corpus-gen: write a deterministic, realistic GPU-node log stream (same seed, "
      "same bytes).\n\nExit codes: 0 success, 2 bad arguments or unwritable output."};
  app.add_option("--detector", detector,
                 "Weight the stream towards one detector's formats, or 'all'")
      ->capture_default_str();
  app.add_option("--events", o.events, "Number of lines")->capture_default_str();
  app.add_option("--seed", o.seed, "Random seed")->capture_default_str();
  app.add_option("--nodes", o.nodes, "Number of nodes")->capture_default_str();
  app.add_option("--malformed-permille", o.malformed_permille, "Truncated lines per 1000")
      ->capture_default_str();
  app.add_option("--format", format,
                 "text: the lines; envelope: ts_ns<TAB>node<TAB>source<TAB>line")
      ->check(CLI::IsMember({"text", "envelope"}))
      ->capture_default_str();
  app.add_option("-o,--output", output, "Output file ('-' = standard output)")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? tools::exit_ok : tools::exit_error;
  }
  std::FILE* out = output == "-" ? stdout : std::fopen(output.c_str(), "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "corpus-gen: error: %s: cannot open for writing\n", output.c_str());
    return tools::exit_error;
  }
  // Large outputs are written in chunks of generated corpora (seed + chunk index), so memory
  // stays bounded whatever --events says.
  constexpr std::size_t chunk = 1 << 18;
  const std::size_t total = o.events;
  std::int64_t start_ns = o.start_ns;
  try {
    for (std::size_t done = 0, index = 0; done < total; done += chunk, ++index) {
      detectors::corpus_options part = o;
      part.events = std::min(chunk, total - done);
      part.seed = o.seed + index;
      part.start_ns = start_ns;
      const auto c = detectors::generate_corpus(detector == "all" ? "" : detector, part);
      const std::string text = format == "envelope" ? c.envelope_text() : c.text();
      if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
        std::fprintf(stderr, "corpus-gen: error: %s: write failed\n", output.c_str());
        return tools::exit_error;
      }
      start_ns = c.events().back().ts_ns + 1;
    }
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "corpus-gen: error: %s\n", e.what());
    return tools::exit_error;
  }
  if (out != stdout && std::fclose(out) != 0) {
    std::fprintf(stderr, "corpus-gen: error: %s: close failed\n", output.c_str());
    return tools::exit_error;
  }
  return tools::exit_ok;
}
