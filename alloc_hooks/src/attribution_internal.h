// File: attribution_internal.h (internal)
// The hook's entry into the attribution recorder (alloc_hooks_attribution builds only).
#pragma once

#include <cstddef>

namespace alloc_hooks::internal {

#ifdef ALLOC_HOOKS_ATTRIBUTION
void attribute_allocation(std::size_t size) noexcept;
#endif

}  // namespace alloc_hooks::internal
