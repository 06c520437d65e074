// File: nvsmi_query.h
// A stateful, allocation-free reader of `nvidia-smi -q` text, the report operators collect and
// paste most, for the detectors that read GPU health from it (hbm_ecc, thermal_throttle).
//
// The report is a tree written one line at a time, four spaces per level:
//
//   ==============NVSMI LOG==============
//   GPU 00000000:75:00.0
//       Clocks Event Reasons                  (older drivers: Clocks Throttle Reasons)
//           HW Slowdown                       : Not Active
//               HW Thermal Slowdown           : Not Active
//           SW Thermal Slowdown               : Active
//       Clocks Event Reasons Counters         (newer drivers)
//           SW Thermal Slowdown               : 11591399010 us
//       ECC Errors
//           Volatile
//               DRAM Uncorrectable            : 0   (older: Single Bit / Double Bit groups)
//       Retired Pages / Remapped Rows / Temperature ...
//
// so a line means something only with the GPU header and the section above it. The reader
// keeps that context (the GPU's bus id, the open section and up to two groups inside it) and
// classifies each line: a line of one of the six sections it knows (ECC Errors, Retired
// Pages, Remapped Rows, Clocks Event/Throttle Reasons and their Counters, Temperature), their
// headers and the
// GPU header are recognised; a line of such a section whose key or value is cut short is
// malformed; everything else (other sections, other logs) is not its kind. Indentation is read
// relative to the section header, so a paste indented as a whole reads the same.
//
// Context is per node: reports of several nodes interleaved line by line (logs aggregated
// before `detect`) read as if each came alone. An unindented or blank line of a node ends that
// node's GPU block (`ends_block`), as a line at section level that opens no known section ends
// a section pasted without its GPU header, so a consumer that accumulates a block
// (thermal_throttle's reasons bitmask) knows when to act. The reader keeps at most `max_nodes` node
// contexts, allocated once when it is built; a node beyond that takes the context of the node seen
// least recently, whose open block then ends there (`ends_block` on the new node's first line: what
// followed of that node's report reads as a paste without its GPU header, so none of it is
// lost, only attributed to no GPU). Only a line that can open a block (may_open_block) takes a
// context for a node that has none: the lines of nodes that only pass by (metrics, kernel
// logs) take none, whatever their number. Sources of the layouts: NVIDIA's nvidia-smi output as
// kept in leptonai/gpud (pkg/nvidia-query/testdata/nvidia-smi-query.*, e2e/mock/nvidia-smi)
// and stas00/ml-engineering (compute/accelerator/nvidia/debug.md); see nvsmi_query_test.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace detectors {

enum class nvsmi_section : std::uint8_t {
  none,
  ecc_errors,
  retired_pages,
  remapped_rows,
  clocks_event_reasons,  // also the older "Clocks Throttle Reasons"
  temperature,
  // Newer drivers: cumulative time per reason since the driver loaded ("SW Thermal
  // Slowdown : 11591399010 us").
  clocks_event_reasons_counters,
};

// The fields a detector acts on; every other line of a known section is `other`.
enum class nvsmi_field : std::uint8_t {
  other,
  // ECC Errors > Volatile (errors since the last driver load or GPU reset).
  volatile_dram_uncorrectable,
  volatile_sram_uncorrectable,
  volatile_sram_uncorrectable_parity,
  volatile_sram_uncorrectable_secded,
  volatile_double_bit_total,  // older form: Volatile > Double Bit > Total
  // Retired Pages.
  retired_single_bit,
  retired_double_bit,
  retired_pending,  // "Pending Page Blacklist" (older: "Pending")
  // Remapped Rows.
  remapped_correctable,
  remapped_uncorrectable,
  remap_pending,
  remap_failure,
  // Clocks Event Reasons: one NVML clocks-event bit each (nvidia-smi prints the bitmask by
  // name); `reason_bit` gives the bit.
  clocks_event_reason,
  // Clocks Event Reasons Counters: microseconds spent in one reason (`number`), `reason_bit`
  // the reason's NVML bit (SW Power Capping 0x4, Sync Boost 0x10, SW Thermal Slowdown 0x20,
  // HW Thermal Slowdown 0x40, HW Power Braking 0x80).
  clocks_event_counter,
  // Temperature.
  gpu_current_temp,
  memory_current_temp,
};

// What a line's value says.
enum class nvsmi_value : std::uint8_t {
  none,           // a header, or no value read
  not_available,  // N/A (the GPU does not support the field)
  yes,            // Yes, Active
  no,             // No, Not Active
  number,         // a count, a temperature or a duration in microseconds (`number`)
  text,           // anything else (fields nobody acts on)
};

enum class nvsmi_line_kind : std::uint8_t {
  not_ours,    // not a line of the sections the reader knows
  log_header,  // ==============NVSMI LOG==============
  gpu,         // GPU 00000000:75:00.0
  section,     // a known section's header (or a group header inside it)
  field,       // key : value inside a known section
  malformed,   // a line of a known section (or a GPU header) cut short or invalid
};

struct nvsmi_line {
  nvsmi_line_kind kind = nvsmi_line_kind::not_ours;
  // This line ended the previous block of its node's context (the context it opened is gone):
  // a consumer that accumulates per block acts on what it has before looking at this line.
  bool ends_block = false;
  nvsmi_section section = nvsmi_section::none;
  nvsmi_field field = nvsmi_field::other;
  nvsmi_value value = nvsmi_value::none;
  // The node context the line was read in (0 .. max_nodes - 1): what a consumer accumulates
  // per block it keeps per context. When the context was taken from another node, ends_block
  // says so, and the block that ends is that node's.
  std::uint16_t context = 0;
  std::int64_t number = 0;       // when value == number
  std::uint64_t reason_bit = 0;  // for clocks_event_reason: the NVML bit (0x40: HW thermal)
};

// How a detector that acts on some of the report's sections counts a line the reader read.
// Both report readers share the report, so each counts the GPU and log headers, its own
// sections' lines and malformed lines outside any section, and leaves the other's sections to
// the other.
enum class nvsmi_tally : std::uint8_t {
  not_ours,       // no line of a report: not counted
  malformed,      // count as malformed
  header,         // the log or a GPU header: count as recognised, nothing to act on
  other_section,  // another detector's section: not counted here
  mine,           // a section header or field of `mine`: count as recognised and act on it
};
constexpr nvsmi_tally tally(const nvsmi_line& l, bool mine) noexcept {
  switch (l.kind) {
    case nvsmi_line_kind::not_ours:
      return nvsmi_tally::not_ours;
    case nvsmi_line_kind::malformed:
      return mine || l.section == nvsmi_section::none ? nvsmi_tally::malformed
                                                      : nvsmi_tally::other_section;
    case nvsmi_line_kind::log_header:
    case nvsmi_line_kind::gpu:
      return nvsmi_tally::header;
    case nvsmi_line_kind::section:
    case nvsmi_line_kind::field:
      break;
  }
  return mine ? nvsmi_tally::mine : nvsmi_tally::other_section;
}

class nvsmi_query_reader {
 public:
  // Node contexts kept at once (each about 100 bytes).
  static constexpr std::size_t default_max_nodes = 64;

  explicit nvsmi_query_reader(std::size_t max_nodes = default_max_nodes);

  // Reads the next line of `node`'s stream (without its newline; a trailing '\r' is fine).
  nvsmi_line read(std::string_view node, std::string_view line) noexcept;

  // Of the node of the last line read: the bus id of the GPU whose block is open
  // ("00000000:75:00.0"), empty before any GPU header (a section pasted without its GPU)...
  std::string_view gpu() const noexcept {
    if (without_context_) return {};
    const context& c = contexts_[current_];
    return {c.gpu.data(), c.gpu_size};
  }
  // ...and whether a GPU block or a known section is open.
  bool in_block() const noexcept { return !without_context_ && contexts_[current_].in_block(); }
  // Whether any node has a block open: while one has, each line must reach the reader (any
  // unindented line of that node ends its block).
  bool any_block() const noexcept { return open_blocks_ != 0; }
  // Whether `line` can open a block or section (a GPU header, the log header, a section header
  // of the sections the reader knows, all start with one of a few letters), so that while no
  // block is open a consumer sends the reader only such lines: the reader would say every
  // other line is not_ours and change nothing.
  static bool may_open_block(std::string_view line) noexcept {
    if (line.empty()) return false;
    if (line[0] == 'G' || line[0] == '=') return true;
    if (line[0] != ' ' && line[0] != '\t') return false;
    std::size_t i = 1;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    // The first letters of ECC Errors, Retired Pages / Remapped Rows, Clocks ..., Temperature,
    // in either case.
    const char c = i < line.size() ? static_cast<char>(line[i] | 0x20) : '\0';
    return c == 'e' || c == 'r' || c == 'c' || c == 't';
  }
  std::size_t max_nodes() const noexcept { return contexts_.size(); }

 private:
  // The names of the context's node: its first bytes, its size and a hash of all of it.
  static constexpr std::size_t node_prefix = 64;

  struct context {
    std::array<char, node_prefix> node{};
    std::size_t node_size = 0;
    std::uint64_t node_hash = 0;
    bool used = false;
    std::uint64_t last_use = 0;
    std::array<char, 40> gpu{};
    std::size_t gpu_size = 0;
    bool in_gpu = false;
    nvsmi_section section = nvsmi_section::none;
    std::size_t section_indent = 0;
    // Groups inside the section (Volatile > Double Bit): their names' ids and indents.
    std::uint8_t group1 = 0, group2 = 0;
    std::size_t group1_indent = 0, group2_indent = 0;

    bool in_block() const noexcept { return in_gpu || section != nvsmi_section::none; }
    void reset() noexcept;
  };

  // Makes `node`'s context current; sets `ends_block` when it was taken from another node
  // whose block was open. False, and nothing changed, when `node` has no context and `line`
  // cannot open a block.
  bool select(std::string_view node, std::string_view line, nvsmi_line& out) noexcept;
  nvsmi_line read_line(context& c, std::string_view line, nvsmi_line out) noexcept;
  static nvsmi_line read_in_section(context& c, std::size_t indent, std::string_view text) noexcept;

  std::vector<context> contexts_;  // allocated once, at construction
  std::size_t current_ = 0;
  // The last line was of a node without a context and took none (see select).
  bool without_context_ = false;
  std::size_t open_blocks_ = 0;
  std::uint64_t uses_ = 0;
};

}  // namespace detectors
