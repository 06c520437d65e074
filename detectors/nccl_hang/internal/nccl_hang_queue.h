// File: nccl_hang_queue.h
// A FIFO queue for the nccl_hang detector's settling incidents, untagged-timeout claims and
// per-node network WARNs whose slots outlive their elements, so that steady-state traffic
// through it allocates nothing. std::deque frees a block whenever its head crosses one and
// destroys each popped element (with its strings' storage); here pop_front() only moves the
// head, and push_back() hands out the next slot's object as its last element left it (a string
// keeps its buffer) for the caller to overwrite. Private to the detector.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace detectors::internal {

template <typename T>
class slot_queue {
 public:
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }

  // The i-th element from the front (0 is the oldest).
  T& operator[](std::size_t i) noexcept { return slots_[wrap(head_ + i)]; }
  const T& operator[](std::size_t i) const noexcept { return slots_[wrap(head_ + i)]; }
  T& front() noexcept { return slots_[head_]; }
  const T& front() const noexcept { return slots_[head_]; }

  // Appends an element and returns it: a reused slot, whose every field the caller assigns.
  T& push_back() {
    if (size_ == slots_.size()) grow();
    T& slot = slots_[wrap(head_ + size_)];
    ++size_;
    return slot;
  }

  // Makes room for `n` elements at once, so that filling up to `n` never allocates again.
  void reserve(std::size_t n) {
    if (n > slots_.size()) resize_slots(n);
  }

  // Drops the oldest element; its slot (and the storage it holds) waits for a push_back().
  void pop_front() noexcept {
    head_ = wrap(head_ + 1);
    --size_;
  }

 private:
  std::size_t wrap(std::size_t i) const noexcept {
    return i >= slots_.size() ? i - slots_.size() : i;
  }

  // Full: the slots are doubled.
  void grow() { resize_slots(std::max<std::size_t>(4, slots_.size() * 2)); }

  // The elements are rotated to the front (in order), then the slots resized. Moving keeps
  // every element's storage.
  void resize_slots(std::size_t n) {
    std::rotate(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_), slots_.end());
    head_ = 0;
    slots_.resize(n);
  }

  std::vector<T> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace detectors::internal
