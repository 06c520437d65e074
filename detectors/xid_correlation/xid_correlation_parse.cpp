// File: xid_correlation_parse.cpp
// NVIDIA's Xid catalog (every code, a constexpr table indexed by code), the NVSwitch
// SXid severities, and a hand-written, allocation-free parser for the NVRM and nvidia-nvswitch
// kernel messages the xid_correlation detector reads. No regex: every kernel line of every node
// reaches the cheap "NVRM: " / "nvidia-nvswitch" check, and those lines reach this parser.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "detectors/xid_correlation.h"
#include "formats/internal/literal_prefix.h"

namespace detectors {
namespace {

using internal::consume;
using internal::has_prefix;

// ---- Catalog --------------------------------------------------------------------------------

using cat = xid_category;
using res = xid_resolution;
using act = action;

// NVIDIA's Xid catalog, every code it lists, sorted by code: the code, a category, the
// catalog's "Immediate Action" (resolution), whether a single occurrence is an xid_critical,
// whether it is evidence against the GPU, the action a finding recommends, and a description.
// Source: https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html, as generated
// into leptonai/gpud components/accelerator/nvidia/xid/catalog_generated.go (2025-10-29).
//
// Derived columns: RESET_GPU, RESTART_VM and RESTART_BM are critical (reset_gpu, drain_node);
// IGNORE and RESTART_APP recommend observe (the correlation still counts them); the resolutions
// that need a person (CONTACT_SUPPORT, CHECK_MECHANICALS, UPDATE_SWFW, CHECK_UVM) or have none
// published recommend drain_node, which is what NVSentinel does with CONTACT_SUPPORT (its
// health event is fatal: the node is cordoned; NVIDIA/NVSentinel
// health-monitors/syslog-health-monitor/pkg/xid/xid_handler.go). Codes the catalog leaves to a
// workflow keep the action the workflow usually ends in (48, 74: reset; 144-150: decided by the
// printed unit severity; 154: decided by the recovery action it prints). Deliberate departures:
//   45       the catalog's "Preemptive cleanup" workflow: an application Xid here, a
//            consequence when it names a hardware Xid as its cause;
//   63, 171, 172  observe alone (IGNORE / additions to Xid 48), reset_gpu in a burst: a remapped
//            row is only active after a reset;
//   64       replace_gpu: RESET_GPU then CONTACT_SUPPORT, and a failed remap means no spare rows;
//   94       contact support, as NVSentinel expects (the catalog says RESTART_APP);
//   109      application category (its pids count as workloads) and critical (RESET_GPU);
//   137      NVLink, not hardware evidence: an illegal peer access reported by the remote MMU;
//   162      IGNORE: the power-smoothing capability came back (163-165 report it going).
constexpr std::array<xid_catalog_entry, 172> catalog = {{
    {1, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel fifo error fifo method (unused)"},
    {2, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel fifo error sw method (unused)"},
    {3, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel fifo error unk method (unused)"},
    {4, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel fifo error channel busy (unused)"},
    {5, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel fifo error runout overflow (unused)"},
    {6, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel fifo error parse err (unused)"},
    {7, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel fifo error pte err (unused)"},
    {8, cat::application, res::restart_app, false, false, act::observe, "GPU stopped processing"},
    {9, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel gr error instance (unused)"},
    {10, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel gr error single step (unused)"},
    {11, cat::application, res::restart_app, false, false, act::observe,
     "Invalid or corrupted push buffer stream"},
    {12, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel gr error sw method (unused)"},
    {13, cat::application, res::restart_app, false, false, act::observe,
     "Graphics Engine Exception"},
    {14, cat::other, res::ignore, false, false, act::observe, "robust channel fake error (unused)"},
    {15, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel scanline timeout (unused)"},
    {16, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel vblank callback timeout (unused)"},
    {17, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel parameter error (unused)"},
    {18, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel bus master timeout error (unused)"},
    {19, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel disp missed notifier (unused)"},
    {20, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel mpeg error sw method (unused)"},
    {21, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel me error sw method (unused)"},
    {22, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel vp error sw method (unused)"},
    {23, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel rc logging enabled (unused)"},
    {24, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel gr semaphore timeout (unused)"},
    {25, cat::application, res::restart_app, false, false, act::observe,
     "Invalid or illegal push buffer stream"},
    {26, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel fifo error fbistate timeout (unused)"},
    {27, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel vp error (unused)"},
    {28, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel vp2 error (unused)"},
    {29, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel bsp error (unused)"},
    {30, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel bad addr access (unused)"},
    {31, cat::application, res::restart_app, false, false, act::observe, "GPU memory page fault"},
    {32, cat::application, res::restart_app, false, false, act::observe,
     "Invalid or corrupted push buffer stream"},
    {33, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel sec error (unused)"},
    {34, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel msvld error (unused)"},
    {35, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel mspdec error (unused)"},
    {36, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel msppp error (unused)"},
    {37, cat::other, res::ignore, false, false, act::observe, "Driver firmware error"},
    {38, cat::other, res::ignore, false, false, act::observe, "Driver firmware error"},
    {39, cat::application, res::restart_app, false, false, act::observe, "Copy Engine Exception"},
    {40, cat::application, res::restart_app, false, false, act::observe, "Copy Engine Exception"},
    {41, cat::application, res::restart_app, false, false, act::observe, "Copy Engine Exception"},
    {42, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel vic error (unused)"},
    {43, cat::application, res::ignore, false, false, act::observe, "GPU stopped processing"},
    {44, cat::other, res::ignore, false, false, act::observe,
     "Graphics Engine fault during context switch"},
    {45, cat::application, res::workflow, false, false, act::observe,
     "Preemptive cleanup, due to previous errors"},
    {46, cat::other, res::reset_gpu, true, true, act::reset_gpu, "GPU stopped processing"},
    {47, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel nvenc0 error (unused)"},
    {48, cat::memory, res::workflow, true, true, act::reset_gpu, "Double-bit ECC error (DBE)"},
    {49, cat::other, res::contact_support, false, false, act::drain_node,
     "silent running constant level set by registry (unused)"},
    {50, cat::other, res::contact_support, false, false, act::drain_node,
     "silent running level transition due to rc error (unused)"},
    {51, cat::other, res::contact_support, false, false, act::drain_node,
     "silent running stress test failure (unused)"},
    {52, cat::other, res::contact_support, false, false, act::drain_node,
     "silent running level trans due to temp rise (unused)"},
    {53, cat::other, res::contact_support, false, false, act::drain_node,
     "silent running temp reduced clocking (unused)"},
    {54, cat::other, res::check_mechanicals, false, true, act::drain_node,
     "Auxiliary power is not connected to the GPU board"},
    {55, cat::other, res::contact_support, false, false, act::drain_node,
     "silent running temperature read error (unused)"},
    {56, cat::other, res::contact_support, false, false, act::drain_node,
     "display channel exception (unused)"},
    {57, cat::other, res::contact_support, false, false, act::drain_node,
     "fb link training failure error (unused)"},
    {58, cat::memory, res::contact_support, false, false, act::drain_node,
     "fb memory error (unused)"},
    {59, cat::microcontroller, res::contact_support, false, false, act::drain_node,
     "pmu error (unused)"},
    {60, cat::application, res::restart_app, false, false, act::observe,
     "Video processor exception"},
    {61, cat::microcontroller, res::contact_support, false, true, act::reset_gpu,
     "Micro-controller breakpoint/warning"},
    {62, cat::microcontroller, res::reset_gpu, true, true, act::reset_gpu, "Micro-controller halt"},
    {63, cat::memory, res::ignore, false, true, act::reset_gpu,
     "ECC page retirement / row remap recorded"},
    {64, cat::memory, res::reset_gpu, true, true, act::replace_gpu,
     "ECC page retirement / row remap failure"},
    {65, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel nvenc1 error (unused)"},
    {66, cat::other, res::ignore, false, false, act::observe, "Illegal access by driver"},
    {67, cat::other, res::ignore, false, false, act::observe, "Illegal access by driver"},
    {68, cat::application, res::restart_app, false, false, act::observe, "NVDEC0 Exception"},
    {69, cat::application, res::restart_app, false, false, act::observe,
     "Graphics Engine class error"},
    {70, cat::application, res::restart_app, false, false, act::observe, "CE3: Unknown Error"},
    {71, cat::application, res::restart_app, false, false, act::observe, "CE4: Unknown Error"},
    {72, cat::application, res::restart_app, false, false, act::observe, "CE5: Unknown Error"},
    {73, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel nvenc2 error (unused)"},
    {74, cat::nvlink, res::workflow, true, true, act::reset_gpu, "NVLink error"},
    {75, cat::application, res::restart_app, false, false, act::observe, "CE6: Unknown Error"},
    {76, cat::application, res::restart_app, false, false, act::observe, "CE7: Unknown Error"},
    {77, cat::application, res::restart_app, false, false, act::observe, "CE8: Unknown Error"},
    {78, cat::other, res::update_swfw, false, false, act::drain_node, "vGPU Start Error"},
    {79, cat::bus, res::restart_bm, true, true, act::drain_node, "GPU has fallen off the bus"},
    {80, cat::application, res::restart_app, false, false, act::observe,
     "Corrupted data sent to GPU"},
    {81, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel vga subsystem error (unused)"},
    {82, cat::application, res::restart_app, false, false, act::observe, "NVJPG0 Error"},
    {83, cat::application, res::restart_app, false, false, act::observe, "NVDEC1 Error"},
    {84, cat::application, res::restart_app, false, false, act::observe, "NVDEC2 Error"},
    {85, cat::application, res::restart_app, false, false, act::observe, "CE9: Unknown Error"},
    {86, cat::application, res::restart_app, false, false, act::observe, "OFA Exception"},
    {87, cat::other, res::contact_support, false, false, act::drain_node,
     "nvtelemetry driver report (unused)"},
    {88, cat::application, res::restart_app, false, false, act::observe, "NVDEC3 Error"},
    {89, cat::application, res::restart_app, false, false, act::observe, "NVDEC4 Error"},
    {90, cat::other, res::contact_support, false, false, act::drain_node, "ltc error (unused)"},
    {91, cat::other, res::contact_support, false, false, act::drain_node, "reserved xid (unused)"},
    {92, cat::memory, res::ignore, false, true, act::observe, "High single-bit ECC error rate"},
    {93, cat::other, res::ignore, false, false, act::observe,
     "Non-fatal violation of provisioned InfoROM wear limit"},
    {94, cat::memory, res::contact_support, false, true, act::drain_node, "Contained ECC error"},
    {95, cat::memory, res::reset_gpu, true, true, act::reset_gpu, "Uncontained ECC error"},
    {96, cat::application, res::restart_app, false, false, act::observe, "NVDEC5 Error"},
    {97, cat::application, res::restart_app, false, false, act::observe, "NVDEC6 Error"},
    {98, cat::application, res::restart_app, false, false, act::observe, "NVDEC7 Error"},
    {99, cat::application, res::restart_app, false, false, act::observe, "NVJPG1 Error"},
    {100, cat::application, res::restart_app, false, false, act::observe, "NVJPG2 Error"},
    {101, cat::application, res::restart_app, false, false, act::observe, "NVJPG3 Error"},
    {102, cat::application, res::restart_app, false, false, act::observe, "NVJPG4 Error"},
    {103, cat::application, res::restart_app, false, false, act::observe, "NVJPG5 Error"},
    {104, cat::application, res::restart_app, false, false, act::observe, "NVJPG6 Error"},
    {105, cat::application, res::restart_app, false, false, act::observe, "NVJPG7 Error"},
    {106, cat::other, res::ignore, false, false, act::observe, "SMBPBI Test Message"},
    {107, cat::other, res::ignore, false, false, act::observe, "SMBPBI Test Message Silent"},
    {108, cat::nvlink, res::ignore, false, false, act::observe,
     "nvlink remote translation error (unused)"},
    {109, cat::application, res::reset_gpu, true, false, act::reset_gpu, "Context switch timeout"},
    {110, cat::other, res::reset_gpu, true, true, act::reset_gpu, "Security Fault Error"},
    {111, cat::other, res::contact_support, false, false, act::drain_node,
     "bundle error event (unused)"},
    {112, cat::other, res::contact_support, false, false, act::drain_node,
     "disp supervisor error (unused)"},
    {113, cat::other, res::contact_support, false, false, act::drain_node,
     "dp lt failure (unused)"},
    {114, cat::other, res::contact_support, false, false, act::drain_node,
     "head rg underflow (unused)"},
    {115, cat::other, res::contact_support, false, false, act::drain_node,
     "core channel regs (unused)"},
    {116, cat::other, res::contact_support, false, false, act::drain_node,
     "window channel regs (unused)"},
    {117, cat::other, res::contact_support, false, false, act::drain_node,
     "cursor channel regs (unused)"},
    {118, cat::other, res::contact_support, false, false, act::drain_node, "head regs (unused)"},
    {119, cat::gsp, res::reset_gpu, true, true, act::reset_gpu, "GSP RPC timeout"},
    {120, cat::gsp, res::reset_gpu, true, true, act::reset_gpu, "GSP error"},
    {121, cat::other, res::ignore, false, false, act::observe, "C2C Error"},
    {122, cat::microcontroller, res::contact_support, false, false, act::drain_node,
     "spi pmu rpc read fail (unused)"},
    {123, cat::microcontroller, res::contact_support, false, false, act::drain_node,
     "spi pmu rpc write fail (unused)"},
    {124, cat::microcontroller, res::contact_support, false, false, act::drain_node,
     "spi pmu rpc erase fail (unused)"},
    {125, cat::other, res::contact_support, false, false, act::drain_node,
     "inforom fs error (unused)"},
    {126, cat::application, res::restart_app, false, false, act::observe, "CE10: Unknown Error"},
    {127, cat::application, res::restart_app, false, false, act::observe, "CE11: Unknown Error"},
    {128, cat::application, res::restart_app, false, false, act::observe, "CE12: Unknown Error"},
    {129, cat::application, res::restart_app, false, false, act::observe, "CE13: Unknown Error"},
    {130, cat::application, res::restart_app, false, false, act::observe, "CE14: Unknown Error"},
    {131, cat::application, res::restart_app, false, false, act::observe, "CE15: Unknown Error"},
    {132, cat::application, res::restart_app, false, false, act::observe, "CE16: Unknown Error"},
    {133, cat::application, res::restart_app, false, false, act::observe, "CE17: Unknown Error"},
    {134, cat::application, res::restart_app, false, false, act::observe, "CE18: Unknown Error"},
    {135, cat::application, res::restart_app, false, false, act::observe, "CE19: Unknown Error"},
    {136, cat::other, res::reset_gpu, true, true, act::reset_gpu, "Link Training Failed"},
    {137, cat::nvlink, res::ignore, false, false, act::observe, "NVLink FLA privilege error"},
    {138, cat::other, res::contact_support, false, false, act::drain_node,
     "robust channel dla error (unused)"},
    {139, cat::application, res::restart_app, false, false, act::observe, "OFA1 Error"},
    {140, cat::memory, res::reset_gpu, true, true, act::reset_gpu, "ECC Unrecovered Error"},
    {141, cat::other, res::ignore, false, false, act::observe, "CUDA Fast Path Error"},
    {142, cat::other, res::contact_support, false, false, act::drain_node, "NVENC3 Error"},
    {143, cat::other, res::reset_gpu, true, true, act::reset_gpu, "GPU Initialization Error"},
    {144, cat::nvlink, res::workflow, false, true, act::check_network, "NVLink SAW error"},
    {145, cat::nvlink, res::workflow, false, true, act::check_network, "NVLink RLW error"},
    {146, cat::nvlink, res::workflow, false, true, act::check_network, "NVLink TLW error"},
    {147, cat::nvlink, res::workflow, false, true, act::check_network, "NVLink TREX error"},
    {148, cat::nvlink, res::workflow, false, true, act::check_network,
     "NVLink NVLPW control error"},
    {149, cat::nvlink, res::workflow, false, true, act::check_network, "NVLink NETIR error"},
    {150, cat::nvlink, res::workflow, false, true, act::check_network, "NVLink MSE error"},
    {151, cat::other, res::restart_vm, true, true, act::drain_node, "Key rotation Error"},
    {152, cat::other, res::ignore, false, false, act::observe, "DLA SMMU Error"},
    {153, cat::other, res::ignore, false, false, act::observe, "DLA timeout Error"},
    {154, cat::recovery, res::workflow, false, false, act::observe, "GPU recovery action changed"},
    {155, cat::nvlink, res::reset_gpu, true, true, act::reset_gpu, "NVLINK: SW Defined Error"},
    {156, cat::memory, res::reset_gpu, true, true, act::reset_gpu, "Resource Retirement Event"},
    {157, cat::memory, res::ignore, false, false, act::observe, "Resource Retirement Failure"},
    {158, cat::other, res::reset_gpu, true, true, act::reset_gpu, "GPU Fatal Timeout"},
    {159, cat::other, res::check_uvm, false, false, act::drain_node, "CHI Non-Data Error"},
    {160, cat::other, res::ignore, false, false, act::observe, "Channel Retirement Event"},
    {161, cat::other, res::ignore, false, false, act::observe, "Channel Retirement Failure"},
    {162, cat::other, res::ignore, false, false, act::observe,
     "Power Smoothing HW Circuitry capability reengaged"},
    {163, cat::other, res::unpublished, false, false, act::drain_node,
     "Power Smoothing HW Circuitry capability disengaged"},
    {164, cat::other, res::unpublished, false, false, act::drain_node,
     "Power Smoothing HW Circuitry low lifetime reached"},
    {165, cat::other, res::unpublished, false, false, act::drain_node,
     "Power Smoothing HW Circuitry lifetime exhausted"},
    {166, cat::nvlink, res::unpublished, false, false, act::drain_node,
     "CC traffic seen prior to link properly being configured for encrypted"},
    {167, cat::other, res::unpublished, false, false, act::drain_node, "PCIE_FATAL_TIMEOUT"},
    {168, cat::memory, res::unpublished, false, false, act::drain_node,
     "Errors found in WPR (write protected region)"},
    {169, cat::microcontroller, res::unpublished, false, false, act::drain_node,
     "Internal micro-controller halt"},
    {170, cat::nvlink, res::unpublished, false, false, act::drain_node,
     "Interrupt seen in CC mode"},
    {171, cat::memory, res::workflow, false, true, act::reset_gpu, "Uncorrectable DRAM error"},
    {172, cat::memory, res::workflow, false, true, act::reset_gpu, "Uncorrectable SRAM error"},
}};

// Dense: catalog[code - 1] is the entry of `code`, so a lookup is one index.
constexpr bool catalog_is_dense() {
  for (std::size_t i = 0; i < catalog.size(); ++i)
    if (catalog[i].code != i + 1) return false;
  return true;
}
static_assert(catalog_is_dense());

// NVSwitch SXids, sorted by code, with whether the Fabric Manager user guide lists them as fatal
// (https://docs.nvidia.com/datacenter/tesla/pdf/fabric-manager-user-guide.pdf), as leptonai/gpud
// embeds them in components/accelerator/nvidia/sxid/sxid.go (EventTypeFatal there).
constexpr std::array<sxid_catalog_entry, 93> sxid_catalog = {{
    {10001, false, "Host_priv_error"},
    {10002, false, "Host_priv_timeout"},
    {10003, false, "Host_unhandled_interrupt"},
    {10004, false, "Host_thermal_event_start"},
    {10005, false, "Host_thermal_event_end"},
    {11001, true, "ingress invalid command"},
    {11004, true, "Ingress invalid ACL"},
    {11009, true, "ingress invalid VCSet"},
    {11012, false, "Single bit ECC errors"},
    {11013, true, "ingress header DBE"},
    {11018, true, "ingress RID DBE"},
    {11019, true, "ingress RLAN DBE"},
    {11020, true, "ingress control parity"},
    {11021, false, "Single bit ECC errors"},
    {11022, false, "Single bit ECC errors"},
    {11023, false, "Single bit ECC errors"},
    {12001, true, "egress crossbar overflow"},
    {12002, true, "egress packet route"},
    {12020, true, "egress sequence ID error"},
    {12021, false, "Single bit ECC errors"},
    {12022, true, "egress input ECC DBE error"},
    {12023, false, "Single bit ECC errors"},
    {12024, true, "egress output ECC DBE error"},
    {12025, true, "egress credit overflow"},
    {12026, true, "egress destination request ID error"},
    {12027, true, "egress destination response ID error"},
    {12028, true, "egress nonposted PRIV error"},
    {12030, false, "egress control parity error"},
    {12031, true, "egress credit parity error"},
    {12032, true, "egress flit type mismatch"},
    {14017, true, "TS ATO timeout"},
    {15001, true, "route buffer over/underflow"},
    {15006, true, "route transdone over/underflow"},
    {15008, false, "Single bit ECC errors"},
    {15009, true, "route GLT DBE"},
    {15010, true, "route parity"},
    {15011, false, "Single bit ECC errors"},
    {15012, true, "route incoming DBE"},
    {15013, true, "route credit parity"},
    {19047, true, "NCISOC HDR ECC DBE Error"},
    {19048, true, "NCISOC DAT ECC DBE Error"},
    {19049, false, "Single bit ECC errors"},
    {19054, true, "HDR RAM ECC DBE Error"},
    {19055, false, "Single bit ECC errors"},
    {19056, true, "DAT0 RAM ECC DBE Error"},
    {19057, false, "Single bit ECC errors"},
    {19058, true, "DAT1 RAM ECC DBE Error"},
    {19059, false, "Single bit ECC errors"},
    {19060, true, "CREQ RAM HDR ECC DBE Error"},
    {19061, true, "CREQ RAM DAT ECC DBE Error"},
    {19062, false, "Single bit ECC errors"},
    {19063, true, "Response RAM HDR ECC DBE Error"},
    {19064, true, "Response RAM DAT ECC DBE Error"},
    {19065, false, "Single bit ECC errors"},
    {19066, true, "COM RAM HDR ECC DBE Error"},
    {19067, true, "COM RAM DAT ECC DBE Error"},
    {19068, false, "Single bit ECC errors"},
    {19069, true, "RSP1 RAM HDR ECC DBE Error"},
    {19070, true, "RSP1 RAM DAT ECC DBE Error"},
    {19071, false, "Single bit ECC errors"},
    {19084, true, "AN1 Heartbeat Timeout Error"},
    {20001, false, "TX Replay Error"},
    {20009, false, "RX Short Error Rate"},
    {20012, false, "Broken/inconsistent connection"},
    {20034, true, "LTSSM Fault Up"},
    {22003, true, "Minion Halt"},
    {22011, true, "Minion exterror"},
    {22012, true, "Minion Link NA interrupt"},
    {22013, false, "Minion Link DLREQ interrupt"},
    {23001, true, "ingress SRC-VC buffer overflow"},
    {23002, true, "ingress SRC-VC buffer underflow"},
    {23003, true, "egress DST-VC credit overflow"},
    {23004, true, "egress DST-VC credit underflow"},
    {23005, true, "ingress packet burst error"},
    {23006, true, "ingress packet sticky error"},
    {23007, true, "possible bubbles at ingress"},
    {23008, true, "ingress packet invalid dst error"},
    {23009, true, "ingress packet parity error"},
    {23010, true, "ingress SRC-VC buffer overflow"},
    {23011, true, "ingress SRC-VC buffer underflow"},
    {23012, true, "egress DST-VC credit overflow"},
    {23013, true, "egress DST-VC credit underflow"},
    {23014, true, "ingress packet burst error"},
    {23015, true, "ingress packet sticky error"},
    {23016, true, "possible bubbles at ingress"},
    {23017, true, "ingress credit parity error"},
    {24001, false, "Single bit ECC errors"},
    {24002, false, "Single bit ECC errors"},
    {24003, false, "Single bit ECC errors"},
    {24004, true, "sourcetrack TCEN0 crubmstore DBE"},
    {24005, true, "sourcetrack TCEN0 TD crubmstore DBE"},
    {24006, true, "sourcetrack TCEN1 crubmstore DBE"},
    {24007, true, "sourcetrack timeout error"},
}};

static_assert(std::is_sorted(sxid_catalog.begin(), sxid_catalog.end(),
                             [](const auto& a, const auto& b) { return a.code < b.code; }));

// ---- Scanning helpers -----------------------------------------------------------------------

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr unsigned hex_value(char c) noexcept {
  return is_digit(c) ? static_cast<unsigned>(c - '0')
                     : static_cast<unsigned>((c | 0x20) - 'a' + 10);
}

// Consumes 1..max_digits decimal digits that are not followed by another digit.
[[gnu::always_inline]] inline bool consume_uint(std::string_view& s, std::size_t max_digits,
                                                std::uint64_t& out) noexcept {
  std::size_t i = 0;
  std::uint64_t v = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (++i > max_digits) return false;
    v = v * 10 + static_cast<unsigned>(s[i - 1] - '0');
  }
  if (i == 0) return false;
  s.remove_prefix(i);
  out = v;
  return true;
}

// "DDDD:BB:DD": a 4..8 hex-digit domain (Grace/GB200 and VMD systems print non-zero and wide
// domains), bus and device. Returns the length, or 0.
[[gnu::always_inline]] inline std::size_t pci_length(std::string_view s) noexcept {
  std::size_t d = 0;
  while (d < s.size() && d < 9 && is_hex(s[d]))
    ++d;
  if (d < 4 || d > 8) return 0;
  if (s.size() < d + 6 || s[d] != ':' || !is_hex(s[d + 1]) || !is_hex(s[d + 2]) ||
      s[d + 3] != ':' || !is_hex(s[d + 4]) || !is_hex(s[d + 5]))
    return 0;
  if (s.size() > d + 6 && is_hex(s[d + 6])) return 0;
  return d + 6;
}

[[gnu::always_inline]] inline bool consume_pci(std::string_view& s,
                                               std::string_view& pci) noexcept {
  const std::size_t n = pci_length(s);
  if (n == 0) return false;
  pci = s.substr(0, n);
  s.remove_prefix(n);
  return true;
}

// "BB:DD" without a domain, as some driver messages print it ("GPU 18:00.0: GPU has fallen off
// the bus."); the detector files it under domain 0000.
bool consume_short_pci(std::string_view& s, std::string_view& pci) noexcept {
  if (s.size() < 5 || !is_hex(s[0]) || !is_hex(s[1]) || s[2] != ':' || !is_hex(s[3]) ||
      !is_hex(s[4]) || (s.size() > 5 && (is_hex(s[5]) || s[5] == ':')))
    return false;
  pci = s.substr(0, 5);
  s.remove_prefix(5);
  return true;
}

// The PCI function after an address, ".0" (Xid lines of some drivers print it:
// "Xid (PCI:0000:00:08.0): 145, ..." in NVIDIA/NVSentinel
// health-monitors/syslog-health-monitor/pkg/xid/parser/csv_test.go). Dropped: a GPU is its
// device.
[[gnu::always_inline]] inline bool consume_function(std::string_view& s) noexcept {
  if (s.size() < 2 || s[0] != '.' || s[1] < '0' || s[1] > '7') return false;
  if (s.size() > 2 && is_hex(s[2])) return false;
  s.remove_prefix(2);
  return true;
}

void skip_spaces(std::string_view& s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
}

// The next run of characters up to a space (or the end).
std::string_view next_token(std::string_view& s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && s[i] != ' ' && s[i] != '\t')
    ++i;
  const std::string_view t = s.substr(0, i);
  s.remove_prefix(i);
  return t;
}

bool consume_hex32(std::string_view& s, std::uint32_t& out) noexcept {
  if (!(consume(s, "0x") || consume(s, "0X"))) return false;
  std::size_t i = 0;
  std::uint32_t v = 0;
  while (i < s.size() && is_hex(s[i])) {
    if (++i > 8) return false;
    v = v * 16 + hex_value(s[i - 1]);
  }
  if (i == 0) return false;
  s.remove_prefix(i);
  out = v;
  return true;
}

bool consume_int(std::string_view& s, std::size_t max_digits, std::int32_t& out) noexcept {
  const bool negative = consume(s, "-");
  std::uint64_t v = 0;
  if (!consume_uint(s, max_digits, v)) return false;
  out = negative ? -static_cast<std::int32_t>(v) : static_cast<std::int32_t>(v);
  return true;
}

// The NVLink5 body of Xids 144-150 (leptonai/gpud components/accelerator/nvidia/xid/kmsg.go,
// RegexNVRMXidExtended; NVIDIA's catalog, "XID 144-150 Decode"):
//   "<UNIT>[/<SUB>] <Fatal|Nonfatal> <XC0|XC1> i<N> Link <NN> (0x<intrinfo> 0x<status> ...)"
// with any run of spaces between the words. Reads as much as is there: a cut body keeps the
// words before the cut.
void parse_nvlink5(std::string_view s, nvrm_line& x) noexcept {
  const std::string_view unit = next_token(s);
  for (char c : unit)
    if (!((c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '/')) return;
  if (unit.empty()) return;
  x.unit = unit;
  skip_spaces(s);
  const std::string_view sev = next_token(s);
  if (sev == "Fatal")
    x.unit_sev = unit_severity::fatal;
  else if (sev == "Nonfatal" || sev == "Non-fatal")
    x.unit_sev = unit_severity::nonfatal;
  else
    return;
  skip_spaces(s);
  const std::string_view xc = next_token(s);
  if (!xc.starts_with("XC")) return;
  x.containment = xc;
  skip_spaces(s);
  const std::string_view inj = next_token(s);
  if (!inj.starts_with("i")) return;
  x.injected = inj;
  skip_spaces(s);
  if (!consume(s, "Link")) return;
  skip_spaces(s);
  std::int32_t link = -1;
  if (!consume_int(s, 3, link)) return;
  x.link = link;
  skip_spaces(s);
  if (!consume(s, "(")) return;
  std::uint32_t word = 0;
  if (!consume_hex32(s, word)) return;
  x.intrinfo = word;
  skip_spaces(s);
  if (consume_hex32(s, word)) x.error_status = word;
}

// s.find(", ") for the short process names of Xid lines, without a call per line.
[[gnu::always_inline]] inline std::size_t find_comma_space(std::string_view s) noexcept {
  for (std::size_t i = 0; i + 1 < s.size(); ++i)
    if (s[i] == ',' && s[i + 1] == ' ') return i;
  return std::string_view::npos;
}

[[gnu::always_inline]] inline std::string_view trim_right(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The parsers fill the caller's nvrm_line (one object, no copy of it on return); a line that
// turns out broken or foreign drops whatever was read before.
void set_not_ours(nvrm_line& x) noexcept {
  x = nvrm_line{};
}

void set_malformed(nvrm_line& x) noexcept {
  x = nvrm_line{};
  x.kind = nvrm_kind::malformed;
}

// "GPU recovery action changed from 0x0 (None) to 0x1 (GPU Reset Required)". The value is
// authoritative (its wording varies: "OS Reboot", "PF FLR"); the text is the fallback.
gpu_recovery parse_recovery(std::string_view body) noexcept {
  const std::size_t changed = body.find("recovery action changed");
  if (changed == std::string_view::npos) return gpu_recovery::unknown;
  std::string_view s = body.substr(changed);
  const std::size_t to = s.find(" to ");
  if (to == std::string_view::npos) return gpu_recovery::unknown;
  s.remove_prefix(to + 4);
  if (consume(s, "0x") || consume(s, "0X")) {
    unsigned v = 0;
    std::size_t i = 0;
    while (i < s.size() && i < 8 && is_hex(s[i]))
      v = v * 16 + hex_value(s[i++]);
    if (i > 0 && v <= 7) return static_cast<gpu_recovery>(v + 1);
  }
  struct named {
    std::string_view text;
    gpu_recovery value;
  };
  static constexpr std::array<named, 10> names = {{
      {"Drain and Reset", gpu_recovery::drain_and_reset},
      {"Drain P2P", gpu_recovery::drain_p2p},
      {"GPU Reset", gpu_recovery::gpu_reset},
      {"PF FLR", gpu_recovery::gpu_reset},
      {"Node Reboot", gpu_recovery::node_reboot},
      {"OS Reboot", gpu_recovery::node_reboot},
      {"IMEX", gpu_recovery::recover_imex},
      {"Bus Reset", gpu_recovery::bus_reset},
      {"System Reboot", gpu_recovery::system_reboot},
      {"None", gpu_recovery::none},
  }};
  for (const auto& n : names)
    if (s.find(n.text) != std::string_view::npos) return n.value;
  return gpu_recovery::unknown;
}

// After "NVRM: Xid". Tolerates what real logs carry besides the full form: a PCI function
// ("PCI:0000:00:08.0"), no body ("NVRM: Xid (PCI:0000:3f:00): 46") and a line cut after the
// pid ("..., pid=1234") or the name ("pid=5678, name=idle_timeout"), all in NVIDIA/NVSentinel
// health-monitors/syslog-health-monitor/pkg/xid/parser/csv_test.go.
void parse_xid(std::string_view s, nvrm_line& x) noexcept {
  if (!consume(s, " (")) return set_malformed(x);
  consume(s, "PCI:");  // very old drivers print "Xid (0000:03:00)"
  if (!consume_pci(s, x.pci)) return set_malformed(x);
  consume_function(s);
  std::uint64_t n = 0;
  if (has_prefix(s, " GPU-I:")) {
    s.remove_prefix(7);
    const std::string_view start = s;
    if (!consume_uint(s, 3, n)) return set_malformed(x);
    x.gpu_instance = start.substr(0, start.size() - s.size());
    if (has_prefix(s, " GPU-CI:")) {
      s.remove_prefix(8);
      const std::string_view ci = s;
      if (!consume_uint(s, 3, n)) return set_malformed(x);
      x.compute_instance = ci.substr(0, ci.size() - s.size());
    }
  }
  if (!consume(s, "):")) return set_malformed(x);
  consume(s, " ");
  if (!consume_uint(s, 3, n)) return set_malformed(x);
  x.code = static_cast<unsigned>(n);
  x.kind = nvrm_kind::xid;
  // A code that ends the line is an Xid without a body. (A "79" cut to "7" reads as Xid 7:
  // a line cut inside its code cannot be told from a short one; Xid 7 is a contact-support
  // code, so the finding is still not silence.)
  if (trim_right(s).empty()) return;
  if (!consume(s, ",")) return set_malformed(x);
  consume(s, " ");
  if (consume(s, "pid=")) {
    if (!(consume(s, "'<unknown>'") || consume(s, "<unknown>"))) {
      if (!consume_uint(s, 10, n)) return set_malformed(x);
      x.pid = static_cast<std::int64_t>(n);
    }
    if (trim_right(s).empty()) return;
    if (consume(s, ", name=")) {
      const std::size_t end = find_comma_space(s);
      x.process_name = trim_right(s.substr(0, end));
      s = end == std::string_view::npos ? std::string_view{} : s.substr(end + 2);
    } else if (consume(s, ", ")) {
      // A pid without a name is printed too ("79, pid=12345, GPU has fallen off the bus." in
      // NVSentinel pkg/gpufallen/gpufallen_handler_test.go); a line cut inside "name=" has
      // no body.
      if (std::string_view("name=").starts_with(trim_right(s))) s = {};
    } else {
      return set_malformed(x);
    }
  }
  x.body = trim_right(s);
  // Only Xid 45 ("Preemptive cleanup, due to previous errors") names the Xid behind it; a
  // search of every body would cost each Xid line a scan.
  const std::size_t prev = x.code == 45 ? x.body.find("previous Xid ") : std::string_view::npos;
  if (prev != std::string_view::npos) {
    std::string_view cause = x.body.substr(prev + 13);
    if (consume_uint(cause, 3, n)) x.caused_by = static_cast<unsigned>(n);
  }
  if (x.code == 154) x.recovery = parse_recovery(x.body);
  if (x.code >= 144 && x.code <= 150) parse_nvlink5(x.body, x);
}

// After "NVRM: GPU ".
void parse_gpu(std::string_view s, nvrm_line& x) noexcept {
  if (consume(s, "at ")) {
    // "GPU at PCI:0000:3b:00: GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b"
    consume(s, "PCI:");
    if (!consume_pci(s, x.pci) || !consume(s, ": ")) return set_malformed(x);
    s = trim_right(s);
    constexpr std::size_t uuid_len = 4 + 36;
    if (s.size() != uuid_len || !has_prefix(s, "GPU-")) return set_malformed(x);
    for (char c : s.substr(4))
      if (!is_hex(c) && c != '-') return set_malformed(x);
    x.uuid = s;
    x.kind = nvrm_kind::gpu_header;
    return;
  }
  if (consume(s, "Board Serial Number:")) {
    s = trim_right(s);
    while (!s.empty() && s.front() == ' ')
      s.remove_prefix(1);
    if (s.empty() || s.size() > 32) return set_malformed(x);
    for (char c : s)
      if (!is_hex(c) && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z')) return set_malformed(x);
    x.serial = s;
    x.kind = nvrm_kind::board_serial;
    return;
  }
  // "GPU 0000:3b:00.0: GPU has fallen off the bus.", also without the domain ("GPU
  // 18:00.0: ...", leptonai/gpud components/accelerator/nvidia/xid/kmsg_test.go). Other
  // "GPU <bdf>: ..." messages are not ours; a truncated fallen-off-the-bus text is.
  if (!consume_pci(s, x.pci) && !consume_short_pci(s, x.pci)) return;
  if (s.size() < 2 || s[0] != '.' || !is_digit(s[1])) return;
  s.remove_prefix(2);
  if (!consume(s, ": ")) return;
  constexpr std::string_view fallen = "GPU has fallen off the bus";
  if (s.starts_with(fallen)) {
    x.body = trim_right(s);
    x.code = 79;
    x.kind = nvrm_kind::fallen_off_bus;
    return;
  }
  if (!s.empty() && fallen.starts_with(s)) return set_malformed(x);
  return set_not_ours(x);
}

// The driver's three-line "fallen off the bus" record (leptonai/gpud
// components/accelerator/nvidia/xid/kmsg.go, RegexNVRMFallenOffBusMultiline, and its
// kmsg_test.go):
//   NVRM: The NVIDIA GPU 0000:18:00.0
//   NVRM: (PCI ID: 10de:2901) installed in this system has
//   NVRM: fallen off the bus and is not responding to commands.
// The same first words open other records ("The NVIDIA GPU 0000:01:00.0 (PCI ID: 10de:1c03)"
// / "installed in this system is not supported by the ..."): only a first line that ends with
// the address, and a second that ends with "has", are this record's.
constexpr std::string_view bus_record_id_tail = ") installed in this system has";
constexpr std::string_view bus_record_tail =
    "fallen off the bus and is not responding to commands.";

// After "NVRM: The NVIDIA GPU ".
void parse_bus_record_gpu(std::string_view s, nvrm_line& x) noexcept {
  const std::string_view start = s;
  if (!consume_pci(s, x.pci) && !consume_short_pci(s, x.pci)) {
    // A cut address is this record's first line, broken.
    return !start.empty() && start.size() < 12 && is_hex(start[0]) ? set_malformed(x)
                                                                   : set_not_ours(x);
  }
  if (!consume_function(s)) return s.empty() ? set_malformed(x) : set_not_ours(x);
  if (!trim_right(s).empty()) return set_not_ours(x);
  x.kind = nvrm_kind::bus_record_gpu;
}

// After "NVRM: (PCI ID: ".
void parse_bus_record_id(std::string_view s, nvrm_line& x) noexcept {
  // "10de:2901"
  if (s.size() < 9 || s[4] != ':') return set_malformed(x);
  constexpr std::array<std::size_t, 8> digits = {0, 1, 2, 3, 5, 6, 7, 8};
  for (std::size_t i : digits)
    if (!is_hex(s[i])) return set_malformed(x);
  s.remove_prefix(9);
  s = trim_right(s);
  if (s == bus_record_id_tail) {
    x.kind = nvrm_kind::bus_record_id;
    return;
  }
  return bus_record_id_tail.starts_with(s) ? set_malformed(x) : set_not_ours(x);
}

// After "NVRM: ", a line starting "fallen off".
void parse_bus_record_tail(std::string_view s, nvrm_line& x) noexcept {
  s = trim_right(s);
  if (s.starts_with(bus_record_tail.substr(0, bus_record_tail.size() - 1))) {
    x.kind = nvrm_kind::bus_record_tail;
    x.code = 79;
    x.body = s;
    return;
  }
  return bus_record_tail.starts_with(s) ? set_malformed(x) : set_not_ours(x);
}

// After "nvidia-nvswitch": "3: SXid (PCI:0000:c1:00.0): 28006, Non-fatal, Link 46 MC TS
// crumbstore MCTO (First)" (NVIDIA/NVSentinel
// health-monitors/syslog-health-monitor/pkg/sxid/sxid_handler_test.go; leptonai/gpud
// components/accelerator/nvidia/sxid/kmsg.go). Some SXids print no severity and link ("26008,
// SOE Watchdog error"); they are read with an unknown severity.
void parse_sxid(std::string_view s, nvrm_line& x) noexcept {
  std::uint64_t n = 0;
  if (!consume_uint(s, 3, n)) return set_not_ours(x);  // "nvidia-nvswitch-..." is another message
  x.nvswitch = static_cast<std::int32_t>(n);
  if (!consume(s, ": ")) return s.empty() ? set_malformed(x) : set_not_ours(x);
  if (!consume(s, "SXid"))
    return std::string_view("SXid").starts_with(s) ? set_malformed(x) : set_not_ours(x);
  if (!consume(s, " (")) return set_malformed(x);
  consume(s, "PCI:");
  if (!consume_pci(s, x.pci)) return set_malformed(x);
  consume_function(s);
  if (!consume(s, "): ")) return set_malformed(x);
  if (!consume_uint(s, 5, n)) return set_malformed(x);
  x.code = static_cast<unsigned>(n);
  x.kind = nvrm_kind::sxid;
  if (trim_right(s).empty()) return;
  if (!consume(s, ",")) return set_malformed(x);
  skip_spaces(s);
  if (consume(s, "Fatal,"))
    x.unit_sev = unit_severity::fatal;
  else if (consume(s, "Non-fatal,"))
    x.unit_sev = unit_severity::nonfatal;
  skip_spaces(s);
  if (x.unit_sev != unit_severity::unknown && consume(s, "Link ")) {
    std::int32_t link = -1;
    if (consume_int(s, 3, link)) x.link = link;
    skip_spaces(s);
  }
  x.body = trim_right(s);
}

}  // namespace

std::string_view to_string(xid_category c) noexcept {
  switch (c) {
    case xid_category::application:
      return "application";
    case xid_category::memory:
      return "memory";
    case xid_category::nvlink:
      return "nvlink";
    case xid_category::bus:
      return "bus";
    case xid_category::gsp:
      return "gsp";
    case xid_category::microcontroller:
      return "microcontroller";
    case xid_category::recovery:
      return "recovery";
    case xid_category::other:
      return "other";
  }
  return "other";
}

std::string_view to_string(xid_resolution r) noexcept {
  switch (r) {
    case xid_resolution::ignore:
      return "IGNORE";
    case xid_resolution::restart_app:
      return "RESTART_APP";
    case xid_resolution::reset_gpu:
      return "RESET_GPU";
    case xid_resolution::restart_vm:
      return "RESTART_VM";
    case xid_resolution::restart_bm:
      return "RESTART_BM";
    case xid_resolution::contact_support:
      return "CONTACT_SUPPORT";
    case xid_resolution::check_mechanicals:
      return "CHECK_MECHANICALS";
    case xid_resolution::update_swfw:
      return "UPDATE_SWFW";
    case xid_resolution::check_uvm:
      return "CHECK_UVM";
    case xid_resolution::workflow:
      return "WORKFLOW";
    case xid_resolution::unpublished:
      return "none published";
    case xid_resolution::unknown:
      return "not in the catalog";
  }
  return "not in the catalog";
}

bool needs_attention(xid_resolution r) noexcept {
  switch (r) {
    case xid_resolution::contact_support:
    case xid_resolution::check_mechanicals:
    case xid_resolution::update_swfw:
    case xid_resolution::check_uvm:
    case xid_resolution::unpublished:
    case xid_resolution::unknown:
      return true;
    case xid_resolution::ignore:
    case xid_resolution::restart_app:
    case xid_resolution::reset_gpu:
    case xid_resolution::restart_vm:
    case xid_resolution::restart_bm:
    case xid_resolution::workflow:
      return false;
  }
  return true;
}

std::string_view to_string(gpu_recovery r) noexcept {
  switch (r) {
    case gpu_recovery::unknown:
      return "unknown";
    case gpu_recovery::none:
      return "none";
    case gpu_recovery::gpu_reset:
      return "GPU reset required";
    case gpu_recovery::node_reboot:
      return "node reboot required";
    case gpu_recovery::drain_p2p:
      return "drain P2P";
    case gpu_recovery::drain_and_reset:
      return "drain and reset";
    case gpu_recovery::recover_imex:
      return "recover IMEX domain";
    case gpu_recovery::bus_reset:
      return "bus reset";
    case gpu_recovery::system_reboot:
      return "system reboot";
  }
  return "unknown";
}

xid_catalog_entry classify_xid(unsigned code) noexcept {
  if (code >= 1 && code <= catalog.size()) return catalog[code - 1];
  xid_catalog_entry other;
  other.code = static_cast<std::uint16_t>(code);
  other.resolution = xid_resolution::unknown;
  other.recommended = action::drain_node;
  other.description = "Xid outside NVIDIA's catalog";
  return other;
}

sxid_catalog_entry classify_sxid(unsigned code) noexcept {
  const auto it =
      std::lower_bound(sxid_catalog.begin(), sxid_catalog.end(), code,
                       [](const sxid_catalog_entry& e, unsigned c) { return e.code < c; });
  if (it != sxid_catalog.end() && it->code == code) return *it;
  sxid_catalog_entry other;
  other.code = static_cast<std::uint16_t>(code);
  return other;
}

nvrm_line parse_nvrm_message(std::string_view message) noexcept {
  nvrm_line x;
  std::string_view s = message;
  if (consume(s, "NVRM: ")) {
    if (consume(s, "Xid"))
      parse_xid(s, x);
    else if (consume(s, "GPU "))
      parse_gpu(s, x);
    else if (consume(s, "The NVIDIA GPU "))
      parse_bus_record_gpu(s, x);
    else if (consume(s, "(PCI ID: "))
      parse_bus_record_id(s, x);
    else if (trim_right(s) == bus_record_id_tail.substr(2))
      // The middle line without the PCI ID (NVIDIA/NVSentinel
      // health-monitors/syslog-health-monitor/pkg/gpufallen/gpufallen_handler_test.go).
      x.kind = nvrm_kind::bus_record_id;
    else if (has_prefix(s, "fallen off"))
      parse_bus_record_tail(s, x);
  } else if (consume(s, "nvidia-nvswitch")) {
    parse_sxid(s, x);
  }
  return x;
}

}  // namespace detectors
