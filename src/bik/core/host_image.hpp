// HostImage: an image, a volume or a batch of them in host memory, as bik::io reads them and
// programs hand them to a backend. The data is always (Z,Y,X), C order; a 2D image is Z = 1,
// and a batch of `images` elements stacks them along Z (each data.extent(0) / images deep).
#ifndef BIK_CORE_HOST_IMAGE_HPP
#define BIK_CORE_HOST_IMAGE_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

template <class T>
struct HostImage {
  Kokkos::View<T const***, Kokkos::LayoutRight, Kokkos::HostSpace> data;
  int rank = 3;             // of one element: 2 (Y,X) or 3 (Z,Y,X)
  std::int64_t images = 1;  // elements in a batch (a rank-4 (B,Z,Y,X) dataset); 1 otherwise
  std::int64_t planes() const { return static_cast<std::int64_t>(data.extent(0)) / images; }
};

}  // namespace bik

#endif
