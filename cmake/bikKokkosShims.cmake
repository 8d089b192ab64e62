# Version quirks of Kokkos and Kokkos Kernels configs (Kokkos 3.4 in Trilinos to 5.x), used by
# the build and by the installed bikConfig.cmake. See shared/specs/kokkos_ecosystem.md §3.4.

# Trilinos <= 13 (TriBITS) Kokkos: Kokkos::kokkos lacks the include/trilinos directory.
if(DEFINED Kokkos_INCLUDE_DIRS AND Kokkos_VERSION VERSION_LESS 4.0 AND TARGET Kokkos::kokkos)
  get_target_property(_bik_kokkos_inc Kokkos::kokkos INTERFACE_INCLUDE_DIRECTORIES)
  foreach(_dir ${Kokkos_INCLUDE_DIRS})
    if(NOT _dir IN_LIST _bik_kokkos_inc)
      set_property(TARGET Kokkos::kokkos APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${_dir}")
    endif()
  endforeach()
endif()

# Trilinos 13 Kokkos Kernels: no namespaced target. Give it one.
macro(bik_kokkoskernels_shim)
  if(KokkosKernels_FOUND AND NOT TARGET Kokkos::kokkoskernels)
    add_library(Kokkos::kokkoskernels INTERFACE IMPORTED)
    set_target_properties(Kokkos::kokkoskernels PROPERTIES
      INTERFACE_LINK_LIBRARIES "${KokkosKernels_LIBRARIES}"
      INTERFACE_INCLUDE_DIRECTORIES "${KokkosKernels_INCLUDE_DIRS}")
  endif()
endmacro()
