// File: gpu_key_hash.h
// The hash of the DCGM detectors' GPU index (hbm_ecc, thermal_throttle; formats/internal/
// gpu_lru.h), whose keys are "node\nsubject": a node name and a GPU UUID or bus id, 20 to 60
// bytes. Every sample looks its GPU up, so the hash is on the per-line path: it mixes the key
// eight bytes at a time (the last eight overlapping the rest) with one multiply each, where
// std::hash<string_view> costs about three times as many instructions on these keys. Not for
// untrusted keys in unbounded tables: the index it serves holds at most max_gpus entries.
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
        h = (h ^ static_cast<unsigned char>(p[i])) * k1;
      return static_cast<std::size_t>(mix(h));
    }
    // Each step is a bijection of h for a given word, so no step loses what came before;
    // the final mix brings the high bits down to where the bucket index is taken.
    for (; n > 16; n -= 16, p += 16)
      h = (((h ^ word(p)) * k1) ^ word(p + 8)) * k2;
    if (n > 8) h = (h ^ word(p)) * k1;
    return static_cast<std::size_t>(mix((h ^ word(key.data() + key.size() - 8)) * k2));
  }

 private:
  static constexpr std::uint64_t k1 = 0xbf58476d1ce4e5b9ULL;
  static constexpr std::uint64_t k2 = 0x94d049bb133111ebULL;
  static std::uint64_t word(const char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  }
  static std::uint64_t mix(std::uint64_t h) noexcept {
    h ^= h >> 32;
    h *= k1;
    return h ^ (h >> 29);
  }
};

// A key of that index with its hash computed once: the index compares hashes before bytes and
// finds a key's bucket from the stored hash (std::unordered_map keeps no hash of its own for a
// hash it takes to be cheap, and would hash the keys it walks past again).
struct gpu_key {
  std::string_view text;
  std::size_t hash = 0;

  gpu_key() = default;
  explicit gpu_key(std::string_view t) noexcept : text(t), hash(gpu_key_hash{}(t)) {}
  gpu_key(std::string_view t, std::size_t h) noexcept : text(t), hash(h) {}

  friend bool operator==(const gpu_key& a, const gpu_key& b) noexcept {
    return a.hash == b.hash && a.text == b.text;
  }
};

struct gpu_key_stored_hash {
  std::size_t operator()(const gpu_key& k) const noexcept { return k.hash; }
};

}  // namespace detectors
