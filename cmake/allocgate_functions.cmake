# File: allocgate_functions.cmake
# The CMake functions a project that uses allocgate calls; installed with the package
# (find_package(allocgate)) and included by allocgate's own build (add_subdirectory,
# FetchContent), so they read the same either way.
#
#   allocgate_link_allocator(<target> <glibc|mimalloc|jemalloc>)
#   allocgate_add_benchmark(<name> SOURCES ... [LIBS ...] [ALLOCATOR a] [NO_ATTRIBUTION] [OWN_MAIN])
include_guard(GLOBAL)

# The allocators a binary can be built against. glibc is the default (nothing extra linked);
# mimalloc and jemalloc replace malloc/free by symbol interposition when their shared library
# is linked, so the counting hook (which forwards to malloc) runs on top of them.
set(ALLOCGATE_ALLOCATORS glibc mimalloc jemalloc)

# allocgate_link_allocator(<target> <glibc|mimalloc|jemalloc>)
# mimalloc (libmimalloc-dev) and jemalloc (libjemalloc-dev) are looked for on first use only.
function(allocgate_link_allocator target allocator)
  if(allocator STREQUAL "glibc")
    # nothing: libc's malloc
  elseif(allocator STREQUAL "mimalloc")
    if(NOT TARGET mimalloc)
      find_package(mimalloc QUIET)
      if(NOT mimalloc_FOUND)
        message(FATAL_ERROR "allocgate_link_allocator: mimalloc not found (Debian package "
                            "libmimalloc-dev)")
      endif()
    endif()
    # --no-as-needed: nothing references mimalloc by name, yet it must stay loaded to
    # interpose malloc.
    target_link_libraries(${target} PRIVATE -Wl,--no-as-needed mimalloc -Wl,--as-needed)
  elseif(allocator STREQUAL "jemalloc")
    if(NOT TARGET PkgConfig::JEMALLOC)
      find_package(PkgConfig REQUIRED)
      pkg_check_modules(JEMALLOC QUIET IMPORTED_TARGET GLOBAL jemalloc)
      if(NOT JEMALLOC_FOUND)
        message(FATAL_ERROR "allocgate_link_allocator: jemalloc not found (Debian package "
                            "libjemalloc-dev)")
      endif()
    endif()
    target_link_libraries(${target} PRIVATE -Wl,--no-as-needed PkgConfig::JEMALLOC
                                            -Wl,--as-needed)
  else()
    message(FATAL_ERROR "allocgate: unknown allocator '${allocator}' "
                        "(expected one of: ${ALLOCGATE_ALLOCATORS})")
  endif()
  target_compile_definitions(${target} PRIVATE ALLOCGATE_ALLOCATOR="${allocator}")
endfunction()

# allocgate_add_benchmark(<name> SOURCES ... [LIBS ...] [ALLOCATOR a] [NO_ATTRIBUTION] [OWN_MAIN])
# A Google Benchmark executable for the allocation gate: <name> links the counting hook (its
# numbers are the gate's), <name>_attribution the same sources with the call-site attribution
# build of the hook (for `ratchet explain` / `ratchet check --explain-with`). Both link
# Google Benchmark, benchmark_main unless the sources define main, and the adapter
# (alloc_hooks/benchmark.h: alloc_hooks::measure). Compiled with -g so explain can name lines.
function(allocgate_add_benchmark name)
  cmake_parse_arguments(ARG "NO_ATTRIBUTION;OWN_MAIN" "ALLOCATOR" "SOURCES;LIBS" ${ARGN})
  set(targets ${name})
  set(hooks allocgate::alloc_hooks)
  if(NOT ARG_NO_ATTRIBUTION)
    list(APPEND targets ${name}_attribution)
    list(APPEND hooks allocgate::alloc_hooks_attribution)
  endif()
  foreach(target hook IN ZIP_LISTS targets hooks)
    add_executable(${target} ${ARG_SOURCES})
    target_link_libraries(${target} PRIVATE ${ARG_LIBS} ${hook} allocgate::alloc_hooks_benchmark)
    if(NOT ARG_OWN_MAIN)
      target_link_libraries(${target} PRIVATE benchmark::benchmark_main)
    endif()
    target_compile_options(${target} PRIVATE -g)
    if(ARG_ALLOCATOR)
      allocgate_link_allocator(${target} ${ARG_ALLOCATOR})
    endif()
  endforeach()
endfunction()
