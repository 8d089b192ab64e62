# Installation: headers under include/bik, the libraries, and an exported package config.
include(CMakePackageConfigHelpers)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/bik/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/bik
        FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/bik/config.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/bik)
set(_bik_targets bik)
if(TARGET bik_io)
  list(APPEND _bik_targets bik_io)
endif()
install(TARGETS ${_bik_targets} EXPORT bikTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT bikTargets NAMESPACE bik:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/bik)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/bikConfig.cmake.in
  ${PROJECT_BINARY_DIR}/bikConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/bik)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/bikConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/bikConfig.cmake ${PROJECT_BINARY_DIR}/bikConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/bikKokkosShims.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/bik)
