// File: attribution.cpp
// The site table behind attribution.h. Stacks are hashed into a fixed, mmap'ed open-addressing
// table (never malloc'ed: this runs inside operator new). A per-thread guard keeps backtrace()
// (which may allocate on first use) from recursing into the recorder.
#include "alloc_hooks/attribution.h"

#include "attribution_internal.h"

#ifdef ALLOC_HOOKS_ATTRIBUTION
#include <dlfcn.h>
#include <execinfo.h>
#include <sys/mman.h>

#include <cstdio>

#include "alloc_hooks/attribution_file.h"
#endif

namespace alloc_hooks {

#ifndef ALLOC_HOOKS_ATTRIBUTION

bool attribution_compiled_in() noexcept {
  return false;
}
void arm_attribution() noexcept {}
void disarm_attribution() noexcept {}
void reset_attribution() noexcept {}
bool write_attribution(const char*, std::uint64_t) {
  return false;
}

#else

namespace internal {
namespace {

constexpr int max_frames = 32;
constexpr std::size_t table_slots = 16384;

struct site_entry {
  std::uint64_t hash;  // 0 = empty
  std::uint64_t allocs;
  std::uint64_t bytes;
  int frame_count;
  void* frames[max_frames];
};

site_entry* table = nullptr;
std::uint64_t dropped = 0;  // allocations that found the table full
thread_local bool t_armed = false;
thread_local bool t_recording = false;

std::uint64_t hash_frames(void* const* frames, int n) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a over the addresses
  for (int i = 0; i < n; ++i) {
    h ^= reinterpret_cast<std::uintptr_t>(frames[i]);
    h *= 1099511628211ULL;
  }
  return h == 0 ? 1 : h;
}

bool ensure_table() {
  if (table != nullptr) return true;
  void* mem = mmap(nullptr, sizeof(site_entry) * table_slots, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return false;
  table = static_cast<site_entry*>(mem);  // zero-filled by mmap
  return true;
}

}  // namespace

void attribute_allocation(std::size_t size) noexcept {
  if (!t_armed || t_recording) return;
  t_recording = true;
  void* frames[max_frames];
  const int n = backtrace(frames, max_frames);
  const std::uint64_t h = hash_frames(frames, n);
  std::size_t i = h % table_slots;
  for (std::size_t probes = 0; probes < table_slots; ++probes, i = (i + 1) % table_slots) {
    site_entry& e = table[i];
    if (e.hash == 0) {
      e.hash = h;
      e.frame_count = n;
      for (int f = 0; f < n; ++f)
        e.frames[f] = frames[f];
    }
    if (e.hash == h) {
      ++e.allocs;
      e.bytes += size;
      t_recording = false;
      return;
    }
  }
  ++dropped;
  t_recording = false;
}

}  // namespace internal

bool attribution_compiled_in() noexcept {
  return true;
}

void arm_attribution() noexcept {
  if (!internal::ensure_table()) return;
  // backtrace() loads libgcc's unwinder on first use (allocating); do that before arming.
  void* warm[2];
  internal::t_recording = true;
  backtrace(warm, 2);
  internal::t_recording = false;
  internal::t_armed = true;
}

void disarm_attribution() noexcept {
  internal::t_armed = false;
}

void reset_attribution() noexcept {
  if (internal::table == nullptr) return;
  for (std::size_t i = 0; i < internal::table_slots; ++i)
    internal::table[i] = {};
  internal::dropped = 0;
}

bool write_attribution(const char* path, std::uint64_t events) {
  const bool was_armed = internal::t_armed;
  internal::t_armed = false;
  std::FILE* f = std::fopen(path, "w");
  if (f == nullptr) return false;
  attribution_file::writer out(f);
  out.header(events, internal::dropped);
  for (std::size_t i = 0; internal::table != nullptr && i < internal::table_slots; ++i) {
    const internal::site_entry& e = internal::table[i];
    if (e.hash == 0) continue;
    out.site(e.allocs, e.bytes, e.frame_count);
    for (int k = 0; k < e.frame_count; ++k) {
      Dl_info info{};
      if (dladdr(e.frames[k], &info) != 0 && info.dli_fname != nullptr) {
        // Return addresses point after the call; -1 lands inside the calling instruction so
        // addr2line reports the line of the call itself.
        out.frame(reinterpret_cast<std::uintptr_t>(e.frames[k]) -
                      reinterpret_cast<std::uintptr_t>(info.dli_fbase) - 1,
                  info.dli_fname);
      } else {
        out.frame(reinterpret_cast<std::uintptr_t>(e.frames[k]), nullptr);
      }
    }
  }
  const bool ok = std::fclose(f) == 0 && out.ok();
  internal::t_armed = was_armed;
  return ok;
}

#endif

}  // namespace alloc_hooks
