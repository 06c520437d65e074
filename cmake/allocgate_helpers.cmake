# Small CMake helpers shared by every module: allocator variants and test registration.
include_guard(GLOBAL)

# allocgate_link_allocator() and allocgate_add_benchmark(): what users of allocgate call too.
include(${CMAKE_CURRENT_LIST_DIR}/allocgate_functions.cmake)

# allocgate_add_gtest(<name> SOURCES ... [LIBS ...] [ALLOCATOR a] [LABEL label])
# One GoogleTest executable registered with ctest via gtest_discover_tests. One label only:
# CMake 3.25's test discovery splits a list-valued property into separate arguments.
# WHOLE registers the executable as one ctest test instead of one per GoogleTest test: for suites
# whose tests come from data folders, which ctest then sees without a rebuild or a glob.
function(allocgate_add_gtest name)
  cmake_parse_arguments(ARG "WHOLE" "ALLOCATOR;LABEL" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  if(ARG_ALLOCATOR)
    allocgate_link_allocator(${name} ${ARG_ALLOCATOR})
  endif()
  include(GoogleTest)
  if(ARG_WHOLE)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABEL}")
    return()
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABEL}")
endfunction()

# allocgate_cli(<target>): a command-line program users run. All of them land in <build>/bin
# (build/bin/ratchet, build/bin/benchhist, ...), whatever folder their sources live in.
function(allocgate_cli target)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endfunction()

# allocgate_fuzz_target(<name> SOURCES ... LIBS ... [SEEDS <dir>]): a libFuzzer target (clang,
# ALLOCGATE_FUZZ=ON only) built into <build>/fuzz, where scripts/fuzz-smoke.sh finds every one.
# SEEDS names a folder of starting inputs; without it, fuzz-smoke seeds a detector's target
# with that detector's generated lines (corpus-gen --detector <name without _fuzz>).
function(allocgate_fuzz_target name)
  if(NOT ALLOCGATE_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "SEEDS" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
  if(ARG_SEEDS)
    file(WRITE ${PROJECT_BINARY_DIR}/fuzz/${name}.seeds "${ARG_SEEDS}\n")
  endif()
endfunction()

# allocgate_cli_golden_test(<name> SOURCES ... [LIBS ...] TESTDATA <dir> [LABEL label])
# A GoogleTest executable over the golden cases in <dir>/cli, linking the harness
# (allocgate::cli_golden, tools/common); <dir> reaches the sources as ALLOCGATE_TESTDATA (see
# ALLOCGATE_CLI_GOLDEN_TESTS). The cases are data, found when the executable runs (one ctest
# entry, one GoogleTest test per case): add a case folder and run ctest, nothing to rebuild.
function(allocgate_cli_golden_test name)
  cmake_parse_arguments(ARG "" "TESTDATA;LABEL" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL tools)
  endif()
  allocgate_add_gtest(${name} SOURCES ${ARG_SOURCES} LIBS ${ARG_LIBS} allocgate::cli_golden
                      LABEL ${ARG_LABEL} WHOLE)
  target_compile_definitions(${name} PRIVATE ALLOCGATE_TESTDATA="${ARG_TESTDATA}")
endfunction()
