// Tests for the counting hook: exact counts, every operator form, threads, pause, scope, and
// the GoogleTest helpers. Built once per allocator (glibc, mimalloc, jemalloc): every
// expectation is an exact number, so passing in all three builds means identical counts.
#include <dlfcn.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "alloc_hooks/counters.h"
#include "alloc_hooks/gtest.h"
#include "alloc_hooks/pause.h"
#include "alloc_hooks/scope.h"

namespace {

using alloc_hooks::scope;
using alloc_hooks::snapshot;

// GCC (10+) and Clang may remove a new-expression whose memory is never used
// (-fallocation-dce); escaping the pointer keeps the allocation the test means to count.
inline void escape(void* p) {
  asm volatile("" : : "g"(p) : "memory");
}

template <typename T>
void new_then_delete(T value) {
  T* p = new T(value);
  escape(p);
  delete p;
}

// ---- Static initialisation: the hook counts before main() ---------------------------------
snapshot g_static_init_delta;
struct allocates_during_static_init {
  allocates_during_static_init() {
    scope s;
    auto* p = new std::uint64_t[4];
    escape(p);
    delete[] p;
    g_static_init_delta = s.delta();
  }
} g_allocates_during_static_init;

TEST(Hook, CountsDuringStaticInitialisation) {
  EXPECT_EQ(g_static_init_delta.allocs, 1u);
  EXPECT_EQ(g_static_init_delta.frees, 1u);
  EXPECT_EQ(g_static_init_delta.bytes_allocated, 4 * sizeof(std::uint64_t));
}

TEST(Hook, IsActiveInThisBinary) {
  EXPECT_TRUE(alloc_hooks::hook_active());
}

// GCC says __SANITIZE_ADDRESS__; Clang says __has_feature(address_sanitizer).
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOC_HOOKS_TEST_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_HOOKS_TEST_UNDER_ASAN 1
#endif

#if !defined(ALLOC_HOOKS_TEST_UNDER_ASAN)
// The allocator under the hook is the one this variant was linked with.
TEST(Hook, RunsOnTheAllocatorThisVariantWasBuiltFor) {
  Dl_info info{};
  void* malloc_sym = dlsym(RTLD_DEFAULT, "malloc");
  ASSERT_NE(malloc_sym, nullptr);
  ASSERT_NE(dladdr(malloc_sym, &info), 0);
  const std::string library = info.dli_fname;
  const std::string allocator = ALLOCGATE_ALLOCATOR;
  const std::string expected = allocator == "glibc" ? "libc.so" : "lib" + allocator;
  EXPECT_NE(library.find(expected), std::string::npos) << "malloc comes from " << library;
}
#endif

// ---- Exact counts for known workloads ------------------------------------------------------
TEST(Hook, ReservedVectorIsOneAllocation) {
  std::vector<int> v;
  EXPECT_ALLOCS_EQ(1, v.reserve(100));
  scope s;
  for (int i = 0; i < 100; ++i)
    v.push_back(i);
  EXPECT_EQ(s.delta().allocs, 0u);
}

TEST(Hook, ListOfNNodesIsNAllocations) {
  std::list<int> l;
  scope s;
  for (int i = 0; i < 37; ++i)
    l.push_back(i);
  const snapshot d = s.delta();
  EXPECT_EQ(d.allocs, 37u);
  EXPECT_EQ(d.frees, 0u);
  EXPECT_EQ(d.bytes_allocated, 37 * sizeof(std::_List_node<int>));
}

TEST(Hook, CountsBytesAndLiveBytesExactlyWithSizedDelete) {
  scope s;
  {
    std::vector<char> v;
    v.reserve(1000);
    const snapshot inside = s.delta();
    EXPECT_EQ(inside.bytes_allocated, 1000u);
    EXPECT_EQ(inside.live_bytes, 1000);
  }
  const snapshot d = s.delta();
  EXPECT_EQ(d.allocs, 1u);
  EXPECT_EQ(d.frees, 1u);
  EXPECT_EQ(d.bytes_freed, 1000u);  // std::allocator uses sized delete
  EXPECT_EQ(d.live_bytes, 0);
  EXPECT_EQ(d.peak_live_bytes, 1000);
}

TEST(Hook, SmallStringIsNotAnAllocationButALongOneIs) {
  EXPECT_ALLOCS_EQ(0, std::string short_one("fits in SSO"));
  EXPECT_ALLOCS_EQ(1, std::string long_one(100, 'x'));
}

// ---- Every replaceable form ----------------------------------------------------------------
struct form_case {
  const char* name;
  void* (*allocate)(std::size_t);
  void (*deallocate)(void*, std::size_t);
};

constexpr std::align_val_t k64{64};
const form_case forms[] = {
    {"new/delete", [](std::size_t n) { return ::operator new(n); },
     [](void* p, std::size_t) { ::operator delete(p); }},
    {"new/sized delete", [](std::size_t n) { return ::operator new(n); },
     [](void* p, std::size_t n) { ::operator delete(p, n); }},
    {"new[]/delete[]", [](std::size_t n) { return ::operator new[](n); },
     [](void* p, std::size_t) { ::operator delete[](p); }},
    {"new[]/sized delete[]", [](std::size_t n) { return ::operator new[](n); },
     [](void* p, std::size_t n) { ::operator delete[](p, n); }},
    {"nothrow new/nothrow delete", [](std::size_t n) { return ::operator new(n, std::nothrow); },
     [](void* p, std::size_t) { ::operator delete(p, std::nothrow); }},
    {"nothrow new[]/nothrow delete[]",
     [](std::size_t n) { return ::operator new[](n, std::nothrow); },
     [](void* p, std::size_t) { ::operator delete[](p, std::nothrow); }},
    {"aligned new/aligned delete", [](std::size_t n) { return ::operator new(n, k64); },
     [](void* p, std::size_t) { ::operator delete(p, k64); }},
    {"aligned new/sized aligned delete", [](std::size_t n) { return ::operator new(n, k64); },
     [](void* p, std::size_t n) { ::operator delete(p, n, k64); }},
    {"aligned new[]/aligned delete[]", [](std::size_t n) { return ::operator new[](n, k64); },
     [](void* p, std::size_t) { ::operator delete[](p, k64); }},
    {"aligned new[]/sized aligned delete[]", [](std::size_t n) { return ::operator new[](n, k64); },
     [](void* p, std::size_t n) { ::operator delete[](p, n, k64); }},
    {"aligned nothrow new/aligned nothrow delete",
     [](std::size_t n) { return ::operator new(n, k64, std::nothrow); },
     [](void* p, std::size_t) { ::operator delete(p, k64, std::nothrow); }},
    {"aligned nothrow new[]/aligned nothrow delete[]",
     [](std::size_t n) { return ::operator new[](n, k64, std::nothrow); },
     [](void* p, std::size_t) { ::operator delete[](p, k64, std::nothrow); }},
};

TEST(Hook, EveryOperatorFormCountsOneAllocationAndOneFree) {
  for (const form_case& f : forms) {
    SCOPED_TRACE(f.name);
    scope s;
    void* p = f.allocate(48);
    ASSERT_NE(p, nullptr);
    const snapshot after_new = s.delta();
    EXPECT_EQ(after_new.allocs, 1u);
    EXPECT_EQ(after_new.bytes_allocated, 48u);
    f.deallocate(p, 48);
    const snapshot d = s.delta();
    EXPECT_EQ(d.allocs, 1u);
    EXPECT_EQ(d.frees, 1u);
    // Unsized deletes report malloc_usable_size (>= the request); sized ones the request.
    EXPECT_GE(d.bytes_freed, 48u);
  }
}

TEST(Hook, AlignedFormsHonourTheAlignment) {
  for (std::size_t align : {16, 32, 64, 128, 256, 4096, 65536}) {
    void* p = ::operator new (24, std::align_val_t{align});
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u) << "alignment " << align;
    ::operator delete (p, 24, std::align_val_t{align});
  }
  struct alignas(128) over_aligned {
    char c;
  };
  auto object = std::make_unique<over_aligned>();
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(object.get()) % 128, 0u);
}

TEST(Hook, ZeroSizeAllocationsAreUniqueAndCounted) {
  scope s;
  void* a = ::operator new(0);
  void* b = ::operator new(0);
  EXPECT_NE(a, nullptr);
  EXPECT_NE(a, b);
  ::operator delete (a, std::size_t{0});
  ::operator delete (b, std::size_t{0});
  EXPECT_EQ(s.delta().allocs, 2u);
}

TEST(Hook, DeletingNullIsANoOp) {
  scope s;
  ::operator delete(nullptr);
  ::operator delete (nullptr, std::size_t{16});
  ::operator delete[](nullptr);
  ::operator delete(nullptr, k64);
  int* null_int = nullptr;
  delete null_int;
  EXPECT_EQ(s.delta().frees, 0u);
  EXPECT_EQ(s.delta().bytes_freed, 0u);
}

// ---- Threads -------------------------------------------------------------------------------
constexpr int kThreads = 8;
constexpr int kAllocsPerThread = 1000;

void known_work() {
  for (int i = 0; i < kAllocsPerThread; ++i) {
    new_then_delete(static_cast<std::uint64_t>(i));
  }
}

TEST(Hook, ProcessSnapshotSumsEveryThreadExactly) {
  const snapshot process_before = alloc_hooks::process_snapshot();
  const snapshot main_before = alloc_hooks::thread_snapshot();
  {
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back(known_work);
    for (auto& t : threads)
      t.join();
  }
  const snapshot process_after = alloc_hooks::process_snapshot();
  const snapshot main_after = alloc_hooks::thread_snapshot();
  // What the workers allocated = the process total minus what this thread did (the vector
  // and std::thread's state objects are allocated here).
  const std::uint64_t worker_allocs =
      (process_after.allocs - process_before.allocs) - (main_after.allocs - main_before.allocs);
  const std::uint64_t worker_bytes =
      (process_after.bytes_allocated - process_before.bytes_allocated) -
      (main_after.bytes_allocated - main_before.bytes_allocated);
  EXPECT_EQ(worker_allocs, std::uint64_t{kThreads} * kAllocsPerThread);
  EXPECT_EQ(worker_bytes, std::uint64_t{kThreads} * kAllocsPerThread * sizeof(std::uint64_t));
}

TEST(Hook, ExitedThreadsKeepTheirContributionAcrossSlotReuse) {
  // Sequential threads reuse the slots that exited threads returned; the total must still
  // include every one of them.
  const snapshot process_before = alloc_hooks::process_snapshot();
  const snapshot main_before = alloc_hooks::thread_snapshot();
  for (int t = 0; t < 50; ++t)
    std::thread(known_work).join();
  const snapshot process_after = alloc_hooks::process_snapshot();
  const snapshot main_after = alloc_hooks::thread_snapshot();
  EXPECT_EQ(
      (process_after.allocs - process_before.allocs) - (main_after.allocs - main_before.allocs),
      50u * kAllocsPerThread);
}

struct allocates_at_thread_exit {
  ~allocates_at_thread_exit() {
    auto* p = new std::uint64_t[2];
    escape(p);
    delete[] p;
  }
};

TEST(Hook, CountsAllocationsMadeDuringThreadExit) {
  const snapshot process_before = alloc_hooks::process_snapshot();
  const snapshot main_before = alloc_hooks::thread_snapshot();
  std::thread([] {
    thread_local allocates_at_thread_exit on_exit;
    (void)&on_exit;
  }).join();
  const snapshot process_after = alloc_hooks::process_snapshot();
  const snapshot main_after = alloc_hooks::thread_snapshot();
  EXPECT_EQ(
      (process_after.allocs - process_before.allocs) - (main_after.allocs - main_before.allocs),
      1u);
}

TEST(Hook, ThreadSnapshotSeesOnlyTheCallingThread) {
  scope s;
  std::thread t(known_work);  // one allocation here: std::thread's state
  t.join();
  EXPECT_EQ(s.delta().allocs, 1u);
}

// ---- Pause / resume ------------------------------------------------------------------------
TEST(Hook, PausedAllocationsAreNotCounted) {
  scope s;
  alloc_hooks::pause_counting();
  EXPECT_TRUE(alloc_hooks::counting_paused());
  new_then_delete(1);
  alloc_hooks::resume_counting();
  EXPECT_FALSE(alloc_hooks::counting_paused());
  new_then_delete(2);
  EXPECT_EQ(s.delta().allocs, 1u);
  EXPECT_EQ(s.delta().frees, 1u);
}

TEST(Hook, PausesNestAndResumeOnlyWhenAllAreMatched) {
  scope s;
  {
    alloc_hooks::pause_guard outer;
    { alloc_hooks::pause_guard inner; }
    EXPECT_TRUE(alloc_hooks::counting_paused());
    new_then_delete(1);
  }
  EXPECT_FALSE(alloc_hooks::counting_paused());
  new_then_delete(2);
  EXPECT_EQ(s.delta().allocs, 1u);
}

TEST(Hook, UnmatchedResumeIsHarmless) {
  alloc_hooks::resume_counting();
  EXPECT_FALSE(alloc_hooks::counting_paused());
  EXPECT_ALLOCS_EQ(1, new_then_delete(3));
}

// ---- Scope ---------------------------------------------------------------------------------
TEST(Scope, ReportsPeakGrowthInsideTheBlock) {
  scope s;
  {
    std::vector<char> big;
    big.reserve(10'000);
  }
  std::vector<char> small;
  small.reserve(100);
  const snapshot d = s.delta();
  EXPECT_EQ(d.peak_live_bytes, 10'000);
  EXPECT_EQ(d.live_bytes, 100);
}

TEST(Scope, InnerScopeDoesNotDisturbTheOuterPeak) {
  scope outer;
  {
    std::vector<char> big;
    big.reserve(5'000);
  }
  {
    scope inner;
    std::vector<char> small;
    small.reserve(50);
    EXPECT_EQ(inner.delta().peak_live_bytes, 50);
  }
  EXPECT_EQ(outer.delta().peak_live_bytes, 5'000);
  EXPECT_EQ(outer.delta().allocs, 2u);
}

TEST(Scope, ThreadSnapshotPeakSurvivesScopes) {
  {
    std::vector<char> big;
    big.reserve(1 << 20);
  }
  const std::int64_t peak_before = alloc_hooks::thread_snapshot().peak_live_bytes;
  { scope s; }
  EXPECT_EQ(alloc_hooks::thread_snapshot().peak_live_bytes, peak_before);
}

// ---- The GoogleTest helpers ----------------------------------------------------------------
// EXPECT_NONFATAL_FAILURE cannot see local variables, hence these free functions.
void allocate_once() {
  new_then_delete(7);
}
void allocate_nothing() {}

TEST(GtestHelpers, PassWithinBudget) {
  EXPECT_ALLOCS_LE(1, allocate_once());
  EXPECT_ALLOCS_LE(0, allocate_nothing());
  EXPECT_ALLOCS_EQ(1, allocate_once());
  EXPECT_ALLOC_BYTES_LE(sizeof(int), allocate_once());
  ASSERT_ALLOCS_LE(0, allocate_nothing());
}

TEST(GtestHelpers, FailOverBudgetWithAReadableMessage) {
  EXPECT_NONFATAL_FAILURE(EXPECT_ALLOCS_LE(0, allocate_once()),
                          "`allocate_once()` made 1 allocation(s) of 4 byte(s); expected "
                          "allocs <= 0");
  EXPECT_NONFATAL_FAILURE(EXPECT_ALLOCS_EQ(2, allocate_once()), "expected allocs == 2");
  EXPECT_NONFATAL_FAILURE(EXPECT_ALLOC_BYTES_LE(3, allocate_once()),
                          "expected bytes_allocated <= 3");
}

TEST(GtestHelpers, AssertFormIsFatal) {
  EXPECT_FATAL_FAILURE(ASSERT_ALLOCS_LE(0, allocate_once()), "made 1 allocation(s)");
}

}  // namespace
