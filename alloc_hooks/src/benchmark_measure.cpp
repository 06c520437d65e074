// File: benchmark_measure.cpp
// alloc_hooks::gate_counters (benchmark.h): the gate's counters over exactly the measured
// blocks, and the call-site attribution protocol that `ratchet explain` drives.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "alloc_hooks/attribution.h"
#include "alloc_hooks/benchmark.h"
#include "alloc_hooks/pause.h"

namespace alloc_hooks {
namespace {

// Units of work processed while attribution was armed: the attribution file's denominator.
std::atomic<std::uint64_t> attributed_items{0};

void write_attribution_at_exit() {
  const char* path = std::getenv(attribution_out_env);
  if (!write_attribution(path, attributed_items.load())) {
    std::fprintf(stderr, "alloc_hooks: cannot write the call-site attribution to %s\n", path);
    std::fflush(stderr);
    std::_Exit(1);  // explain must not read a partial or missing file as "no allocations"
  }
}

// True in an attribution build run by `ratchet explain`; the first call registers the write
// at exit, so a program needs no code of its own for the protocol.
bool attributing() {
  static const bool armed = [] {
    if (!attribution_compiled_in() || std::getenv(attribution_out_env) == nullptr) return false;
    std::atexit(write_attribution_at_exit);
    return true;
  }();
  return armed;
}

}  // namespace

gate_counters::gate_counters(benchmark::State& state, std::int64_t items_per_iteration)
    : state_(state), items_per_iteration_(std::max<std::int64_t>(1, items_per_iteration)) {
  attributing();  // registers the exit handler before any block is measured
}

gate_counters::~gate_counters() {
  // Setting counters allocates (map nodes); keep it out of the MemoryManager's memory run.
  const pause_guard not_measured;
  const double iterations =
      static_cast<double>(std::max<benchmark::IterationCount>(1, state_.iterations()));
  state_.counters[counter::items_per_op] = static_cast<double>(items_per_iteration_);
  state_.counters[counter::allocs_per_op] = static_cast<double>(allocs_) / iterations;
  state_.counters[counter::bytes_per_op] = static_cast<double>(bytes_) / iterations;
  state_.counters[counter::peak_live_bytes] = static_cast<double>(peak_live_);
  if (items_per_iteration_ > 1)
    state_.SetItemsProcessed(state_.iterations() * items_per_iteration_);
}

namespace {
bool arm_if_attributing() noexcept {
  if (!attributing()) return false;
  arm_attribution();
  return true;
}
}  // namespace

gate_counters::measured_block::measured_block(gate_counters& owner) noexcept
    : owner_(owner), armed_(arm_if_attributing()) {}

gate_counters::measured_block::~measured_block() {
  const snapshot delta = scope_.delta();
  if (armed_) {
    disarm_attribution();
    attributed_items.fetch_add(static_cast<std::uint64_t>(owner_.items_per_iteration_));
  }
  owner_.allocs_ += delta.allocs;
  owner_.bytes_ += delta.bytes_allocated;
  owner_.peak_live_ = std::max(owner_.peak_live_, delta.peak_live_bytes);
}

}  // namespace alloc_hooks
