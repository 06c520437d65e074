// File: kernel_gen_common.cpp
// Node platform hashing and kernel log prefixes for the kernel-log corpus generators. See
// kernel_gen_common.h.
#include "corpus/internal/kernel_gen_common.h"

#include <fmt/format.h>

#include "detectors/event.h"

namespace detectors::internal {
namespace {

constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> weekdays = {"Sun", "Mon", "Tue", "Wed",
                                                      "Thu", "Fri", "Sat"};

struct civil_time {
  std::int64_t year;
  unsigned month, day, hour, minute, second, weekday;
};

// Howard Hinnant's civil_from_days: UTC without the C library's locale or time zone.
civil_time to_civil(std::int64_t ns) {
  std::int64_t secs = ns / ns_per_second;
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  civil_time t{};
  t.weekday = static_cast<unsigned>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  t.day = doy - (153 * mp + 2) / 5 + 1;
  t.month = mp < 10 ? mp + 3 : mp - 9;
  t.year = static_cast<std::int64_t>(yoe) + era * 400 + (t.month <= 2 ? 1 : 0);
  t.hour = static_cast<unsigned>(rem / 3600);
  t.minute = static_cast<unsigned>(rem / 60 % 60);
  t.second = static_cast<unsigned>(rem % 60);
  return t;
}

}  // namespace

std::uint64_t kernel_node_hash(std::string_view s, std::uint64_t h) noexcept {
  for (unsigned char c : s)
    h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string kernel_log_prefix(kernel_prefix_style style, std::int64_t now_ns, std::string_view node,
                              std::string_view decode_level) {
  const civil_time t = to_civil(now_ns);
  const std::int64_t micros = now_ns / 1000 % 1'000'000;
  // Uptime: a per-node boot offset so nodes differ, always positive.
  const std::int64_t up_us =
      (now_ns / 1000 + static_cast<std::int64_t>(kernel_node_hash(node) % 1'000'000'000'000ULL)) %
      (86'400'000'000LL * 60);
  const std::string uptime = fmt::format("[{:5}.{:06}] ", up_us / 1'000'000, up_us % 1'000'000);
  switch (style) {
    case kernel_prefix_style::raw:
      return {};
    case kernel_prefix_style::uptime:
      return uptime;
    case kernel_prefix_style::dmesg_t:
      return fmt::format("[{} {} {:2} {:02}:{:02}:{:02} {}] ", weekdays[t.weekday],
                         months[t.month - 1], t.day, t.hour, t.minute, t.second, t.year);
    case kernel_prefix_style::iso:
      return fmt::format("{}-{:02}-{:02}T{:02}:{:02}:{:02},{:06}+00:00 ", t.year, t.month, t.day,
                         t.hour, t.minute, t.second, micros);
    case kernel_prefix_style::decode:
      return std::string(decode_level) + uptime;
    case kernel_prefix_style::syslog:
      return fmt::format("{} {:2} {:02}:{:02}:{:02} {} kernel: ", months[t.month - 1], t.day,
                         t.hour, t.minute, t.second, node) +
             uptime;
    case kernel_prefix_style::journald:
      return fmt::format("{} {:2} {:02}:{:02}:{:02} {} kernel: ", months[t.month - 1], t.day,
                         t.hour, t.minute, t.second, node);
    case kernel_prefix_style::bare:
      return "kernel: ";
  }
  return {};
}

}  // namespace detectors::internal
