// File: cli.cpp
// `corpus-gen`: writes a generated GPU-node stream (detectors/corpus, the corpus the benchmarks
// and tests use) as a plain log file, for `detect`, fuzzing seeds, or a look at what the
// detectors see.
#include "corpus_gen/cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/decimal.h"
#include "common/error.h"
#include "detectors/corpus.h"
#include "detectors/detector.h"

namespace tools::corpus_gen {
namespace {

// Large outputs are written in chunks of generated corpora (seed + chunk index), so memory
// stays bounded whatever --events says.
constexpr std::size_t chunk_events = 1 << 18;

// Upper bounds of the numeric options: an endless stream or a failed allocation is never
// what a caller meant.
constexpr std::uint64_t max_events = std::uint64_t{1} << 40;
constexpr std::uint64_t max_nodes = 1'000'000;
constexpr std::uint64_t max_permille = 1000;

// Every numeric option is plain decimal digits within [lo, hi]. CLI11's own conversion reads
// "-1" into an unsigned option as 2^64-1, takes "0x10" as hex and "" as 0, so a typo would
// silently pick another stream; this check runs before it and rejects all of them.
CLI::Validator decimal(std::uint64_t lo, std::uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        const std::optional<std::uint64_t> v = parse_decimal(s);
        if (!v || *v < lo || *v > hi)
          return "'" + s.substr(0, 40) + (s.size() > 40 ? "...'" : "'") +
                 " is not a decimal integer from " + std::to_string(lo) + " to " +
                 std::to_string(hi);
        return {};
      },
      "in [" + std::to_string(lo) + " - " + std::to_string(hi) + "]", "decimal");
}

bool known_detector(std::string_view name) {
  const auto names = detectors::detector_names();
  return name == "all" || std::find(names.begin(), names.end(), name) != names.end();
}

int generate(const std::string& detector, const std::string& format,
             const detectors::corpus_options& o, std::ostream& out) {
  std::int64_t start_ns = o.start_ns;
  for (std::size_t done = 0, index = 0; done < o.events; done += chunk_events, ++index) {
    detectors::corpus_options part = o;
    part.events = std::min(chunk_events, o.events - done);
    part.seed = o.seed + index;
    part.start_ns = start_ns;
    const auto c = detectors::generate_corpus(detector == "all" ? "" : detector, part);
    const std::string text = format == "envelope" ? c.envelope_text() : c.text();
    if (!out.write(text.data(), static_cast<std::streamsize>(text.size()))) return exit_error;
    start_ns = c.events().back().ts_ns + 1;
  }
  return out.flush() ? exit_ok : exit_error;
}

}  // namespace

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  std::string detector = "all";
  std::string format = "text";
  std::string output = "-";
  detectors::corpus_options o;
  CLI::App app{
      "corpus-gen: write a deterministic, realistic GPU-node log stream (same seed, same "
      "bytes).\n\nExit codes: 0 success, 2 bad arguments or unwritable output.",
      "corpus-gen"};
  app.add_option("--detector", detector,
                 "Weight the stream towards one detector's formats, or 'all'")
      ->capture_default_str();
  app.add_option("--events", o.events, "Number of lines")
      ->check(decimal(0, max_events))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Random seed")
      ->check(decimal(0, std::numeric_limits<std::uint64_t>::max()))
      ->capture_default_str();
  app.add_option("--nodes", o.nodes, "Number of nodes")
      ->check(decimal(1, max_nodes))
      ->capture_default_str();
  app.add_option("--malformed-permille", o.malformed_permille, "Truncated lines per 1000")
      ->check(decimal(0, max_permille))
      ->capture_default_str();
  app.add_option("--format", format,
                 "text: the lines; envelope: ts_ns<TAB>node<TAB>source<TAB>line")
      ->check(CLI::IsMember({"text", "envelope"}))
      ->capture_default_str();
  app.add_option("-o,--output", output, "Output file ('-' = standard output)")
      ->capture_default_str();

  // CLI11 takes the arguments last first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? exit_ok : exit_error;
  }
  // Before the output is opened: a bad name must not truncate an existing file.
  if (!known_detector(detector)) {
    err << "corpus-gen: error: --detector: unknown detector '" << detector
        << "' (a name from `detect --list`, or 'all')\n";
    return exit_error;
  }
  std::ofstream file;
  if (output != "-") {
    file.open(output, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "corpus-gen: error: " << output
          << ": cannot open for writing: " << std::strerror(errno) << "\n";
      return exit_error;
    }
  }
  std::ostream& target = output == "-" ? out : file;
  const std::string name = output == "-" ? "standard output" : output;
  try {
    if (generate(detector, format, o, target) != exit_ok) {
      err << "corpus-gen: error: " << name << ": write failed (disk full or output closed?)\n";
      return exit_error;
    }
  } catch (const std::invalid_argument& e) {
    err << "corpus-gen: error: " << e.what() << "\n";
    return exit_error;
  }
  if (file.is_open()) {
    file.close();
    if (!file) {
      err << "corpus-gen: error: " << name << ": close failed (disk full?)\n";
      return exit_error;
    }
  }
  return exit_ok;
}

}  // namespace tools::corpus_gen
