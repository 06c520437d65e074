# File: allocgate_detectors.cmake
# The CMake helpers of the detectors tree, one per kind of target. Every folder under detectors/
# registers its sources with allocgate_detectors_module() or allocgate_detector(); the libraries
# are then made from everything registered by allocgate_detectors_library(), which any folder
# (e.g. the phase profiler's) can call once the detectors tree has been added.
include_guard(GLOBAL)

# The root of the detectors tree (this file's folder, CMAKE_CURRENT_FUNCTION_LIST_DIR in the
# functions below, so they work when called from any folder) is the private include root
# ("formats/internal/x.h", "corpus/internal/x.h", "testing/x.h") and where the golden test finds
# detectors' testdata/.

# allocgate_detectors_module([SOURCES ...] [TESTS ...] [FUZZ ...])
# Adds the calling folder's SOURCES (and its include/ folder, when there is one) to the detectors
# libraries, one GoogleTest executable per TESTS file and one libFuzzer target per FUZZ file.
function(allocgate_detectors_module)
  cmake_parse_arguments(ARG "" "" "SOURCES;TESTS;FUZZ" ${ARGN})
  foreach(src ${ARG_SOURCES})
    set_property(GLOBAL APPEND PROPERTY ALLOCGATE_DETECTORS_SOURCES
                 ${CMAKE_CURRENT_SOURCE_DIR}/${src})
  endforeach()
  if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include)
    set_property(GLOBAL APPEND PROPERTY ALLOCGATE_DETECTORS_INCLUDES
                 ${CMAKE_CURRENT_SOURCE_DIR}/include)
  endif()
  foreach(src ${ARG_TESTS})
    allocgate_detectors_test(${src})
  endforeach()
  foreach(src ${ARG_FUZZ})
    allocgate_detectors_fuzz(${src})
  endforeach()
endfunction()

# allocgate_detector(<name> SOURCES ... GENERATOR <name>_gen.cpp [TESTS ...] [FUZZ ...])
# One detector's folder: its detector and parser sources, its corpus generator (which defines
# generate_<name>_episode), its tests and its fuzz target.
function(allocgate_detector name)
  cmake_parse_arguments(ARG "" "GENERATOR" "SOURCES;TESTS;FUZZ" ${ARGN})
  if(NOT ARG_GENERATOR)
    message(FATAL_ERROR "allocgate_detector(${name}): GENERATOR <name>_gen.cpp is required "
                        "(the corpus mixer calls generate_${name}_episode)")
  endif()
  if(NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/include/detectors/${name}.h)
    message(FATAL_ERROR "allocgate_detector(${name}): include/detectors/${name}.h is missing")
  endif()
  allocgate_detectors_module(SOURCES ${ARG_SOURCES} ${ARG_GENERATOR} TESTS ${ARG_TESTS}
                             FUZZ ${ARG_FUZZ})
endfunction()

# allocgate_detectors_test(<file>_test.cpp): a GoogleTest executable named after the file,
# labelled "detectors", with the private include root and ALLOCGATE_DETECTORS_SOURCE_DIR.
function(allocgate_detectors_test src)
  if(NOT ALLOCGATE_BUILD_TESTS)
    return()
  endif()
  get_filename_component(name ${src} NAME_WE)
  allocgate_add_gtest(${name} SOURCES ${src}
                      LIBS allocgate::detectors allocgate::alloc_hooks allocgate::bench_contract
                           nlohmann_json::nlohmann_json
                      LABEL detectors)
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
  target_compile_definitions(${name} PRIVATE
                             ALLOCGATE_DETECTORS_SOURCE_DIR="${CMAKE_CURRENT_FUNCTION_LIST_DIR}")
  if(ALLOCGATE_ONLY_DETECTOR)
    target_compile_definitions(${name} PRIVATE
                               ALLOCGATE_ONLY_DETECTOR="${ALLOCGATE_ONLY_DETECTOR}")
  endif()
endfunction()

# allocgate_detectors_fuzz(<parser>_fuzz.cpp): a parser's libFuzzer target, named after the file
# (see allocgate_fuzz_target).
function(allocgate_detectors_fuzz src)
  get_filename_component(name ${src} NAME_WE)
  allocgate_fuzz_target(${name} SOURCES ${src} LIBS allocgate::detectors)
  if(TARGET ${name})
    target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
  endif()
endfunction()

# allocgate_detectors_library(<target>): a static library of every registered detectors source,
# aliased allocgate::<target>. Call it after the detectors tree has been added (the registered
# lists are complete then); the caller adds what makes its build differ (compile definitions).
function(allocgate_detectors_library target)
  get_property(sources GLOBAL PROPERTY ALLOCGATE_DETECTORS_SOURCES)
  get_property(includes GLOBAL PROPERTY ALLOCGATE_DETECTORS_INCLUDES)
  get_property(only_include GLOBAL PROPERTY ALLOCGATE_DETECTORS_ONLY_INCLUDE)
  add_library(${target} STATIC ${sources})
  add_library(allocgate::${target} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${only_include} ${includes}
                             PRIVATE ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
  target_link_libraries(${target} PUBLIC fmt::fmt
                        PRIVATE nlohmann_json::nlohmann_json PkgConfig::SIMDJSON)
endfunction()
