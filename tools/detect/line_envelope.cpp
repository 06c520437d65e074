// File: line_envelope.cpp
#include "detect/line_envelope.h"

#include <array>
#include <charconv>

#include "detectors/kernel_prefix.h"

namespace tools {
namespace {

using detectors::ns_per_second;

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  const auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
  return ec == std::errc() && p == s.data() + at + n;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

// Nanoseconds since the epoch fit in int64 from 1677 to 2262; outside 1970..2261 a "date" in
// a log line is garbage, and computing it would overflow.
constexpr int first_year = 1970;
constexpr int last_year = 2261;
constexpr std::int64_t max_epoch_ms = 9'000'000'000'000'000 / 1'000'000 * 1'000;  // 2255
constexpr std::int64_t max_stamp_ns = 9'000'000'000'000'000'000;  // 2255, or 9e9 s of uptime

std::optional<std::int64_t> to_ns(int y, int mo, int d, int h, int mi, int s) {
  if (y < first_year || y > last_year) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 * ns_per_second +
         static_cast<std::int64_t>(s) * ns_per_second;
}

int month_index(std::string_view s) {
  static constexpr std::array<std::string_view, 12> months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < months.size(); ++i)
    if (s.substr(0, 3) == months[i]) return static_cast<int>(i) + 1;
  return 0;
}

// "hh:mm:ss" at `at`
bool clock(std::string_view s, std::size_t at, int& h, int& m, int& sec) {
  return digits(s, at, 2, h) && at + 2 < s.size() && s[at + 2] == ':' && digits(s, at + 3, 2, m) &&
         at + 5 < s.size() && s[at + 5] == ':' && digits(s, at + 6, 2, sec);
}

// A label value: `key="value"` anywhere in the line.
std::string_view quoted_value_after(std::string_view line, std::string_view key) {
  const std::size_t at = line.find(key);
  if (at == std::string_view::npos) return {};
  const std::size_t start = at + key.size();
  const std::size_t end = line.find('"', start);
  return end == std::string_view::npos ? std::string_view{} : line.substr(start, end - start);
}

}  // namespace

std::optional<std::int64_t> parse_iso8601_ns(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !clock(s, 11, h, mi, sec))
    return std::nullopt;
  auto ns = to_ns(y, mo, d, h, mi, sec);
  if (!ns) return std::nullopt;
  std::size_t i = 19;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    std::int64_t frac = 0, scale = ns_per_second;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (scale > 1) {
        scale /= 10;
        frac += (s[i] - '0') * scale;
      }
    }
    *ns += frac;
  }
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh = 0, om = 0;
    if (digits(s, i + 1, 2, oh) && i + 3 < s.size() && s[i + 3] == ':' && digits(s, i + 4, 2, om)) {
      const std::int64_t offset = (oh * 60 + om) * 60 * ns_per_second;
      *ns += s[i] == '+' ? -offset : offset;
    }
  }
  return ns;
}

std::optional<std::int64_t> parse_ctime_ns(std::string_view s) {
  // "Fri Aug 30 11:43:09 2024"
  int d, h, mi, sec, y;
  const int mo = s.size() >= 24 ? month_index(s.substr(4)) : 0;
  if (mo == 0 || s[3] != ' ' || s[7] != ' ') return std::nullopt;
  const std::string_view day = s.substr(8, 2);
  if (!digits(day[0] == ' ' ? s.substr(9, 1) : day, 0, day[0] == ' ' ? 1 : 2, d))
    return std::nullopt;
  if (!clock(s, 11, h, mi, sec) || s[19] != ' ' || !digits(s, 20, 4, y)) return std::nullopt;
  return to_ns(y, mo, d, h, mi, sec);
}

std::optional<std::int64_t> parse_syslog_ns(std::string_view s, int year) {
  // "Dec  2 11:38:47"
  int d, h, mi, sec;
  const int mo = month_index(s);
  if (mo == 0 || s.size() < 15 || s[3] != ' ') return std::nullopt;
  if (!(s[4] == ' ' ? digits(s, 5, 1, d) : digits(s, 4, 2, d))) return std::nullopt;
  if (!clock(s, 7, h, mi, sec)) return std::nullopt;
  return to_ns(year, mo, d, h, mi, sec);
}

detectors::source infer_source(std::string_view line) {
  using detectors::source;
  if (!line.empty() && line[0] == '{') return source::kubernetes;
  // DCGM_FI_* fields, and the ones dcgm-exporter computes (DCGM_EXP_CLOCK_EVENTS_COUNT...).
  if (line.rfind("DCGM_", 0) == 0 || line.rfind("# HELP DCGM", 0) == 0 ||
      line.rfind("# TYPE DCGM", 0) == 0)
    return source::dcgm;
  if (line.find("NCCL") != std::string_view::npos) return source::workload;
  if (line.find("Evicted") != std::string_view::npos && line.find("NVRM") == std::string_view::npos)
    return source::kubernetes;
  return source::kernel;
}

constexpr std::string_view unknown_node = "unknown";

envelope_record parse_envelope_record(std::string_view record) {
  envelope_record r;
  const auto field = [&record]() -> std::optional<std::string_view> {
    const std::size_t tab = record.find('\t');
    if (tab == std::string_view::npos) return std::nullopt;
    const std::string_view f = record.substr(0, tab);
    record.remove_prefix(tab + 1);
    return f;
  };
  const auto ts = field();
  const auto node = field();
  const auto src = field();
  if (!ts || !node || !src) {
    r.bad_field = "line";
    return r;
  }
  const auto [end, ec] = std::from_chars(ts->data(), ts->data() + ts->size(), r.ev.ts_ns);
  if (ts->empty() || ec != std::errc() || end != ts->data() + ts->size() || r.ev.ts_ns < 0) {
    r.bad_field = "ts_ns";
    return r;
  }
  if (node->empty()) {
    r.bad_field = "node";
    return r;
  }
  using detectors::source;
  bool known = false;
  for (const source s :
       {source::kernel, source::kubernetes, source::dcgm, source::workload, source::nvidia_smi}) {
    if (*src == detectors::to_string(s)) {
      r.ev.src = s;
      known = true;
    }
  }
  if (!known) {
    r.bad_field = "source";
    return r;
  }
  r.ev.node = *node;
  r.ev.line = record;
  return r;
}

std::string_view nccl_debug_host(std::string_view line) {
  // "gpu-node-4:3320624:3320721 [3] NCCL INFO ...": NCCL's debug header names the host.
  const std::size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > 253) return {};
  const std::string_view host = line.substr(0, colon);
  if (host.find_first_of(" \t[]") != std::string_view::npos) return {};
  std::size_t i = colon + 1;
  for (int field = 0; field < 2; ++field) {
    const std::size_t start = i;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9')
      ++i;
    if (i == start || i >= line.size() || line[i] != (field == 0 ? ':' : ' ')) return {};
    ++i;
  }
  return i < line.size() && line[i] == '[' ? host : std::string_view{};
}

detectors::event envelope_builder::build(std::string_view line) {
  detectors::event ev;
  ev.line = line;
  ev.src = infer_source(line);

  std::optional<std::int64_t> ts;
  std::optional<std::int64_t> delta;  // dmesg -H's "[  +0.000844]": after the previous line
  detectors::time_base base = detectors::time_base::epoch;
  std::string_view node;
  switch (ev.src) {
    case detectors::source::kubernetes:
      for (std::string_view key :
           {"\"lastTimestamp\":\"", "\"eventTime\":\"", "\"firstTimestamp\":\""}) {
        const std::string_view v = quoted_value_after(line, key);
        if (!v.empty() && (ts = parse_iso8601_ns(v))) break;
      }
      node = quoted_value_after(line, "\"host\":\"");
      break;
    case detectors::source::dcgm: {
      node = quoted_value_after(line, "Hostname=\"");
      if (node.empty()) node = quoted_value_after(line, "hostname=\"");
      // An optional trailing millisecond timestamp: "... 12 1732000000000"
      const std::size_t close = line.rfind('}');
      const std::size_t last_space = line.rfind(' ');
      if (close != std::string_view::npos && last_space != std::string_view::npos &&
          last_space > close) {
        const std::string_view before = line.substr(0, last_space);
        const std::size_t value_start = before.rfind(' ');
        if (value_start != std::string_view::npos && value_start > close) {
          std::int64_t ms = 0;
          const std::string_view t = line.substr(last_space + 1);
          if (std::from_chars(t.data(), t.data() + t.size(), ms).ec == std::errc() && ms > 0 &&
              ms <= max_epoch_ms)
            ts = ms * 1'000'000;
        }
      }
      break;
    }
    default: {
      const detectors::kernel_line k = detectors::strip_kernel_prefix(line);
      node = k.host;
      if (node.empty() && ev.src == detectors::source::workload) node = nccl_debug_host(line);
      if (!line.empty() && line[0] == '[' && line.size() > 25) ts = parse_ctime_ns(line.substr(1));
      if (!ts) ts = parse_iso8601_ns(line);
      if (!ts) ts = parse_syslog_ns(line, default_year_);
      if (!ts && !line.empty() && line[0] == '[') {
        // dmesg uptime: seconds since boot. Not wall time, but ordered on its node, which is
        // what the detectors' windows need: a clock of its own, not a date in 1970.
        std::size_t i = 1;
        while (i < line.size() && line[i] == ' ')
          ++i;
        double seconds = 0;
        const auto [p, ec] = std::from_chars(line.data() + i, line.data() + line.size(), seconds);
        if (ec == std::errc() && p < line.data() + line.size() && *p == ']' && seconds >= 0 &&
            seconds < 9e9) {
          ts = static_cast<std::int64_t>(seconds * 1e9);
          base = detectors::time_base::uptime;
        }
      }
      if (!ts) {
        // dmesg -H and -d stamps (detectors::read_kernel_stamp says how each maps to a time).
        const detectors::kernel_stamp st = detectors::read_kernel_stamp(line, default_year_);
        using type = detectors::kernel_stamp::type;
        if (st.kind == type::minute || st.kind == type::wall) ts = st.ns;
        // The same bound as a plain uptime's (a wild value is no time).
        if (st.kind == type::uptime && st.ns < 9'000'000'000LL * detectors::ns_per_second) {
          ts = st.ns;
          base = detectors::time_base::uptime;
        }
        if (st.kind == type::relative) delta = st.ns;
      }
      break;
    }
  }

  if (!fixed_node_.empty()) {
    ev.node = fixed_node_;
  } else if (!node.empty()) {
    node_.assign(node);
    ev.node = node_;
  } else {
    ev.node = unknown_node;
  }

  // A line's own time is used as it is: pinning the clock to the latest time seen would let
  // one future-dated line (or files given out of order) squeeze every later event into one
  // instant and fake bursts. Lines without a time take the last one seen - but an uptime
  // counts from one node's boot, so only a line of that same node may take it; another
  // node's line takes the last wall-clock time instead (when there is one), or it would join
  // its own node's clock at a foreign node's uptime and read as late or as a jump. A plain
  // dmesg capture (no wall-clock time anywhere) keeps its uptimes.
  if (ts) {
    if (base == detectors::time_base::uptime) {
      last_uptime_ns_ = *ts;
      uptime_node_.assign(ev.node);
      have_uptime_ = true;
    } else {
      last_epoch_ns_ = *ts;
      have_epoch_ = true;
    }
    last_base_ = base;
    ev.ts_ns = *ts;
    ev.base = base;
    return ev;
  }
  // "unknown" is every node that did not say its name, so it vouches for nothing.
  const bool same_named_node = ev.node == uptime_node_ && ev.node != unknown_node;
  const bool take_uptime = last_base_ == detectors::time_base::uptime && have_uptime_ &&
                           (same_named_node || !have_epoch_);
  ev.base = take_uptime ? detectors::time_base::uptime : detectors::time_base::epoch;
  ev.ts_ns = take_uptime ? last_uptime_ns_ : last_epoch_ns_;
  // A relative stamp counts from the previous line's time on the clock it takes; with no
  // previous time it has none to count from, and is dated as an unstamped line. So is one
  // that would move the clock out of the times a stamp can give (before 0, or past 9e18 ns,
  // the bound of an uptime's and a date's): a wild delta makes no time of -7e18.
  std::int64_t moved = 0;
  if (delta && (take_uptime ? have_uptime_ : have_epoch_) &&
      !__builtin_add_overflow(ev.ts_ns, *delta, &moved) && moved >= 0 && moved <= max_stamp_ns) {
    ev.ts_ns = moved;
    (take_uptime ? last_uptime_ns_ : last_epoch_ns_) = moved;
  }
  return ev;
}

}  // namespace tools
