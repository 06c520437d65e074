// Tests for the Prometheus exposition-line parser shared by the DCGM detectors: the line shapes
// dcgm-exporter generations print, exact integers, escapes, and malformed or truncated lines.
#include "detectors/prometheus_line.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>

#include "alloc_hooks/gtest.h"

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
}

}  // namespace
}  // namespace detectors
