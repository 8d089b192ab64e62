# Version quirks of the Kokkos and Kokkos Kernels package configs, from Kokkos 3.4 (standalone
# or inside Trilinos/TriBITS) to 5.x. Included by the build (bikDependencies.cmake) and by the
# installed bikConfig.cmake, in both cases right after find_package(Kokkos). Everything here is
# idempotent: including it twice, or after a project that already patched the targets, is a
# no-op. See shared/specs/kokkos_ecosystem.md §3.3-3.4.
#
# Not done here on purpose:
#  - find_package(Kokkos <version>): the version files of Kokkos 3.x and of Trilinos-era Kokkos
#    (<= 4.0) accept only the same major version, so callers find Kokkos without a version and
#    compare Kokkos_VERSION themselves.
#  - kokkos_check(OPTIONS CUDA_LAMBDA): the option is gone in Kokkos 5.2 and the check fails.
#    CUDA lambdas are always on from Kokkos 4.1; for older Kokkos the Spack recipe requires them.

# Trilinos <= 13 (TriBITS) Kokkos, e.g. Debian's libtrilinos-kokkos-dev: Kokkos::kokkos carries
# <prefix>/include but not <prefix>/include/trilinos, where the headers are. Add the directories
# the config lists in Kokkos_INCLUDE_DIRS. Standalone Kokkos configs do not set that variable.
if(DEFINED Kokkos_INCLUDE_DIRS AND Kokkos_VERSION VERSION_LESS 4.0 AND TARGET Kokkos::kokkos)
  get_target_property(_bik_kokkos_inc Kokkos::kokkos INTERFACE_INCLUDE_DIRECTORIES)
  if(NOT _bik_kokkos_inc)
    set(_bik_kokkos_inc "")
  endif()
  foreach(_bik_dir IN LISTS Kokkos_INCLUDE_DIRS)
    list(FIND _bik_kokkos_inc "${_bik_dir}" _bik_index)
    if(_bik_index EQUAL -1)
      set_property(TARGET Kokkos::kokkos APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${_bik_dir}")
    endif()
  endforeach()
  unset(_bik_kokkos_inc)
  unset(_bik_dir)
  unset(_bik_index)
endif()

# Kokkos Kernels: standalone 3.4 and 4.x/5.x configs define Kokkos::kokkoskernels; Trilinos 13
# defines only trilinos_kokkoskernels and the KokkosKernels_{LIBRARIES,INCLUDE_DIRS} variables
# (and no version file, so never ask for a KokkosKernels version). Call this macro after
# find_package(KokkosKernels) to get the namespaced target in every case.
macro(bik_kokkoskernels_shim)
  if(KokkosKernels_FOUND AND NOT TARGET Kokkos::kokkoskernels)
    add_library(Kokkos::kokkoskernels INTERFACE IMPORTED)
    set_target_properties(Kokkos::kokkoskernels PROPERTIES
      INTERFACE_LINK_LIBRARIES "${KokkosKernels_LIBRARIES}"
      INTERFACE_INCLUDE_DIRECTORIES "${KokkosKernels_INCLUDE_DIRS}")
  endif()
endmacro()
