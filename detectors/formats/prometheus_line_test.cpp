// Tests for the Prometheus exposition-line parser shared by the DCGM detectors: the line shapes
// dcgm-exporter generations print, exact integers, escapes, and malformed or truncated lines.
#include "detectors/prometheus_line.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "alloc_hooks/gtest.h"
#include "bench/measurement.h"
#include "detectors/corpus.h"
#include "detectors/detector.h"
#include "prometheus_line_reference.h"

namespace detectors {
namespace {

constexpr std::string_view modern_line =
    R"(DCGM_FI_DEV_ECC_SBE_VOL_TOTAL{gpu="0",UUID="GPU-5fd4e1b2-8c1d-6b3a-9e0f-2a7c4d1b9e30",)"
    R"(pci_bus_id="00000000:19:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",)"
    R"(Hostname="node-7"} 12)";

prom_sample parse_ok(std::string_view line) {
  const prom_parse_result r = parse_prometheus_line(line);
  EXPECT_EQ(r.kind, prom_line_kind::sample) << line << ": " << r.error;
  return r.sample;
}

std::string label_or(const prom_sample& s, std::string_view name, std::string_view fallback) {
  const auto l = s.label(name);
  return std::string(l ? l->raw_value : fallback);
}

TEST(PrometheusLine, ParsesModernDcgmExporterLine) {
  const prom_sample s = parse_ok(modern_line);
  EXPECT_EQ(s.metric, "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL");
  EXPECT_EQ(label_or(s, "gpu", "-"), "0");
  EXPECT_EQ(label_or(s, "UUID", "-"), "GPU-5fd4e1b2-8c1d-6b3a-9e0f-2a7c4d1b9e30");
  EXPECT_EQ(label_or(s, "pci_bus_id", "-"), "00000000:19:00.0");
  EXPECT_EQ(label_or(s, "modelName", "-"), "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(label_or(s, "Hostname", "-"), "node-7");
  EXPECT_FALSE(s.label("hostname").has_value());  // names are case-sensitive
  EXPECT_TRUE(s.value.integer);
  EXPECT_EQ(s.value.magnitude, 12u);
  EXPECT_EQ(s.value.as_uint64(), 12u);
  EXPECT_DOUBLE_EQ(s.value.value, 12.0);
  EXPECT_FALSE(s.has_timestamp);
}

TEST(PrometheusLine, ParsesOldExporterLineWithSpacesAfterCommas) {
  const prom_sample s = parse_ok(
      R"(DCGM_FI_DEV_GPU_TEMP{gpu="1", UUID="GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52"} 41)");
  EXPECT_EQ(s.metric, "DCGM_FI_DEV_GPU_TEMP");
  EXPECT_EQ(label_or(s, "UUID", "-"), "GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52");
  EXPECT_EQ(label_or(s, "gpu", "-"), "1");
  EXPECT_EQ(s.value.as_int64(), 41);
}

TEST(PrometheusLine, AcceptsBlanksAroundEveryLabelToken) {
  const prom_sample s = parse_ok("m { a = \"1\" ,\tb=\"2\" , } 3");
  EXPECT_EQ(label_or(s, "a", "-"), "1");
  EXPECT_EQ(label_or(s, "b", "-"), "2");
  EXPECT_EQ(s.value.as_uint64(), 3u);
}

TEST(PrometheusLine, WalksLabelsInOrder) {
  const prom_sample s = parse_ok(
      R"(DCGM_FI_DEV_GPU_TEMP{Hostname="n",GPU_I_PROFILE="1g.10gb",GPU_I_ID="7",gpu="2"} 40)");
  prom_label_cursor c(s.labels);
  prom_label l;
  std::string names;
  while (c.next(l))
    names += std::string(l.name) + "=" + std::string(l.raw_value) + ";";
  EXPECT_EQ(names, "Hostname=n;GPU_I_PROFILE=1g.10gb;GPU_I_ID=7;gpu=2;");
}

TEST(PrometheusLine, ParsesOptionalTimestamp) {
  const prom_sample s = parse_ok(R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="0"} 64 1732000000123)");
  EXPECT_EQ(s.value.as_uint64(), 64u);
  EXPECT_TRUE(s.has_timestamp);
  EXPECT_EQ(s.timestamp_ms, 1732000000123);
  const prom_sample neg = parse_ok("m 1 -5");
  EXPECT_EQ(neg.timestamp_ms, -5);
  const prom_sample min = parse_ok("m 1 -9223372036854775808");
  EXPECT_EQ(min.timestamp_ms, std::numeric_limits<std::int64_t>::min());
}

TEST(PrometheusLine, ParsesLineWithoutLabels) {
  const prom_sample s = parse_ok("dcgm_exporter_up 1");
  EXPECT_EQ(s.metric, "dcgm_exporter_up");
  EXPECT_TRUE(s.labels.empty());
  EXPECT_EQ(s.value.as_uint64(), 1u);
  const prom_sample e = parse_ok("m{} 2");
  EXPECT_TRUE(e.labels.empty());
  EXPECT_EQ(e.value.as_uint64(), 2u);
}

TEST(PrometheusLine, KeepsLargeIntegersExact) {
  // 2^63 - 16 + 2: DCGM_INT64_NOT_SUPPORTED, not representable as a double.
  const prom_sample s = parse_ok(R"(DCGM_FI_DEV_ROW_REMAP_PENDING{gpu="0"} 9223372036854775794)");
  EXPECT_TRUE(s.value.integer);
  EXPECT_EQ(s.value.magnitude, 9223372036854775794ULL);
  EXPECT_TRUE(is_dcgm_blank(s.value));
  const prom_sample u = parse_ok("m 18446744073709551615");
  EXPECT_EQ(u.value.as_uint64(), 18446744073709551615ULL);
  EXPECT_FALSE(u.value.as_int64().has_value());
  const prom_sample big = parse_ok("m 18446744073709551616");  // overflows: a double only
  EXPECT_FALSE(big.value.integer);
  EXPECT_DOUBLE_EQ(big.value.value, 18446744073709551616.0);
}

TEST(PrometheusLine, RecognisesExactlyTheFourDcgmBlankSentinels) {
  for (std::string_view v : {"9223372036854775792", "9223372036854775793", "9223372036854775794",
                             "9223372036854775795"}) {
    EXPECT_TRUE(is_dcgm_blank(parse_ok("m " + std::string(v)).value)) << v;
  }
  for (std::string_view v : {"9223372036854775791", "9223372036854775796", "-9223372036854775792",
                             "9.223372036854775794e18", "0"}) {
    EXPECT_FALSE(is_dcgm_blank(parse_ok("m " + std::string(v)).value)) << v;
  }
}

TEST(PrometheusLine, ParsesFloatAndSpecialValues) {
  EXPECT_DOUBLE_EQ(parse_ok("m 1.5e+06").value.value, 1.5e6);
  EXPECT_EQ(parse_ok("m 12.000000").value.as_uint64(), 12u);  // dcgm-exporter's %f form
  EXPECT_FALSE(parse_ok("m 12.5").value.as_uint64().has_value());
  EXPECT_FALSE(parse_ok("m -3").value.as_uint64().has_value());
  EXPECT_EQ(parse_ok("m -3").value.as_int64(), -3);
  EXPECT_EQ(parse_ok("m +7").value.as_uint64(), 7u);
  EXPECT_TRUE(std::isnan(parse_ok("m NaN").value.value));
  EXPECT_EQ(parse_ok("m +Inf").value.value, HUGE_VAL);
  EXPECT_EQ(parse_ok("m -Inf").value.value, -HUGE_VAL);
  EXPECT_FALSE(parse_ok("m +Inf").value.as_uint64().has_value());
}

TEST(PrometheusLine, UnescapesLabelValuesIntoCallerBuffer) {
  const prom_sample s =
      parse_ok(R"(m{modelName="NVIDIA \"H100\" 80GB",path="C:\\gpu",note="a\nb",odd="x\ty"} 1)");
  std::array<char, 64> buf{};
  const auto model = s.label("modelName");
  ASSERT_TRUE(model.has_value());
  EXPECT_TRUE(model->escaped);
  EXPECT_EQ(model->raw_value, R"(NVIDIA \"H100\" 80GB)");
  EXPECT_EQ(unescape_label_value(*model, buf), R"(NVIDIA "H100" 80GB)");
  EXPECT_EQ(unescape_label_value(*s.label("path"), buf), R"(C:\gpu)");
  EXPECT_EQ(unescape_label_value(*s.label("note"), buf), "a\nb");
  EXPECT_EQ(unescape_label_value(*s.label("odd"), buf), R"(x\ty)");  // unknown escape kept
}

TEST(PrometheusLine, UnescapeReturnsRawViewWhenNothingEscapedAndFailsWhenBufferTooSmall) {
  const prom_sample s = parse_ok(R"(m{a="plain",b="\"quoted\""} 1)");
  std::array<char, 4> small{};
  const auto a = s.label("a");
  const auto out = unescape_label_value(*a, small);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->data(), a->raw_value.data());  // no copy
  EXPECT_FALSE(unescape_label_value(*s.label("b"), small).has_value());
}

TEST(PrometheusLine, EscapedQuoteDoesNotEndLabelValue) {
  const prom_sample s = parse_ok(R"(m{a="x\",b=\"y",c="z"} 4)");
  EXPECT_EQ(label_or(s, "a", "-"), R"(x\",b=\"y)");
  EXPECT_FALSE(s.label("b").has_value());
  EXPECT_EQ(label_or(s, "c", "-"), "z");
}

TEST(PrometheusLine, CommentsAndBlankLinesAreNotSamples) {
  for (std::string_view l :
       {"# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).", "# TYPE DCGM_FI_DEV_GPU_TEMP gauge",
        "#", "  # indented comment", "", "   ", "\t", "\r"}) {
    EXPECT_EQ(parse_prometheus_line(l).kind, prom_line_kind::not_sample) << '"' << l << '"';
  }
}

TEST(PrometheusLine, ToleratesCarriageReturnAndSurroundingBlanks) {
  const prom_sample s = parse_ok("  m{a=\"b\"}   5   99  \r");
  EXPECT_EQ(s.value.as_uint64(), 5u);
  EXPECT_EQ(s.timestamp_ms, 99);
}

TEST(PrometheusLine, RejectsMalformedAndTruncatedLines) {
  const std::string full(modern_line);
  // Every strict prefix of a sample line that ends inside the name, the labels or before the
  // value is malformed; a prefix ending in the value is a shorter, valid number.
  const std::size_t value_pos = full.rfind(' ');
  for (std::size_t n = 1; n <= value_pos; ++n) {
    const prom_parse_result r = parse_prometheus_line(std::string_view(full).substr(0, n));
    EXPECT_EQ(r.kind, prom_line_kind::malformed) << full.substr(0, n);
    EXPECT_FALSE(r.error.empty());
  }
  for (std::string_view l : {
           R"(m{gpu="0"})",                          // no value
           R"(m{gpu="0"} )",                         // no value, trailing blank
           R"(m{gpu="0" 1)",                         // unterminated label set
           R"(m{gpu=0} 1)",                          // unquoted value
           R"(m{gpu="0} 1)",                         // unterminated value
           R"(m{,gpu="0"} 1)",                       // leading comma
           R"(m{gpu="0",,a="1"} 1)",                 // empty label
           R"(m{gpu="0" a="1"} 1)",                  // missing comma
           R"(m{0gpu="0"} 1)",                       // bad label name
           R"(m{gpu:x="0"} 1)",                      // ':' not allowed in label names
           R"(m{gpu="0\} 1)",                        // escape eats the quote
           R"(m{gpu="0"} twelve)",                   // not a number
           R"(m{gpu="0"} 0x40)",                     // hex is not Prometheus
           R"(m{gpu="0"} 1e999)",                    // out of range
           R"(m{gpu="0"} ++1)",                      // double sign
           R"(m{gpu="0"} 12 1.5)",                   // fractional timestamp
           R"(m{gpu="0"} 12 99999999999999999999)",  // timestamp overflow
           R"(m{gpu="0"} 12 13 14)",                 // trailing text
           R"(m-x 1)",                               // '-' in a metric name
           R"(1m 1)",                                // name starting with a digit
           R"({gpu="0"} 1)",                         // no name
       }) {
    EXPECT_EQ(parse_prometheus_line(l).kind, prom_line_kind::malformed) << l;
  }
}

TEST(PrometheusLine, MetricNamePeekStopsAtFirstNonNameCharacter) {
  EXPECT_EQ(prometheus_metric_name(modern_line), "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL");
  EXPECT_EQ(prometheus_metric_name("  up 1"), "up");
  EXPECT_EQ(prometheus_metric_name("ns:metric_total{a=\"b\"} 1"), "ns:metric_total");
  EXPECT_EQ(prometheus_metric_name("DCGM_FI_DEV_EC"), "DCGM_FI_DEV_EC");
  EXPECT_EQ(prometheus_metric_name("# HELP x"), "");
  EXPECT_EQ(prometheus_metric_name("[ 12.3] NVRM: Xid"), "");
  EXPECT_EQ(prometheus_metric_name(""), "");
}

TEST(DcgmGpuIdentity, PrefersUuidThenBusIdThenGpuIndex) {
  std::array<char, 128> buf{};
  dcgm_gpu_id id;
  ASSERT_TRUE(dcgm_gpu_identity(parse_ok(modern_line), buf, id));
  EXPECT_EQ(id.subject, "GPU-5fd4e1b2-8c1d-6b3a-9e0f-2a7c4d1b9e30");
  EXPECT_EQ(id.host, "node-7");
  ASSERT_TRUE(dcgm_gpu_identity(parse_ok(R"(m{gpu="1",uuid="GPU-x",hostname="h"} 1)"), buf, id));
  EXPECT_EQ(id.subject, "GPU-x");
  EXPECT_EQ(id.host, "h");
  ASSERT_TRUE(dcgm_gpu_identity(parse_ok(R"(m{UUID="",pci_bus_id="00000000:3B:00.0",gpu="2"} 1)"),
                                buf, id));
  EXPECT_EQ(id.subject, "00000000:3B:00.0");
  EXPECT_EQ(id.host, "");
  ASSERT_TRUE(dcgm_gpu_identity(parse_ok(R"(m{gpu="12",Hostname="n"} 1)"), buf, id));
  EXPECT_EQ(id.subject, "gpu12");
  EXPECT_EQ(id.host, "n");
}

TEST(DcgmGpuIdentity, UnescapesSubjectAndHostIntoOneBuffer) {
  std::array<char, 32> buf{};
  dcgm_gpu_id id;
  ASSERT_TRUE(dcgm_gpu_identity(parse_ok(R"(m{UUID="GPU-\"a\"",Hostname="h\\1"} 1)"), buf, id));
  EXPECT_EQ(id.subject, R"(GPU-"a")");
  EXPECT_EQ(id.host, R"(h\1)");
}

TEST(DcgmGpuIdentity, FailsWithoutAGpuOrWhenTheBufferIsTooSmall) {
  std::array<char, 8> buf{};
  dcgm_gpu_id id;
  EXPECT_FALSE(dcgm_gpu_identity(parse_ok(R"(m{Hostname="n"} 1)"), buf, id));
  EXPECT_FALSE(dcgm_gpu_identity(parse_ok(R"(m{UUID="",gpu=""} 1)"), buf, id));
  EXPECT_FALSE(dcgm_gpu_identity(parse_ok(R"(m{UUID="GPU-\"long\"-uuid"} 1)"), buf, id));
  EXPECT_FALSE(dcgm_gpu_identity(parse_ok(R"(m{gpu="123456789"} 1)"), buf, id));
}

// Differential tests: the single-pass parser (SSE2 scans, labels captured on the way) against
// the parser it replaced (prometheus_line_reference.h), on dcgm-exporter lines of every
// generated layout, every prefix of them (a line cut at each byte), every single-byte change
// to a structural or ordinary character, and escapes, names and blanks placed across the
// 16-byte blocks the scans read.

std::string describe(std::string_view line) {
  std::string out;
  for (char c : line) {
    if (c >= 0x20 && c < 0x7f) {
      out += c;
    } else {
      out += "\\x";
      constexpr std::string_view hex = "0123456789abcdef";
      out += hex[static_cast<unsigned char>(c) >> 4];
      out += hex[static_cast<unsigned char>(c) & 0xf];
    }
  }
  return out;
}

bool same_view(std::string_view a, std::string_view b) {
  return a.data() == b.data() && a.size() == b.size();
}

bool same_number(const prom_number& a, const prom_number& b) {
  const bool same_value = std::memcmp(&a.value, &b.value, sizeof a.value) == 0 ||
                          (std::isnan(a.value) && std::isnan(b.value));
  return same_value && a.integer == b.integer && a.negative == b.negative &&
         a.magnitude == b.magnitude;
}

bool same_label(const prom_label& a, const prom_label& b) {
  return same_view(a.name, b.name) && same_view(a.raw_value, b.raw_value) && a.escaped == b.escaped;
}

// What differs between the parser and the reference on `line` (empty when nothing).
std::string parse_difference(std::string_view line) {
  const prom_parse_result want = reference::parse_line(line);
  const prom_parse_result got = parse_prometheus_line(line);
  if (got.kind != want.kind) return "kind";
  if (got.error != want.error) return "error: " + std::string(got.error);
  dcgm_identity_labels captured;
  const prom_parse_result got_captured = parse_prometheus_line(line, captured.capture);
  if (got_captured.kind != want.kind || got_captured.error != want.error)
    return "kind or error with a capture";
  const std::string_view name = prometheus_metric_name(line);
  if (name != reference::metric_name(line)) return "metric name peek";
  dcgm_identity_labels after_name;
  if (!name.empty() && name.data() == line.data()) {
    const prom_parse_result r =
        parse_prometheus_line_after_name(line, name.size(), after_name.capture);
    if (r.kind != want.kind || r.error != want.error) return "kind or error after the name";
  }
  if (want.kind != prom_line_kind::sample) return {};

  for (const prom_sample* s : {&got.sample, &got_captured.sample}) {
    if (!same_view(s->metric, want.sample.metric)) return "metric";
    if (!same_view(s->labels, want.sample.labels)) return "labels";
    if (!same_number(s->value, want.sample.value)) return "value";
    if (s->has_timestamp != want.sample.has_timestamp ||
        s->timestamp_ms != want.sample.timestamp_ms)
      return "timestamp";
  }
  // The label walk.
  std::string_view rest = want.sample.labels;
  prom_label_cursor cursor(got.sample.labels);
  prom_label a;
  prom_label b;
  for (;;) {
    const bool more = cursor.next(a);
    if (more != reference::next_label(rest, b)) return "label count";
    if (!more) break;
    if (!same_label(a, b)) return "label " + std::string(b.name);
  }
  // The GPU identity, from the sample and from each capture, with roomy and tight buffers.
  for (const std::size_t size : {512, 24, 8}) {
    std::vector<char> want_buf(size), got_buf(size);
    dcgm_gpu_id want_id, got_id;
    const bool want_ok = reference::gpu_identity(want.sample, want_buf, want_id);
    auto same_identity = [&](bool ok) {
      return ok == want_ok &&
             (!ok || (got_id.subject == want_id.subject && got_id.host == want_id.host));
    };
    if (!same_identity(dcgm_gpu_identity(got.sample, got_buf, got_id)))
      return "identity from the sample, buffer " + std::to_string(size);
    if (!same_identity(dcgm_gpu_identity(captured, got_buf, got_id)))
      return "identity from the capture, buffer " + std::to_string(size);
    if (!name.empty() && name.data() == line.data() &&
        !same_identity(dcgm_gpu_identity(after_name, got_buf, got_id)))
      return "identity from the capture after the name, buffer " + std::to_string(size);
  }
  return {};
}

// Checks `line`, each of its prefixes and (when `mutate`) each single-byte change.
void expect_same_as_reference(std::string_view line, bool mutate, int& failures) {
  auto check = [&](std::string_view text) {
    if (failures >= 10) return;  // enough to debug; keep the log readable
    // In a heap block of exactly its size, so that a sanitizer build reports any read past
    // the line's end (a prefix view of a longer string would hide it).
    const std::unique_ptr<char[]> exact(new char[text.size()]);
    if (!text.empty()) std::memcpy(exact.get(), text.data(), text.size());
    const std::string_view l(exact.get(), text.size());
    const std::string diff = parse_difference(l);
    if (diff.empty()) return;
    ++failures;
    ADD_FAILURE() << diff << " differs on \"" << describe(l) << '"';
  };
  check(line);
  for (std::size_t n = 0; n < line.size(); ++n)
    check(line.substr(0, n));
  if (!mutate) return;
  constexpr std::string_view replacements{"\"\\}{,= \t\r#a_0:-\x80\0", 18};
  std::string changed(line);
  for (std::size_t i = 0; i < changed.size(); ++i) {
    const char original = changed[i];
    for (const char c : replacements) {
      if (c == original) continue;
      changed[i] = c;
      check(changed);
    }
    changed[i] = original;
  }
}

std::vector<std::string> generated_dcgm_lines(std::string_view detector, std::size_t events) {
  corpus_options options;
  options.seed = bench::corpus_seed;
  options.events = events;
  const corpus c = generate_corpus(detector, options);
  std::vector<std::string> lines;
  for (const event& e : c.events())
    lines.emplace_back(e.line);
  return lines;
}

TEST(PrometheusLineDifferential, GeneratedStreamsParseAsBefore) {
  int failures = 0;
  for (const std::string_view detector : {"hbm_ecc", "thermal_throttle", ""}) {
    if (!detector.empty() && make_detector(detector) == nullptr) continue;  // not in this build
    const std::vector<std::string> lines = generated_dcgm_lines(detector, 4096);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      // Every line whole; every 16th also cut at every byte; every 64th also changed at
      // every byte (each layout shows up many times in 4096 lines).
      if (i % 16 == 0) {
        expect_same_as_reference(lines[i], i % 64 == 0, failures);
      } else if (failures < 10) {
        const std::string diff = parse_difference(lines[i]);
        if (!diff.empty()) {
          ++failures;
          ADD_FAILURE() << diff << " differs on \"" << describe(lines[i]) << '"';
        }
      }
    }
  }
  EXPECT_EQ(failures, 0);
}

TEST(PrometheusLineDifferential, EscapesNamesAndBlanksAcrossBlockBoundariesParseAsBefore) {
  std::vector<std::string> lines = {
      std::string(modern_line) + " 1732000000000",
      R"(m{a="x\",b=\"y",c="z"} 4)",
      R"(m{modelName="NVIDIA \"H100\" 80GB",path="C:\\gpu",note="a\nb",odd="x\ty"} 1)",
      R"(m{UUID="GPU-\"a\"",Hostname="h\\1"} 1)",
      R"(m{UUID="",uuid="",pci_bus_id="",gpu="",Hostname="",hostname=""} 1)",
      R"(m{gpu="1",gpu="2",UUID="",UUID="GPU-2",Hostname="a",Hostname="b"} 1)",
      R"(m{UUID="GPU-1",uuid="GPU-2",pci_bus_id="p",gpu="3",hostname="h",Hostname="H"} 1)",
      "  m { a = \"1\" ,\tb=\"2\" , } 3   99  \r",
      "m{a=\"x\\",
      "m{a=\"x\\\"",
      "m{a=\"\xc3\xa9\",\xc3\xa9=\"1\"} 1",
      std::string("m{a=\"x\0y\"} 1", 13),
      "ns:metric_total{a=\"b\"} 1",
      "DCGM_FI_DEV_GPU_TEMP 41",
      // Values and timestamps around 19 digits and 64 bits, signs, leading zeros, floats.
      "m 9999999999999999999 1",
      "m 18446744073709551615 9223372036854775807",
      "m 18446744073709551616 9223372036854775808",
      "m 99999999999999999999 -9223372036854775808",
      "m 00000000000000000000001 00000000000000000000001",
      "m -0 -0",
      "m +7 +7",
      "m 12.000000 1e3",
      "m 1\t2\t",
  };
  // A backslash, an escaped quote and a closing quote at every offset around the 16-byte
  // blocks, from the value's start and from the line's end.
  for (std::size_t n = 0; n <= 40; ++n) {
    lines.push_back("m{a=\"" + std::string(n, 'x') + "\\\"" + std::string(40 - n, 'y') + "\"} 1");
    lines.push_back("m{a=\"" + std::string(n, 'x') + "\\\\\"} 1");
    lines.push_back("m{a=\"" + std::string(n, 'x') + "\"}");
    lines.push_back("m{" + std::string(n + 1, 'n') + "=\"v\",UUID=\"u\"} 1");
    lines.push_back("m" + std::string(n, 'n') + ":_9{gpu=\"0\"} 1");
    lines.push_back("m{gpu=\"0\"" + std::string(n, ' ') + "} 1");
  }
  int failures = 0;
  for (const std::string& line : lines)
    expect_same_as_reference(line, true, failures);
  EXPECT_EQ(failures, 0);
}

TEST(PrometheusLineDifferential, LastPartialBlockIgnoresBytesAlreadyScanned) {
  // A line's last < 16 bytes are read as its final 16 bytes, shifted past what was already
  // scanned: quotes, backslashes and non-name bytes just before the scan position must not
  // count, and the scan must stop at the line's end. Every length of the final stretch
  // 0..33, with what precedes it full of such bytes; every prefix and byte change of each.
  std::vector<std::string> lines;
  for (std::size_t n = 0; n <= 33; ++n) {
    const std::string run(n, 'x');
    lines.push_back(R"(m{a="\"\\",b=")" + run + R"("} 1)");
    lines.push_back(R"(m{a="\"\\",b=")" + run + R"(\"")");
    lines.push_back(R"(m{a="-\"",)" + run + R"(b="v"})");
    lines.push_back(R"(m{a="\\",UUID=")" + run + "\"");
    lines.push_back(R"(m{a="\"\\"} 1)" + std::string(n, ' '));
    lines.push_back("m" + run + R"({"="} 1)");
  }
  int failures = 0;
  for (const std::string& line : lines)
    expect_same_as_reference(line, true, failures);
  EXPECT_EQ(failures, 0);
}

TEST(PrometheusLineCapture, CapturesTheFirstLabelOfEachWantedNameOfAnyLength) {
  const std::string long_name(70, 'L');  // past the per-length table (names up to 63 bytes)
  const std::array<std::string_view, 5> names = {"a", "ab", "gpu", "x", long_name};
  const prom_label_names wanted{names};
  std::array<prom_label, names.size()> labels{};
  prom_label_capture capture{&wanted, labels};
  const std::string line = R"(m{ab="1",a="2",gpu="3",a="4",abc="5",)" + long_name +
                           R"(="6",gpu="7",)" + std::string(71, 'L') + R"(="8"} 1)";
  const prom_parse_result r = parse_prometheus_line(line, capture);
  ASSERT_EQ(r.kind, prom_line_kind::sample) << r.error;
  EXPECT_EQ(capture.found, 0b10111u);   // "x" is absent
  EXPECT_EQ(labels[0].raw_value, "2");  // the first "a", not the later one
  EXPECT_EQ(labels[1].raw_value, "1");
  EXPECT_EQ(labels[2].raw_value, "3");
  EXPECT_EQ(labels[4].raw_value, "6");  // the 71-byte name is not the 70-byte one
  EXPECT_EQ(labels[4].name, long_name);

  // Every parse starts from nothing found.
  EXPECT_EQ(parse_prometheus_line("# HELP m", capture).kind, prom_line_kind::not_sample);
  EXPECT_EQ(capture.found, 0u);
  ASSERT_EQ(parse_prometheus_line(R"(m{gpu="9"} 1)", capture).kind, prom_line_kind::sample);
  EXPECT_EQ(capture.found, 0b00100u);
  EXPECT_EQ(labels[2].raw_value, "9");
}

TEST(PrometheusLine, ParsingAndLabelLookupNeverAllocate) {
  const std::string line = std::string(modern_line) + " 1732000000000";
  prom_parse_result r;
  EXPECT_ALLOCS_EQ(0, r = parse_prometheus_line(line));
  ASSERT_EQ(r.kind, prom_line_kind::sample);
  std::optional<prom_label> l;
  EXPECT_ALLOCS_EQ(0, l = r.sample.label("Hostname"));
  std::array<char, 32> buf{};
  std::optional<std::string_view> v;
  EXPECT_ALLOCS_EQ(0, v = unescape_label_value(*l, buf));
  EXPECT_EQ(v, "node-7");
  EXPECT_ALLOCS_EQ(0, r = parse_prometheus_line("m{a=\"unterminated"));
  EXPECT_EQ(r.kind, prom_line_kind::malformed);
  dcgm_identity_labels captured;
  EXPECT_ALLOCS_EQ(0, r = parse_prometheus_line(line, captured.capture));
  EXPECT_EQ(r.kind, prom_line_kind::sample);
  dcgm_gpu_id id;
  bool ok = false;
  EXPECT_ALLOCS_EQ(0, ok = dcgm_gpu_identity(captured, buf, id));
  EXPECT_TRUE(ok);
  EXPECT_EQ(id.host, "node-7");
}

}  // namespace
}  // namespace detectors
