// File: finding.h
// What a detector reports, and the sink it reports to.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace detectors {

enum class severity : std::uint8_t { info, warning, critical };
// The operator's next step, from least to most invasive.
enum class action : std::uint8_t { observe, check_network, drain_node, reset_gpu, replace_gpu };

std::string_view to_string(severity s) noexcept;
std::string_view to_string(action a) noexcept;

// A finding borrows its strings: they are valid only during finding_sink::on_finding. This
// keeps emitting free of allocations; a sink that keeps findings copies them (owned_finding).
struct finding {
  std::string_view detector;  // e.g. "xid_correlation"
  std::string_view node;
  std::string_view subject;  // GPU PCI address / UUID / device BDF / pod / job+rank
  severity sev = severity::info;
  std::string_view kind;     // e.g. "xid_burst", "dbe_ecc"
  std::string_view message;  // one line, no newline
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
  std::uint64_t count = 0;
  action recommended = action::observe;
};

class finding_sink {
 public:
  virtual ~finding_sink() = default;
  virtual void on_finding(const finding& f) = 0;
};

// A finding with its own storage, for tests and tools.
struct owned_finding {
  std::string detector, node, subject;
  severity sev = severity::info;
  std::string kind, message;
  std::int64_t first_ns = 0, last_ns = 0;
  std::uint64_t count = 0;
  action recommended = action::observe;

  explicit owned_finding(const finding& f);
  bool operator==(const owned_finding&) const = default;
};

// Keeps every finding (tests, `detect`).
class collecting_sink final : public finding_sink {
 public:
  void on_finding(const finding& f) override { findings.emplace_back(f); }
  std::vector<owned_finding> findings;
};

// Counts findings by severity and keeps nothing: allocation-free (benchmarks).
class counting_sink final : public finding_sink {
 public:
  void on_finding(const finding& f) noexcept override { ++by_severity[static_cast<int>(f.sev)]; }
  std::uint64_t total() const noexcept { return by_severity[0] + by_severity[1] + by_severity[2]; }
  std::uint64_t by_severity[3] = {0, 0, 0};
};

// One finding as a single JSON object (no trailing newline), for `detect` and golden files.
std::string to_json(const owned_finding& f);

}  // namespace detectors
