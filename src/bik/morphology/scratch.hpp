// Temporary buffers of any element type for the morphology and resampling kernels: drawn from
// a Workspace when it keeps that type, else allocated for the call.
#ifndef BIK_MORPHOLOGY_SCRATCH_HPP
#define BIK_MORPHOLOGY_SCRATCH_HPP

#include "bik/core/workspace.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <type_traits>

namespace bik::detail {

template <class T>
constexpr bool workspace_keeps =
    std::is_same<T, double>::value || std::is_same<T, std::int64_t>::value ||
    std::is_same<T, std::int32_t>::value || std::is_same<T, std::uint8_t>::value;

template <class T, class MemorySpace>
Kokkos::View<T*, MemorySpace> scratch(Workspace<MemorySpace>* workspace, std::string const& name,
                                      std::size_t n) {
  if constexpr (workspace_keeps<T>) {
    return Workspace<MemorySpace>::template get<T>(workspace, name, n);
  } else {
    return Kokkos::View<T*, MemorySpace>(Kokkos::view_alloc(Kokkos::WithoutInitializing, name), n);
  }
}

// A contiguous (Z,Y,X) Volume over the first nz*ny*nx elements of a buffer.
template <class T, class MemorySpace>
Kokkos::View<T***, Kokkos::LayoutStride, MemorySpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>
dense_volume(Kokkos::View<T*, MemorySpace> const& buffer, std::int64_t nz, std::int64_t ny,
             std::int64_t nx) {
  using Result = Kokkos::View<T***, Kokkos::LayoutStride, MemorySpace,
                              Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  return Result(buffer.data(), Kokkos::LayoutStride(
                                   static_cast<std::size_t>(nz), static_cast<std::size_t>(ny * nx),
                                   static_cast<std::size_t>(ny), static_cast<std::size_t>(nx),
                                   static_cast<std::size_t>(nx), 1));
}

}  // namespace bik::detail

#endif
