// Image and label volumes. Every kernel works on (Z,Y,X) volumes; a 2D (Y,X) image is the case
// Z = 1. This file turns user Views of rank 2 or 3 (any layout) into one strided, unmanaged
// rank-3 View type so that each kernel is compiled once per element type, and it states the
// shape rules of cp_measure's to_bzyx (spec §2.1): a 3D array is one volume, never a batch.
#ifndef BIK_CORE_VOLUME_HPP
#define BIK_CORE_VOLUME_HPP

#include "bik/core/error.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>

namespace bik {

// A strided (Z,Y,X) view onto someone else's memory.
template <class T, class MemorySpace>
using Volume =
    Kokkos::View<T***, Kokkos::LayoutStride, MemorySpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

struct Shape3 {
  std::int64_t z = 0, y = 0, x = 0;
  std::int64_t size() const { return z * y * x; }
  std::string str() const {
    return "(" + std::to_string(z) + ", " + std::to_string(y) + ", " + std::to_string(x) + ")";
  }
};

template <class V>
Shape3 shape_of(V const& v) {
  return {static_cast<std::int64_t>(v.extent(0)), static_cast<std::int64_t>(v.extent(1)),
          static_cast<std::int64_t>(v.extent(2))};
}

namespace detail {
// The (Z,Y,X) strided layout of a rank-2 (Y,X) or rank-3 (Z,Y,X) View (Z = 1 for rank 2).
template <class ViewType>
Kokkos::LayoutStride volume_layout(ViewType const& v) {
  static_assert(Kokkos::is_view<ViewType>::value,
                "bik::as_volume: argument must be a Kokkos::View");
  constexpr int rank = static_cast<int>(ViewType::rank);
  static_assert(rank == 2 || rank == 3, "bik::as_volume: expected a 2D (Y,X) or 3D (Z,Y,X) View");
  std::size_t stride[8] = {};
  v.stride(stride);
  if constexpr (rank == 2)
    return Kokkos::LayoutStride(1, stride[0] * v.extent(0), v.extent(0), stride[0], v.extent(1),
                                stride[1]);
  else
    return Kokkos::LayoutStride(v.extent(0), stride[0], v.extent(1), stride[1], v.extent(2),
                                stride[2]);
}
}  // namespace detail

// Views a rank-2 (Y,X) or rank-3 (Z,Y,X) View as a Volume of const elements, without copying.
template <class ViewType>
auto as_volume(ViewType const& v) {
  return Volume<typename ViewType::const_value_type, typename ViewType::memory_space>(
      v.data(), detail::volume_layout(v));
}

// The same with the View's own (writable) elements: for outputs.
template <class ViewType>
auto as_writable_volume(ViewType const& v) {
  return Volume<typename ViewType::value_type, typename ViewType::memory_space>(
      v.data(), detail::volume_layout(v));
}

// How a label volume pairs with a pixel volume. Shapes must be equal, except that a 2D mask
// over a 3D stack is broadcast over Z (cp_measure's numpy get_intensity does the same).
struct Pairing {
  Shape3 shape;               // the pixel shape, which every kernel iterates over
  std::int64_t label_z_step;  // 1, or 0 when one label plane is broadcast over Z
  std::int64_t images = 1;    // a batch: images of shape.z / images planes stacked along Z
  std::int64_t planes() const { return shape.z / images; }
};

inline Pairing pair_labels_with_pixels(Shape3 labels, int labels_rank, Shape3 pixels,
                                       int pixels_rank, std::string const& where) {
  require(labels_rank == 2 || labels_rank == 3, where,
          "labels must be 2D (Y,X) or 3D (Z,Y,X), got rank " + std::to_string(labels_rank));
  require(pixels_rank == 2 || pixels_rank == 3, where,
          "pixels must be 2D (Y,X) or 3D (Z,Y,X), got rank " + std::to_string(pixels_rank));
  require(pixels.size() > 0, where, "pixels are empty, shape " + pixels.str());
  require(labels.size() > 0, where, "labels are empty, shape " + labels.str());
  std::int64_t const limit = std::int64_t(1) << 31;
  require(pixels.z < limit && pixels.y < limit && pixels.x < limit, where,
          "each extent must be below 2^31, got " + pixels.str());
  bool broadcast = labels_rank == 2 && pixels_rank == 3;
  require(!(labels_rank == 3 && pixels_rank == 2), where,
          "3D labels " + labels.str() + " cannot describe 2D pixels " + pixels.str());
  require(labels.y == pixels.y && labels.x == pixels.x && (broadcast || labels.z == pixels.z),
          where, "labels shape " + labels.str() + " does not match pixels shape " + pixels.str());
  return {pixels, broadcast ? 0 : 1};
}

}  // namespace bik

#endif
