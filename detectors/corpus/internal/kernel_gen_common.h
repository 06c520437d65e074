// File: kernel_gen_common.h
// What the kernel-log corpus generators (pcie_aer_gen.cpp, xid_correlation_gen.cpp) share: a
// node's platform and GPU addresses, derived from its name so that every generator agrees
// without shared state, and the log prefixes the tools that collect kernel messages put in
// front of each line (dmesg, journald, syslog, ...).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace detectors::internal {

// FNV-1a of `s`, starting from `h`: a node's platform and its devices' identities are
// functions of its name.
std::uint64_t kernel_node_hash(std::string_view s,
                               std::uint64_t h = 1469598103934665603ULL) noexcept;

// A GB200 (Grace) node rather than HGX H100: one in four, by name.
inline bool is_grace_node(std::string_view node) noexcept {
  return kernel_node_hash(node) % 4 == 0;
}

// The GPUs of a node, by platform: HGX H100 (domain 0) and GB200 (one GPU per non-zero
// domain), as domain:bus:device.function.
inline constexpr std::array<std::string_view, 8> hgx_gpu_bdfs = {
    "0000:18:00.0", "0000:2a:00.0", "0000:3a:00.0", "0000:5d:00.0",
    "0000:9a:00.0", "0000:ab:00.0", "0000:ba:00.0", "0000:db:00.0"};
inline constexpr std::array<std::string_view, 4> gb200_gpu_bdfs = {"0008:01:00.0", "0009:01:00.0",
                                                                   "0018:01:00.0", "0019:01:00.0"};

enum class kernel_prefix_style { raw, uptime, dmesg_t, iso, decode, syslog, journald, bare };

// The prefix a line logged at `now_ns` on `node` gets from the tool that collected it.
// `decode_level` is what `dmesg --decode` puts before the uptime ("kern  :err   : ").
std::string kernel_log_prefix(kernel_prefix_style style, std::int64_t now_ns, std::string_view node,
                              std::string_view decode_level);

}  // namespace detectors::internal
