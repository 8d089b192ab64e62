# Dependency discovery for bik, shared by the build and (in part) by bikConfig.cmake.

# Kokkos: no version in find_package, since the version files of Kokkos 3.x and Trilinos-era
# Kokkos accept only the same major version. The range is checked by hand instead.
find_package(Kokkos REQUIRED CONFIG)
if(Kokkos_VERSION VERSION_LESS 3.4)
  message(FATAL_ERROR "bik needs Kokkos >= 3.4; found ${Kokkos_VERSION} at ${Kokkos_DIR}")
endif()
include(bikKokkosShims)
message(STATUS "bik: Kokkos ${Kokkos_VERSION} at ${Kokkos_DIR}, devices: ${Kokkos_DEVICES}")

# Execution spaces bik instantiates its kernels for (backends/), from what Kokkos was built with.
set(BIK_BACKENDS "")
foreach(_space SERIAL OPENMP CUDA)
  if(_space IN_LIST Kokkos_DEVICES)
    string(TOLOWER ${_space} _lower)
    list(APPEND BIK_BACKENDS ${_lower})
  endif()
endforeach()
if(NOT BIK_BACKENDS)
  message(FATAL_ERROR "bik: Kokkos at ${Kokkos_DIR} has none of the Serial, OpenMP or CUDA backends")
endif()
message(STATUS "bik: backends ${BIK_BACKENDS}")

find_package(KokkosKernels QUIET CONFIG)
bik_kokkoskernels_shim()

find_package(fmt REQUIRED CONFIG)

if(BIK_ENABLE_HDF5)
  enable_language(C)  # FindHDF5 probes the C library with a C compiler
  find_package(HDF5 REQUIRED COMPONENTS C)
endif()
