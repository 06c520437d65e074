// File: noise_gen.cpp
// Unrelated lines every GPU node logs: what every detector must reject cheaply.
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>

#include "detectors/corpus.h"

namespace detectors {
namespace {

// Draws are made one statement at a time, never several inside one argument list, whose
// evaluation order the language leaves open (GCC and Clang differ).

struct uptime {
  std::int64_t sec;
  std::int64_t usec;
};

// A dmesg "[ sec.usec]" timestamp.
uptime kernel_uptime(stream_builder& b) {
  const auto usec = b.uniform(0, 999999);
  return {b.uniform(10, 99999), usec};
}

}  // namespace

void generate_noise_line(stream_builder& b) {
  const std::string_view node = b.random_node();
  const auto pid = b.uniform(300, 99999);
  switch (b.uniform(0, 11)) {
    case 0: {
      const auto partition = b.uniform(1, 4);
      const auto [sec, usec] = kernel_uptime(b);
      b.emit(node, source::kernel,
             fmt::format("[{:>5}.{:06}] EXT4-fs (nvme0n1p{}): mounted filesystem with ordered data "
                         "mode. Quota mode: none.",
                         sec, usec, partition));
      break;
    }
    case 1: {
      const auto bus = b.uniform(0x10, 0xff);
      const auto [sec, usec] = kernel_uptime(b);
      b.emit(node, source::kernel,
             fmt::format("[{:>5}.{:06}] mlx5_core 0000:{:02x}:00.0: mlx5_port_module_event:1131: "
                         "Port module event: module 0, Cable plugged",
                         sec, usec, bus));
      break;
    }
    case 2:
      b.emit(
          node, source::kernel,
          fmt::format("{} systemd[1]: Started Session {} of User root.", node, b.uniform(1, 9999)));
      break;
    case 3: {
      const auto port = b.uniform(1024, 65535);
      const auto host = b.uniform(1, 254);
      const auto subnet = b.uniform(0, 255);
      const auto site = b.uniform(0, 255);
      b.emit(node, source::kernel,
             fmt::format("sshd[{}]: Accepted publickey for ubuntu from 10.{}.{}.{} port {} ssh2: "
                         "ED25519 SHA256:4Zc1qR0nKx",
                         pid, site, subnet, host, port));
      break;
    }
    case 4: {
      const auto usec = b.uniform(0, 999999);
      const auto sec = b.uniform(1, 99);
      b.emit(node, source::kernel,
             fmt::format("[{:>5}.{:06}] NVRM: loading NVIDIA UNIX x86_64 Kernel Module  "
                         "550.54.15  Tue Mar  5 22:23:56 UTC 2024",
                         sec, usec));
      break;
    }
    case 5: {
      static constexpr std::array<std::string_view, 4> metrics = {
          "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_GPU_UTIL",
          "DCGM_FI_DEV_FB_USED"};
      const auto gpu = b.uniform(0, 7);
      const auto value = b.uniform(0, 1980);
      const auto uuid_tail = b.uniform(0, 0xffffffffff);
      const auto uuid_head = b.uniform(0, 0xffffffff);
      const auto metric = b.pick(std::span<const std::string_view>(metrics));
      b.emit(node, source::dcgm,
             fmt::format("{}{{gpu=\"{}\",UUID=\"GPU-{:08x}-1c2d-4e5f-8a9b-{:012x}\",device="
                         "\"nvidia{}\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"{}\"}} {}",
                         metric, gpu, uuid_head, uuid_tail, gpu, node, value));
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
    case 8: {
      const auto global_rank = b.uniform(0, 7);
      const auto rank = b.uniform(0, 7);
      const auto source_line = b.uniform(700, 900);
      const auto prefix_rank = b.uniform(0, 7);
      b.emit(node, source::workload,
             fmt::format("[rank{}]:[I ProcessGroupNCCL.cpp:{}] [Rank {}] ProcessGroupNCCL "
                         "initialization options: size: 8, global rank: {}",
                         prefix_rank, source_line, rank, global_rank));
      break;
    }
    case 9: {
      const auto epoch_frac = b.uniform(0, 99);
      const auto epoch = b.uniform(0, 9);
      const auto loss_frac = b.uniform(0, 9999);
      const auto loss = b.uniform(0, 3);
      b.emit(node, source::workload,
             fmt::format("{{'loss': {}.{:04}, 'learning_rate': 2e-05, 'epoch': {}.{:02}}}", loss,
                         loss_frac, epoch, epoch_frac));
      break;
    }
    case 10: {
      const auto eth = b.uniform(0, 3);
      const auto [sec, usec] = kernel_uptime(b);
      b.emit(node, source::kernel,
             fmt::format("[{:>5}.{:06}] IPv6: ADDRCONF(NETDEV_CHANGE): eth{}: link becomes ready",
                         sec, usec, eth));
      break;
    }
    default:
      b.emit(node, source::kernel,
             fmt::format("kubelet[{}]: I1122 10:0{}:12.123456 {} kubelet.go:2431] \"SyncLoop "
                         "(PLEG): event for pod\" pod=\"default/web-{:x}\"",
                         pid, b.uniform(0, 9), pid, pid));
      break;
  }
}

}  // namespace detectors
