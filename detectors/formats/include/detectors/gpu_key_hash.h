// File: gpu_key_hash.h
// The hash of the DCGM detectors' GPU index (hbm_ecc, thermal_throttle; formats/internal/
// gpu_lru.h), whose keys are "node\nsubject": a node name and a GPU UUID or bus id, 20 to 60
// bytes. Every sample looks its GPU up, so the hash is on the per-line path: it mixes the key
// eight bytes at a time (the last eight overlapping the rest), where std::hash<string_view>
// costs about twice as many instructions on these keys. Not for untrusted keys in unbounded
// tables: the index it serves holds at most max_gpus entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace detectors {

struct gpu_key_hash {
  std::size_t operator()(std::string_view key) const noexcept {
    const char* p = key.data();
    std::size_t n = key.size();
    std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    if (n < 8) {
      for (std::size_t i = 0; i < n; ++i)
        h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ULL;
      return static_cast<std::size_t>(mix(h));
    }
    for (; n > 8; n -= 8, p += 8)
      h = step(h, p);
    return static_cast<std::size_t>(mix(step(h, key.data() + key.size() - 8)));
  }

 private:
  static std::uint64_t step(std::uint64_t h, const char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 31);
  }
  static std::uint64_t mix(std::uint64_t h) noexcept {
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 32);
  }
};

}  // namespace detectors
