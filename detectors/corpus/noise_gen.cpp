// File: noise_gen.cpp
// Unrelated lines every GPU node logs: what every detector must reject cheaply.
#include <fmt/format.h>

#include <array>
#include <string>

#include "detectors/corpus.h"

namespace detectors {

void generate_noise_line(stream_builder& b) {
  const std::string_view node = b.random_node();
  const auto pid = b.uniform(300, 99999);
  switch (b.uniform(0, 11)) {
    case 0:
      b.emit(node, source::kernel,
             fmt::format("[{:>5}.{:06}] EXT4-fs (nvme0n1p{}): mounted filesystem with ordered data "
                         "mode. Quota mode: none.",
                         b.uniform(10, 99999), b.uniform(0, 999999), b.uniform(1, 4)));
      break;
    case 1:
      b.emit(node, source::kernel,
             fmt::format("[{:>5}.{:06}] mlx5_core 0000:{:02x}:00.0: mlx5_port_module_event:1131: "
                         "Port module event: module 0, Cable plugged",
                         b.uniform(10, 99999), b.uniform(0, 999999), b.uniform(0x10, 0xff)));
      break;
    case 2:
      b.emit(
          node, source::kernel,
          fmt::format("{} systemd[1]: Started Session {} of User root.", node, b.uniform(1, 9999)));
      break;
    case 3:
      b.emit(node, source::kernel,
             fmt::format("sshd[{}]: Accepted publickey for ubuntu from 10.{}.{}.{} port {} ssh2: "
                         "ED25519 SHA256:4Zc1qR0nKx",
                         pid, b.uniform(0, 255), b.uniform(0, 255), b.uniform(1, 254),
                         b.uniform(1024, 65535)));
      break;
    case 4:
      b.emit(node, source::kernel,
             fmt::format("[{:>5}.{:06}] NVRM: loading NVIDIA UNIX x86_64 Kernel Module  "
                         "550.54.15  Tue Mar  5 22:23:56 UTC 2024",
                         b.uniform(1, 99), b.uniform(0, 999999)));
      break;
    case 5: {
      static constexpr std::array<std::string_view, 4> metrics = {
          "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_GPU_UTIL",
          "DCGM_FI_DEV_FB_USED"};
      const auto gpu = b.uniform(0, 7);
      b.emit(node, source::dcgm,
             fmt::format("{}{{gpu=\"{}\",UUID=\"GPU-{:08x}-1c2d-4e5f-8a9b-{:012x}\",device="
                         "\"nvidia{}\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"{}\"}} {}",
                         b.pick(std::span<const std::string_view>(metrics)), gpu,
                         b.uniform(0, 0xffffffff), b.uniform(0, 0xffffffffff), gpu, node,
                         b.uniform(0, 1980)));
      break;
    }
    case 6:
      b.emit(node, source::dcgm, "# HELP DCGM_FI_DEV_SM_CLOCK SM clock frequency (in MHz).");
      break;
    case 7:
      b.emit(node, source::kubernetes,
             fmt::format(R"({{"kind":"Event","apiVersion":"v1","metadata":{{"name":"web-{:x}.17a",)"
                         R"("namespace":"default"}},"involvedObject":{{"kind":"Pod","name":"web-)"
                         R"({:x}"}},"reason":"Scheduled","message":"Successfully assigned )"
                         R"(default/web-{:x} to {}","type":"Normal","count":1}})",
                         pid, pid, pid, node));
      break;
    case 8:
      b.emit(node, source::workload,
             fmt::format("[rank{}]:[I ProcessGroupNCCL.cpp:{}] [Rank {}] ProcessGroupNCCL "
                         "initialization options: size: 8, global rank: {}",
                         b.uniform(0, 7), b.uniform(700, 900), b.uniform(0, 7), b.uniform(0, 7)));
      break;
    case 9:
      b.emit(node, source::workload,
             fmt::format("{{'loss': {}.{:04}, 'learning_rate': 2e-05, 'epoch': {}.{:02}}}",
                         b.uniform(0, 3), b.uniform(0, 9999), b.uniform(0, 9), b.uniform(0, 99)));
      break;
    case 10:
      b.emit(node, source::kernel,
             fmt::format("[{:>5}.{:06}] IPv6: ADDRCONF(NETDEV_CHANGE): eth{}: link becomes ready",
                         b.uniform(10, 99999), b.uniform(0, 999999), b.uniform(0, 3)));
      break;
    default:
      b.emit(node, source::kernel,
             fmt::format("kubelet[{}]: I1122 10:0{}:12.123456 {} kubelet.go:2431] \"SyncLoop "
                         "(PLEG): event for pod\" pod=\"default/web-{:x}\"",
                         pid, b.uniform(0, 9), pid, pid));
      break;
  }
}

}  // namespace detectors
