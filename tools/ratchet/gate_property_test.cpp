// File: gate_property_test.cpp
// The gate's property over generated input: whatever registry and results it is given, it
// either refuses them (input_error, exit 2) or gives verdicts that agree with an independent
// recomputation from what the generator wrote (the median of allocs/op over the repetitions,
// divided by the window, against the ceiling), and it never passes input that must fail closed
// (duplicate keys, non-finite or negative counts, a missing window where the registry's is not 1,
// a gated benchmark without a measurement, an ungated detector benchmark, a window mismatch,
// repetitions that disagree).
// Clean input is never refused. Seeded: the same cases every run, many shapes per second.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/gbench_results.h"
#include "ratchet/alloc_gate.h"
#include "ratchet/ceiling_registry.h"

namespace tools {
namespace {

constexpr int cases = 4000;

struct repetition {
  std::string allocs;  // as written into the JSON
  double value = 0;    // what it means, when it is a number
  std::string window;
  double window_value = 0;
};

struct model_benchmark {
  std::string name;
  std::optional<double> ceiling;  // listed in the registry
  std::int64_t registry_window = 1024;
  std::vector<repetition> reps;  // empty: absent from the results
};

struct model {
  std::vector<model_benchmark> benchmarks;
  bool allow_nondeterministic = false;
  bool must_refuse = false;  // input the gate must not pass
  std::string registry, results;
};

class generator {
 public:
  explicit generator(std::uint64_t seed) : rng_(seed) {}

  model next() {
    model m;
    m.allow_nondeterministic = chance(3);
    // Half the cases hold no fault at all: clean input must be gated, never refused.
    const bool faults = chance(2);
    const char* names[] = {"BM_ADetector", "BM_BDetector", "BM_CDetector", "BM_DDetector"};
    std::string entries;
    for (const char* name : names) {
      if (chance(4)) continue;
      model_benchmark b;
      b.name = name;
      const std::int64_t windows[] = {1, 64, 1024};
      b.registry_window = windows[pick(3)];
      const bool listed = !(faults && chance(8));
      if (listed) {
        const double ceilings[] = {0, 0.5, 2, 0.125, 3.75, 1000};
        b.ceiling = ceilings[pick(6)];
        m.registry +=
            fmt::format("{} window={} allocs_per_event={}\n", name, b.registry_window, *b.ceiling);
      }
      const bool measured = !(faults && chance(8));
      if (!measured) {
        if (listed) m.must_refuse = true;  // gated without a measurement
        m.benchmarks.push_back(b);
        continue;
      }
      if (!listed) m.must_refuse = true;  // a detector benchmark nobody gates
      const int reps = 1 + static_cast<int>(pick(4));
      const double base = static_cast<double>(pick(4)) * static_cast<double>(b.registry_window) / 2;
      for (int r = 0; r < reps; ++r) {
        repetition rep;
        rep.value = base;
        if (faults && chance(6))
          rep.value = base + static_cast<double>(pick(3) + 1);  // may disagree
        rep.allocs = fmt::format("{}", rep.value);
        rep.window_value = static_cast<double>(b.registry_window);
        rep.window = fmt::format("{}", b.registry_window);
        switch (faults ? pick(24) : 24) {
          case 0:
            rep.allocs = "NaN";
            m.must_refuse = true;
            break;
          case 1:
            rep.allocs = "-8";
            m.must_refuse = true;
            break;
          case 2:
            rep.allocs = "Infinity";
            m.must_refuse = true;
            break;
          case 3:
            rep.window = fmt::format("{}", b.registry_window * 2);  // not the registry's
            m.must_refuse = true;
            break;
          case 4:
            // allocs/op without a window counts one unit per iteration: gated when the
            // registry's window is 1, a mismatch (refused) otherwise.
            rep.window.clear();
            if (b.registry_window != 1) m.must_refuse = true;
            break;
          default:
            break;
        }
        std::string extra;
        if (faults && chance(20)) {
          extra = R"(, "allocs/op": 0)";  // a duplicate key
          m.must_refuse = true;
        }
        if (!entries.empty()) entries += ",\n";
        entries += fmt::format(
            R"({{"name": "{0}", "run_name": "{0}", "run_type": "iteration", "repetitions": {1},
"repetition_index": {2}, "iterations": 64, "real_time": 1, "cpu_time": 1, "time_unit": "ns",
"allocs/op": {3}{4}{5}}})",
            name, reps, r, rep.allocs, rep.window.empty() ? "" : ", \"window\": " + rep.window,
            extra);
        b.reps.push_back(rep);
      }
      const bool disagree = std::any_of(b.reps.begin(), b.reps.end(), [&](const repetition& r) {
        return r.value != b.reps.front().value;
      });
      if (disagree && !m.allow_nondeterministic) m.must_refuse = true;
      // The aggregates Google Benchmark appends: the gate must ignore them.
      if (chance(2))
        entries += fmt::format(
            R"(,
{{"name": "{0}_median", "run_name": "{0}", "run_type": "aggregate", "aggregate_name": "median",
"iterations": 3, "real_time": 1, "cpu_time": 1, "time_unit": "ns", "allocs/op": 99999,
"window": {1}}})",
            name, b.registry_window);
      m.benchmarks.push_back(b);
    }
    m.results = R"({"context": {"date": "x", "host_name": "h"}, "benchmarks": [)" + entries + "]}";
    return m;
  }

 private:
  bool chance(std::uint64_t one_in) { return rng_() % one_in == 0; }
  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }
  std::mt19937_64 rng_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

TEST(GateProperty, RefusesOrAgreesWithAnIndependentRecomputation) {
  generator gen(20261206);
  int refused = 0, gated = 0, breaches = 0;
  for (int i = 0; i < cases; ++i) {
    const model m = gen.next();
    SCOPED_TRACE(fmt::format("case {}\nregistry:\n{}\nresults:\n{}", i, m.registry, m.results));
    gate_report report;
    try {
      const ceiling_registry registry = ceiling_registry::parse(m.registry, "ceilings.txt");
      const gbench_results results = parse_gbench_results(m.results, "results.json");
      gate_options options;
      options.allow_nondeterministic = m.allow_nondeterministic;
      report = check_allocations(registry, results, options);
    } catch (const input_error& e) {
      ++refused;
      EXPECT_TRUE(m.must_refuse) << "clean input refused: " << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
      continue;
    }
    ASSERT_FALSE(m.must_refuse) << "input that must fail closed was gated";
    for (const model_benchmark& b : m.benchmarks) {
      if (!b.ceiling) continue;
      const auto row = std::find_if(report.rows.begin(), report.rows.end(),
                                    [&](const gate_row& r) { return r.benchmark == b.name; });
      ASSERT_NE(row, report.rows.end()) << b.name << " is gated but has no row";
      ++gated;
      std::vector<double> allocs;
      for (const repetition& r : b.reps)
        allocs.push_back(r.value);
      const double measured = median(allocs) / static_cast<double>(b.registry_window);
      EXPECT_NEAR(row->allocs_per_event, measured, 1e-9) << b.name;
      const bool breach = measured > *b.ceiling + 1e-9;
      EXPECT_EQ(row->verdict == gate_verdict::breach, breach)
          << b.name << ": " << measured << " against " << *b.ceiling;
      breaches += breach ? 1 : 0;
    }
    EXPECT_EQ(report.breached(),
              std::any_of(report.rows.begin(), report.rows.end(),
                          [](const gate_row& r) { return r.verdict == gate_verdict::breach; }));
  }
  // The generator must reach both outcomes, and breaches among the gated.
  EXPECT_GT(refused, cases / 10);
  EXPECT_GT(gated, cases / 4);
  EXPECT_GT(breaches, 0);
  ::testing::Test::RecordProperty("refused", refused);
  ::testing::Test::RecordProperty("gated", gated);
  ::testing::Test::RecordProperty("breaches", breaches);
}

}  // namespace
}  // namespace tools
