# Installation, included last from the top-level CMakeLists.txt (after every target exists):
#   include/bik/...                      public headers (+ the generated config.hpp and
#                                        intensity_eti_types.hpp)
#   lib/libbik.*, lib/libbik_io.*        the libraries (bik_io only with BIK_ENABLE_HDF5)
#   bin/bik                              the CLI (installed by src/cli itself)
#   lib/cmake/bik/bikConfig.cmake        find_package(bik): finds Kokkos (+ Kokkos Kernels, HDF5,
#   lib/cmake/bik/bikConfigVersion.cmake   fmt when needed), imports bik::bik and bik::io
#   lib/cmake/bik/bikTargets*.cmake, bikKokkosShims.cmake
include(CMakePackageConfigHelpers)

set(_bik_has_io FALSE)
if(TARGET bik_io)
  set(_bik_has_io TRUE)
endif()

# ---- headers ------------------------------------------------------------------------------
# bik/io/ only when bik::io is built, so an install never ships headers without their library.
if(_bik_has_io)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/bik/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/bik
          FILES_MATCHING PATTERN "*.hpp")
else()
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/bik/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/bik
          FILES_MATCHING PATTERN "*.hpp" REGEX "src/bik/io$" EXCLUDE)
endif()
install(FILES ${PROJECT_BINARY_DIR}/include/bik/config.hpp
              ${PROJECT_BINARY_DIR}/include/bik/intensity_eti_types.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/bik)

# ---- libraries and their export set -------------------------------------------------------
set(_bik_targets bik)
if(_bik_has_io)
  list(APPEND _bik_targets bik_io)
endif()
install(TARGETS ${_bik_targets} EXPORT bikTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT bikTargets NAMESPACE bik:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/bik)

# ---- run-time search path of installed binaries -------------------------------------------
# CMake drops the build-tree RPATH on install, which leaves bin/bik (and a shared libbik)
# unable to find a shared Kokkos or HDF5 outside the system directories. Keep the directories
# of the libraries we linked against, and let bin/bik find a shared libbik next door. Users
# who manage RPATHs themselves (CMAKE_SKIP_INSTALL_RPATH, or Spack, which sets its own
# CMAKE_INSTALL_RPATH) are left alone apart from the link-path entries, which are harmless.
if(NOT CMAKE_SKIP_INSTALL_RPATH AND NOT CMAKE_SKIP_RPATH)
  file(RELATIVE_PATH _bik_bin_to_lib "${CMAKE_INSTALL_FULL_BINDIR}" "${CMAKE_INSTALL_FULL_LIBDIR}")
  if(APPLE)
    set(_bik_origin "@loader_path")
  else()
    set(_bik_origin "$ORIGIN")
  endif()
  foreach(_bik_target bik bik_io bik_cli)
    if(TARGET ${_bik_target})
      set_property(TARGET ${_bik_target} PROPERTY INSTALL_RPATH_USE_LINK_PATH TRUE)
    endif()
  endforeach()
  if(TARGET bik_cli)
    set_property(TARGET bik_cli APPEND PROPERTY INSTALL_RPATH "${_bik_origin}/${_bik_bin_to_lib}")
  endif()
  if(TARGET bik_io)
    set_property(TARGET bik_io APPEND PROPERTY INSTALL_RPATH "${_bik_origin}")
  endif()
endif()

# ---- package config -----------------------------------------------------------------------
# Whether consumers need Kokkos Kernels: only if an installed target links it (a static
# library carries its private link dependencies into the export). Today bik finds Kokkos
# Kernels but links nothing against it, so the installed config does not look for it.
set(_bik_needs_kokkoskernels FALSE)
foreach(_bik_target IN LISTS _bik_targets)
  get_target_property(_bik_links ${_bik_target} LINK_LIBRARIES)
  get_target_property(_bik_interface_links ${_bik_target} INTERFACE_LINK_LIBRARIES)
  string(TOLOWER "${_bik_links};${_bik_interface_links}" _bik_links)
  string(FIND "${_bik_links}" "kokkoskernels" _bik_pos)
  if(NOT _bik_pos EQUAL -1)
    set(_bik_needs_kokkoskernels TRUE)
  endif()
endforeach()
set(_bik_has_kokkoskernels FALSE)
if(KokkosKernels_FOUND)
  set(_bik_has_kokkoskernels TRUE)
endif()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/bikConfig.cmake.in
  ${PROJECT_BINARY_DIR}/bikConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/bik)
# 0.x: a new minor version may break the API, so only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/bikConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/bikConfig.cmake ${PROJECT_BINARY_DIR}/bikConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/bikKokkosShims.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/bik)
