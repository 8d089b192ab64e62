// Segments: the kept voxels of a labelled image as flat arrays (spec §2.3). A voxel is kept iff
// its label is > 0 and its pixel is finite; values are widened to double. Produced in raster
// order by flatten_labeled, or grouped by object (each object's voxels contiguous, still in
// raster order) by group_by_object.
#ifndef BIK_CORE_SEGMENTS_HPP
#define BIK_CORE_SEGMENTS_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

template <class MemorySpace>
struct Segments {
  Kokkos::View<double*, MemorySpace> values;        // pixel value
  Kokkos::View<std::int64_t*, MemorySpace> object;  // object index (LabelLut::index of the label)
  Kokkos::View<std::int32_t*, MemorySpace> x, y, z; // column, row, plane
  // 1 if the voxel is on its object's inner boundary (an in-bounds face neighbour has another
  // label, background included). Empty unless requested.
  Kokkos::View<std::uint8_t*, MemorySpace> edge;
  std::int64_t size = 0;
  bool has_edges() const { return edge.extent(0) == values.extent(0) && size > 0; }
};

// Segments grouped by object: object k's voxels are [offsets(k), offsets(k+1)).
template <class MemorySpace>
struct GroupedSegments {
  Segments<MemorySpace> segments;
  Kokkos::View<std::int64_t*, MemorySpace> offsets;  // [objects + 1]
  std::int64_t objects = 0;
};

}  // namespace bik

#endif
