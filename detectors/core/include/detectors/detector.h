// File: detector.h
// The interface every detector implements, and the registry of the built-in ones (named in
// detectors/detector_list.inc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "detectors/event.h"
#include "detectors/finding.h"

namespace detectors {

struct detector_stats {
  std::uint64_t events = 0;      // every event seen
  std::uint64_t recognised = 0;  // lines of this detector's own formats, parsed
  std::uint64_t malformed = 0;   // lines of its own kind that failed to parse (counted, skipped)
  std::uint64_t findings = 0;    // findings emitted
  // Lines of its own kind more than its window older than the newest seen on their node's
  // clock (event_clock.h): counted, kept out of every window.
  std::uint64_t late = 0;
};

// A detector consumes events one at a time and keeps bounded state: every map or window it
// holds is bounded by time or count, so memory stays flat over any stream length.
class detector {
 public:
  virtual ~detector() = default;

  virtual std::string_view name() const noexcept = 0;

  // Most events are not this detector's: rejecting them must be cheap. A malformed or
  // truncated line of its own kind increments stats().malformed and is skipped.
  virtual void on_event(const event& ev, finding_sink& sink) = 0;

  // End of stream: complete any pending multi-line record. Default: nothing pending.
  virtual void finish(finding_sink& sink) { (void)sink; }

  // Number of entries currently held in the detector's state (GPUs, devices, jobs, window
  // entries...), so tests can assert that state stays bounded.
  virtual std::size_t state_size() const noexcept = 0;

  const detector_stats& stats() const noexcept { return stats_; }

 protected:
  detector_stats stats_;
};

// A built-in detector's name and one-line summary, as the list gives them.
struct detector_info {
  std::string_view name;
  std::string_view summary;
};

// The built-in detectors, in the list's order.
std::span<const detector_info> detector_catalog() noexcept;

// The names of the built-in detectors, in the same order.
std::span<const std::string_view> detector_names() noexcept;

// A built-in detector with its default configuration; nullptr for an unknown name.
std::unique_ptr<detector> make_detector(std::string_view name);

}  // namespace detectors
