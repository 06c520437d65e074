// File: gpu_lru.h
// The per-GPU state store of the DCGM detectors (hbm_ecc, thermal_throttle): a list of GPU
// states from least to most recently seen plus an index from "node\nsubject" to list entry, so
// that both evictions (idle for too long, over the cap) take from the front in O(1). Private to
// the detectors; they own the list, index and scratch key (declared in their headers) and
// pass them in.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <list>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "detectors/gpu_key_hash.h"

namespace detectors::internal {

template <typename State>
using gpu_index =
    std::unordered_map<gpu_key, typename std::list<State>::iterator, gpu_key_stored_hash>;

// key = node + '\n' + subject: one resize (no allocation once the scratch has grown) and two
// copies, where assign/push_back/append checked capacity three times per sample.
inline void assign_gpu_key(std::string& key, std::string_view node, std::string_view subject) {
  key.resize(node.size() + 1 + subject.size());
  char* out = key.data();
  std::memcpy(out, node.data(), node.size());
  out[node.size()] = '\n';
  std::memcpy(out + node.size() + 1, subject.data(), subject.size());
}

// Reusing evicted GPUs' storage, so that a detector at steady state (GPUs coming and going,
// their count bounded) allocates nothing: evicted list entries (with their key's buffer) and
// index nodes are parked in a pool instead of freed. A Pool has `states` (a std::list<State>)
// and `index_nodes` (a std::vector of the index's node_type); the detector declares it in its
// header, which cannot include this one. A pool never holds more than the cap, because an
// entry is parked only when one is evicted and taken when one is created. A detector that
// frees its evicted GPUs instead passes no_gpu_pool.
struct no_gpu_pool {};

// The key capacity of pooled entries: a node name of up to 55 bytes with a GPU UUID.
inline constexpr std::size_t pooled_key_capacity = 96;

// Moves GPU `it` out of `gpus` and `index` into `pool` (an eviction that frees nothing).
template <typename State, typename Pool>
void park_lru_gpu(std::list<State>& gpus, gpu_index<State>& index, Pool& pool,
                  typename std::list<State>::iterator it) {
  auto node = index.extract(gpu_key(it->key));
  if (!node.empty()) {
    // Grows to the most GPUs ever parked at once (at most the cap), then stays.
    pool.index_nodes.push_back(std::move(node));
  }
  pool.states.splice(pool.states.end(), gpus, it);
}

// A new GPU entry at the back of `gpus`: a parked one reset to a default State whose key keeps
// its buffer, or a newly allocated one.
template <typename State, typename Pool>
typename std::list<State>::iterator new_lru_gpu(std::list<State>& gpus, Pool& pool) {
  if constexpr (!std::is_same_v<Pool, no_gpu_pool>) {
    if (!pool.states.empty()) {
      const auto it = pool.states.begin();
      gpus.splice(gpus.end(), pool.states, it);
      std::string key = std::move(it->key);
      *it = State{};
      it->key = std::move(key);
      return it;
    }
  }
  const auto it = gpus.emplace(gpus.end());
  if constexpr (!std::is_same_v<Pool, no_gpu_pool>) {
    // Sized for any usual key (node + UUID, or node + bus id), so that a parked entry fits
    // whichever GPU it is reused for without growing its key.
    it->key.reserve(pooled_key_capacity);
  }
  return it;
}

// Indexes GPU `it` by its key (whose gpu_key_hash is `hash`), in a parked index node when there
// is one.
template <typename State, typename Pool>
void index_lru_gpu(gpu_index<State>& index, Pool& pool, typename std::list<State>::iterator it,
                   std::size_t hash) {
  if constexpr (!std::is_same_v<Pool, no_gpu_pool>) {
    if (!pool.index_nodes.empty()) {
      auto index_node = std::move(pool.index_nodes.back());
      pool.index_nodes.pop_back();
      index_node.key() = gpu_key(it->key, hash);
      index_node.mapped() = it;
      index.insert(std::move(index_node));
      return;
    }
  }
  index.emplace(gpu_key(it->key, hash), it);
}

// Returns the state of GPU `subject` on `node`, created if new, and marks it most recently
// seen at `ts_ns`. First drops GPUs idle for longer than `idle_evict_ns` and, for a new GPU at
// the cap, the least recently seen one; each is removed through `erase(iterator)`, so that a
// detector can release what it counts alongside (and park the entry in `pool`, through
// park_lru_gpu, for the next new GPU to reuse). State needs `key`, `node_size` and
// `last_seen_ns`; the index keys point into `key`, which list entries never move.
template <typename State, typename Pool, typename Erase>
State& touch_lru_gpu(std::list<State>& gpus, gpu_index<State>& index, Pool& pool,
                     std::string& key_scratch, std::string_view node, std::string_view subject,
                     std::int64_t ts_ns, std::int64_t idle_evict_ns, std::size_t max_gpus,
                     Erase&& erase) {
  while (!gpus.empty() && ts_ns - gpus.front().last_seen_ns > idle_evict_ns)
    erase(gpus.begin());
  assign_gpu_key(key_scratch, node, subject);
  typename std::list<State>::iterator it;
  const gpu_key key(key_scratch);
  if (const auto found = index.find(key); found != index.end()) {
    it = found->second;
    gpus.splice(gpus.end(), gpus, it);
  } else {
    if (index.size() >= max_gpus) erase(gpus.begin());
    it = new_lru_gpu(gpus, pool);
    it->key.assign(key_scratch);
    it->node_size = node.size();
    index_lru_gpu<State>(index, pool, it, key.hash);
  }
  it->last_seen_ns = std::max(it->last_seen_ns, ts_ns);
  return *it;
}

// The node and the subject of a GPU state's key.
template <typename State>
std::string_view gpu_node(const State& gpu) noexcept {
  return std::string_view(gpu.key).substr(0, gpu.node_size);
}
template <typename State>
std::string_view gpu_subject(const State& gpu) noexcept {
  return std::string_view(gpu.key).substr(gpu.node_size + 1);
}

}  // namespace detectors::internal
