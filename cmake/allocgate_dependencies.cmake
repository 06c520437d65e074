# Every dependency is a Debian 12 package found through find_package or pkg-config, and each is
# required only by the part of allocgate that uses it: the hook needs nothing but threads. A
# missing one stops configuration with the package to install; scripts/install-deps.sh installs
# them all.
include_guard(GLOBAL)
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)

# allocgate_require_package(<find_package name> <Debian package> [find_package args...])
macro(allocgate_require_package name debian_package)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "allocgate: ${name} not found. Install the Debian package "
                        "'${debian_package}' (or run scripts/install-deps.sh).")
  endif()
endmacro()

# allocgate_require_pkgconfig(<prefix> <pkg-config module> <Debian package>)
macro(allocgate_require_pkgconfig prefix module debian_package)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${module})
  if(NOT ${prefix}_FOUND)
    message(FATAL_ERROR "allocgate: pkg-config module '${module}' not found. Install the "
                        "Debian package '${debian_package}' (or run scripts/install-deps.sh).")
  endif()
endmacro()

# The Google Benchmark adapter (allocgate::alloc_hooks_benchmark) is built when Google Benchmark
# is there; allocgate's own benchmarks require it.
if(ALLOCGATE_BUILD_BENCH)
  allocgate_require_package(benchmark libbenchmark-dev)
else()
  find_package(benchmark QUIET)
endif()
if(ALLOCGATE_BUILD_TESTS)
  allocgate_require_package(GTest googletest)
else()
  find_package(GTest QUIET)  # for the header-only allocgate::alloc_hooks_gtest only
endif()
if(ALLOCGATE_BUILD_TOOLS)
  allocgate_require_package(fmt libfmt-dev)
  allocgate_require_package(nlohmann_json nlohmann-json3-dev)
  allocgate_require_package(CLI11 libcli11-dev)
  allocgate_require_package(SQLite3 libsqlite3-dev)
endif()
if(ALLOCGATE_BUILD_DETECTORS)
  allocgate_require_pkgconfig(SIMDJSON simdjson libsimdjson-dev)
endif()
# The test and benchmark builds run once per allocator (allocgate_link_allocator).
if(ALLOCGATE_BUILD_TESTS OR ALLOCGATE_BUILD_BENCH)
  allocgate_require_package(mimalloc libmimalloc-dev)
  allocgate_require_pkgconfig(JEMALLOC jemalloc libjemalloc-dev)
endif()
