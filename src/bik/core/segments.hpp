// Segments: the kept voxels of a labelled image grouped by object (spec §2.3). A voxel is kept
// iff its label is > 0 and its pixel is finite; values are widened to double. Object k (its
// LabelLut index) owns [offsets(k), offsets(k+1)), and within an object the voxels stay in
// raster order (z, then y, then x), the order cp_measure reduces in.
#ifndef BIK_CORE_SEGMENTS_HPP
#define BIK_CORE_SEGMENTS_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

template <class MemorySpace>
struct Segments {
  Kokkos::View<std::int64_t*, MemorySpace> offsets;  // [objects + 1]
  Kokkos::View<double*, MemorySpace> values;         // pixel value
  Kokkos::View<std::int32_t*, MemorySpace> x, y, z;  // column, row, plane
  // 1 if the voxel is on its object's inner boundary: an in-bounds face neighbour (4 in 2D,
  // 6 in 3D) has another label, background included. Empty unless requested.
  Kokkos::View<std::uint8_t*, MemorySpace> edge;
  std::int64_t objects = 0;
  std::int64_t size = 0;  // kept voxels
  bool has_edges() const { return size > 0 && edge.extent(0) == values.extent(0); }
};

}  // namespace bik

#endif
