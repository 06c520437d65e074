// File: xid_correlation.cpp
// The xid_correlation detector: per-GPU windows of Xids that turn single driver messages into
// what an operator acts on (a fatal Xid, a burst, "application" errors that are the GPU's).
// Steady state allocates nothing: evicted GPUs, index nodes and header slots are reused with
// their storage, and messages are formatted into member strings that keep their capacity.
#include "detectors/xid_correlation.h"

// Messages use FMT_COMPILE: fmt parses the format strings at compile time instead of on every
// finding, with the same output (fmt's own formatters do the writing either way).
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <span>

#include "detectors/kernel_prefix.h"
#include "detectors/phase.h"
#include "detectors/prometheus_line.h"
#include "formats/internal/dcgm_metric_match.h"
#include "formats/internal/literal_prefix.h"

namespace detectors {
namespace {

// Distinct application pids remembered per GPU: enough for any sensible threshold, small
// enough that a GPU shared by hundreds of short jobs stays cheap.
constexpr std::size_t max_app_pids = 8;
// Node names kept with a pending "GPU at" header (one header per node at a time).
constexpr std::size_t max_pending_headers = 256;
// Body text quoted in a message.
constexpr std::size_t max_quoted_body = 160;
// Xid slots reserved when a GPU is first tracked: the default per-GPU cap, so that a window
// never grows. The pool hands evicted states to new GPUs in eviction order, so a busy GPU can
// land in a state whose window was sized by a quiet one; with less reserved, that regrowth is an
// allocation at steady state (the corpus's faulty periods put more than 16 Xids on one GPU
// within a window).
constexpr std::size_t reserved_xids = 64;
// Reported criticals reserved per GPU (distinct code and action pairs in one window).
constexpr std::size_t reserved_criticals = 8;
// "GPU-" and a 36-character UUID, as the "GPU at PCI:..." header prints it.
constexpr std::size_t reserved_uuid = 40;
// The narrowest indent of a continuation line: dmesg's shortest timestamp, "[    0.000000] ".
constexpr std::size_t min_continuation_indent = 15;
// A GPU's key (node '\n' subject, for node names up to 55 bytes; the subject is a PCI address,
// or a UUID when a dcgm-exporter sample names no bus id): reserved when a GPU is first tracked,
// so that a pooled state or index node reused for a GPU named by its UUID does not grow.
constexpr std::size_t reserved_key = 96;
// Subject of a fallen-off-the-bus record whose first line (the one naming the GPU) is missing.
constexpr std::string_view unknown_gpu = "unknown";

// The one dcgm-exporter metric this detector reads (table form for match_dcgm_line).
struct dcgm_metric_info {
  std::string_view name;
};
constexpr std::array<dcgm_metric_info, 1> dcgm_metrics = {{{"DCGM_FI_DEV_XID_ERRORS"}}};
// Its labels that name the GPU and node, in order of preference.
constexpr std::array<std::string_view, 6> dcgm_label_list = {"pci_bus_id", "UUID",     "uuid",
                                                             "gpu",        "Hostname", "hostname"};
constexpr prom_label_names dcgm_label_names{dcgm_label_list};
enum dcgm_label : std::size_t {
  label_pci,
  label_uuid,
  label_uuid_lower,
  label_gpu,
  label_host,
  label_host_lower
};

// DCGM's bus id ("00000000:18:00.0", or "0000:18:00.0") as NVRM prints the GPU: "0000:18:00",
// the low four digits of the domain, lower case, no function. 0 when it is not a bus id.
std::size_t nvrm_pci(std::string_view id, std::span<char, 16> out) noexcept {
  if (const std::size_t dot = id.rfind('.'); dot != std::string_view::npos) id = id.substr(0, dot);
  const std::size_t colon = id.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      id.find(':', colon + 1) == std::string_view::npos)
    return 0;
  std::string_view domain = id.substr(0, colon);
  if (domain.size() > 4) domain.remove_prefix(domain.size() - 4);
  const std::string_view rest = id.substr(colon);  // ":18:00"
  if (domain.size() + rest.size() > out.size()) return 0;
  std::size_t n = 0;
  for (const std::string_view part : {domain, rest}) {
    for (const char c : part) {
      const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':') return 0;
      out[n++] = c >= 'A' && c <= 'F' ? static_cast<char>(c + 32) : c;
    }
  }
  return n;
}

bool is_critical_recovery(gpu_recovery r) noexcept {
  return r == gpu_recovery::gpu_reset || r == gpu_recovery::node_reboot ||
         r == gpu_recovery::drain_and_reset || r == gpu_recovery::bus_reset ||
         r == gpu_recovery::system_reboot;
}

action recovery_action(gpu_recovery r) noexcept {
  switch (r) {
    case gpu_recovery::gpu_reset:
    case gpu_recovery::drain_and_reset:
    case gpu_recovery::bus_reset:
      return action::reset_gpu;
    case gpu_recovery::node_reboot:
    case gpu_recovery::system_reboot:
    case gpu_recovery::drain_p2p:
      return action::drain_node;
    case gpu_recovery::recover_imex:
      return action::check_network;
    case gpu_recovery::none:
    case gpu_recovery::unknown:
      return action::observe;
  }
  return action::observe;
}

// How this particular Xid is to be handled: the catalog, refined by what its body says.
struct xid_verdict {
  xid_catalog_entry entry;
  bool critical;
  bool attention;  // an xid_attention finding (when not critical)
  action recommended;
};

xid_verdict judge(const nvrm_line& x) noexcept {
  const xid_catalog_entry e = classify_xid(x.code);
  xid_verdict v{e, e.critical, !e.critical && needs_attention(e.resolution), e.recommended};
  if (x.code == 154) {
    v.critical = is_critical_recovery(x.recovery);
    v.recommended = recovery_action(x.recovery);
  } else if (x.code >= 144 && x.code <= 150 && x.unit_sev == unit_severity::fatal) {
    // NVLink5 errors print the unit's severity: one Fatal line is a fatal event that needs the
    // GPU reset (the catalog's RESET_GPU rows of "XID 144-150 Decode"; gpud and NVSentinel
    // both report it as fatal).
    v.critical = true;
    v.recommended = action::reset_gpu;
  }
  return v;
}

// What the line said, e.g. "Xid 48 (memory: Double-bit ECC error (DBE))".
template <typename Origin>
void append_what(std::string& out, const nvrm_line& x, const xid_verdict& v, Origin origin) {
  if (origin == Origin::bus_message) {
    out += "GPU has fallen off the bus (no Xid line; treated as Xid 79)";
    return;
  }
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("Xid {} ({}: {}"), x.code,
                 to_string(v.entry.category), v.entry.description);
  if (x.code == 154)
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(": {}"), to_string(x.recovery));
  if (!x.unit.empty()) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(": unit {} {}"), x.unit,
                   x.unit_sev == unit_severity::fatal ? "Fatal" : "Nonfatal");
    if (x.link >= 0) fmt::format_to(std::back_inserter(out), FMT_COMPILE(", link {}"), x.link);
  }
  if (v.attention)
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("; catalog resolution: {}"),
                   to_string(v.entry.resolution));
  out += ')';
  if (origin == Origin::dcgm_metric)
    out += " reported by dcgm-exporter (DCGM_FI_DEV_XID_ERRORS, the GPU's last Xid)";
}

action max_action(action a, action b) noexcept {
  return a < b ? b : a;
}

// Appends, then rewrites the appended bytes in place: one append instead of a push_back (with
// its capacity check) per character. The rewrite walks raw pointers: through out[i] every
// store may alias the string's own size and data fields, which the compiler then reloads per
// character.
void append_lower(std::string& out, std::string_view s) {
  const std::size_t start = out.size();
  out += s;
  for (char *p = out.data() + start, *end = out.data() + out.size(); p != end; ++p)
    if (*p >= 'A' && *p <= 'Z') *p = static_cast<char>(*p + 32);
}

constexpr bool is_control(char c) noexcept {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

// Whether s holds a control character, eight bytes at a time: (w - n * ones) & ~w & highs is
// non-zero exactly when some byte of w is below n (n <= 0x80), and DEL is the zero byte of
// w ^ 0x7f7f...
bool has_control(std::string_view s) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, sizeof w);
    const std::uint64_t del = w ^ (ones * 0x7f);
    if ((((w - ones * 0x20) & ~w) | ((del - ones) & ~del)) & highs) return true;
  }
  for (; i < s.size(); ++i)
    if (is_control(s[i])) return true;
  return false;
}

// Quotes log text into a one-line message: control characters become spaces, long bodies are
// cut. Nearly every body has none, so it is checked a word at a time before any rewrite.
void append_quoted(std::string& out, std::string_view s) {
  const bool cut = s.size() > max_quoted_body;
  s = s.substr(0, max_quoted_body);
  const std::size_t start = out.size();
  out += s;
  if (has_control(s))
    for (char *p = out.data() + start, *end = out.data() + out.size(); p != end; ++p)
      if (is_control(*p)) *p = ' ';
  if (cut) out += "...";
}

void append_duration(std::string& out, std::int64_t ns) {
  const std::int64_t s = ns / ns_per_second;
  if (s >= 60 && s % 60 == 0)
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{} min"), s / 60);
  else
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{} s"), s);
}

}  // namespace

xid_correlation_detector::xid_correlation_detector(const xid_correlation_config& config)
    : config_(config), clock_(config.window_ns) {
  config_.burst_threshold = std::max<std::uint32_t>(config_.burst_threshold, 1);
  config_.distinct_pid_threshold =
      std::clamp<std::uint32_t>(config_.distinct_pid_threshold, 1, max_app_pids);
  config_.max_gpus = std::max<std::size_t>(config_.max_gpus, 1);
  config_.max_xids_per_gpu = std::max<std::size_t>(
      {config_.max_xids_per_gpu, std::size_t{config_.burst_threshold}, std::size_t{1}});
  config_.window_ns = std::max<std::int64_t>(config_.window_ns, 0);
  config_.header_ttl_ns = std::max<std::int64_t>(config_.header_ttl_ns, 0);
}

bool xid_correlation_detector::same_event(std::int64_t a, std::int64_t b) const noexcept {
  const std::uint64_t gap = a >= b ? static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b)
                                   : static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a);
  return gap <= static_cast<std::uint64_t>(config_.dcgm_same_event_ns);
}

bool xid_correlation_detector::in_window(std::int64_t then, std::int64_t now) const noexcept {
  // Unsigned difference: no overflow whatever the envelope's timestamps are. Either way round:
  // an event a little older than `then` (out of order, not late) is inside, and one far from
  // it on another clock (a dmesg uptime beside wall-clock times, event_clock.h) is not.
  const std::uint64_t gap =
      now >= then ? static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(then)
                  : static_cast<std::uint64_t>(then) - static_cast<std::uint64_t>(now);
  return gap <= static_cast<std::uint64_t>(config_.window_ns);
}

std::size_t xid_correlation_detector::state_size() const noexcept {
  std::size_t n = gpus_.size() + headers_.live + bus_records_.live;
  for (const gpu_state& g : gpus_)
    n += g.xids.size() + g.app_pids.size() + g.criticals.size();
  return n;
}

void xid_correlation_detector::on_event(const event& ev, finding_sink& sink) {
  ++stats_.events;
  // Cheap rejection: nearly every line of a mixed stream stops here. Stripping the prefix and
  // looking at the message's first bytes is cheaper than searching the line for "NVRM: " (a
  // foreign line's first byte already rules out every prefix form), and it decides the same:
  // parse_nvrm_message takes only messages that start with "NVRM: ".
  // dcgm-exporter samples start with their metric name (after optional blanks); a syslog line
  // may start with 'D' too ("Dec  6 ..."), and falls through when it is not one.
  if (!ev.line.empty() && (ev.line[0] == 'D' || ev.line[0] == ' ' || ev.line[0] == '\t')) {
    const std::string_view sample = internal::skip_leading_blanks(ev.line);
    if (internal::has_prefix(sample, "DCGM_")) {
      // Only one metric is ours: every other sample (most of an exporter's scrape) stops at
      // its name's first differing byte, before the line is parsed. A name cut short inside
      // ours still goes on, to be counted as malformed.
      const std::string_view ours = dcgm_metrics[0].name;
      const std::size_t n = std::min(sample.size(), ours.size());
      if (sample.compare(0, n, ours, 0, n) == 0) on_dcgm_line(ev, sink);
      return;
    }
  }
  kernel_line k = strip_kernel_prefix(ev.line);
  if (k.message.empty()) return;
  // `dmesg` indents the continuation lines of a multi-line record (the driver prints its
  // three-line fallen-off-the-bus record with one printk) to the width of the timestamp, and
  // journalctl to the width of its prefix; a shorter indent is some other text quoting NVRM.
  if (k.message[0] == ' ') {
    const std::size_t text = k.message.find_first_not_of(' ');
    if (text == std::string_view::npos || text < min_continuation_indent) return;
    k.message.remove_prefix(text);
  }
  // One byte decides which of the two tags can follow.
  if (k.message[0] == 'N') {
    if (!internal::has_prefix(k.message, "NVRM: ")) return;
  } else if (k.message[0] != 'n' || !internal::has_prefix(k.message, "nvidia-nvswitch")) {
    return;
  }
  DETECTORS_PHASE(parse);
  const nvrm_line x = parse_nvrm_message(k.message);
  if (x.kind == nvrm_kind::not_ours) return;
  if (x.kind == nvrm_kind::malformed) {
    ++stats_.malformed;
    return;
  }
  ++stats_.recognised;
  // A plain syslog file fed without an envelope still names its host in the prefix.
  const std::string_view node = ev.node.empty() ? k.host : ev.node;
  DETECTORS_PHASE(state);
  // Only Xids join windows; a late header or serial line still names its GPU.
  const bool is_xid = x.kind == nvrm_kind::xid || x.kind == nvrm_kind::fallen_off_bus;
  if (is_xid && clock_.late(node, ev)) [[unlikely]] {
    ++stats_.late;
    if (const xid_verdict v = judge(x); v.critical || v.attention)
      emit_immediate(touch_gpu(node, x.pci, ev.ts_ns), x,
                     x.kind == nvrm_kind::xid ? xid_origin::xid_line : xid_origin::bus_message,
                     ev.ts_ns, sink);
    return;
  }
  evict_idle(ev.ts_ns);
  switch (x.kind) {
    case nvrm_kind::xid:
      on_xid(ev, node, x, xid_origin::xid_line, sink);
      break;
    case nvrm_kind::fallen_off_bus:
      on_xid(ev, node, x, xid_origin::bus_message, sink);
      break;
    case nvrm_kind::gpu_header:
      on_header(ev, node, x);
      break;
    case nvrm_kind::board_serial:
      on_serial(ev, node, x);
      break;
    case nvrm_kind::bus_record_gpu:
    case nvrm_kind::bus_record_id:
    case nvrm_kind::bus_record_tail:
      on_bus_record(ev, node, x, sink);
      break;
    case nvrm_kind::sxid:
      on_sxid(ev, node, x, sink);
      break;
    case nvrm_kind::not_ours:
    case nvrm_kind::malformed:
      break;
  }
}

void xid_correlation_detector::evict_idle(std::int64_t now) {
  while (!gpus_.empty() && !in_window(gpus_.front().last_ns, now))
    evict_front();
  // Nearly every event finds both lists empty: no walk, no call.
  if (headers_.live != 0) expire_pending(headers_, now);
  if (bus_records_.live != 0) expire_pending(bus_records_, now);
}

void xid_correlation_detector::expire_pending(pending_list& p, std::int64_t now) {
  // remove_if moves strings, which keeps every slot's storage within p.slots.
  const auto live_end = std::remove_if(
      p.slots.begin(), p.slots.begin() + static_cast<std::ptrdiff_t>(p.live),
      [&](const pending_header& h) {
        return now > h.ts_ns &&
               static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(h.ts_ns) >
                   static_cast<std::uint64_t>(config_.header_ttl_ns);
      });
  p.live = static_cast<std::size_t>(live_end - p.slots.begin());
}

xid_correlation_detector::pending_header* xid_correlation_detector::find_pending(
    pending_list& p, std::string_view node) {
  const auto live_end = p.slots.begin() + static_cast<std::ptrdiff_t>(p.live);
  const auto it = std::find_if(p.slots.begin(), live_end,
                               [&](const pending_header& h) { return h.node == node; });
  return it == live_end ? nullptr : &*it;
}

// The pending slot of `node`, made if there is none (the oldest dropped beyond the cap).
xid_correlation_detector::pending_header& xid_correlation_detector::add_pending(
    pending_list& p, std::string_view node) {
  if (pending_header* h = find_pending(p, node)) return *h;
  const auto live_end = p.slots.begin() + static_cast<std::ptrdiff_t>(p.live);
  if (p.live >= max_pending_headers) {
    // Drop the oldest; its slot (and storage) moves to the end, past the live ones.
    std::rotate(p.slots.begin(), p.slots.begin() + 1, live_end);
    --p.live;
  }
  if (p.live == p.slots.size()) p.slots.emplace_back();
  pending_header& h = p.slots[p.live++];
  h.node.assign(node);
  return h;
}

// Removes `h`, keeping the order of the others; its slot moves past the live ones.
void xid_correlation_detector::drop_pending(pending_list& p, pending_header* h) {
  const auto it = p.slots.begin() + (h - p.slots.data());
  std::rotate(it, it + 1, p.slots.begin() + static_cast<std::ptrdiff_t>(p.live));
  --p.live;
}

bool xid_correlation_detector::already_reported(gpu_state& g, unsigned code, action act,
                                                std::int64_t now) {
  const auto a = static_cast<std::uint8_t>(act);
  const bool repeat = std::any_of(g.criticals.begin(), g.criticals.end(), [&](const reported& r) {
    return r.code == code && r.recommended == a;
  });
  if (!repeat) g.criticals.push_back(reported{static_cast<std::uint16_t>(code), a, now});
  return repeat;
}

// Forgets the least recently active GPU, keeping its state and index node for reuse.
void xid_correlation_detector::evict_front() {
  auto node = index_.extract(gpus_.front().key);
  if (!node.empty()) spare_index_nodes_.push_back(std::move(node));
  spare_gpus_.splice(spare_gpus_.end(), gpus_, gpus_.begin());
}

// A fresh GPU at the end of gpus_: a spare one reset to its initial state (its containers
// emptied but keeping their storage), or a new one.
xid_correlation_detector::gpu_state& xid_correlation_detector::new_gpu() {
  if (spare_gpus_.empty()) {
    gpu_state& g = gpus_.emplace_back();
    g.xids.reserve(std::min(config_.max_xids_per_gpu, reserved_xids));
    g.app_pids.reserve(max_app_pids);
    g.criticals.reserve(reserved_criticals);
    g.uuid.reserve(reserved_uuid);
    g.key.reserve(reserved_key);
    return g;
  }
  gpus_.splice(gpus_.end(), spare_gpus_, spare_gpus_.begin());
  gpu_state& g = gpus_.back();
  // Reset in place, every field to its initializer in gpu_state (a GPU appears often enough in
  // the corpus that building a fresh state and moving it in, storage swapped back, costs more
  // than the rest of its line). Containers are emptied and keep their storage.
  g.key.clear();
  g.node.clear();
  g.uuid.clear();
  g.serial.clear();
  g.last_ns = 0;
  g.xids.clear();
  g.app_pids.clear();
  g.criticals.clear();
  g.last_app_ns = 0;
  g.last_app_code = 0;
  g.has_app = false;
  g.last_hw_ns = 0;
  g.has_hw = false;
  g.burst_open = false;
  g.suspected_ns = 0;
  g.suspected = false;
  g.last79_ns = 0;
  g.has79 = false;
  g.last79_from_xid = false;
  g.dcgm_xid = 0;
  return g;
}

// key_ = node '\n' subject, subject_ = the subject.
void xid_correlation_detector::make_key(std::string_view node, std::string_view pci,
                                        bool normalise) {
  subject_.clear();
  if (normalise) {
    // An address printed without its domain ("18:00") is the same GPU as "0000:18:00". Every
    // address with a domain is at least "DDDD:BB:DD" long, so only short ones need the count.
    if (pci.size() < 10 && std::count(pci.begin(), pci.end(), ':') == 1) subject_ += "0000:";
    append_lower(subject_, pci);
  } else {
    subject_ += pci;
  }
  key_.assign(node);
  key_.push_back('\n');
  key_ += subject_;
}

xid_correlation_detector::gpu_state& xid_correlation_detector::touch_gpu(std::string_view node,
                                                                         std::string_view pci,
                                                                         std::int64_t ts,
                                                                         bool normalise) {
  make_key(node, pci, normalise);
  if (const auto it = index_.find(key_); it != index_.end()) {
    gpus_.splice(gpus_.end(), gpus_, it->second);
    it->second->last_ns = std::max(it->second->last_ns, ts);
    return *it->second;
  }
  if (gpus_.size() >= config_.max_gpus) evict_front();
  gpu_state& g = new_gpu();
  g.key = key_;
  g.node.assign(node);
  g.last_ns = ts;
  if (spare_index_nodes_.empty()) {
    std::string key;
    key.reserve(reserved_key);
    key = key_;
    index_.emplace(std::move(key), std::prev(gpus_.end()));
  } else {
    gpu_index::node_type n = std::move(spare_index_nodes_.back());
    spare_index_nodes_.pop_back();
    n.key() = key_;
    n.mapped() = std::prev(gpus_.end());
    index_.insert(std::move(n));
  }
  return g;
}

void xid_correlation_detector::prune(gpu_state& g, std::int64_t now) {
  // Entries are in arrival order: expire from the front (out-of-order input leaves an old one
  // behind until the per-GPU cap drops it).
  const auto live = std::find_if(g.xids.begin(), g.xids.end(),
                                 [&](const xid_entry& e) { return in_window(e.ts_ns, now); });
  g.xids.erase(g.xids.begin(), live);
  std::erase_if(g.app_pids, [&](const app_pid& p) { return !in_window(p.ts_ns, now); });
  std::erase_if(g.criticals, [&](const reported& r) { return !in_window(r.ts_ns, now); });
}

std::string_view xid_correlation_detector::describe(const gpu_state& g) {
  ident_.clear();
  if (g.uuid.empty() && g.serial.empty()) return ident_;
  ident_ += " (";
  ident_ += g.uuid.empty() ? std::string_view("uuid unknown") : std::string_view(g.uuid);
  if (!g.serial.empty()) {
    ident_ += ", serial ";
    ident_ += g.serial;
  }
  ident_ += ')';
  return ident_;
}

void xid_correlation_detector::emit(finding_sink& sink, const gpu_state& g, severity sev,
                                    std::string_view kind, std::int64_t first_ns,
                                    std::int64_t last_ns, std::uint64_t count, action act) {
  finding f;
  f.detector = name();
  f.node = g.node;
  f.subject = g.pci();
  f.sev = sev;
  f.kind = kind;
  f.message = message_;
  f.first_ns = first_ns;
  f.last_ns = last_ns;
  f.count = count;
  f.recommended = act;
  ++stats_.findings;
  sink.on_finding(f);
  DETECTORS_PHASE(state);  // the caller goes on with its per-GPU work
}

// The finding of one Xid that is reported on its own (xid_critical for a fatal code,
// xid_attention for one the catalog sends to a person): what it was, on which GPU (and MIG
// instance), for which process.
void xid_correlation_detector::emit_immediate(const gpu_state& g, const nvrm_line& x,
                                              xid_origin origin, std::int64_t now,
                                              finding_sink& sink) {
  const xid_verdict v = judge(x);
  DETECTORS_PHASE(emit);
  message_.clear();
  append_what(message_, x, v, origin);
  fmt::format_to(std::back_inserter(message_), FMT_COMPILE(" on {}"), g.pci());
  if (!x.gpu_instance.empty()) {
    fmt::format_to(std::back_inserter(message_), FMT_COMPILE(" GPU-I {}"), x.gpu_instance);
    if (!x.compute_instance.empty())
      fmt::format_to(std::back_inserter(message_), FMT_COMPILE(" GPU-CI {}"), x.compute_instance);
  }
  message_ += describe(g);
  if (x.pid >= 0) fmt::format_to(std::back_inserter(message_), FMT_COMPILE(", pid {}"), x.pid);
  if (!x.process_name.empty() && x.process_name != "<unknown>") {
    message_ += ", process ";
    append_quoted(message_, x.process_name);
  }
  if (!x.body.empty()) {
    message_ += ": ";
    append_quoted(message_, x.body);
  }
  if (v.critical)
    emit(sink, g, severity::critical, "xid_critical", now, now, 1, v.recommended);
  else
    emit(sink, g, severity::warning, "xid_attention", now, now, 1, v.recommended);
}

void xid_correlation_detector::on_xid(const event& ev, std::string_view node, const nvrm_line& x,
                                      xid_origin origin, finding_sink& sink) {
  const std::int64_t now = ev.ts_ns;
  const bool from_dcgm = origin == xid_origin::dcgm_metric;
  const bool from_xid_line = origin == xid_origin::xid_line;
  gpu_state& g = touch_gpu(node, x.pci, now, !from_dcgm);
  prune(g, now);

  if (x.code == 79 && !from_dcgm) {
    // The driver prints a bus fault twice ("Xid ...: 79, GPU has fallen off the bus." and
    // "GPU 0000:3b:00.0: GPU has fallen off the bus."): one fault, counted once.
    if (g.has79 && in_window(g.last79_ns, now) && g.last79_from_xid != from_xid_line) {
      g.last79_ns = now;
      g.has79 = false;  // the pair is complete; the next one starts a new fault
      return;
    }
    g.has79 = true;
    g.last79_ns = now;
    g.last79_from_xid = from_xid_line;
  }
  if (!from_dcgm) {
    // The exporter reported this Xid first: the line takes the sample's place in the window.
    const auto same = std::find_if(g.xids.begin(), g.xids.end(), [&](const xid_entry& e) {
      return e.from_dcgm && e.code == x.code && same_event(e.ts_ns, now);
    });
    if (same != g.xids.end()) g.xids.erase(same);
  }

  const xid_verdict v = judge(x);
  const bool recent_hw = g.has_hw && in_window(g.last_hw_ns, now);
  // An application Xid after a hardware one, or one that says it was caused by a hardware
  // Xid, is a consequence (processes dying on a broken GPU), not evidence about the workload.
  const bool caused_by_hw = x.caused_by != 0 && classify_xid(x.caused_by).hardware;
  const bool application =
      v.entry.category == xid_category::application && !caused_by_hw && !recent_hw && !from_dcgm;

  if (g.burst_open && g.xids.size() < config_.burst_threshold) g.burst_open = false;
  if (g.xids.size() >= config_.max_xids_per_gpu) g.xids.erase(g.xids.begin());
  g.xids.push_back(xid_entry{now, x.pid, static_cast<std::uint16_t>(x.code),
                             static_cast<std::uint8_t>(v.recommended), application,
                             v.entry.hardware, from_dcgm});

  // 1. Fatal codes, and codes the catalog sends to a person: immediately, once per code (and
  // action) per window.
  if ((v.critical || v.attention) && !already_reported(g, x.code, v.recommended, now))
    emit_immediate(g, x, origin, now, sink);

  // 2. Application Xids that are the GPU's fault.
  bool suspect = false;
  std::size_t distinct = 0;
  if (application && x.pid >= 0) {
    auto it = std::find_if(g.app_pids.begin(), g.app_pids.end(),
                           [&](const app_pid& p) { return p.pid == x.pid; });
    if (it != g.app_pids.end()) {
      it->ts_ns = now;
    } else {
      if (g.app_pids.size() >= max_app_pids) {
        g.app_pids.erase(
            std::min_element(g.app_pids.begin(), g.app_pids.end(),
                             [](const app_pid& a, const app_pid& b) { return a.ts_ns < b.ts_ns; }));
      }
      g.app_pids.push_back(app_pid{x.pid, now});
    }
    distinct = g.app_pids.size();
    suspect = distinct >= config_.distinct_pid_threshold;
  }
  const bool app_then_hw = v.entry.hardware && g.has_app && in_window(g.last_app_ns, now);
  suspect = suspect || app_then_hw;
  if (suspect && !(g.suspected && in_window(g.suspected_ns, now))) {
    g.suspected = true;
    g.suspected_ns = now;
    std::int64_t first = now;
    std::uint64_t apps = 0;
    for (const xid_entry& e : g.xids) {
      if (!e.application) continue;
      first = std::min(first, e.ts_ns);
      ++apps;
    }
    DETECTORS_PHASE(emit);
    message_.clear();
    action act = action::reset_gpu;
    if (app_then_hw) {
      fmt::format_to(std::back_inserter(message_),
                     FMT_COMPILE("application Xid {} followed by hardware-class "),
                     g.last_app_code);
      append_what(message_, x, v, origin);
      fmt::format_to(std::back_inserter(message_), FMT_COMPILE(" on {}{} within "), g.pci(),
                     describe(g));
      append_duration(message_, config_.window_ns);
      message_ += ": the application errors are likely the GPU's";
      act = max_action(act, v.recommended);
    } else {
      fmt::format_to(
          std::back_inserter(message_),
          FMT_COMPILE("application-level Xids from {} distinct processes on {}{} within "),
          distinct, g.pci(), describe(g));
      append_duration(message_, config_.window_ns);
      message_ += " (latest ";
      append_what(message_, x, v, origin);
      message_ += "): a GPU failing several workloads is suspect hardware";
    }
    emit(sink, g, severity::critical, "xid_suspected_hardware", first, now,
         std::max<std::uint64_t>(apps, 1) + (app_then_hw ? 1 : 0), act);
  }
  if (application) {
    g.has_app = true;
    g.last_app_ns = now;
    g.last_app_code = static_cast<std::uint16_t>(x.code);
  }
  if (v.entry.hardware) {
    g.has_hw = true;
    g.last_hw_ns = now;
  }

  // 3. Bursts: once when the window count reaches the threshold.
  if (!g.burst_open && g.xids.size() >= config_.burst_threshold) {
    g.burst_open = true;
    // Codes in the window with their counts, in order of first appearance.
    std::vector<code_count>& codes = codes_;
    codes.clear();
    action act = action::observe;
    // Entries are in arrival order, which within the window need not be time order.
    std::int64_t first = now;
    std::int64_t last = now;
    for (const xid_entry& e : g.xids) {
      first = std::min(first, e.ts_ns);
      last = std::max(last, e.ts_ns);
      act = max_action(act, static_cast<action>(e.recommended));
      auto it = std::find_if(codes.begin(), codes.end(),
                             [&](const code_count& c) { return c.code == e.code; });
      if (it == codes.end())
        codes.push_back(code_count{e.code, 1});
      else
        ++it->n;
    }
    DETECTORS_PHASE(emit);
    message_.clear();
    fmt::format_to(std::back_inserter(message_), FMT_COMPILE("{} Xids on {}{} within "),
                   g.xids.size(), g.pci(), describe(g));
    append_duration(message_, config_.window_ns);
    message_ += ':';
    for (const code_count& c : codes)
      fmt::format_to(std::back_inserter(message_), FMT_COMPILE(" {} x{} ({})"), c.code, c.n,
                     classify_xid(c.code).description);
    emit(sink, g, severity::warning, "xid_burst", first, last, g.xids.size(), act);
  }
}

void xid_correlation_detector::on_header(const event& ev, std::string_view node,
                                         const nvrm_line& x) {
  gpu_state& g = touch_gpu(node, x.pci, ev.ts_ns);
  g.uuid.assign(x.uuid);
  pending_header& h = add_pending(headers_, node);
  h.pci = g.pci();
  h.ts_ns = ev.ts_ns;
}

void xid_correlation_detector::on_serial(const event& ev, std::string_view node,
                                         const nvrm_line& x) {
  // The serial line names no GPU: it belongs to the header just printed on the same node.
  pending_header* h = find_pending(headers_, node);
  if (h == nullptr) return;
  gpu_state& g = touch_gpu(node, h->pci, ev.ts_ns);
  g.serial.assign(x.serial);
  drop_pending(headers_, h);
}

// The three-line record: the first line names the GPU, the last one is the fault (an Xid 79
// without an Xid token). A last line whose first one is missing (rotated away, or a partial
// paste) is still the fault, on a GPU the log does not name.
void xid_correlation_detector::on_bus_record(const event& ev, std::string_view node,
                                             const nvrm_line& x, finding_sink& sink) {
  switch (x.kind) {
    case nvrm_kind::bus_record_gpu: {
      pending_header& h = add_pending(bus_records_, node);
      h.pci.clear();
      if (std::count(x.pci.begin(), x.pci.end(), ':') == 1) h.pci += "0000:";
      append_lower(h.pci, x.pci);
      h.ts_ns = ev.ts_ns;
      return;
    }
    case nvrm_kind::bus_record_tail: {
      pending_header* h = find_pending(bus_records_, node);
      nvrm_line fault = x;
      fault.pci = h == nullptr ? unknown_gpu : std::string_view(h->pci);
      on_xid(ev, node, fault, xid_origin::bus_message, sink);
      if (h != nullptr) drop_pending(bus_records_, h);
      return;
    }
    default:
      return;  // the middle line carries nothing the record needs
  }
}

// NVSwitch errors: a fatal one (printed Fatal, or fatal in the Fabric Manager guide) is
// critical for the switch, once per code per window; the rest are recognised and counted.
// NVSentinel (pkg/sxid/sxid_handler.go) decides by the printed word alone; gpud
// (components/accelerator/nvidia/sxid/sxid.go) by its table; either one is enough here.
void xid_correlation_detector::on_sxid(const event& ev, std::string_view node, const nvrm_line& x,
                                       finding_sink& sink) {
  const sxid_catalog_entry e = classify_sxid(x.code);
  if (!(x.unit_sev == unit_severity::fatal || e.fatal)) return;
  const std::int64_t now = ev.ts_ns;
  gpu_state& g = touch_gpu(node, x.pci, now);
  prune(g, now);
  if (already_reported(g, x.code, action::drain_node, now)) return;
  DETECTORS_PHASE(emit);
  message_.clear();
  fmt::format_to(std::back_inserter(message_), FMT_COMPILE("SXid {} ("), x.code);
  message_ += e.name.empty() ? std::string_view("not in the Fabric Manager guide") : e.name;
  message_ += x.unit_sev == unit_severity::fatal      ? ", printed Fatal"
              : x.unit_sev == unit_severity::nonfatal ? ", printed Non-fatal, fatal in the guide"
                                                      : ", fatal in the guide";
  fmt::format_to(std::back_inserter(message_), FMT_COMPILE(") on NVSwitch {} {}"), x.nvswitch,
                 g.pci());
  if (x.link >= 0) fmt::format_to(std::back_inserter(message_), FMT_COMPILE(" link {}"), x.link);
  if (!x.body.empty()) {
    message_ += ": ";
    append_quoted(message_, x.body);
  }
  emit(sink, g, severity::critical, "sxid_critical", now, now, 1, action::drain_node);
}

// One DCGM_FI_DEV_XID_ERRORS sample: a change of the GPU's last Xid to a non-zero code is an
// Xid (see the header for what is the same Xid as a kernel line).
void xid_correlation_detector::on_dcgm_line(const event& ev, finding_sink& sink) {
  std::array<prom_label, dcgm_label_list.size()> labels{};
  prom_label_capture capture{&dcgm_label_names, labels, 0};
  const auto m =
      internal::match_dcgm_line(dcgm_metrics, ev.line, capture, internal::dcgm_family_prefix);
  if (m.info == nullptr) {
    if (m.malformed) ++stats_.malformed;  // our metric's name, cut short
    return;
  }
  const auto found = [&](dcgm_label l) { return (capture.found >> l & 1U) != 0; };
  if (is_dcgm_blank(m.sample.value)) {
    ++stats_.recognised;  // the exporter read no value: nothing happened that it knows of
    return;
  }
  const std::optional<std::uint64_t> value = m.sample.value.as_uint64();
  // Xid codes are small positive integers (the catalog ends below 200; the kernel prints
  // whatever the driver does): a negative, fractional or huge value is not one.
  if (!value || *value > 0xffff) {
    ++stats_.malformed;
    return;
  }
  // The GPU: its bus id as NVRM prints it, else its UUID, else its index.
  std::array<char, 16> pci{};
  char gpu_name[24];
  std::string_view subject;
  if (found(label_pci)) subject = {pci.data(), nvrm_pci(labels[label_pci].raw_value, pci)};
  std::string_view uuid;
  if (found(label_uuid))
    uuid = labels[label_uuid].raw_value;
  else if (found(label_uuid_lower))
    uuid = labels[label_uuid_lower].raw_value;
  if (subject.empty()) subject = uuid;
  if (subject.empty() && found(label_gpu) && !labels[label_gpu].raw_value.empty()) {
    const auto end = fmt::format_to_n(gpu_name, sizeof gpu_name, FMT_COMPILE("gpu{}"),
                                      labels[label_gpu].raw_value);
    subject = std::string_view(gpu_name, std::min(end.size, sizeof gpu_name));
  }
  if (subject.empty()) {
    ++stats_.malformed;  // a sample that names no GPU
    return;
  }
  ++stats_.recognised;
  const std::string_view node = !ev.node.empty()          ? ev.node
                                : found(label_host)       ? labels[label_host].raw_value
                                : found(label_host_lower) ? labels[label_host_lower].raw_value
                                                          : std::string_view();
  DETECTORS_PHASE(state);
  if (clock_.late(node, ev)) [[unlikely]] {
    // An old value out of order says nothing about a change now.
    ++stats_.late;
    return;
  }
  evict_idle(ev.ts_ns);
  const auto code = static_cast<std::uint16_t>(*value);
  if (code == 0) {
    // Back to none (a reset GPU, a restarted exporter): the next code is a change again. A GPU
    // not tracked has nothing to forget.
    make_key(node, subject, false);
    if (const auto it = index_.find(key_); it != index_.end()) it->second->dcgm_xid = 0;
    return;
  }
  gpu_state& g = touch_gpu(node, subject, ev.ts_ns, false);
  if (g.dcgm_xid == code) return;  // the same last Xid, scraped again
  g.dcgm_xid = code;
  // The UUID joins the GPU's description when it is not already its name.
  if (g.uuid.empty() && subject != uuid && uuid.size() <= reserved_uuid) g.uuid.assign(uuid);
  // The kernel line of this Xid came first: already counted.
  if (std::any_of(g.xids.begin(), g.xids.end(), [&](const xid_entry& e) {
        return !e.from_dcgm && e.code == code && same_event(e.ts_ns, ev.ts_ns);
      }))
    return;
  nvrm_line x;
  x.kind = nvrm_kind::xid;
  x.pci = g.pci();
  x.code = code;
  on_xid(ev, node, x, xid_origin::dcgm_metric, sink);
}

std::unique_ptr<detector> make_xid_correlation_detector() {
  return make_xid_correlation_detector(xid_correlation_config{});
}

std::unique_ptr<detector> make_xid_correlation_detector(const xid_correlation_config& config) {
  return std::make_unique<xid_correlation_detector>(config);
}

}  // namespace detectors
