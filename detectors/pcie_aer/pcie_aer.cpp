// File: pcie_aer.cpp
// The pcie_aer detector: assembles AER records from their lines (native kernel AER, APEI
// firmware-first dumps and the kernel's re-logging of those), one record per device (node +
// BDF), and turns completed records into findings: uncorrected errors at once, corrected ones
// through a per-device rate window, and fatal ones held per node to relate a later Xid 79.
//
// A record completes when the next record for that device starts, when a new root-port notice
// shows the previous error was printed, on an Xid 79 of its node, when its lines stop for
// record_timeout (event time), or at finish(). Open records are kept in a list ordered by their
// last line, so the timeout check looks at its head only: one compare per event, and O(1) per
// record however many are open (a hostile stream can open thousands).
#include "detectors/pcie_aer.h"

// Messages use FMT_COMPILE: fmt parses the format strings at compile time instead of on every
// finding, with the same output (fmt's own formatters do the writing either way).
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "detectors/kernel_prefix.h"
#include "detectors/phase.h"
#include "detectors/prometheus_line.h"

namespace detectors {
namespace {

using internal::aer_line;
using internal::aer_line_kind;
using internal::aer_severity;

constexpr std::uint16_t nvidia_vendor = 0x10de;
constexpr std::int64_t never = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t forever = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t max_related_gpus = 8;
constexpr std::size_t reserved_layer = 24;  // the longest layer name printed is 17
constexpr std::size_t reserved_key = 64;    // node '\x1f' device: room for common host names

// Timestamps come from the envelope and may be anything (fuzzing): saturate instead of
// overflowing.
std::int64_t sat_add(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? forever : never;
  return r;
}
std::int64_t since(std::int64_t now, std::int64_t then) noexcept {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(now, then, &r)) return now > then ? forever : never;
  return r;
}

bool is_uncorrected(aer_severity s) noexcept {
  return s == aer_severity::nonfatal || s == aer_severity::fatal;
}

std::string_view severity_text(aer_severity s) noexcept {
  switch (s) {
    case aer_severity::fatal:
      return "uncorrected fatal";
    case aer_severity::nonfatal:
      return "uncorrected non-fatal";
    default:
      return "corrected";
  }
}

bool equal_ignore_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Xid addresses name the GPU as domain:bus:device ("0000:3b:00"); AER names the function.
bool same_gpu(std::string_view bdf, std::string_view xid_pci) noexcept {
  const std::size_t dot = bdf.rfind('.');
  return dot != std::string_view::npos && equal_ignore_case(bdf.substr(0, dot), xid_pci);
}

enum class origin : std::uint8_t { native, firmware, cper };

// One AER error on one device, as assembled from its lines: the plain fields, and (record) the
// strings. Split so that resetting or handing over a record copies the plain fields in one go
// and swaps or clears the strings, keeping their storage, instead of building a record{}.
struct record_fields {
  bool active = false;
  bool detailed = false;  // a header or status was seen, not only a root-port notice
  bool repeat = false;    // the kernel re-logging a firmware-first dump: tracked, not reported
  origin from = origin::native;
  aer_severity sev = aer_severity::unknown;
  bool multiple = false;
  bool has_ids = false;
  std::uint16_t vendor = 0, device = 0;
  bool has_status = false;
  std::uint32_t status = 0, mask = 0;
  bool has_uncor_severity = false;
  std::uint32_t uncor_severity = 0;
  std::uint32_t line_bits = 0;  // from "[NN] Name" lines
  int first_bit = -1;
  bool tlp = false;
  std::int64_t first_ns = 0, last_ns = 0;
};

struct record : record_fields {
  std::string reporter;  // root port whose notice opened the record
  std::string layer, agent;

  // Back to a default record; the strings keep their storage.
  void reset() noexcept {
    static_cast<record_fields&>(*this) = record_fields{};
    reporter.clear();
    layer.clear();
    agent.clear();
  }
};

struct device_state {
  std::string node, bdf;
  // Holds only late lines' records (event_clock.h): kept apart from the device's in-time state,
  // reported when uncorrected, and never part of a storm or an Xid 79 relation.
  bool late = false;
  record open;
  // Links of the list of devices with an open record, least recently printed first.
  device_state* prev_open = nullptr;
  device_state* next_open = nullptr;
  // Remembered from earlier records: a notice-only record has no [vvvv:dddd].
  bool has_ids = false;
  std::uint16_t vendor = 0, device = 0;
  // Times of recent corrected errors (at most `threshold` of them: enough to decide), sorted.
  // A vector, not a deque: a deque sliding forward allocates a new block every 64 entries.
  std::vector<std::int64_t> corrected;
  std::uint32_t corrected_bits = 0;
  std::string corrected_layer;
  bool in_storm = false;
  std::int64_t last_seen_ns = 0;
  std::int64_t last_firmware_ns = never;
  // DCGM_FI_DEV_PCIE_REPLAY_COUNTER: the sample that opened the current window, and the last.
  bool has_replay = false;
  bool replay_alarm = false;  // reported; re-armed by a calm window
  std::uint64_t replay_base = 0, replay_last = 0;
  std::int64_t replay_base_ns = 0;
  std::int64_t replay_last_ns = 0;  // newest sample's time: an older one is out of order
};

struct fatal_aer {
  std::string bdf;
  bool has_ids = false;
  std::uint16_t vendor = 0, device = 0;
  std::uint32_t bits = 0;
  std::int64_t ts_ns = 0;
  std::vector<std::string> related;  // Xid 79 GPUs already reported against it
};

struct node_state {
  std::vector<fatal_aer> fatal;  // oldest first
  std::int64_t last_seen_ns = 0;
};

// One CPER section of a firmware-first dump.
struct fw_section {
  aer_severity sev = aer_severity::unknown;
  bool pcie = false;
  std::string bdf;
  bool has_ids = false;
  std::uint16_t vendor = 0, device = 0;
  bool has_cor = false, has_uncor = false, has_aer = false, has_uncor_sev = false;
  std::uint32_t cor_status = 0, cor_mask = 0, uncor_status = 0, uncor_mask = 0;
  std::uint32_t aer_status = 0, aer_mask = 0, uncor_sev = 0;
  bool tlp = false;
  std::int64_t first_ns = 0;
};

// An open "[Hardware Error]" dump, keyed by node and its "{N}" sequence number.
struct firmware_dump {
  std::string node;
  bool late = false;  // a dump of late lines (as device_state::late)
  bool has_seq = false;
  std::uint32_t seq = 0;
  aer_severity event_sev = aer_severity::unknown;
  bool in_section = false;
  fw_section section;
  std::int64_t last_ns = 0;
};

}  // namespace

struct pcie_aer_detector::state {
  state(const pcie_aer_config& c, detector_stats& s) : cfg(c), stats(s) {}

  pcie_aer_config cfg;
  detector_stats& stats;
  using device_map = std::unordered_map<std::string, device_state>;
  device_map devices;  // node '\x1f' bdf
  // Steady state allocates nothing: forgotten devices' map nodes are kept here (with their
  // strings' and vectors' storage) and reused for new devices. Never more than the most
  // devices tracked at once (<= max_devices + 1).
  std::vector<device_map::node_type> spare_devices;
  // The device device() returned last (map nodes do not move; retire() clears it).
  device_state* last_device = nullptr;
  using node_map = std::unordered_map<std::string, node_state>;
  node_map nodes;                                // only nodes with fatal AERs
  std::vector<node_map::node_type> spare_nodes;  // as spare_devices, for nodes
  // Related-GPU lists of dropped fatal AERs, for reuse (never more than the most fatal AERs
  // held at once).
  std::vector<std::vector<std::string>> spare_related;
  device_state* open_head = nullptr;  // devices with an open record, by last line
  device_state* open_tail = nullptr;
  std::size_t notices_open = 0;  // open records that are only a root-port notice so far
  std::vector<firmware_dump> dumps;
  std::int64_t next_dump_deadline = forever;  // no open dump can expire before this
  std::int64_t next_sweep = never;
  std::int64_t next_fatal_expiry = forever;  // no held fatal AER expires before this
  std::string key;                           // scratch for map keys
  bool late_line = false;  // the line being handled is late: it reaches only late records
  std::string text;        // the message being built; a finding borrows it (no copy)

  // --- state lookup -------------------------------------------------------------------------

  device_state& device(std::string_view node, std::string_view bdf, std::int64_t now) {
    return device(node, bdf, now, late_line);
  }

  device_state& device(std::string_view node, std::string_view bdf, std::int64_t now, bool late) {
    // The lines of one record name the same device one after another: compare with the last
    // one before building and hashing a key. (node, bdf, late) determines the key: a BDF never
    // contains the '\x1f' separator.
    if (last_device != nullptr && last_device->late == late && last_device->bdf == bdf &&
        last_device->node == node) {
      last_device->last_seen_ns = std::max(last_device->last_seen_ns, now);
      return *last_device;
    }
    last_device = &lookup_device(node, bdf, late);
    last_device->last_seen_ns = std::max(last_device->last_seen_ns, now);
    return *last_device;
  }

  device_state& lookup_device(std::string_view node, std::string_view bdf, bool late) {
    key.assign(node);
    key.push_back('\x1f');
    key.append(bdf);
    if (late) key.push_back('\x1f');
    auto it = devices.find(key);
    if (it == devices.end()) {
      if (spare_devices.empty()) {
        // Keys are reused for other devices later (spare_devices): give every one the same
        // room, so that a longer node name's key does not allocate in a reused entry.
        std::string k;
        k.reserve(std::max<std::size_t>(key.size(), reserved_key));
        k.assign(key);
        it = devices.try_emplace(std::move(k)).first;
        it->second.corrected.reserve(corrected_reserve());
        // "Transaction Layer" is longer than the short-string buffer; a reused device whose
        // string never held it would otherwise allocate in steady state.
        it->second.corrected_layer.reserve(reserved_layer);
        it->second.open.layer.reserve(reserved_layer);
      } else {
        device_map::node_type n = std::move(spare_devices.back());
        spare_devices.pop_back();
        n.key() = key;
        reset(n.mapped());
        it = devices.insert(std::move(n)).position;
      }
      it->second.node.assign(node);
      it->second.bdf.assign(bdf);
      it->second.late = late;
    }
    return it->second;
  }

  std::size_t corrected_reserve() const noexcept {
    return std::min<std::size_t>(std::size_t{cfg.corrected_storm_threshold} + 2, 64);
  }

  // A reused device back to the state of a new one, its strings and vectors keeping their
  // storage.
  static void reset(device_state& d) {
    d.open.reset();
    d.node.clear();
    d.bdf.clear();
    d.prev_open = d.next_open = nullptr;
    d.late = false;
    d.has_ids = false;
    d.vendor = d.device = 0;
    d.corrected.clear();
    d.corrected_bits = 0;
    d.corrected_layer.clear();
    d.in_storm = false;
    d.last_seen_ns = 0;
    d.last_firmware_ns = never;
    d.has_replay = d.replay_alarm = false;
    d.replay_base = d.replay_last = 0;
    d.replay_base_ns = 0;
    d.replay_last_ns = 0;
  }

  // Forgets a device, keeping its map node for reuse; returns the next iterator.
  device_map::iterator retire(device_map::iterator it) {
    if (&it->second == last_device) last_device = nullptr;
    const auto next = std::next(it);
    spare_devices.push_back(devices.extract(it));
    return next;
  }

  // Erases fatal[from, end), keeping their related lists' storage in spare_related.
  void drop_fatal_from(std::vector<fatal_aer>& fatal, std::size_t from) {
    for (std::size_t i = from; i < fatal.size(); ++i) {
      if (fatal[i].related.capacity() == 0) continue;
      fatal[i].related.clear();
      spare_related.push_back(std::move(fatal[i].related));
    }
    fatal.resize(from);
  }

  node_map::iterator retire(node_map::iterator it) {
    const auto next = std::next(it);
    spare_nodes.push_back(nodes.extract(it));
    return next;
  }

  node_state& node_entry(std::string_view node, std::int64_t now) {
    key.assign(node);
    auto it = nodes.find(key);
    if (it == nodes.end()) {
      if (spare_nodes.empty()) {
        it = nodes.try_emplace(key).first;
        it->second.fatal.reserve(std::min<std::size_t>(cfg.max_fatal_per_node, 16));
      } else {
        node_map::node_type n = std::move(spare_nodes.back());
        spare_nodes.pop_back();
        n.key() = key;
        drop_fatal_from(n.mapped().fatal, 0);
        n.mapped().last_seen_ns = 0;
        it = nodes.insert(std::move(n)).position;
      }
    }
    node_state& n = it->second;
    n.last_seen_ns = std::max(n.last_seen_ns, now);
    return n;
  }

  firmware_dump* find_dump(std::string_view node, const aer_line& l) {
    for (auto& d : dumps)
      if (d.has_seq == l.has_seq && d.seq == l.seq && d.late == late_line && d.node == node)
        return &d;
    return nullptr;
  }

  // --- records ------------------------------------------------------------------------------

  void link_open(device_state& d) {
    d.prev_open = open_tail;
    d.next_open = nullptr;
    (open_tail != nullptr ? open_tail->next_open : open_head) = &d;
    open_tail = &d;
  }

  void unlink_open(device_state& d) {
    (d.prev_open != nullptr ? d.prev_open->next_open : open_head) = d.next_open;
    (d.next_open != nullptr ? d.next_open->prev_open : open_tail) = d.prev_open;
    d.prev_open = d.next_open = nullptr;
  }

  void open_record(device_state& d, std::int64_t now) {
    d.open.reset();
    d.open.active = true;
    d.open.first_ns = d.open.last_ns = now;
    ++notices_open;  // until a header or status makes it detailed
    link_open(d);
  }

  void mark_detailed(record& r) {
    if (!r.detailed) --notices_open;
    r.detailed = true;
  }

  // A line of the record: it moves to the tail of the open list.
  void touch(device_state& d, std::int64_t now) {
    d.open.last_ns = std::max(d.open.last_ns, now);
    if (open_tail != &d) {
      unlink_open(d);
      link_open(d);
    }
  }

  void close(device_state& d) {
    if (!d.open.active) return;
    d.open.active = false;
    if (!d.open.detailed) --notices_open;
    unlink_open(d);
  }

  // Drops a root-port notice whose error another device's header went on to describe.
  void discard(device_state& d) {
    close(d);
    d.open.reset();
  }

  void complete(device_state& d, finding_sink& sink) {
    if (!d.open.active) return;
    close(d);
    // Reported in place, then reset (the strings keep their storage): reporting reads the
    // record and changes no device's open record, so no copy or swap into a second record.
    report(d, d.open, sink);
    d.open.reset();
  }

  // A notice still waiting for its header on this node, of the same severity class.
  device_state* pending_notice(std::string_view node, aer_severity sev) {
    if (notices_open == 0) return nullptr;
    device_state* best = nullptr;
    for (device_state* d = open_head; d != nullptr; d = d->next_open) {
      if (d->open.detailed || d->late != late_line || d->node != node) continue;
      if (is_uncorrected(d->open.sev) != is_uncorrected(sev)) continue;
      best = d;  // the list runs oldest first: keep the most recent
    }
    return best;
  }

  // Completes the open records the predicate selects.
  template <typename Pred>
  void complete_open_if(Pred&& pred, finding_sink& sink) {
    for (device_state* d = open_head; d != nullptr;) {
      device_state* next = d->next_open;
      if (pred(*d)) complete(*d, sink);  // completion opens nothing: `next` stays valid
      d = next;
    }
  }

  // Completes the node's open records and dumps: an Xid 79 follows the AER that caused it,
  // however quickly.
  void flush_node(std::string_view node, finding_sink& sink) {
    complete_open_if([&](const device_state& d) { return d.node == node; }, sink);
    for (std::size_t i = 0; i < dumps.size();) {
      if (dumps[i].node == node) {
        complete_dump(i, sink);
      } else {
        ++i;
      }
    }
  }

  // Whether expire() has anything to do: checked inline on every line, the work out of line.
  bool expiry_due(std::int64_t now) const noexcept {
    return (open_head != nullptr && since(now, open_head->open.last_ns) >= cfg.record_timeout_ns) ||
           now >= next_dump_deadline;
  }

  [[gnu::noinline]] void expire(std::int64_t now, finding_sink& sink) {
    while (open_head != nullptr && since(now, open_head->open.last_ns) >= cfg.record_timeout_ns) {
      complete(*open_head, sink);
    }
    if (now < next_dump_deadline) return;
    std::int64_t next = forever;
    for (std::size_t i = 0; i < dumps.size();) {
      if (since(now, dumps[i].last_ns) >= cfg.record_timeout_ns) {
        complete_dump(i, sink);
      } else {
        next = std::min(next, sat_add(dumps[i].last_ns, cfg.record_timeout_ns));
        ++i;
      }
    }
    next_dump_deadline = next;
  }

  // --- firmware-first dumps -----------------------------------------------------------------

  fw_section& section_of(firmware_dump& f, std::int64_t now) {
    if (!f.in_section) {
      f.in_section = true;
      f.section = fw_section{};
      f.section.first_ns = now;
    }
    return f.section;
  }

  void flush_section(firmware_dump& f, finding_sink& sink) {
    if (!f.in_section) return;
    f.in_section = false;
    const fw_section& s = f.section;
    if (!s.pcie || s.bdf.empty()) return;  // a processor or memory section: not ours
    device_state& d = device(f.node, s.bdf, f.last_ns, f.late);
    complete(d, sink);  // a native record of the device still open is a different error
    record r;
    r.detailed = true;
    r.from = origin::firmware;
    r.sev = s.sev != aer_severity::unknown ? s.sev : f.event_sev;
    r.has_ids = s.has_ids;
    r.vendor = s.vendor;
    r.device = s.device;
    const bool uncorrected =
        is_uncorrected(r.sev) || (r.sev == aer_severity::unknown && s.has_uncor && !s.has_cor);
    if (r.sev == aer_severity::unknown) {
      r.sev = uncorrected ? aer_severity::nonfatal : aer_severity::corrected;
    }
    if (uncorrected && s.has_uncor) {
      r.has_status = true;
      r.status = s.uncor_status;
      r.mask = s.uncor_mask;
    } else if (!uncorrected && s.has_cor) {
      r.has_status = true;
      r.status = s.cor_status;
      r.mask = s.cor_mask;
    } else if (s.has_aer) {
      r.has_status = true;
      r.status = s.aer_status;
      r.mask = s.aer_mask;
    }
    r.has_uncor_severity = s.has_uncor_sev;
    r.uncor_severity = s.uncor_sev;
    r.tlp = s.tlp;
    r.first_ns = s.first_ns;
    r.last_ns = f.last_ns;
    d.last_firmware_ns = f.last_ns;
    report(d, r, sink);
  }

  // Swap-and-pop: dumps are found by key, not by position.
  void complete_dump(std::size_t i, finding_sink& sink) {
    flush_section(dumps[i], sink);
    if (i + 1 != dumps.size()) dumps[i] = std::move(dumps.back());
    dumps.pop_back();
  }

  // --- reporting ----------------------------------------------------------------------------

  static std::uint32_t decoded_bits(const record& r) {
    std::uint32_t bits = r.line_bits;
    if (r.has_status) {
      const std::uint32_t unmasked = r.status & ~r.mask;
      bits |= unmasked != 0 ? unmasked : r.status;
    }
    return bits;
  }

  // "RxErr (First), BadTLP" into text.
  void append_bits(std::uint32_t bits, bool correctable, int first_bit) {
    bool any = false;
    for (int b = 0; b < 32; ++b) {
      if ((bits >> b & 1U) == 0) continue;
      if (any) text += ", ";
      any = true;
      const std::string_view name = internal::aer_bit_name(correctable, b);
      if (name.empty()) {
        fmt::format_to(std::back_inserter(text), FMT_COMPILE("bit {}"), b);
      } else {
        text += name;
      }
      if (b == first_bit) text += " (First)";
    }
  }

  void append_ids(bool has_ids, std::uint16_t vendor, std::uint16_t device) {
    if (!has_ids) return;
    fmt::format_to(std::back_inserter(text), FMT_COMPILE(" ({}{:04x}:{:04x})"),
                   vendor == nvidia_vendor ? "NVIDIA " : "", vendor, device);
  }

  void emit(const device_state& d, severity sev, std::string_view kind, std::int64_t first,
            std::int64_t last, std::uint64_t count, action act, finding_sink& sink) {
    finding f;
    f.detector = "pcie_aer";
    f.node = d.node;
    f.subject = d.bdf;
    f.sev = sev;
    f.kind = kind;
    f.message = text;
    f.first_ns = first;
    f.last_ns = last;
    f.count = count;
    f.recommended = act;
    ++stats.findings;
    sink.on_finding(f);
    DETECTORS_PHASE(state);  // findings are made inside state work, which goes on
  }

  void report(device_state& d, const record& r, finding_sink& sink) {
    if (r.has_ids) {
      d.has_ids = true;
      d.vendor = r.vendor;
      d.device = r.device;
    }
    if (r.repeat) return;
    aer_severity sev = r.sev;
    if (sev == aer_severity::unknown) {
      // A re-logged firmware-first error without its dump: the kernel prints
      // aer_uncor_severity only for uncorrectable errors; an unmasked status bit marked
      // severe in it makes the error fatal.
      if (!r.has_uncor_severity) {
        sev = aer_severity::corrected;
      } else {
        sev = (r.status & ~r.mask & r.uncor_severity) != 0 ? aer_severity::fatal
                                                           : aer_severity::nonfatal;
      }
    }
    const std::uint32_t bits = decoded_bits(r);
    if (sev == aer_severity::corrected) {
      // A late corrected error joins no storm window: counted late, nothing more.
      if (d.late) return;
      count_corrected(d, r, bits, sink);
    } else {
      report_uncorrected(d, r, sev, bits, sink);
    }
  }

  void report_uncorrected(device_state& d, const record& r, aer_severity sev, std::uint32_t bits,
                          finding_sink& sink) {
    DETECTORS_PHASE(emit);
    text.clear();
    text += severity_text(sev);
    text += " PCIe error on ";
    text += d.bdf;
    append_ids(d.has_ids, d.vendor, d.device);
    if (!r.detailed) {
      fmt::format_to(std::back_inserter(text),
                     FMT_COMPILE(" reported by root port {}, no details logged"), r.reporter);
    }
    if (!r.layer.empty()) {
      text += ": ";
      text += r.layer;
      if (!r.agent.empty()) {
        text += ", ";
        text += r.agent;
      }
    }
    if (r.has_status) {
      fmt::format_to(std::back_inserter(text), FMT_COMPILE("; status 0x{:08x} mask 0x{:08x}"),
                     r.status, r.mask);
    }
    if (bits != 0) {
      text += "; ";
      append_bits(bits, false, r.first_bit);
    }
    if (r.tlp) text += "; TLP header logged";
    if (r.multiple) text += "; multiple errors";
    if (r.from == origin::firmware) text += "; firmware-first";
    const bool fatal = sev == aer_severity::fatal;
    const bool nvidia = d.has_ids && d.vendor == nvidia_vendor;
    emit(d, severity::critical, fatal ? "aer_uncorrected_fatal" : "aer_uncorrected_nonfatal",
         r.first_ns, r.last_ns, r.multiple ? 2 : 1, nvidia ? action::reset_gpu : action::drain_node,
         sink);
    // A late one is reported (it needs no window) but relates to no later Xid 79.
    if (fatal && !d.late) remember_fatal(d, bits, r.first_ns);
  }

  void remember_fatal(const device_state& d, std::uint32_t bits, std::int64_t ts) {
    if (ts >= next_fatal_expiry) expire_fatal(ts);
    next_fatal_expiry = std::min(next_fatal_expiry, sat_add(ts, cfg.xid79_window_ns));
    node_state& n = node_entry(d.node, ts);
    if (n.fatal.size() >= std::max<std::size_t>(cfg.max_fatal_per_node, 1)) {
      // Drop the oldest: its slot (with its related list's storage) becomes the newest.
      std::rotate(n.fatal.begin(), n.fatal.begin() + 1, n.fatal.end());
      n.fatal.back().related.clear();
    } else {
      n.fatal.emplace_back();
      if (!spare_related.empty()) {
        n.fatal.back().related = std::move(spare_related.back());
        spare_related.pop_back();
      } else {
        n.fatal.back().related.reserve(max_related_gpus);  // its cap: never grows again
      }
    }
    fatal_aer& e = n.fatal.back();
    e.bdf = d.bdf;
    e.has_ids = d.has_ids;
    e.vendor = d.vendor;
    e.device = d.device;
    e.bits = bits;
    e.ts_ns = ts;
  }

  void count_corrected(device_state& d, const record& r, std::uint32_t bits, finding_sink& sink) {
    auto& q = d.corrected;
    const std::int64_t t = r.first_ns;
    const std::int64_t newest = q.empty() ? t : std::max(q.back(), t);
    while (!q.empty() && since(newest, q.front()) >= cfg.corrected_storm_window_ns)
      q.erase(q.begin());
    if (q.empty()) d.corrected_bits = 0;
    const std::size_t threshold = std::max<std::uint32_t>(cfg.corrected_storm_threshold, 1);
    // Re-arm on the rate before this error, so that a threshold of 1 reports again after a quiet
    // window instead of never.
    if (d.in_storm && q.size() * 2 < threshold) d.in_storm = false;
    for (int i = 0; i < (r.multiple ? 2 : 1); ++i) {
      // Records complete slightly out of order (timeouts): keep the window sorted.
      q.insert(std::upper_bound(q.begin(), q.end(), t), t);
    }
    while (q.size() > threshold)
      q.erase(q.begin());
    d.corrected_bits |= bits;
    if (!r.layer.empty()) d.corrected_layer = r.layer;
    if (d.in_storm || q.size() < threshold) return;
    d.in_storm = true;
    DETECTORS_PHASE(emit);
    text.clear();
    fmt::format_to(std::back_inserter(text),
                   FMT_COMPILE("{} corrected PCIe errors within {} s on {}"), q.size(),
                   cfg.corrected_storm_window_ns / ns_per_second, d.bdf);
    append_ids(d.has_ids, d.vendor, d.device);
    if (d.corrected_bits != 0) {
      text += ": ";
      append_bits(d.corrected_bits, true, -1);
    }
    if (!d.corrected_layer.empty()) {
      text += "; ";
      text += d.corrected_layer;
    }
    if (d.has_ids && d.vendor == nvidia_vendor) text += "; NVIDIA GPU link degrading";
    emit(d, severity::warning, "aer_corrected_storm", q.front(), newest, q.size(), action::observe,
         sink);
    d.corrected_bits = 0;
  }

  // --- line handlers ------------------------------------------------------------------------

  void on_notice(std::string_view node, const aer_line& l, std::int64_t now, finding_sink& sink) {
    char buf[32];
    std::string_view source = l.source;
    if (source.empty()) {
      // Old kernels name the source by requester ID (bus << 8 | devfn) in the root port's
      // domain.
      const std::string_view domain = l.bdf.substr(0, l.bdf.find(':'));
      const auto end =
          fmt::format_to_n(buf, sizeof buf, FMT_COMPILE("{}:{:02x}:{:02x}.{:x}"), domain,
                           l.source_id >> 8, (l.source_id >> 3) & 0x1f, l.source_id & 7);
      source = std::string_view(buf, std::min(end.size, sizeof buf));
    }
    // A new notice from the same root port means its previous error has been printed.
    if (notices_open != 0) {
      complete_open_if(
          [&](const device_state& o) {
            return !o.open.detailed && o.late == late_line && o.node == node &&
                   o.open.reporter == l.bdf;
          },
          sink);
    }
    device_state& d = device(node, source, now);
    if (late_line && d.open.active && d.open.detailed &&
        is_uncorrected(d.open.sev) == is_uncorrected(l.sev)) {
      // Late lines may come newest first (a log read backwards): a notice after the header it
      // announced is that record's, not a new error.
      d.open.multiple = d.open.multiple || l.multiple;
      d.open.first_ns = std::min(d.open.first_ns, now);
      d.open.reporter.assign(l.bdf);
      touch(d, now);
      return;
    }
    complete(d, sink);
    open_record(d, now);
    d.open.sev = l.sev;
    d.open.multiple = l.multiple;
    d.open.reporter.assign(l.bdf);
  }

  void on_header(std::string_view node, const aer_line& l, std::int64_t now, finding_sink& sink) {
    device_state& d = device(node, l.bdf, now);
    if (!d.open.active || d.open.detailed) {
      complete(d, sink);
      // The notice for this error may name another device (a bridge reporting for its
      // endpoint, or a source ID the kernel could not match): it is the same error.
      bool multiple = false;
      std::int64_t first = now;
      std::string reporter;
      if (device_state* n = pending_notice(node, l.sev)) {
        multiple = n->open.multiple;
        first = std::min(first, n->open.first_ns);
        reporter = std::move(n->open.reporter);
        discard(*n);
      }
      open_record(d, now);
      d.open.multiple = multiple;
      d.open.first_ns = first;
      d.open.reporter = std::move(reporter);
    }
    mark_detailed(d.open);
    d.open.from = origin::native;
    d.open.sev = l.sev;
    d.open.layer.assign(l.layer);
    d.open.agent.assign(l.agent);
    touch(d, now);
  }

  bool on_device_line(std::string_view node, const aer_line& l, std::int64_t now,
                      finding_sink& sink) {
    switch (l.kind) {
      case aer_line_kind::notice:
        on_notice(node, l, now, sink);
        return true;
      case aer_line_kind::header:
        on_header(node, l, now, sink);
        return true;
      case aer_line_kind::cper_status: {
        // The kernel re-logs a firmware-first dump once the dump is complete: finish it first.
        for (auto& f : dumps)
          if (f.in_section && f.node == node && f.section.bdf == l.bdf) flush_section(f, sink);
        device_state& d = device(node, l.bdf, now);
        complete(d, sink);
        open_record(d, now);
        mark_detailed(d.open);
        d.open.from = origin::cper;
        d.open.has_status = true;
        d.open.status = l.status;
        d.open.mask = l.mask;
        d.open.repeat =
            d.last_firmware_ns != never && since(now, d.last_firmware_ns) < cfg.firmware_repeat_ns;
        return true;
      }
      default:
        break;
    }
    // Continuation lines: they belong to the device's open record, if any (a record whose
    // header was lost to truncation leaves orphans, which are parsed but add nothing).
    device_state& d = device(node, l.bdf, now);
    if (l.kind == aer_line_kind::status) {
      d.has_ids = true;
      d.vendor = l.vendor;
      d.device = l.device;
    }
    if (!d.open.active) return true;
    record& r = d.open;
    switch (l.kind) {
      case aer_line_kind::status:
        r.has_ids = true;
        r.vendor = l.vendor;
        r.device = l.device;
        r.has_status = true;
        r.status = l.status;
        r.mask = l.mask;
        break;
      case aer_line_kind::bit:
        r.line_bits |= 1U << l.bit;
        if (l.first) r.first_bit = l.bit;
        break;
      case aer_line_kind::tlp_header:
        r.tlp = true;
        break;
      case aer_line_kind::cper_layer:
        r.layer.assign(l.layer);
        r.agent.assign(l.agent);
        break;
      case aer_line_kind::cper_uncor_sev:
        r.has_uncor_severity = true;
        r.uncor_severity = l.status;
        break;
      default:
        break;
    }
    touch(d, now);
    return true;
  }

  bool on_firmware_line(std::string_view node, const aer_line& l, std::int64_t now,
                        finding_sink& sink) {
    // BERT prints the records of the previous boot ("BERT: Error records from previous boot:")
    // with no "Hardware error from APEI ..." line: their "event severity:" line opens the dump
    // (and a second one in a dump starts the next record). A fatal PCIe error that panicked
    // the node is often seen only this way, after the reboot.
    const auto opens_record = [&] {
      if (l.kind == aer_line_kind::fw_begin) return true;
      if (l.kind != aer_line_kind::fw_event_severity) return false;
      const firmware_dump* open = find_dump(node, l);
      return open == nullptr || open->event_sev != aer_severity::unknown;
    };
    if (opens_record()) {
      if (firmware_dump* old = find_dump(node, l)) {
        complete_dump(static_cast<std::size_t>(old - dumps.data()), sink);
      }
      if (dumps.size() >= std::max<std::size_t>(cfg.max_firmware_records, 1)) {
        std::size_t oldest = 0;
        for (std::size_t i = 1; i < dumps.size(); ++i)
          if (dumps[i].last_ns < dumps[oldest].last_ns) oldest = i;
        complete_dump(oldest, sink);
      }
      firmware_dump& f = dumps.emplace_back();
      f.node.assign(node);
      f.late = late_line;
      f.has_seq = l.has_seq;
      f.seq = l.seq;
      f.last_ns = now;
      if (l.kind == aer_line_kind::fw_event_severity) f.event_sev = l.sev;
      next_dump_deadline = std::min(next_dump_deadline, sat_add(now, cfg.record_timeout_ns));
      return true;
    }
    firmware_dump* f = find_dump(node, l);
    // Outside a dump, "[Hardware Error]:" lines are often someone else's (mce); only the keys
    // of a PCIe dump are counted as ours.
    if (f == nullptr) return l.kind != aer_line_kind::fw_other;
    f->last_ns = std::max(f->last_ns, now);
    switch (l.kind) {
      case aer_line_kind::fw_event_severity:
        f->event_sev = l.sev;
        break;
      case aer_line_kind::fw_section:
        flush_section(*f, sink);
        section_of(*f, now).sev = l.sev;
        break;
      case aer_line_kind::fw_section_type:
        section_of(*f, now).pcie = l.pcie_section;
        break;
      case aer_line_kind::fw_device_id:
        section_of(*f, now).bdf.assign(l.bdf);
        break;
      case aer_line_kind::fw_vendor: {
        fw_section& s = section_of(*f, now);
        s.has_ids = true;
        s.vendor = l.vendor;
        s.device = l.device;
        break;
      }
      case aer_line_kind::fw_cor_status: {
        fw_section& s = section_of(*f, now);
        s.has_cor = true;
        s.cor_status = l.status;
        s.cor_mask = l.mask;
        break;
      }
      case aer_line_kind::fw_uncor_status: {
        fw_section& s = section_of(*f, now);
        s.has_uncor = true;
        s.uncor_status = l.status;
        s.uncor_mask = l.mask;
        break;
      }
      case aer_line_kind::fw_aer_status: {
        fw_section& s = section_of(*f, now);
        s.has_aer = true;
        s.aer_status = l.status;
        s.aer_mask = l.mask;
        break;
      }
      case aer_line_kind::fw_uncor_sev: {
        fw_section& s = section_of(*f, now);
        s.has_uncor_sev = true;
        s.uncor_sev = l.status;
        break;
      }
      case aer_line_kind::fw_tlp_header:
        section_of(*f, now).tlp = true;
        break;
      default:
        break;
    }
    return true;
  }

  void on_xid79(std::string_view node, const aer_line& l, std::int64_t now, finding_sink& sink) {
    flush_node(node, sink);
    key.assign(node);
    const auto it = nodes.find(key);
    if (it == nodes.end()) return;
    fatal_aer* match = nullptr;
    fatal_aer* latest = nullptr;
    for (auto e = it->second.fatal.rbegin(); e != it->second.fatal.rend(); ++e) {
      const std::int64_t age = since(now, e->ts_ns);
      if (age < 0 || age >= cfg.xid79_window_ns) continue;
      if (latest == nullptr) latest = &*e;
      if (same_gpu(e->bdf, l.xid_pci)) {
        match = &*e;
        break;
      }
    }
    fatal_aer* e = match != nullptr ? match : latest;
    if (e == nullptr) return;
    for (const auto& g : e->related)
      if (g == l.xid_pci) return;
    if (e->related.size() >= max_related_gpus) e->related.erase(e->related.begin());
    e->related.emplace_back(l.xid_pci);
    DETECTORS_PHASE(emit);
    text.clear();
    text += "uncorrected fatal PCIe error on ";
    text += e->bdf;
    append_ids(e->has_ids, e->vendor, e->device);
    if (e->bits != 0) {
      text += " (";
      append_bits(e->bits, false, -1);
      text += ")";
    }
    fmt::format_to(
        std::back_inserter(text),
        FMT_COMPILE(" followed {:.1f} s later by Xid 79 (GPU has fallen off the bus) on PCI:{}"),
        static_cast<double>(since(now, e->ts_ns)) / ns_per_second, l.xid_pci);
    // emit() takes the subject and node from a device; the fatal AER's device may be gone.
    device_state subject;
    subject.node.assign(node);
    subject.bdf = e->bdf;
    emit(subject, severity::critical, "aer_then_xid79", e->ts_ns, now, 2, action::drain_node, sink);
  }

  // --- DCGM_FI_DEV_PCIE_REPLAY_COUNTER -------------------------------------------------------

  void on_replay_sample(std::string_view node, std::string_view gpu, std::uint64_t value,
                        std::int64_t now, finding_sink& sink) {
    device_state& d = device(node, gpu, now);
    // A sample older than the newest one came out of order: read backwards it would look like a
    // counter reset followed by a rise over a negative time.
    if (d.has_replay && now < d.replay_last_ns) return;
    d.replay_last_ns = now;
    if (!d.has_replay || value < d.replay_last) {
      // First sample, or the counter started again (driver reload, GPU reset).
      d.has_replay = true;
      d.replay_alarm = false;
      d.replay_base = d.replay_last = value;
      d.replay_base_ns = now;
      return;
    }
    d.replay_last = value;
    const std::uint64_t replays = value - d.replay_base;
    const std::int64_t elapsed = since(now, d.replay_base_ns);
    const std::int64_t window = std::max<std::int64_t>(cfg.replay_window_ns, 1);
    // Replays per window over the elapsed time, or over part of one (never extrapolated up).
    const double per_window = elapsed > window
                                  ? static_cast<double>(replays) * static_cast<double>(window) /
                                        static_cast<double>(elapsed)
                                  : static_cast<double>(replays);
    const auto threshold = static_cast<double>(cfg.replay_threshold);
    if (!d.replay_alarm && per_window > threshold) {
      d.replay_alarm = true;
      DETECTORS_PHASE(emit);
      text.clear();
      fmt::format_to(std::back_inserter(text),
                     FMT_COMPILE("PCIe replay counter of GPU {} rose by {} in {:.0f} s (more than "
                                 "{} per {} s): the link is retrying transfers; reseat the GPU or "
                                 "check the slot and riser"),
                     gpu, replays, static_cast<double>(elapsed) / ns_per_second,
                     cfg.replay_threshold, window / ns_per_second);
      emit(d, severity::warning, "pcie_replay_rate", d.replay_base_ns, now, replays,
           action::observe, sink);
    }
    if (elapsed >= window) {
      // A calm window re-arms the alarm; every window starts from its first sample.
      if (d.replay_alarm && per_window * 2 <= threshold) d.replay_alarm = false;
      d.replay_base = value;
      d.replay_base_ns = now;
    }
  }

  // --- bounds -------------------------------------------------------------------------------

  bool sweep_due(std::int64_t now) const noexcept {
    return next_sweep == never || now >= next_sweep;
  }

  [[gnu::noinline]] void sweep(std::int64_t now) {
    const std::int64_t interval = std::max(cfg.corrected_storm_window_ns, ns_per_second);
    if (!sweep_due(now)) return;
    next_sweep = sat_add(now, interval);
    const std::int64_t retention = std::max({cfg.corrected_storm_window_ns, cfg.firmware_repeat_ns,
                                             cfg.record_timeout_ns, cfg.replay_window_ns});
    for (auto it = devices.begin(); it != devices.end();) {
      if (!it->second.open.active && since(now, it->second.last_seen_ns) >= retention) {
        it = retire(it);
      } else {
        ++it;
      }
    }
    expire_fatal(now);
  }

  // Forgets the fatal AERs an Xid 79 can no longer relate to, and the nodes left with none.
  // Run by the sweep, and before a new fatal AER is held once one is due: so the fatal AERs
  // (and nodes) held at once depend on the stream alone, not on where the sweep's period
  // falls, and storage kept from an earlier peak covers every later one.
  void expire_fatal(std::int64_t now) {
    std::int64_t next = forever;
    for (auto it = nodes.begin(); it != nodes.end();) {
      auto& fatal = it->second.fatal;
      // A stable erase_if by swaps, keeping the removed entries' related lists for reuse.
      std::size_t kept = 0;
      for (std::size_t i = 0; i < fatal.size(); ++i) {
        if (since(now, fatal[i].ts_ns) >= cfg.xid79_window_ns) continue;
        next = std::min(next, sat_add(fatal[i].ts_ns, cfg.xid79_window_ns));
        if (i != kept) std::swap(fatal[kept], fatal[i]);
        ++kept;
      }
      drop_fatal_from(fatal, kept);
      it = fatal.empty() ? retire(it) : std::next(it);
    }
    next_fatal_expiry = next;
  }

  // Over a cap, the least recently active eighth goes at once, so that a stream of ever-new
  // devices costs amortised O(1) per event rather than a full scan each.
  template <typename Map, typename Evict, typename Erase>
  static void shrink(Map& map, std::size_t cap, Evict&& evict, Erase&& erase) {
    if (map.size() <= cap) return;
    const std::size_t target = cap - cap / 8;
    const std::size_t excess = map.size() - target;
    std::vector<std::int64_t> seen;
    seen.reserve(map.size());
    for (const auto& [k, v] : map)
      seen.push_back(v.last_seen_ns);
    std::nth_element(seen.begin(), seen.begin() + static_cast<std::ptrdiff_t>(excess - 1),
                     seen.end());
    const std::int64_t cutoff = seen[excess - 1];
    std::size_t evicted = 0;
    // Strictly older first, then ties, so the newest always survive.
    for (const bool ties : {false, true}) {
      for (auto it = map.begin(); it != map.end() && evicted < excess;) {
        const std::int64_t t = it->second.last_seen_ns;
        if (t < cutoff || (ties && t == cutoff)) {
          evict(it->second);
          it = erase(it);
          ++evicted;
        } else {
          ++it;
        }
      }
    }
  }

  bool over_caps() const noexcept {
    return devices.size() > cfg.max_devices || nodes.size() > cfg.max_nodes;
  }

  [[gnu::noinline]] void enforce_caps(finding_sink& sink) {
    shrink(
        devices, cfg.max_devices, [&](device_state& d) { complete(d, sink); },
        [&](device_map::iterator it) { return retire(it); });
    shrink(
        nodes, cfg.max_nodes, [](node_state&) {},
        [&](node_map::iterator it) { return retire(it); });
  }
};

pcie_aer_detector::pcie_aer_detector() : pcie_aer_detector(pcie_aer_config{}) {}

pcie_aer_detector::pcie_aer_detector(const pcie_aer_config& config)
    : state_(std::make_unique<state>(config, stats_)),
      clock_(std::max(config.corrected_storm_window_ns, config.xid79_window_ns)) {}

pcie_aer_detector::~pcie_aer_detector() = default;

namespace {

constexpr std::string_view replay_metric = "DCGM_FI_DEV_PCIE_REPLAY_COUNTER";
constexpr std::array<std::string_view, 4> replay_labels = {"pci_bus_id", "UUID", "gpu", "Hostname"};
constexpr prom_label_names replay_label_names{replay_labels};

// DCGM's bus id "00000000:3B:00.0" as the kernel prints it, "0000:3b:00.0" (the low four digits
// of the 32-bit domain), so that AER records and replay counts of one GPU share a subject.
std::size_t kernel_bdf(std::string_view dcgm, std::span<char> out) noexcept {
  if (dcgm.size() != 16 || out.size() < 12 || dcgm[8] != ':') return 0;
  const std::string_view tail = dcgm.substr(4);  // "0000:3B:00.0"
  for (std::size_t i = 0; i < tail.size(); ++i) {
    const char c = tail[i];
    out[i] = c >= 'A' && c <= 'F' ? static_cast<char>(c + 32) : c;
  }
  return tail.size();
}

// A line of a firmware-first (APEI / CPER) record, which its own reader assembles.
bool is_firmware_line(aer_line_kind k) noexcept {
  switch (k) {
    case aer_line_kind::fw_begin:
    case aer_line_kind::fw_event_severity:
    case aer_line_kind::fw_section:
    case aer_line_kind::fw_section_type:
    case aer_line_kind::fw_device_id:
    case aer_line_kind::fw_vendor:
    case aer_line_kind::fw_cor_status:
    case aer_line_kind::fw_uncor_status:
    case aer_line_kind::fw_aer_status:
    case aer_line_kind::fw_uncor_sev:
    case aer_line_kind::fw_tlp_header:
    case aer_line_kind::fw_other:
      return true;
    default:
      return false;
  }
}

}  // namespace

void pcie_aer_detector::on_event(const event& ev, finding_sink& sink) {
  ++stats_.events;
  state& s = *state_;
  if (!ev.line.empty() && ev.line[0] == 'D' && ev.line.starts_with(replay_metric) &&
      ev.line.size() > replay_metric.size() &&
      (ev.line[replay_metric.size()] == '{' || ev.line[replay_metric.size()] == ' ')) {
    on_replay_line(ev, sink);
    return;
  }
  // Parsing is pure, so it goes first and the phases stay contiguous; expiry and the sweep
  // still run for every line, ours or not, before the line's own handling.
  const kernel_line k = strip_kernel_prefix(ev.line);
  // parse_aer_line classifies and extracts in one pass: a foreign line's rejection after its
  // prefix counts as parse.
  DETECTORS_PHASE(parse);
  const aer_line l = internal::parse_aer_line(k.message);
  DETECTORS_PHASE(state);
  if (s.expiry_due(ev.ts_ns)) [[unlikely]]
    s.expire(ev.ts_ns, sink);
  if (s.sweep_due(ev.ts_ns)) [[unlikely]]
    s.sweep(ev.ts_ns);
  if (l.kind == aer_line_kind::none) return;
  if (l.kind == aer_line_kind::malformed) {
    ++stats_.malformed;
    return;
  }
  // A plain log file has no envelope node: fall back on the syslog host.
  const std::string_view node = ev.node.empty() ? k.host : ev.node;
  if (clock_.late(node, ev)) [[unlikely]] {
    ++stats_.recognised;
    ++stats_.late;
    on_late_line(node, l, ev.ts_ns, sink);
    return;
  }
  bool recognised = true;
  if (l.kind == aer_line_kind::xid79)
    s.on_xid79(node, l, ev.ts_ns, sink);
  else if (is_firmware_line(l.kind))
    recognised = s.on_firmware_line(node, l, ev.ts_ns, sink);
  else
    recognised = s.on_device_line(node, l, ev.ts_ns, sink);
  if (recognised) ++stats_.recognised;
  if (s.over_caps()) [[unlikely]]
    s.enforce_caps(sink);
}

// A late line of an AER record or dump builds a late record (device_state::late): an
// uncorrected one is still reported, as a late fatal Xid is. A late Xid 79 relates nothing.
void pcie_aer_detector::on_late_line(std::string_view node, const internal::aer_line& l,
                                     std::int64_t now, finding_sink& sink) {
  state& s = *state_;
  if (l.kind == aer_line_kind::xid79) return;
  s.late_line = true;
  if (is_firmware_line(l.kind))
    s.on_firmware_line(node, l, now, sink);
  else
    s.on_device_line(node, l, now, sink);
  s.late_line = false;
  if (s.over_caps()) [[unlikely]]
    s.enforce_caps(sink);
}

void pcie_aer_detector::on_replay_line(const event& ev, finding_sink& sink) {
  state& s = *state_;
  DETECTORS_PHASE(parse);
  std::array<prom_label, replay_labels.size()> labels{};
  prom_label_capture capture{&replay_label_names, labels, 0};
  const prom_parse_result r =
      parse_prometheus_line_after_name(ev.line, replay_metric.size(), capture);
  DETECTORS_PHASE(state);
  if (s.expiry_due(ev.ts_ns)) [[unlikely]]
    s.expire(ev.ts_ns, sink);
  if (s.sweep_due(ev.ts_ns)) [[unlikely]]
    s.sweep(ev.ts_ns);
  const std::optional<std::uint64_t> value =
      r.kind == prom_line_kind::sample ? r.sample.value.as_uint64() : std::nullopt;
  if (!value || *value >= (std::uint64_t{1} << 62)) {
    // Broken, negative, fractional, or DCGM's blank sentinel (no value read): not a count.
    if (r.kind != prom_line_kind::not_sample) ++stats_.malformed;
    return;
  }
  const auto found = [&](std::size_t i) { return (capture.found >> i & 1U) != 0; };
  // The GPU: its bus id (as the kernel writes it), else its UUID, else "gpu N".
  char bdf[16];
  char gpu_index[24];
  std::string_view gpu;
  if (found(0)) gpu = std::string_view(bdf, kernel_bdf(labels[0].raw_value, bdf));
  if (gpu.empty() && found(1)) gpu = labels[1].raw_value;
  if (gpu.empty() && found(2)) {
    const auto end =
        fmt::format_to_n(gpu_index, sizeof gpu_index, FMT_COMPILE("gpu {}"), labels[2].raw_value);
    gpu = std::string_view(gpu_index, std::min(end.size, sizeof gpu_index));
  }
  if (gpu.empty()) {
    ++stats_.malformed;
    return;
  }
  ++stats_.recognised;
  const std::string_view node = !ev.node.empty() ? ev.node
                                : found(3)       ? labels[3].raw_value
                                                 : std::string_view("unknown");
  if (clock_.late(node, ev)) [[unlikely]] {
    ++stats_.late;
    return;
  }
  s.on_replay_sample(node, gpu, *value, ev.ts_ns, sink);
  if (s.over_caps()) [[unlikely]]
    s.enforce_caps(sink);
}

void pcie_aer_detector::finish(finding_sink& sink) {
  state& s = *state_;
  while (s.open_head != nullptr)
    s.complete(*s.open_head, sink);
  while (!s.dumps.empty())
    s.complete_dump(s.dumps.size() - 1, sink);
  s.next_dump_deadline = forever;
}

std::size_t pcie_aer_detector::state_size() const noexcept {
  const state& s = *state_;
  std::size_t n = s.devices.size() + s.nodes.size() + s.dumps.size();
  for (const auto& [name, node] : s.nodes)
    n += node.fatal.size();
  return n;
}

std::unique_ptr<detector> make_pcie_aer_detector() {
  return make_pcie_aer_detector(pcie_aer_config{});
}

std::unique_ptr<detector> make_pcie_aer_detector(const pcie_aer_config& config) {
  return std::make_unique<pcie_aer_detector>(config);
}

}  // namespace detectors
