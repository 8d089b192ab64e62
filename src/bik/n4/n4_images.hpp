// The images of one N4 correction, all (Z,Y,X) volumes of the same shape in one memory space
// (a 2D image is Z = 1 with rank 2). Optional ones are empty Views.
#ifndef BIK_N4_N4_IMAGES_HPP
#define BIK_N4_N4_IMAGES_HPP

#include "bik/core/volume.hpp"

#include <Kokkos_Core.hpp>

namespace bik::n4 {

template <class T, class M, class MemorySpace>
struct N4Images {
  Volume<T const, MemorySpace> input;            // strictly positive inside the mask
  int rank = 3;                                  // 2 or 3
  Volume<M const, MemorySpace> mask;             // optional: label or non-zero voxels
  Volume<double const, MemorySpace> confidence;  // optional: fit weights, > 0 to be included
  Volume<T, MemorySpace> corrected;              // output: input / exp(log bias)
  Volume<T, MemorySpace> log_bias;               // optional output: the log bias field
};

// Views a writable rank-2 (Y,X) or rank-3 (Z,Y,X) View as a Volume, without copying.
template <class ViewType>
auto as_writable_volume(ViewType const& v) {
  using value_type = typename ViewType::value_type;
  constexpr int rank = static_cast<int>(ViewType::rank);
  static_assert(rank == 2 || rank == 3, "bik::n4::as_writable_volume: expected a 2D or 3D View");
  std::size_t stride[8] = {};
  v.stride(stride);
  Kokkos::LayoutStride layout;
  if constexpr (rank == 2) {
    layout = Kokkos::LayoutStride(1, stride[0] * v.extent(0), v.extent(0), stride[0], v.extent(1),
                                  stride[1]);
  } else {
    layout = Kokkos::LayoutStride(v.extent(0), stride[0], v.extent(1), stride[1], v.extent(2),
                                  stride[2]);
  }
  return Volume<value_type, typename ViewType::memory_space>(v.data(), layout);
}

}  // namespace bik::n4

#endif
