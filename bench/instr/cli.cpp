// File: cli.cpp
// `instr-report`'s argument parsing and output. The rules live in instr_report.h.
#include "instr/cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <optional>
#include <vector>

#include "common/atomic_file.h"
#include "common/error.h"
#include "instr/instr_report.h"

namespace instr {

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  std::string profiles, results_out, benchmark, base, format = "text";
  std::vector<std::string> source_roots;
  int top = 10;
  CLI::App app{
      "instr-report: the instruction gate's profiles (valgrind --tool=callgrind output of "
      "detector_instr_count, one file per benchmark) as the gate's results JSON, or as "
      "instructions per event by function, alone or against a base profile.\n\nExit codes: 0 "
      "ok, 2 input error or bad usage.",
      "instr-report"};
  app.require_subcommand(1);
  auto* results = app.add_subcommand("results", "Write the results JSON (instr/event, instr/op)");
  results->add_option("--profiles", profiles, "Profile folder (runner.txt, callgrind.out.N)")
      ->required();
  results->add_option("--out", results_out, "Write here (atomically) instead of stdout");
  auto* explain = app.add_subcommand(
      "explain", "Instructions per event by function (self and inclusive), project code first");
  explain->add_option("benchmark", benchmark, "Benchmark name, or detector name (its warm one)")
      ->required();
  explain->add_option("--profiles", profiles, "Profile folder of the run to explain")->required();
  explain->add_option("--base", base,
                      "A stored profile (file or folder) to compare with: adds the table of "
                      "functions by change");
  explain->add_option("--top", top, "Functions per table")->capture_default_str();
  explain->add_option("--format", format, "Output format")
      ->check(CLI::IsMember({"text", "markdown"}))
      ->capture_default_str();
  explain->add_option("--source-root", source_roots,
                      "Project source tree (repeatable; default: the tree this was built from)");

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? tools::exit_ok : tools::exit_error;
  }
  try {
    if (*results) {
      const std::string json = results_json(load_profile_set(profiles));
      if (results_out.empty())
        out << json;
      else
        tools::write_file_atomically(results_out, json);
      return tools::exit_ok;
    }
    if (top < 1) throw tools::input_error(fmt::format("--top must be at least 1, got {}", top));
    explain_options o;
    o.top = top;
    o.markdown = format == "markdown";
    if (!source_roots.empty()) o.roots.roots = source_roots;
    const std::string name = resolve_benchmark(benchmark);
    const profile_set set = load_profile_set(profiles);
    const callgrind_profile* head = set.find(name);
    if (head == nullptr)
      throw tools::input_error(
          fmt::format("{}: no profile of '{}' (detector_instr_count --list "
                      "names the detectors)",
                      profiles, name));
    // The base is read before anything is printed: a bad base is an error, not half a report.
    const std::optional<callgrind_profile> base_profile =
        base.empty() ? std::nullopt : std::optional(load_base(base, name));
    out << render_explanation(*head, o);
    if (base_profile) out << render_diff(*base_profile, *head, o);
    return tools::exit_ok;
  } catch (const std::exception& e) {
    err << "instr-report: error: " << e.what() << "\n";
    return tools::exit_error;
  }
}

}  // namespace instr
