// File: commands_gate.cpp
// compare, check, baseline, platform: comparing results and gating them against the committed
// timing baseline.
#include <fmt/format.h>

#include <filesystem>

#include "benchhist/commands.h"
#include "benchhist/history_compare.h"
#include "benchhist/run_selection.h"
#include "benchhist/timing_gate.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/gbench_results.h"

namespace tools {
namespace {

compare_options make_compare_options(const command_options& o) {
  compare_options c;
  if (!o.metrics.empty()) c.metrics = o.metrics;
  c.metrics_named = !o.metrics.empty();
  c.threshold_percent = o.threshold;
  return c;
}

std::string render_compare(const compare_report& rep, const command_options& o) {
  return o.format == "markdown" ? render_compare_markdown(rep) : render_compare_text(rep);
}

}  // namespace

int compare_command(const command_options& o, std::ostream& out) {
  compare_request req;
  req.base = o.base;
  req.head = o.head;
  req.base_file = o.base_file;
  req.head_file = o.head_file;
  req.filter = o.filter;
  req.location = shown_location(o.db);
  std::unique_ptr<history_store> store;
  if (compare_needs_store(req)) store = open_history_store(o.db, store_access::read_only);
  const compare_sides sides = resolve_compare_sides(req, store.get(), [] {
    ingest_options g;
    fill_from_git(g);
    return g.merge_base;
  });
  const compare_report rep = compare_samples(sides.base, sides.head, make_compare_options(o));
  out << render_compare(rep, o);
  return rep.regressed() ? exit_regression : exit_ok;
}

int check_command(const command_options& o, std::ostream& out) {
  if (!std::filesystem::exists(o.baseline))
    throw input_error(fmt::format(
        "{}: no timing baseline for this platform; capture one with scripts/capture-baseline.sh",
        o.baseline));
  const timing_baseline b = load_baseline(o.baseline);
  compare_options c = make_compare_options(o);
  if (o.metrics.empty()) c.metrics = {std::string(bench::counter::ns_per_event)};
  c.metrics_named = true;  // the gated metrics must be measured
  c.soft = b.soft_benchmarks();
  // A hard gate with no measurement fails closed (exit 2), never "missing in head" and pass.
  c.required = b.hard_benchmarks();
  const sample_set head = file_samples(o.results);
  const compare_report rep = compare_samples(
      b.samples(fmt::format("{} (commit {})", o.baseline, short_sha(b.commit))), head, c);
  out << render_compare(rep, o);
  return rep.regressed() ? exit_regression : exit_ok;
}

int baseline_command(command_options& o, std::ostream& out) {
  const gbench_results results = load_gbench_results(o.results);
  fill_from_git(o.ingest);
  const std::string platform = o.ingest.platform.empty() ? detect_platform() : o.ingest.platform;
  std::optional<timing_baseline> previous;
  if (std::filesystem::exists(o.out)) previous = load_baseline(o.out);
  timing_baseline fresh = make_baseline(results, platform, o.ingest.allocator, o.ingest.commit,
                                        previous ? &*previous : nullptr);
  if (!o.ingest.timestamp.empty()) fresh.captured = o.ingest.timestamp;
  write_file_atomically(o.out, serialize_baseline(fresh));
  out << fmt::format("benchhist: wrote {} ({} benchmarks, {})\n", o.out, fresh.benchmarks.size(),
                     platform);
  if (previous) {
    // What moved since the committed baseline, and whether it is more than noise.
    compare_options c = make_compare_options(o);
    if (o.metrics.empty()) c.metrics = baseline_metrics();
    const compare_report rep = compare_samples(
        previous->samples(fmt::format("committed (commit {})", short_sha(previous->commit))),
        fresh.samples(fmt::format("new capture (commit {})", short_sha(fresh.commit))), c);
    out << render_compare(rep, o);
  } else {
    out << "benchhist: no previous baseline: every benchmark starts soft\n";
  }
  return exit_ok;
}

int platform_command(std::ostream& out) {
  out << detect_platform() << '\n';
  return exit_ok;
}

}  // namespace tools
