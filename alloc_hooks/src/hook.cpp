// File: hook.cpp
// The replacement global operator new/delete (every replaceable form) and the per-thread
// slot table they count into. See thread_slots.h for the counting design.
//
// Hot path per allocation: one TLS load (initial-exec/local-exec model: the object is
// linked into the executable, so no __tls_get_addr call), one predictable branch for a
// thread's first allocation, and plain adds. Nothing here calls operator new, so the hook
// cannot recurse into itself; slots come from static storage or mmap, never from malloc.
#include <malloc.h>
#include <pthread.h>
#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <new>

#include "alloc_hooks/pause.h"
#include "attribution_internal.h"
#include "thread_slots.h"

#define ALLOC_HOOKS_LIKELY(x) __builtin_expect(!!(x), 1)
#define ALLOC_HOOKS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ALLOC_HOOKS_TLS __attribute__((tls_model("initial-exec")))

namespace alloc_hooks::internal {
namespace {

// ---- The slot table ------------------------------------------------------------------------
// Chunk 0 is static (usable during static initialisation, before any constructor runs);
// further chunks are mmap'ed on demand. 256 chunks x 256 slots = 65536 concurrent threads.
constexpr std::size_t slots_per_chunk = 256;
constexpr std::size_t max_chunks = 256;

slot first_chunk[slots_per_chunk];
slot* chunks[max_chunks] = {first_chunk};
std::size_t slots_handed_out = 0;  // high-water mark, guarded by table_lock
slot* free_list = nullptr;         // slots of exited threads, guarded by table_lock
pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_key_t exit_key;
pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

// Where the current thread's counts go: its home slot, or the discard slot while paused.
constinit thread_local slot* t_target ALLOC_HOOKS_TLS = nullptr;
constinit thread_local slot* t_home ALLOC_HOOKS_TLS = nullptr;
constinit thread_local unsigned t_pause_depth ALLOC_HOOKS_TLS = 0;
constinit thread_local slot t_discard ALLOC_HOOKS_TLS;

[[noreturn]] void fatal(const char* what) noexcept {
  std::fprintf(stderr, "alloc_hooks: fatal: %s\n", what);
  std::abort();
}

void release_slot_at_thread_exit(void* p) noexcept {
  auto* s = static_cast<slot*>(p);
  pthread_mutex_lock(&table_lock);
  s->next_free = free_list;
  free_list = s;
  pthread_mutex_unlock(&table_lock);
  // A later allocation in another TLS destructor re-attaches (pthread runs key destructors
  // again while values are set, up to PTHREAD_DESTRUCTOR_ITERATIONS times).
  t_home = nullptr;
  if (t_pause_depth == 0) t_target = nullptr;
}

void create_exit_key() noexcept {
  if (pthread_key_create(&exit_key, release_slot_at_thread_exit) != 0)
    fatal("pthread_key_create failed");
}

slot* take_slot() noexcept {
  pthread_mutex_lock(&table_lock);
  slot* s = free_list;
  if (s != nullptr) {
    free_list = s->next_free;
  } else {
    const std::size_t chunk = slots_handed_out / slots_per_chunk;
    if (chunk >= max_chunks) fatal("more than 65536 threads alive at once");
    if (chunks[chunk] == nullptr) {
      void* mem = mmap(nullptr, sizeof(slot) * slots_per_chunk, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (mem == MAP_FAILED) fatal("mmap of a slot chunk failed");
      chunks[chunk] = new (mem) slot[slots_per_chunk];  // placement: no allocation
    }
    s = &chunks[chunk][slots_handed_out % slots_per_chunk];
    ++slots_handed_out;
  }
  pthread_mutex_unlock(&table_lock);
  return s;
}

[[gnu::noinline, gnu::cold]] slot* attach_current_thread() noexcept {
  pthread_once(&exit_key_once, create_exit_key);
  slot* s = take_slot();
  // The main thread never runs key destructors (exit() does not), which is what we want:
  // its slot simply stays in the table.
  pthread_setspecific(exit_key, s);
  t_home = s;
  if (t_pause_depth == 0) t_target = s;
  return s;
}

// ---- Counting ------------------------------------------------------------------------------
inline slot* target() noexcept {
  slot* s = t_target;
  if (ALLOC_HOOKS_UNLIKELY(s == nullptr)) s = attach_current_thread();
  return s;
}

inline void record_alloc(std::size_t size) noexcept {
  slot* s = target();
  owner_add<std::uint64_t>(s->allocs, 1);
  owner_add<std::uint64_t>(s->bytes_allocated, size);
#ifndef ALLOC_HOOKS_COUNTS_ONLY  // a measurement variant for bench/hook_overhead only
  const std::int64_t live =
      s->live_bytes.load(std::memory_order_relaxed) + static_cast<std::int64_t>(size);
  s->live_bytes.store(live, std::memory_order_relaxed);
  if (live > s->peak_live_bytes.load(std::memory_order_relaxed))
    s->peak_live_bytes.store(live, std::memory_order_relaxed);
#endif
#ifdef ALLOC_HOOKS_ATTRIBUTION  // compiled in only for `ratchet explain`'s bench build
  if (s != &t_discard) attribute_allocation(size);
#endif
}

inline void record_free(std::size_t size) noexcept {
  slot* s = target();
  owner_add<std::uint64_t>(s->frees, 1);
  owner_add<std::uint64_t>(s->bytes_freed, size);
#ifndef ALLOC_HOOKS_COUNTS_ONLY
  owner_add<std::int64_t>(s->live_bytes, -static_cast<std::int64_t>(size));
#endif
}

// ---- Allocation with standard semantics ----------------------------------------------------
// Rare path: malloc failed (or size 0 on an allocator that returns null for it). Loop on the
// new_handler as [new.delete.single] requires; throw bad_alloc when there is none.
[[gnu::noinline, gnu::cold]] void* allocate_slow(std::size_t size) {
  for (;;) {
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

inline void* allocate(std::size_t size) {
  void* p = std::malloc(size);
  if (ALLOC_HOOKS_UNLIKELY(p == nullptr)) p = allocate_slow(size);
  record_alloc(size);
  return p;
}

[[gnu::noinline]] void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
  auto align = static_cast<std::size_t>(alignment);
  if (align < sizeof(void*)) align = sizeof(void*);  // posix_memalign's minimum
  for (;;) {
    void* p = nullptr;
    if (posix_memalign(&p, align, size == 0 ? 1 : size) == 0) {
      record_alloc(size);
      return p;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

inline void deallocate_sized(void* p, std::size_t size) noexcept {
  if (p == nullptr) return;
  record_free(size);
  std::free(p);
}

inline void deallocate_unsized(void* p) noexcept {
  if (p == nullptr) return;
  record_free(malloc_usable_size(p));
  std::free(p);
}

}  // namespace

slot& home_slot() noexcept {
  slot* s = t_home;
  if (s == nullptr) s = attach_current_thread();
  return *s;
}

snapshot sum_all_slots() noexcept {
  snapshot total;
  pthread_mutex_lock(&table_lock);
  for (std::size_t i = 0; i < slots_handed_out; ++i) {
    const snapshot s = read_slot(chunks[i / slots_per_chunk][i % slots_per_chunk]);
#define ALLOC_HOOKS_ADD_FIELD(type, name, description) total.name += s.name;
    ALLOC_HOOKS_SNAPSHOT_FIELDS(ALLOC_HOOKS_ADD_FIELD)
#undef ALLOC_HOOKS_ADD_FIELD
  }
  pthread_mutex_unlock(&table_lock);
  return total;
}

}  // namespace alloc_hooks::internal

namespace alloc_hooks {

void pause_counting() noexcept {
  using namespace internal;
  if (t_pause_depth++ == 0) t_target = &t_discard;
}

void resume_counting() noexcept {
  using namespace internal;
  if (t_pause_depth == 0) return;  // unmatched resume: ignore rather than corrupt the depth
  if (--t_pause_depth == 0) t_target = t_home;  // null -> re-attached on next allocation
}

bool counting_paused() noexcept {
  return internal::t_pause_depth != 0;
}

bool hook_active() noexcept {
  return true;
}

}  // namespace alloc_hooks

// ---- The replaceable global allocation functions ([new.delete]) ---------------------------
using alloc_hooks::internal::allocate;
using alloc_hooks::internal::allocate_aligned;
using alloc_hooks::internal::deallocate_sized;
using alloc_hooks::internal::deallocate_unsized;

void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
void* operator new(std::size_t size, std::align_val_t al) {
  return allocate_aligned(size, al);
}
void* operator new[](std::size_t size, std::align_val_t al) {
  return allocate_aligned(size, al);
}

// The nothrow forms behave as if they called the throwing form and caught bad_alloc, so the
// new_handler loop runs for them too ([new.delete.single]/6).
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return allocate_aligned(size, al);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return allocate_aligned(size, al);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* p) noexcept {
  deallocate_unsized(p);
}
void operator delete[](void* p) noexcept {
  deallocate_unsized(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  deallocate_unsized(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  deallocate_unsized(p);
}
void operator delete(void* p, std::size_t size) noexcept {
  deallocate_sized(p, size);
}
void operator delete[](void* p, std::size_t size) noexcept {
  deallocate_sized(p, size);
}
void operator delete(void* p, std::align_val_t) noexcept {
  deallocate_unsized(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  deallocate_unsized(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  deallocate_unsized(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  deallocate_unsized(p);
}
void operator delete(void* p, std::size_t size, std::align_val_t) noexcept {
  deallocate_sized(p, size);
}
void operator delete[](void* p, std::size_t size, std::align_val_t) noexcept {
  deallocate_sized(p, size);
}
