// File: ratchet_test.cpp
// Tests for the allocation gate's pieces: the ceiling registry, the Google Benchmark JSON
// reader, the median, check_allocations' verdicts and fail-closed errors, the tighten and raise
// rules, and explain's idea of project code.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/gbench_results.h"
#include "common/stats.h"
#include "ratchet/alloc_gate.h"
#include "ratchet/ceiling_registry.h"
#include "ratchet/cli.h"
#include "ratchet/commands.h"
#include "ratchet/explain.h"

namespace tools {
namespace {

struct fake_benchmark {
  std::string name;
  std::vector<double> allocs_per_op;  // one value per repetition
  double window = 1024;
  double bytes_per_op = 0;
};

// Google Benchmark JSON as the real library writes it with --benchmark_repetitions: one
// "iteration" entry per repetition plus the aggregates (which the gate must ignore).
std::string gbench_json(const std::vector<fake_benchmark>& benchmarks) {
  std::string entries;
  for (const auto& b : benchmarks) {
    int rep = 0;
    for (double allocs : b.allocs_per_op) {
      if (!entries.empty()) entries += ",\n";
      entries += fmt::format(
          R"({{"name": "{0}/iterations:64", "family_index": 0, "per_family_instance_index": 0,
  "run_name": "{0}/iterations:64", "run_type": "iteration", "repetitions": {1},
  "repetition_index": {2}, "threads": 1, "iterations": 64, "real_time": 1.5e+02,
  "cpu_time": 1.5e+02, "time_unit": "us", "allocs/op": {3}, "bytes/op": {4}, "window": {5}}})",
          b.name, b.allocs_per_op.size(), rep++, allocs, b.bytes_per_op, b.window);
    }
    entries += fmt::format(
        R"(,
{{"name": "{0}/iterations:64_median", "run_name": "{0}/iterations:64", "run_type": "aggregate",
  "aggregate_name": "median", "iterations": 3, "real_time": 1.5e+02, "cpu_time": 1.5e+02,
  "time_unit": "us", "allocs/op": 99999, "window": {1}}})",
        b.name, b.window);
  }
  return R"({"context": {"date": "2026-11-22", "host_name": "test"}, "benchmarks": [)" + entries +
         "]}";
}

ceiling_registry registry_of(const std::string& text) {
  return ceiling_registry::parse(text, "alloc-ceilings.txt");
}

gate_report check(const std::string& registry, const std::vector<fake_benchmark>& results,
                  gate_options options = {}) {
  return check_allocations(registry_of(registry),
                           parse_gbench_results(gbench_json(results), "r.json"), options);
}

gate_options median_of_varying_repetitions() {
  gate_options o;
  o.allow_nondeterministic = true;
  return o;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const input_error& e) {
    return e.what();
  }
  return "(no error)";
}

// ---- Registry ------------------------------------------------------------------------------
TEST(Registry, ParsesFieldsCommentsAndQuotedReasons) {
  const auto r = registry_of(
      "# header\n\nBM_A window=1024 allocs_per_event=1.5 bytes_per_event=20 "
      "reason=\"grew a \\\"cache\\\"\"\nBM_B window=512 allocs_per_event=0\n");
  ASSERT_EQ(r.ceilings().size(), 2u);
  EXPECT_EQ(r.ceilings()[0].benchmark, "BM_A");
  EXPECT_EQ(r.ceilings()[0].window, 1024);
  EXPECT_DOUBLE_EQ(r.ceilings()[0].allocs_per_event, 1.5);
  EXPECT_DOUBLE_EQ(*r.ceilings()[0].bytes_per_event, 20.0);
  EXPECT_EQ(r.ceilings()[0].reason, "grew a \"cache\"");
  EXPECT_EQ(r.ceilings()[1].line, 4);
  EXPECT_FALSE(r.ceilings()[1].bytes_per_event.has_value());
}

TEST(Registry, RenderKeepsCommentsAndRoundTrips) {
  const std::string text =
      "# keep me\nBM_Long window=1024 allocs_per_event=2.000000 reason=\"x\"\n\nBM_B "
      "window=1024 allocs_per_event=0.100000\n";
  const std::string rendered = registry_of(text).render();
  EXPECT_NE(rendered.find("# keep me\n"), std::string::npos);
  EXPECT_EQ(registry_of(rendered).render(), rendered);
  EXPECT_NE(rendered.find("BM_B    window=1024 allocs_per_event=0.100000"), std::string::npos)
      << rendered;
}

struct malformed_case {
  const char* text;
  const char* message;
};

TEST(Registry, MalformedLinesNameTheFileLineAndField) {
  const malformed_case cases[] = {
      {"# c\nBM_A window=x allocs_per_event=1\n",
       "alloc-ceilings.txt:2: field 'window': expected a positive integer, got 'x'"},
      {"BM_A window=1024 allocs_per_event=-1\n",
       "alloc-ceilings.txt:1: field 'allocs_per_event': expected a non-negative decimal"},
      {"BM_A window=1024 allocs_per_event=1.5.2\n", "field 'allocs_per_event'"},
      {"BM_A allocs_per_event=1\n", "alloc-ceilings.txt:1: missing field 'window'"},
      {"BM_A window=1024\n", "missing field 'allocs_per_event'"},
      {"BM_A window=1024 allocs_per_event=1 colour=red\n", "unknown field 'colour'"},
      {"\"BM_A window=1024 allocs_per_event=1\n", "field 'benchmark': unterminated quoted"},
      {"Dump/canada / - window=1024 allocs_per_event=1\n", "expected key=value, got '/'"},
      {"BM_A window=1024 allocs_per_event=1 reason=\"open\n", "unterminated quoted value"},
      {"BM_A window=1024 allocs_per_event=1\nBM_A window=1024 allocs_per_event=2\n",
       "alloc-ceilings.txt:2: field 'benchmark': 'BM_A' is already listed at line 1"},
      {"BM_A window=1024 allocs_per_event=0.01 allocs_per_event=0.1\n",
       "alloc-ceilings.txt:1: field 'allocs_per_event' is given twice"},
      {"BM_A window=1024 window=512 allocs_per_event=1\n", "field 'window' is given twice"},
      {"BM_\x01"
       "A window=1024 allocs_per_event=1\n",
       "' is not a benchmark name"},
      {"BM_A\\B window=1024 allocs_per_event=1\n", "must be quoted"},
  };
  for (const auto& c : cases) {
    const std::string error = error_of([&] { registry_of(c.text); });
    EXPECT_NE(error.find(c.message), std::string::npos)
        << "input: " << c.text << "error: " << error;
  }
}

TEST(Registry, RenderKeepsCrlfLineEndings) {
  const std::string text = "# c\r\nBM_A window=1024 allocs_per_event=1.000000\r\n";
  EXPECT_EQ(registry_of(text).render(), text);
}

// A CR at the end of a comment in an LF file is the comment's own text: a rewrite keeps it
// (the fuzz target found rewrites eating one CR per round).
TEST(Registry, RenderKeepsACommentsOwnCarriageReturnInAnLfFile) {
  const std::string text = "# a\n# b\r\r\nBM_A window=1024 allocs_per_event=1.000000\n";
  EXPECT_EQ(registry_of(text).render(), text);
}

TEST(Registry, MissingFileIsAnError) {
  EXPECT_NE(error_of([] {
              ceiling_registry::load("/nonexistent/ceilings.txt");
            }).find("/nonexistent/ceilings.txt: cannot open"),
            std::string::npos);
}

TEST(Registry, CeilingsRoundUpToSixDecimals) {
  EXPECT_EQ(format_ceiling(round_up_6(0.1234561)), "0.123457");
  EXPECT_EQ(format_ceiling(round_up_6(0.123456)), "0.123456");
  EXPECT_EQ(format_ceiling(round_up_6(0)), "0.000000");
}

// ---- Google Benchmark JSON -----------------------------------------------------------------
TEST(GbenchResults, ReadsRepetitionsAndIgnoresAggregates) {
  const auto r = parse_gbench_results(gbench_json({{"BM_A", {10, 12, 11}}}), "r.json");
  EXPECT_EQ(r.repetitions("BM_A", "allocs/op"), (std::vector<double>{10, 12, 11}));
  EXPECT_EQ(r.keys(), std::vector<std::string>{"BM_A"});
  EXPECT_EQ(r.real_time_ns("BM_A").size(), 3u);
  EXPECT_DOUBLE_EQ(r.real_time_ns("BM_A")[0], 150'000.0);
}

TEST(GbenchResults, AcceptsTheNonFiniteLiteralsGoogleBenchmarkWrites) {
  // 1.7.1 prints the cv aggregate of an all-zero counter as a bare NaN.
  const auto r = parse_gbench_results(
      R"({"context": {"note": "NaN inside a string stays"}, "benchmarks": [
        {"name": "BM_A", "run_name": "BM_A", "run_type": "iteration", "real_time": 1,
         "cpu_time": 1, "time_unit": "ns", "allocs/op": 0, "window": 1024},
        {"name": "BM_A_cv", "run_name": "BM_A", "run_type": "aggregate", "aggregate_name": "cv",
         "real_time": 0.1, "cpu_time": 0.1, "time_unit": "ns", "allocs/op": NaN,
         "x": -nan, "y": inf, "z": -inf}]})",
      "r.json");
  EXPECT_EQ(r.context.at("note"), "NaN inside a string stays");
  EXPECT_EQ(r.repetitions("BM_A", "allocs/op"), std::vector<double>{0});
  EXPECT_EQ(r.entries[1].counters.count("allocs/op"), 0u);
}

TEST(GbenchResults, RejectsWhatIsNotGoogleBenchmarkJson) {
  EXPECT_NE(error_of([] {
              parse_gbench_results("{\"benchmarks\": [", "r.json");
            }).find("r.json:1: not valid JSON"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_gbench_results("{\n\"a\": 1,\n\"b\": }", "r.json");
            }).find("r.json:3: not valid JSON"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_gbench_results(R"({"results": []})", "r.json");
            }).find("not Google Benchmark JSON"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_gbench_results(R"({"context": {}, "benchmarks": [{"name": "BM_A"}]})",
                                   "r.json");
            }).find("field 'real_time' is missing"),
            std::string::npos);
}

TEST(GbenchResults, TextAfterANulByteIsNotIgnored) {
  // A JSON reader that stops at a NUL would gate the valid prefix and never see the rest.
  std::string text = R"({"context": {}, "benchmarks": []})";
  text += std::string("\0\n{\"garbage\"", 13);
  EXPECT_NE(error_of([&] {
              parse_gbench_results(text, "r.json");
            }).find("r.json:1: a NUL byte at offset 33"),
            std::string::npos)
      << error_of([&] { parse_gbench_results(text, "r.json"); });
}

TEST(Registry, AnErrorQuotingControlCharactersStaysOneBoundedLine) {
  // Each NUL prints as four characters: a field of them (the fuzzer's find) once made a
  // message of over 1,100 characters.
  std::string text = "BM_Ar24 ?";
  text += std::string(300, '\0');
  const std::string error = error_of([&] { ceiling_registry::parse(text, "r.txt"); });
  EXPECT_EQ(error.rfind("r.txt:1: ", 0), 0U) << error;
  EXPECT_LE(error.size(), 1000U) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(Registry, AControlCharacterInThePlatformStampIsRefused) {
  // Found by fuzz-smoke: CRs ending a platform line of an LF file did not survive a rewrite.
  const std::string error = error_of([] {
    ceiling_registry::parse("# c\nplatform compiler=gcc\r\r\n", "r.txt", "instr_per_event");
  });
  EXPECT_NE(error.find("r.txt:2: platform field 'compiler': control character"), std::string::npos)
      << error;
}

TEST(GbenchResults, DuplicateKeysAreRejected) {
  // A second "allocs/op" would silently win over the first and could pass the gate.
  const std::string error = error_of([] {
    parse_gbench_results(
        R"({"context": {}, "benchmarks": [
          {"name": "BM_A", "run_name": "BM_A", "run_type": "iteration", "real_time": 1,
           "cpu_time": 1, "time_unit": "ns", "allocs/op": 900, "window": 1024,
           "allocs/op": 0}]})",
        "r.json");
  });
  EXPECT_NE(error.find("r.json:4: key 'allocs/op' appears twice in one object"), std::string::npos)
      << error;
  EXPECT_NE(error_of([] {
              parse_gbench_results(R"({"context": {}, "context": {}, "benchmarks": []})", "r.json");
            }).find("key 'context' appears twice"),
            std::string::npos);
  // The same key in different objects is fine.
  EXPECT_EQ(parse_gbench_results(gbench_json({{"BM_A", {1, 1}}}), "r.json").entries.size(), 3u);
}

// ---- Median --------------------------------------------------------------------------------
TEST(Median, OddCountTakesTheMiddle) {
  const std::vector<double> v{5, 1, 3};
  EXPECT_DOUBLE_EQ(median(v), 3);
}

TEST(Median, EvenCountAveragesTheTwoMiddles) {
  const std::vector<double> v{4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(median(v), 2.5);
  const std::vector<double> one{7};
  EXPECT_DOUBLE_EQ(median(one), 7);
}

// ---- The gate ------------------------------------------------------------------------------
TEST(Gate, MeasuredEqualToTheCeilingPasses) {
  // 1536 allocs per 1024-event window = exactly 1.5 allocs/event.
  const auto report = check("BM_A window=1024 allocs_per_event=1.500000\n", {{"BM_A", {1536}}});
  ASSERT_EQ(report.rows.size(), 1u);
  EXPECT_EQ(report.rows[0].verdict, gate_verdict::ok);
  EXPECT_FALSE(report.breached());
}

TEST(Gate, ACeilingBelowTheMeasurementIsABreach) {
  const auto report = check("BM_A window=1024 allocs_per_event=1.499999\n", {{"BM_A", {1536}}});
  EXPECT_TRUE(report.breached());
  EXPECT_NE(render_text(report).find("BREACH BM_A: 1.500000 allocs/event > ceiling 1.499999"),
            std::string::npos)
      << render_text(report);
}

TEST(Gate, OneAllocationOverAZeroCeilingIsABreach) {
  // 1 allocation in 64 windows of 1024 events: 1/65536 per event.
  const auto report = check("BM_A window=1024 allocs_per_event=0\n", {{"BM_A", {1.0 / 64}}});
  EXPECT_TRUE(report.breached());
}

TEST(Gate, ALargeMeasurementOverALargeCeilingIsABreach) {
  // 9e14 allocs/event is 9e20 at the registry's precision: past any 64-bit integer.
  const auto report = check("BM_A window=1 allocs_per_event=1000000000\n", {{"BM_A", {9e14}, 1}});
  EXPECT_TRUE(report.breached());
}

TEST(Gate, CountsOutsideTheSaneRangeFailClosed) {
  const std::string error = error_of([] {
    check("BM_A window=1024 allocs_per_event=0.052153\n", {{"BM_A", {1e16}}});
  });
  EXPECT_NE(error.find("r.json: benchmark 'BM_A' repetition 0: counter 'allocs/op' is 1e+16"),
            std::string::npos)
      << error;
  EXPECT_NE(error_of([] {
              check("BM_A window=1024 allocs_per_event=1 bytes_per_event=1\n",
                    {{"BM_A", {1}, 1024, 1e300}});
            }).find("counter 'bytes/op'"),
            std::string::npos);
}

TEST(Registry, CeilingsOutsideTheSaneRangeAreRejected) {
  EXPECT_NE(error_of([] {
              registry_of("BM_A window=1024 allocs_per_event=1e20\n");
            }).find("alloc-ceilings.txt:1: field 'allocs_per_event': 1e20 is above "),
            std::string::npos);
  EXPECT_NE(error_of([] {
              registry_of("BM_A window=1024 allocs_per_event=1 bytes_per_event=1e20\n");
            }).find("alloc-ceilings.txt:1: field 'bytes_per_event'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              registry_of("BM_A window=99999999999 allocs_per_event=1\n");
            }).find("alloc-ceilings.txt:1: field 'window'"),
            std::string::npos);
}

TEST(Gate, UsesTheMedianOfOddAndEvenRepetitionCountsWhenAllowedToVary) {
  const gate_options varying = median_of_varying_repetitions();
  // Odd: median 2048 -> 2.0/event; an outlier repetition does not decide the verdict.
  EXPECT_FALSE(
      check("BM_A window=1024 allocs_per_event=2\n", {{"BM_A", {2048, 9000, 1024}}}, varying)
          .breached());
  // Even: (2048 + 3072) / 2 = 2560 -> 2.5/event.
  const auto report = check("BM_A window=1024 allocs_per_event=2.5\n",
                            {{"BM_A", {1024, 2048, 3072, 9000}}}, varying);
  EXPECT_DOUBLE_EQ(report.rows[0].allocs_per_event, 2.5);
  EXPECT_FALSE(report.breached());
  EXPECT_TRUE(check("BM_A window=1024 allocs_per_event=2.49\n",
                    {{"BM_A", {1024, 2048, 3072, 9000}}}, varying)
                  .breached());
}

TEST(Gate, RepetitionsThatDisagreeFailClosedByDefault) {
  // Counts are deterministic: two breaching repetitions out of five must not hide behind
  // the median.
  const std::string error = error_of([] {
    check("BM_A window=1024 allocs_per_event=1\n", {{"BM_A", {1024, 1024, 1024, 99999, 99999}}});
  });
  EXPECT_NE(error.find("made between 1024 and 99999 allocs/op over its 5 repetitions"),
            std::string::npos)
      << error;
}

TEST(Gate, UnreadableOrImpossibleCountersFailClosed) {
  const std::string registry = "BM_A window=1024 allocs_per_event=1\n";
  const auto with_entry = [](const std::string& fields) {
    return R"({"context": {}, "benchmarks": [{"name": "BM_A", "run_name": "BM_A",
      "run_type": "iteration", "repetition_index": 0, "real_time": 1, "cpu_time": 1,
      "time_unit": "ns", )" +
           fields + "}]}";
  };
  const std::pair<std::string, std::string> cases[] = {
      {R"("allocs/op": -5000, "window": 1024)",
       "counter 'allocs/op' is -5000, expected a non-negative"},
      {R"("allocs/op": NaN, "window": 1024)", "counter 'allocs/op' is null, not a finite number"},
      {R"("allocs/op": "12", "window": 1024)", "counter 'allocs/op' is \"12\""},
      {R"("allocs/op": 10, "window": NaN)", "counter 'window' is null"},
      {R"("allocs/op": 10, "window": 1024.5)", "window of 1024.5 events"},
      {R"("allocs/op": 10, "window": 1e300)", "window of 1e+300 events"},
  };
  for (const auto& c : cases) {
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    const std::string& fields = c.first;
    const std::string& message = c.second;
    const std::string error = error_of([&] {
      check_allocations(registry_of(registry), parse_gbench_results(with_entry(fields), "r.json"));
    });
    EXPECT_NE(error.find(message), std::string::npos) << fields << "\n" << error;
  }
  // A repetition that lacks the window counter while the others publish it.
  const std::string missing = R"({"context": {}, "benchmarks": [
    {"name": "BM_A", "run_name": "BM_A", "run_type": "iteration", "repetition_index": 0,
     "real_time": 1, "cpu_time": 1, "time_unit": "ns", "allocs/op": 10, "window": 1024},
    {"name": "BM_A", "run_name": "BM_A", "run_type": "iteration", "repetition_index": 1,
     "real_time": 1, "cpu_time": 1, "time_unit": "ns", "allocs/op": 10}]})";
  EXPECT_NE(error_of([&] {
              check_allocations(registry_of(registry), parse_gbench_results(missing, "r.json"));
            })
                .find("repetition 1: no 'window' counter (1 unit of work per iteration) but its "
                      "ceiling (registry line 1) is for a window of 1024"),
            std::string::npos);
}

TEST(Gate, ABenchmarkPublishingAllocationsWithoutACeilingFailsClosed) {
  const std::string results = R"({"context": {}, "benchmarks": [
    {"name": "BM_B", "run_name": "BM_B", "run_type": "iteration", "real_time": 1,
     "cpu_time": 1, "time_unit": "ns", "allocs/op": 5000}]})";
  EXPECT_NE(error_of([&] {
              check_allocations(registry_of(""), parse_gbench_results(results, "r.json"));
            }).find("r.json: benchmark 'BM_B' publishes allocation counters but has no ceiling"),
            std::string::npos);
}

// Without the units counter a benchmark is gated per iteration (window 1), any name allowed.
TEST(Gate, WithoutAWindowCounterTheCeilingIsPerIteration) {
  const std::string results = R"({"context": {}, "benchmarks": [
    {"name": "Dump/canada / -", "run_name": "Dump/canada / -", "run_type": "iteration",
     "real_time": 1, "cpu_time": 1, "time_unit": "ns", "allocs/op": 3},
    {"name": "Parse", "run_name": "Parse", "run_type": "iteration", "real_time": 1,
     "cpu_time": 1, "time_unit": "ns", "items": 4, "allocs": 2}]})";
  gate_options options;
  const gate_report per_op =
      check_allocations(registry_of("\"Dump/canada / -\" window=1 allocs_per_event=3\n"),
                        parse_gbench_results(results, "r.json"), options);
  ASSERT_EQ(per_op.rows.size(), 1u);
  EXPECT_EQ(per_op.rows[0].verdict, gate_verdict::ok);
  EXPECT_EQ(per_op.ungated, std::vector<std::string>{"Parse"});
  // Other counter names: allocations per item.
  options.counters = {"allocs", "bytes", "items"};
  options.filter = "^Parse$";
  const gate_report per_item =
      check_allocations(registry_of("Parse window=4 allocs_per_event=0.4\n"),
                        parse_gbench_results(results, "r.json"), options);
  ASSERT_EQ(per_item.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(per_item.rows[0].allocs_per_event, 0.5);
  EXPECT_EQ(per_item.rows[0].verdict, gate_verdict::breach);
}

TEST(Gate, InitRecordsEveryBenchmarkPublishingAllocations) {
  const std::string results = R"({"context": {}, "benchmarks": [
    {"name": "A b", "run_name": "A b", "run_type": "iteration", "real_time": 1,
     "cpu_time": 1, "time_unit": "ns", "allocs/op": 300, "window": 100},
    {"name": "Listed", "run_name": "Listed", "run_type": "iteration", "real_time": 1,
     "cpu_time": 1, "time_unit": "ns", "allocs/op": 1},
    {"name": "Free", "run_name": "Free", "run_type": "iteration", "real_time": 1,
     "cpu_time": 1, "time_unit": "ns", "allocs/op": 0},
    {"name": "Timing", "run_name": "Timing", "run_type": "iteration", "real_time": 1,
     "cpu_time": 1, "time_unit": "ns"}]})";
  const ceiling_registry registry = registry_of("Listed window=1 allocs_per_event=1\n");
  const std::vector<ceiling> added = initial_ceilings(
      registry, parse_gbench_results(results, "r.json"), make_gate_options(1.0, false));
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added[0].benchmark, "A b");
  EXPECT_EQ(added[0].window, 100);
  EXPECT_DOUBLE_EQ(added[0].allocs_per_event, 3.03);
  EXPECT_EQ(added[1].benchmark, "Free");
  EXPECT_EQ(added[1].window, 1);
  EXPECT_DOUBLE_EQ(added[1].allocs_per_event, 0);
}

TEST(Registry, NamesThatNeedQuotingRoundTrip) {
  ceiling_registry r = registry_of("# c\n");
  for (const std::string name : {"Dump/canada / -", "say \"hi\"", "a\\b", "#x", "k=v", "BM_X/8"}) {
    ceiling c;
    c.benchmark = name;
    c.window = 1;
    r.add(c);
  }
  const ceiling_registry again = registry_of(r.render());
  ASSERT_EQ(again.ceilings().size(), 6u);
  for (std::size_t i = 0; i < 6; ++i)
    EXPECT_EQ(again.ceilings()[i].benchmark, r.ceilings()[i].benchmark);
  EXPECT_NE(r.render().find("\n\"Dump/canada / -\" "), std::string::npos) << r.render();
  EXPECT_NE(r.render().find("\nBM_X/8 "), std::string::npos) << r.render();
}

TEST(Gate, ABenchmarkWithOnlyUnreadableCountersIsStillSeenAsUngated) {
  const std::string results = R"({"context": {}, "benchmarks": [
    {"name": "BM_B", "run_name": "BM_B", "run_type": "iteration", "real_time": 1,
     "cpu_time": 1, "time_unit": "ns", "allocs/op": NaN, "window": 1024}]})";
  EXPECT_NE(error_of([&] {
              check_allocations(registry_of(""), parse_gbench_results(results, "r.json"));
            }).find("'BM_B' publishes allocation counters but has no ceiling"),
            std::string::npos);
}

TEST(GbenchResults, KeysDropOnlyWhatTheLibraryAppends) {
  EXPECT_EQ(benchmark_key("BM_A/iterations:64/repeats:5"), "BM_A");
  EXPECT_EQ(benchmark_key("BM_A/8/iterations:64"), "BM_A/8");
  EXPECT_EQ(benchmark_key("BM_A/8/16/real_time/threads:2"), "BM_A/8/16");
  EXPECT_EQ(benchmark_key("BM_A/min_time:0.100/manual_time"), "BM_A");
}

TEST(Gate, ABytesCeilingIsGatedToo) {
  fake_benchmark b{"BM_A", {1024}, 1024, 2048};  // 2 bytes/event
  EXPECT_FALSE(check("BM_A window=1024 allocs_per_event=1 bytes_per_event=2\n", {b}).breached());
  EXPECT_TRUE(check("BM_A window=1024 allocs_per_event=1 bytes_per_event=1.9\n", {b}).breached());
}

TEST(Gate, AGatedBenchmarkWithoutAMeasurementFailsClosed) {
  const std::string error = error_of([] {
    check("BM_A window=1024 allocs_per_event=1\nBM_B window=1024 allocs_per_event=1\n",
          {{"BM_A", {1024}}});
  });
  EXPECT_NE(error.find("gated benchmark 'BM_B' (registry line 2) has no 'allocs/op' measurement"),
            std::string::npos)
      << error;
}

TEST(Gate, AnUngatedDetectorBenchmarkFailsClosed) {
  const std::string error = error_of([] {
    check("BM_A window=1024 allocs_per_event=1\n", {{"BM_A", {1024}}, {"BM_New", {5}}});
  });
  EXPECT_NE(error.find("benchmark 'BM_New' publishes allocation counters but has no ceiling"),
            std::string::npos)
      << error;
}

TEST(Gate, AWindowMismatchFailsClosed) {
  const std::string error = error_of([] {
    check("BM_A window=1024 allocs_per_event=1\n", {{"BM_A", {512}, 512}});
  });
  EXPECT_NE(
      error.find("ran with a window of 512 events but its ceiling (registry line 1) is for 1024"),
      std::string::npos)
      << error;
}

TEST(Gate, SuggestsTighteningWhenWellUnderTheCeiling) {
  const auto report = check("BM_A window=1024 allocs_per_event=4\n", {{"BM_A", {1024}}});
  EXPECT_EQ(report.rows[0].verdict, gate_verdict::well_under);
  EXPECT_DOUBLE_EQ(report.rows[0].tightened, 1.01);
  EXPECT_NE(render_text(report).find("`ratchet tighten`"), std::string::npos);
  // Within slack: no nagging.
  EXPECT_EQ(check("BM_A window=1024 allocs_per_event=1.01\n", {{"BM_A", {1024}}}).rows[0].verdict,
            gate_verdict::ok);
}

TEST(Gate, TightenedCeilingAddsTheSlackAndRoundsUp) {
  EXPECT_DOUBLE_EQ(tightened_ceiling(1.0, 1.0), 1.01);
  EXPECT_DOUBLE_EQ(tightened_ceiling(0.0, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(tightened_ceiling(15.27, 0.0), 15.27);
}

TEST(Gate, MarkdownHasAVerdictHeadingAndATable) {
  const std::string md =
      render_markdown(check("BM_A window=1024 allocs_per_event=1\n", {{"BM_A", {2048}}}));
  EXPECT_NE(md.find("### Allocation gate: ❌ breach"), std::string::npos) << md;
  EXPECT_NE(md.find("| `BM_A` | 2.000000 | 1.000000 |"), std::string::npos) << md;
}

// ---- Subcommand rules (commands.h) ---------------------------------------------------------
TEST(Explain, DetectorNamesMapToTheirBenchmarks) {
  EXPECT_EQ(detector_benchmark_name("pod_evicted"), "BM_PodEvictedDetector");
  EXPECT_EQ(detector_benchmark_name("xid_correlation"), "BM_XidCorrelationDetector");
  EXPECT_EQ(detector_benchmark_name("BM_HbmEccDetectorCold"), std::nullopt);
  // Any other name is a benchmark's own: nothing is appended to it.
  EXPECT_EQ(detector_benchmark_name("Dump/canada / -"), std::nullopt);
  EXPECT_EQ(detector_benchmark_name("ParseTwitter"), std::nullopt);
}

TEST(Options, SlackMustBeAPercentage) {
  EXPECT_EQ(make_gate_options(5, true).slack_percent, 5);
  EXPECT_TRUE(make_gate_options(0, true).allow_nondeterministic);
  EXPECT_EQ(error_of([] { make_gate_options(-50, false); }),
            "--slack-percent must be between 0 and 100, got -50");
  EXPECT_NE(error_of([] { make_gate_options(101, false); }), "(no error)");
  EXPECT_NE(error_of([] { make_gate_options(std::nan(""), false); }), "(no error)");
}

// Tighten over a registry and results given as text; returns the changes and the new file.
std::pair<std::vector<ceiling_change>, std::string> tighten(
    const std::string& registry_text, const std::vector<fake_benchmark>& results,
    const std::vector<std::string>& only = {}) {
  ceiling_registry registry = registry_of(registry_text);
  const gbench_results r = parse_gbench_results(gbench_json(results), "r.json");
  const gate_report report = check_allocations(registry, r);
  auto changes = tighten_ceilings(registry, report, r, default_slack_percent, only);
  return {changes, registry.render()};
}

TEST(Tighten, LowersACeilingWellAboveTheMeasurement) {
  const auto [changes, text] =
      tighten("BM_A window=1024 allocs_per_event=5\n", {{"BM_A", {2048, 2048, 2048}}});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].field, "allocs_per_event");
  EXPECT_EQ(changes[0].from, 5);
  EXPECT_EQ(changes[0].to, 2.02);
  EXPECT_EQ(text, "BM_A window=1024 allocs_per_event=2.020000\n");
}

TEST(Tighten, NeverRaisesABreachedCeiling) {
  const auto [changes, text] =
      tighten("BM_A window=1024 allocs_per_event=1\n", {{"BM_A", {2048, 2048, 2048}}});
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(text, "BM_A window=1024 allocs_per_event=1.000000\n");
}

TEST(Tighten, OnlyTouchesTheSelectedBenchmarks) {
  const auto [changes, text] =
      tighten("BM_A window=1024 allocs_per_event=5\nBM_B window=1024 allocs_per_event=5\n",
              {{"BM_A", {0}}, {"BM_B", {0}}}, {"BM_B"});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].benchmark, "BM_B");
  EXPECT_NE(text.find("BM_A window=1024 allocs_per_event=5.000000"), std::string::npos) << text;
}

TEST(Tighten, OnlyNamingAnUnknownBenchmarkIsAnError) {
  EXPECT_EQ(error_of([] {
              tighten("BM_A window=1024 allocs_per_event=5\n", {{"BM_A", {0}}}, {"BM_Typo"});
            }),
            "--only: 'BM_Typo' has no ceiling in the registry");
}

TEST(Tighten, LowersABytesCeilingToo) {
  fake_benchmark b{"BM_A", {1024}};
  b.bytes_per_op = 1024 * 10;
  const auto [changes, text] =
      tighten("BM_A window=1024 allocs_per_event=1 bytes_per_event=100\n", {b});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].field, "bytes_per_event");
  EXPECT_EQ(changes[0].to, 10.1);
}

raise_request raise_of(std::string benchmark, double value, std::string reason) {
  return raise_request{std::move(benchmark), value, std::move(reason), 1024};
}

TEST(Raise, RaisesWithAReasonAndRecordsIt) {
  ceiling_registry r = registry_of("BM_A window=1024 allocs_per_event=2\n");
  const raise_result result = raise_ceiling(r, raise_of("BM_A", 3, "parser keeps a copy"));
  EXPECT_FALSE(result.added);
  EXPECT_EQ(result.previous, 2);
  EXPECT_EQ(result.value, 3);
  EXPECT_EQ(r.render(),
            "BM_A window=1024 allocs_per_event=3.000000 reason=\"parser keeps a copy\"\n");
}

TEST(Raise, RecordsANewBenchmarksFirstCeiling) {
  ceiling_registry r = registry_of("BM_A window=1024 allocs_per_event=2\n");
  raise_request q = raise_of("BM_New", 1.5, "new detector");
  q.window = 512;
  EXPECT_TRUE(raise_ceiling(r, q).added);
  ASSERT_NE(r.find("BM_New"), nullptr);
  EXPECT_EQ(r.find("BM_New")->window, 512);
}

TEST(Raise, RefusesWhatIsNotARaiseWithAReason) {
  const auto refused = [](raise_request q) {
    ceiling_registry r = registry_of("BM_A window=1024 allocs_per_event=2\n");
    const std::string before = r.render();
    const std::string e = error_of([&] { raise_ceiling(r, q); });
    EXPECT_EQ(r.render(), before);
    return e;
  };
  EXPECT_EQ(refused(raise_of("BM_A", 3, "")),
            "ratchet raise: --reason is required and must say why the ceiling goes up");
  EXPECT_EQ(refused(raise_of("BM_A", 3, " \t")),
            "ratchet raise: --reason is required and must say why the ceiling goes up");
  EXPECT_EQ(refused(raise_of("BM_A", 3, "a\nb")),
            "ratchet raise: --reason must be one line (no control characters)");
  EXPECT_EQ(refused(raise_of("BM_A", 1, "x")),
            "ratchet raise: 1.000000 is not above the current ceiling 2.000000 of BM_A (lowering "
            "is `ratchet tighten`)");
  EXPECT_EQ(refused(raise_of("BM_A", 2, "x")),
            "ratchet raise: 2.000000 is not above the current ceiling 2.000000 of BM_A (lowering "
            "is `ratchet tighten`)");
  EXPECT_NE(refused(raise_of("BM_A", -1, "x")).find("VALUE must be a number between 0 and 1e9"),
            std::string::npos);
  EXPECT_NE(refused(raise_of("BM_A", 2e9, "x")).find("VALUE must be"), std::string::npos);
  EXPECT_NE(refused(raise_of("BM_A", std::nan(""), "x")).find("VALUE must be"), std::string::npos);
  raise_request zero_window = raise_of("BM_B", 1, "x");
  zero_window.window = 0;
  EXPECT_EQ(refused(zero_window),
            "ratchet raise: --window must be between 1 and 1000000000, got 0");
  raise_request other_window = raise_of("BM_A", 3, "x");
  other_window.window = 512;
  EXPECT_NE(refused(other_window).find("--window 512 differs from the registry's window 1024"),
            std::string::npos);
  raise_request unset_window = raise_of("BM_A", 3, "x");
  unset_window.window.reset();
  ceiling_registry r = registry_of("BM_A window=1024 allocs_per_event=2\n");
  EXPECT_FALSE(raise_ceiling(r, unset_window).added);
  EXPECT_NE(refused(raise_of("", 1, "x")).find("is not a benchmark name"), std::string::npos);
  EXPECT_NE(refused(raise_of("BM_X\nBM_Y window=1", 1, "x")).find("is not a benchmark name"),
            std::string::npos);
  EXPECT_NE(refused(raise_of(std::string(max_name_bytes + 1, 'a'), 1, "x"))
                .find("is not a benchmark name"),
            std::string::npos);
}

// Any Google Benchmark name can be raised; one that would break the line is written quoted.
TEST(Raise, NamesThatNeedQuotingAreRecordedQuoted) {
  for (const std::string name : {"PodEvicted", "BM_X window=1 #", "Dump/canada / -"}) {
    ceiling_registry r = registry_of("BM_A window=1024 allocs_per_event=2\n");
    EXPECT_TRUE(raise_ceiling(r, raise_of(name, 1, "x")).added);
    const ceiling_registry again = registry_of(r.render());
    ASSERT_NE(again.find(name), nullptr) << r.render();
    EXPECT_EQ(again.find(name)->allocs_per_event, 1.0);
  }
}

TEST(Raise, ArgumentsAreParsedStrictly) {
  EXPECT_EQ(parse_ceiling_argument("1.25"), 1.25);
  EXPECT_EQ(parse_window_argument("512"), 512);
  for (const std::string bad : {"", "0x10", "1.5x", " 1", "1,5"})
    EXPECT_NE(error_of([&] { parse_ceiling_argument(bad); }).find("VALUE must be"),
              std::string::npos)
        << bad;
  for (const std::string bad : {"", "0x10", "1e20", "0", "-3", "99999999999"})
    EXPECT_NE(error_of([&] { parse_window_argument(bad); }).find("--window must be"),
              std::string::npos)
        << bad;
}

// Real processes, each running `ratchet raise` on one shared registry at the same time: every
// update must survive (a read-modify-write without a lock keeps only some of them).
TEST(Raise, ParallelRaisesOnOneRegistryLoseNoUpdate) {
  std::string pattern = (std::filesystem::temp_directory_path() / "ratchet_lock.XXXXXX").string();
  const std::filesystem::path dir = ::mkdtemp(pattern.data());
  const std::string registry = (dir / "alloc-ceilings.txt").string();
  constexpr int rounds = 5, writers = 8;
  for (int round = 0; round < rounds; ++round) {
    std::ofstream(registry) << "# ceilings\n";
    std::vector<pid_t> children;
    for (int i = 0; i < writers; ++i) {
      const pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        const std::vector<std::string> args{
            "raise", fmt::format("BM_P{}", i), "1", "--reason", "parallel", "--registry", registry};
        std::ostringstream out, err;
        ::_exit(tools::ratchet::run(args, out, err));
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    const ceiling_registry r = ceiling_registry::load(registry);
    ASSERT_EQ(r.ceilings().size(), static_cast<std::size_t>(writers)) << "round " << round;
  }
  std::filesystem::remove_all(dir);
}

// The same for tighten: each process lowers its own benchmark (--only), all at once.
TEST(Tighten, ParallelTightensOnOneRegistryLoseNoUpdate) {
  std::string pattern = (std::filesystem::temp_directory_path() / "ratchet_lock.XXXXXX").string();
  const std::filesystem::path dir = ::mkdtemp(pattern.data());
  const std::string registry = (dir / "alloc-ceilings.txt").string();
  const std::string results = (dir / "r.json").string();
  constexpr int rounds = 5, writers = 8;
  std::vector<fake_benchmark> measured;
  std::string ceilings;
  for (int i = 0; i < writers; ++i) {
    measured.push_back({fmt::format("BM_P{}", i), {0}});
    ceilings += fmt::format("BM_P{} window=1024 allocs_per_event=5\n", i);
  }
  std::ofstream(results) << gbench_json(measured);
  for (int round = 0; round < rounds; ++round) {
    std::ofstream(registry) << ceilings;
    std::vector<pid_t> children;
    for (int i = 0; i < writers; ++i) {
      const pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        const std::vector<std::string> args{"tighten",   "--only", fmt::format("BM_P{}", i),
                                            "--results", results,  "--registry",
                                            registry};
        std::ostringstream out, err;
        ::_exit(tools::ratchet::run(args, out, err));
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    const ceiling_registry r = ceiling_registry::load(registry);
    for (const ceiling& c : r.ceilings())
      EXPECT_EQ(c.allocs_per_event, 0) << c.benchmark << " in round " << round;
  }
  std::filesystem::remove_all(dir);
}

TEST(Cli, AWriteThatFailsPrintsNoDiff) {
  std::string pattern = (std::filesystem::temp_directory_path() / "ratchet_ro.XXXXXX").string();
  const std::filesystem::path dir = ::mkdtemp(pattern.data());
  const std::string registry = (dir / "alloc-ceilings.txt").string();
  const std::string results = (dir / "r.json").string();
  std::ofstream(registry) << "BM_A window=1024 allocs_per_event=5\n";
  std::ofstream(results) << gbench_json({{"BM_A", {1024}}});
  std::filesystem::permissions(registry, std::filesystem::perms::owner_read |
                                             std::filesystem::perms::group_read |
                                             std::filesystem::perms::others_read);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"tighten", "--registry", registry, "--results", results},
        std::vector<std::string>{"raise", "BM_A", "9", "--reason", "x", "--registry", registry}}) {
    std::ostringstream out, err;
    EXPECT_EQ(tools::ratchet::run(args, out, err), 2) << args[0];
    EXPECT_EQ(out.str(), "") << args[0];
    EXPECT_NE(err.str().find("is read-only"), std::string::npos) << err.str();
  }
  std::filesystem::remove_all(dir);
}

// ---- explain: which code is the project's ---------------------------------------------------
TEST(Explain, ProjectCodeIsWhatLiesUnderASourceRoot) {
  const code_roots roots{{"/src/allocgate", "/src/extra/"}, "alloc_hooks", {}};
  EXPECT_EQ(roots.project_relative("/src/allocgate/detectors/src/pod_evicted.cpp"),
            "detectors/src/pod_evicted.cpp");
  EXPECT_EQ(roots.project_relative("/src/allocgate/build/detectors/../../detectors/src/a.cpp"),
            "detectors/src/a.cpp");
  EXPECT_EQ(roots.project_relative("/src/extra/lib/x.h"), "lib/x.h");
  EXPECT_EQ(roots.project_relative("/src/allocgate-other/detectors/a.cpp"), std::nullopt);
  EXPECT_EQ(roots.project_relative("/usr/include/c++/12/bits/basic_string.h"), std::nullopt);
  EXPECT_EQ(roots.project_relative("??"), std::nullopt);
  EXPECT_EQ(roots.project_relative("detectors/src/relative.cpp"), std::nullopt);
}

TEST(Explain, TheMostSpecificRootWins) {
  const code_roots roots{{"/src", "/src/allocgate"}, "", {}};
  EXPECT_EQ(roots.project_relative("/src/allocgate/tools/x.cpp"), "tools/x.cpp");
}

TEST(Explain, TheHookFolderIsRecognisedUnderEveryRoot) {
  const code_roots roots{{"/src/allocgate", "/elsewhere"}, "alloc_hooks", {}};
  EXPECT_TRUE(roots.is_hook("/src/allocgate/alloc_hooks/src/hook.cpp"));
  EXPECT_TRUE(roots.is_hook("/elsewhere/alloc_hooks/src/attribution.cpp"));
  EXPECT_FALSE(roots.is_hook("/other/alloc_hooks/src/hook.cpp"));
  EXPECT_FALSE(roots.is_hook("/src/allocgate/detectors/src/alloc_hooks.cpp"));
  EXPECT_FALSE((code_roots{{"/src/allocgate"}, "", {}}.is_hook("/src/allocgate/x.cpp")));
}

TEST(Explain, AnExpandedLibraryFolderIsProjectCodeNamedFromItsFolder) {
  const code_roots roots{{"/src/app"}, "", {"/usr/include/nlohmann/"}};
  EXPECT_EQ(roots.project_relative("/usr/include/nlohmann/detail/input/json_sax.hpp"),
            "nlohmann/detail/input/json_sax.hpp");
  EXPECT_EQ(roots.project_relative("/usr/include/c++/12/bits/stl_map.h"), std::nullopt);
  EXPECT_EQ(roots.project_relative("/src/app/bench.cpp"), "bench.cpp");
}

TEST(Explain, TheDefaultRootIsTheSourceDirOfTheBinarysCMakeBuild) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "ratchet-cmake-build";
  std::filesystem::create_directories(dir / "bench");
  {
    std::ofstream cache(dir / "CMakeCache.txt");
    cache << "# comment\nCMAKE_HOME_DIRECTORY:INTERNAL=/home/user/project\n";
  }
  EXPECT_EQ(code_roots::cmake_source_dir_of((dir / "bench" / "my_bench").string()),
            "/home/user/project");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(code_roots::cmake_source_dir_of("/nonexistent-dir/x/y/bench"), std::nullopt);
}

TEST(Explain, TheFilterRunsExactlyTheNamedBenchmark) {
  EXPECT_EQ(exact_benchmark_filter("BM_A"), "^BM_A(/|$)");
  EXPECT_EQ(exact_benchmark_filter("Dump/canada / -"), "^Dump/canada / -(/|$)");
  EXPECT_EQ(exact_benchmark_filter("f(x).y*[2]"), "^f\\(x\\)\\.y\\*\\[2\\](/|$)");
}

TEST(Explain, TheBuildsRootsAreThisSourceTree) {
  const code_roots roots = code_roots::of_build();
  ASSERT_EQ(roots.roots.size(), 1u);
  const std::string this_file = roots.roots[0] + "/tools/ratchet/ratchet_test.cpp";
  EXPECT_TRUE(std::filesystem::exists(this_file)) << this_file;
  EXPECT_EQ(roots.project_relative(this_file), "tools/ratchet/ratchet_test.cpp");
  EXPECT_FALSE(roots.hook_folder.empty());
}

TEST(Explain, ShortFunctionNamesDropTemplatesArgumentsAndReturnTypes) {
  EXPECT_EQ(short_function("std::pair<int, int> std::unordered_map<int, int>::emplace<int>(int&&)"),
            "std::unordered_map::emplace");
  EXPECT_EQ(short_function("detectors::(anonymous namespace)::parse_uid(std::string_view)"),
            "detectors::parse_uid");
  EXPECT_EQ(short_function("std::enable_if<true, std::string&>::type "
                           "std::__cxx11::basic_string<char>::operator+=<std::string_view>("
                           "std::string_view const&)"),
            "std::basic_string::operator+=");
  EXPECT_EQ(short_function("bool operator<<(std::ostream&, int)"), "operator<<");
  EXPECT_EQ(short_function("a::b::operator()(int) const"), "a::b::operator()");
}

// The attribution file of explain is alloc_hooks' own format; explain only adds symbols.
TEST(Explain, SitesOutsideProjectCodeAreNamedSo) {
  alloc_hooks::attribution_file::contents c;
  c.events = 4;
  c.sites.push_back({8, 64, {{0x10, "?"}}});
  const explanation e = explain_attribution(c, "BM_A", 8, code_roots{{"/src"}, "", {}});
  EXPECT_EQ(e.allocs, 8u);
  EXPECT_EQ(e.per_event(e.allocs), 2.0);
  ASSERT_EQ(e.sites.size(), 1u);
  EXPECT_EQ(e.sites[0].function, "(outside project code)");
}

// ---- The same registry and gate for instructions per event (--metric instr) ----

std::string instr_json(const std::string& platform, double instr_per_op) {
  return fmt::format(
      R"({{"context": {{"instr_platform": "{}"}}, "benchmarks": [{{"name": "BM_ADetector",
  "run_name": "BM_ADetector", "run_type": "iteration", "repetitions": 1, "repetition_index": 0,
  "iterations": 16, "real_time": 0, "cpu_time": 0, "time_unit": "ns", "window": 1024,
  "instr/op": {}, "instr/event": {}}}]}})",
      platform, instr_per_op, instr_per_op / 1024);
}

const std::string stamped_registry =
    "# instructions\n"
    "platform compiler=gcc-12.2.0 flags=\"-O2 -g\" valgrind=3.19.0\n"
    "BM_ADetector window=1024 instr_per_event=1000.000000\n";

TEST(InstrRegistry, ReadsTheMetricsFieldAndThePlatformStampAndRoundTrips) {
  const auto r = ceiling_registry::parse(stamped_registry, "instr.txt", "instr_per_event");
  ASSERT_EQ(r.ceilings().size(), 1u);
  EXPECT_EQ(r.ceilings()[0].allocs_per_event, 1000.0);
  ASSERT_EQ(r.platform().size(), 3u);
  EXPECT_EQ(r.platform()[1], std::make_pair(std::string("flags"), std::string("-O2 -g")));
  EXPECT_EQ(r.platform_line(), 2);
  EXPECT_EQ(r.render(), stamped_registry);
  // The allocation registry's field is not the instruction registry's, and vice versa.
  EXPECT_THROW(ceiling_registry::parse(stamped_registry, "instr.txt"), input_error);
  EXPECT_THROW(ceiling_registry::parse(stamped_registry + "platform a=b\n", "i", "instr_per_event"),
               input_error);
}

TEST(InstrGate, VaryingCountsPointAtTheInstructionExplanation) {
  // The allocation gate's `ratchet explain` knows nothing of instructions.
  const auto registry = ceiling_registry::parse(
      "platform compiler=x\nBM_ADetector window=1024 instr_per_event=1000\n", "instr.txt",
      "instr_per_event");
  const gbench_results results = parse_gbench_results(
      R"({"context": {"instr_platform": "compiler=x"}, "benchmarks": [
      {"name": "BM_ADetector", "run_type": "iteration", "repetition_index": 0,
       "iterations": 16, "real_time": 0, "cpu_time": 0, "time_unit": "ns", "window": 1024,
       "instr/op": 1024000},
      {"name": "BM_ADetector", "run_type": "iteration", "repetition_index": 1,
       "iterations": 16, "real_time": 0, "cpu_time": 0, "time_unit": "ns", "window": 1024,
       "instr/op": 1024001}]})",
      "r.json");
  gate_options o;
  o.gated = &instr_metric;
  try {
    check_allocations(registry, results, o);
    ADD_FAILURE() << "varying instruction counts were gated";
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find("find the varying function with `make bench-instr-explain "
                                         "BENCHMARK=BM_ADetector`"),
              std::string::npos)
        << e.what();
  }
}

TEST(InstrRegistry, HasNoBytesCeiling) {
  // Instructions have no second ceiling: a bytes_per_event there would never be checked.
  try {
    ceiling_registry::parse("BM_A window=1024 instr_per_event=1 bytes_per_event=3\n", "i",
                            "instr_per_event");
    ADD_FAILURE() << "a bytes ceiling on an instruction line was accepted";
  } catch (const input_error& e) {
    EXPECT_STREQ(e.what(),
                 "i:1: unknown field 'bytes_per_event' (expected window, instr_per_event, reason)");
  }
  EXPECT_NO_THROW(
      ceiling_registry::parse("BM_A window=1024 allocs_per_event=1 bytes_per_event=3\n", "a"));
}

TEST(InstrRegistry, SetPlatformAddsTheLineAfterTheLeadingComments) {
  auto r = ceiling_registry::parse("# c\n# d\nBM_A window=1024 instr_per_event=1\n", "i",
                                   "instr_per_event");
  r.set_platform({{"compiler", "gcc-12.2.0"}, {"flags", "-O2 -g"}});
  EXPECT_EQ(r.render(),
            "# c\n# d\nplatform compiler=gcc-12.2.0 flags=\"-O2 -g\"\n"
            "BM_A window=1024 instr_per_event=1.000000\n");
}

gate_report check_instr(const std::string& registry_text, const std::string& results_json) {
  const auto registry = ceiling_registry::parse(registry_text, "instr.txt", "instr_per_event");
  const auto results = parse_gbench_results(results_json, "r.json");
  check_platform(registry, results, instr_metric, "instr.txt");
  gate_options o;
  o.gated = &instr_metric;
  o.slack_percent = instr_metric.default_slack_percent;
  return check_allocations(registry, results, o);
}

const std::string here = R"(compiler=gcc-12.2.0 flags=\"-O2 -g\" valgrind=3.19.0)";

TEST(InstrGate, MeasuredEqualToTheCeilingPassesAndOneMoreInstructionPerEventBreaches) {
  EXPECT_FALSE(check_instr(stamped_registry, instr_json(here, 1000.0 * 1024)).breached());
  const gate_report over = check_instr(stamped_registry, instr_json(here, 1001.0 * 1024));
  ASSERT_TRUE(over.breached());
  EXPECT_NE(render_text(over).find("BREACH BM_ADetector: 1001.000000 instr/event > ceiling "
                                   "1000.000000\n  by function: make bench-instr-explain "
                                   "BENCHMARK=BM_ADetector"),
            std::string::npos)
      << render_text(over);
  EXPECT_EQ(render_text(over).find("bytes/event"), std::string::npos);
  EXPECT_NE(render_markdown(over).find("### Instruction gate: ❌ breach"), std::string::npos);
}

TEST(InstrGate, AnotherPlatformOrNoStampFailsClosed) {
  const auto message = [](const std::string& registry, const std::string& json) {
    try {
      check_instr(registry, json);
    } catch (const input_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string other = R"(compiler=clang-14.0.6 flags=\"-O2 -g\" valgrind=3.19.0)";
  EXPECT_NE(message(stamped_registry, instr_json(other, 1024))
                .find("instr.txt:2: field 'platform': the ceilings were recorded on another "
                      "platform; compiler: registry 'gcc-12.2.0', results 'clang-14.0.6'"),
            std::string::npos);
  const std::string extra = R"(compiler=gcc-12.2.0 flags=\"-O2 -g\" valgrind=3.19.0 isa=x)";
  EXPECT_NE(message(stamped_registry, instr_json(extra, 1024))
                .find("isa: registry '(none)', results 'x'"),
            std::string::npos);
  EXPECT_NE(message("BM_ADetector window=1024 instr_per_event=1\n", instr_json(here, 1024))
                .find("the registry has no platform stamp"),
            std::string::npos);
  EXPECT_NE(message(stamped_registry, instr_json("", 1024)).find("no platform stamp"),
            std::string::npos);
}

TEST(InstrGate, RestampMovesCeilingsBothWaysAndRecordsTheReasonOnARise) {
  auto registry = ceiling_registry::parse(stamped_registry, "instr.txt", "instr_per_event");
  const std::string other = R"(compiler=clang-14.0.6 flags=\"-O2\" valgrind=3.19.0)";
  const auto results = parse_gbench_results(instr_json(other, 2000.0 * 1024), "r.json");
  gate_options o;
  o.gated = &instr_metric;
  o.slack_percent = instr_metric.default_slack_percent;
  const gate_report report = check_allocations(registry, results, o);
  const auto changes = restamp_ceilings(registry, report, results, instr_metric, "clang build");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(registry.ceilings()[0].allocs_per_event, 2004.0);  // + 0.2 % slack
  EXPECT_EQ(registry.ceilings()[0].reason, "clang build");
  EXPECT_EQ(registry.platform()[0].second, "clang-14.0.6");
  EXPECT_THROW(restamp_ceilings(registry, report, results, instr_metric, " "), input_error);
}

}  // namespace
}  // namespace tools
