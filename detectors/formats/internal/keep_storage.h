// File: keep_storage.h
// Resetting reused state without giving its buffers back to the allocator.
//
// Detectors reuse the slot of an evicted node, GPU or job for the next one instead of freeing
// it and allocating anew (that is what keeps their steady state at zero allocations). They
// reset a slot by assigning a fresh, default-constructed value; before that, each container
// member's buffer is moved into the fresh value, emptied, so the reset keeps the capacity.
#pragma once

namespace detectors::internal {

// Empties `from` and moves its buffer into `to` (an empty, fresh container); `from` is left
// with `to`'s old, empty storage, to be overwritten by the reset that follows.
template <class Container>
void keep_storage(Container& from, Container& to) noexcept {
  from.clear();
  to.swap(from);
}

}  // namespace detectors::internal
