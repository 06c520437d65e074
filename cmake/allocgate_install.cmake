# File: allocgate_install.cmake
# `cmake --install` and the CMake package: find_package(allocgate [COMPONENTS ...]) then links
# the same namespaced targets that add_subdirectory/FetchContent give. One export set per
# component, so a project can ask for the hook alone:
#   hooks      allocgate::alloc_hooks (object files: the operator new/delete replacement needs no
#              symbol reference), allocgate::alloc_hooks_attribution, allocgate::attribution_file;
#              needs nothing but threads
#   benchmark  allocgate::alloc_hooks_benchmark (Google Benchmark adapter, alloc_hooks::measure)
#   gtest      allocgate::alloc_hooks_gtest (EXPECT_ALLOCS_LE & co.)
#   tools      allocgate::ratchet_cli, allocgate::benchhist_cli (also installed in bin/)
# and, always, allocgate_link_allocator() and allocgate_add_benchmark() (allocgate_functions.cmake).
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ALLOCGATE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/allocgate)
set(ALLOCGATE_INSTALLED_COMPONENTS hooks)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/alloc_hooks/include/alloc_hooks
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT hooks)
install(TARGETS alloc_hooks alloc_hooks_attribution attribution_file EXPORT allocgate-hooks
        OBJECTS DESTINATION ${CMAKE_INSTALL_LIBDIR}/allocgate COMPONENT hooks
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT hooks)
install(EXPORT allocgate-hooks NAMESPACE allocgate:: DESTINATION ${ALLOCGATE_CMAKE_DIR}
        FILE allocgate-hooks-targets.cmake COMPONENT hooks)

if(TARGET alloc_hooks_benchmark)
  install(TARGETS alloc_hooks_benchmark EXPORT allocgate-benchmark
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT benchmark)
  install(EXPORT allocgate-benchmark NAMESPACE allocgate:: DESTINATION ${ALLOCGATE_CMAKE_DIR}
          FILE allocgate-benchmark-targets.cmake COMPONENT benchmark)
  list(APPEND ALLOCGATE_INSTALLED_COMPONENTS benchmark)
endif()
if(TARGET alloc_hooks_gtest)
  install(TARGETS alloc_hooks_gtest EXPORT allocgate-gtest COMPONENT gtest)
  install(EXPORT allocgate-gtest NAMESPACE allocgate:: DESTINATION ${ALLOCGATE_CMAKE_DIR}
          FILE allocgate-gtest-targets.cmake COMPONENT gtest)
  list(APPEND ALLOCGATE_INSTALLED_COMPONENTS gtest)
endif()
if(ALLOCGATE_BUILD_TOOLS)
  # OPTIONAL: a subproject builds them only on request (EXCLUDE_FROM_ALL).
  install(TARGETS ratchet benchhist EXPORT allocgate-tools
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools OPTIONAL)
  install(EXPORT allocgate-tools NAMESPACE allocgate:: DESTINATION ${ALLOCGATE_CMAKE_DIR}
          FILE allocgate-tools-targets.cmake COMPONENT tools)
  list(APPEND ALLOCGATE_INSTALLED_COMPONENTS tools)
endif()

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/allocgateConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/allocgateConfig.cmake
                              INSTALL_DESTINATION ${ALLOCGATE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/allocgateConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/allocgateConfig.cmake
              ${PROJECT_BINARY_DIR}/allocgateConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/allocgate_functions.cmake
        DESTINATION ${ALLOCGATE_CMAKE_DIR} COMPONENT hooks)
