// Allocation-failure semantics of the hook: bad_alloc, nothrow null, the new_handler loop.
// Kept apart from hook_test (label no_asan): AddressSanitizer aborts on an impossible
// allocation size instead of letting malloc return null.
#include <gtest/gtest.h>

#include <cstdint>
#include <new>

#include "alloc_hooks/scope.h"

namespace {

// volatile: keeps the compiler from flagging (or folding) the impossible size at compile time.
volatile std::size_t g_impossible = SIZE_MAX / 2;

int g_handler_calls = 0;
void give_up_on_third_call() {
  if (++g_handler_calls == 3) std::set_new_handler(nullptr);
}

TEST(HookFailure, ThrowingFormThrowsBadAllocAndCountsNothing) {
  alloc_hooks::scope s;
  EXPECT_THROW(::operator delete(::operator new(g_impossible)), std::bad_alloc);
  EXPECT_THROW(::operator delete(::operator new (g_impossible, std::align_val_t{64})),
               std::bad_alloc);
  EXPECT_EQ(s.delta().allocs, 0u);
}

TEST(HookFailure, NothrowFormsReturnNullAndCountNothing) {
  alloc_hooks::scope s;
  EXPECT_EQ(::operator new(g_impossible, std::nothrow), nullptr);
  EXPECT_EQ(::operator new[](g_impossible, std::nothrow), nullptr);
  EXPECT_EQ(::operator new (g_impossible, std::align_val_t{64}, std::nothrow), nullptr);
  EXPECT_EQ(::operator new[](g_impossible, std::align_val_t{64}, std::nothrow), nullptr);
  EXPECT_EQ(s.delta().allocs, 0u);
}

TEST(HookFailure, NewHandlerIsCalledInALoopUntilItGivesUp) {
  g_handler_calls = 0;
  std::set_new_handler(give_up_on_third_call);
  EXPECT_THROW(::operator delete(::operator new(g_impossible)), std::bad_alloc);
  EXPECT_EQ(g_handler_calls, 3);
}

TEST(HookFailure, NothrowFormsRunTheNewHandlerToo) {
  g_handler_calls = 0;
  std::set_new_handler(give_up_on_third_call);
  EXPECT_EQ(::operator new(g_impossible, std::nothrow), nullptr);
  EXPECT_EQ(g_handler_calls, 3);
}

TEST(HookFailure, AHandlerThatThrowsPropagates) {
  std::set_new_handler([] { throw std::bad_array_new_length(); });
  EXPECT_THROW(::operator delete(::operator new(g_impossible)), std::bad_array_new_length);
  std::set_new_handler(nullptr);
}

}  // namespace
