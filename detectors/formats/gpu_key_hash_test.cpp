// Tests for the GPU index's key hash (gpu_key_hash.h): equal keys hash equal, the keys the
// detectors build (node + '\n' + UUID or bus id) spread over a hash table's buckets, and the
// stored-hash key compares bytes, not only hashes.
#include "detectors/gpu_key_hash.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace detectors {
namespace {

std::vector<std::string> keys() {
  std::vector<std::string> out;
  const char* bus[] = {"00000000:18:00.0", "00000000:2A:00.0", "00000000:3A:00.0",
                       "00000000:5D:00.0", "00000000:9A:00.0", "00000000:AB:00.0",
                       "00000000:BA:00.0", "00000000:DB:00.0"};
  for (int n = 0; n < 256; ++n) {
    // Node names that differ only in their middle (a cluster's naming scheme).
    const std::string node = fmt::format("ip-10-0-{}-{}.ec2.internal", n / 16, n % 16);
    for (int g = 0; g < 8; ++g) {
      out.push_back(node + "\n" + bus[g]);
      out.push_back(
          fmt::format("{}\nGPU-{:08x}-45c5-3f9e-1129-8bfea6c3d9{:02x}", node, n * 8 + g, g));
    }
  }
  out.push_back("");
  out.push_back("a");
  out.push_back("a\nb");
  out.push_back("node-7\n");
  return out;
}

TEST(GpuKeyHash, EqualKeysHashEqualAndDistinctKeysRarelyCollide) {
  const std::vector<std::string> k = keys();
  const gpu_key_hash h;
  std::set<std::size_t> hashes;
  for (const std::string& s : k) {
    EXPECT_EQ(h(s), h(std::string(s)));
    hashes.insert(h(s));
  }
  EXPECT_EQ(hashes.size(), k.size());  // no 64-bit collision among these keys
}

TEST(GpuKeyHash, KeysSpreadOverBuckets) {
  const std::vector<std::string> k = keys();
  const gpu_key_hash h;
  for (const std::size_t buckets : {97u, 1031u, 4099u}) {
    std::vector<int> load(buckets);
    for (const std::string& s : k)
      ++load[h(s) % buckets];
    const double mean = static_cast<double>(k.size()) / static_cast<double>(buckets);
    // A uniform spread puts at most a few times the mean in the fullest bucket.
    EXPECT_LE(*std::max_element(load.begin(), load.end()), static_cast<int>(4 * mean + 6))
        << buckets << " buckets";
  }
}

TEST(GpuKeyHash, StoredHashKeysCompareTheirBytes) {
  const gpu_key a("node-1\nGPU-1");
  EXPECT_EQ(a.hash, gpu_key_hash{}("node-1\nGPU-1"));
  EXPECT_EQ(a, gpu_key("node-1\nGPU-1"));
  // The same hash with other bytes (a forged collision) is another key.
  EXPECT_FALSE(a == gpu_key("node-1\nGPU-2", a.hash));
  EXPECT_FALSE(a == gpu_key("node-1\nGPU-1", a.hash + 1));
}

}  // namespace
}  // namespace detectors
