# Every dependency is a Debian 12 package found through find_package or pkg-config. A missing
# one stops configuration with the package to install; scripts/install-deps.sh installs them all.
include_guard(GLOBAL)
find_package(PkgConfig REQUIRED)
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
  pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${module})
  if(NOT ${prefix}_FOUND)
    message(FATAL_ERROR "allocgate: pkg-config module '${module}' not found. Install the "
                        "Debian package '${debian_package}' (or run scripts/install-deps.sh).")
  endif()
endmacro()

allocgate_require_package(GTest googletest)
allocgate_require_package(benchmark libbenchmark-dev)
allocgate_require_package(fmt libfmt-dev)
allocgate_require_package(mimalloc libmimalloc-dev)
allocgate_require_package(nlohmann_json nlohmann-json3-dev)
allocgate_require_package(CLI11 libcli11-dev)
allocgate_require_package(SQLite3 libsqlite3-dev)
allocgate_require_pkgconfig(JEMALLOC jemalloc libjemalloc-dev)
allocgate_require_pkgconfig(SIMDJSON simdjson libsimdjson-dev)
