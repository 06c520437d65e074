// File: gtest.h
// GoogleTest assertions on the allocations a statement makes on the current thread.
//
//   EXPECT_ALLOCS_LE(0, detector.on_event(ev, sink));
//   ASSERT_ALLOCS_EQ(1, v.reserve(10));
//   EXPECT_ALLOC_BYTES_LE(4096, parse(line));
//
// On failure the message names the statement, the budget and what was measured.
#pragma once

#include <gtest/gtest.h>

#include "alloc_hooks/scope.h"

#define ALLOC_HOOKS_CHECK_(field, op, budget, statement, on_failure)                      \
  do {                                                                                    \
    ::alloc_hooks::snapshot alloc_hooks_delta_;                                           \
    {                                                                                     \
      ::alloc_hooks::scope alloc_hooks_scope_;                                            \
      statement;                                                                          \
      alloc_hooks_delta_ = alloc_hooks_scope_.delta();                                    \
    }                                                                                     \
    const auto alloc_hooks_budget_ = static_cast<std::uint64_t>(budget);                  \
    if (!(static_cast<std::uint64_t>(alloc_hooks_delta_.field) op alloc_hooks_budget_)) { \
      on_failure() << "`" #statement "` made " << alloc_hooks_delta_.allocs               \
                   << " allocation(s) of " << alloc_hooks_delta_.bytes_allocated          \
                   << " byte(s); expected " #field " " #op " " << alloc_hooks_budget_;    \
    }                                                                                     \
  } while (false)

#define EXPECT_ALLOCS_LE(budget, statement) \
  ALLOC_HOOKS_CHECK_(allocs, <=, budget, statement, ADD_FAILURE)
#define ASSERT_ALLOCS_LE(budget, statement) \
  ALLOC_HOOKS_CHECK_(allocs, <=, budget, statement, GTEST_FAIL)
#define EXPECT_ALLOCS_EQ(expected, statement) \
  ALLOC_HOOKS_CHECK_(allocs, ==, expected, statement, ADD_FAILURE)
#define ASSERT_ALLOCS_EQ(expected, statement) \
  ALLOC_HOOKS_CHECK_(allocs, ==, expected, statement, GTEST_FAIL)
#define EXPECT_ALLOC_BYTES_LE(budget, statement) \
  ALLOC_HOOKS_CHECK_(bytes_allocated, <=, budget, statement, ADD_FAILURE)
#define ASSERT_ALLOC_BYTES_LE(budget, statement) \
  ALLOC_HOOKS_CHECK_(bytes_allocated, <=, budget, statement, GTEST_FAIL)
