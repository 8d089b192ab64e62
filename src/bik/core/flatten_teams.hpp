// The team shape of flatten_labeled's two passes (the GPU shape): the image is cut into units
// of one row segment as wide as a team, a team per unit, a thread per voxel, so neighbouring
// threads read neighbouring voxels (coalesced on a GPU). A voxel's place among its object's
// voxels of the unit is the number of threads before it holding the same object (read from
// team scratch), so both passes keep raster order without atomics, and the counts and
// positions are the same as the row-chunk shape's for any team size.
#ifndef BIK_CORE_FLATTEN_TEAMS_HPP
#define BIK_CORE_FLATTEN_TEAMS_HPP

#include "bik/core/compat.hpp"
#include "bik/core/label_lut.hpp"
#include "bik/core/volume.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::detail {

template <class ExecSpace, class L, class P, class MemorySpace>
struct FlattenUnits {
  using member_type = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  using Objects = Kokkos::View<std::int64_t*, typename ExecSpace::scratch_memory_space,
                               Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

  Volume<L const, MemorySpace> labels;
  Volume<P const, MemorySpace> pixels;
  ObjectLookup<MemorySpace> lookup;                 // (image, label) -> object
  Kokkos::View<std::int64_t*, MemorySpace> cursor;  // (objects x units) + 1
  std::int64_t ny = 0, nx = 0, z_step = 1, planes = 1;
  std::int64_t width = 1;    // voxels per unit = threads per team
  std::int64_t per_row = 1;  // units per row
  std::int64_t units = 1;
  bool fill = false;  // false: count the voxels; true: write the segments
  bool want_edges = false;
  Kokkos::View<double*, MemorySpace> values;
  Kokkos::View<std::int32_t*, MemorySpace> xs, ys, zs;
  Kokkos::View<std::uint8_t*, MemorySpace> edge;

  static std::size_t scratch_bytes(int width) { return Objects::shmem_size(width); }

  KOKKOS_INLINE_FUNCTION void operator()(member_type const& member) const {
    std::int64_t const u = member.league_rank();
    std::int64_t const t = member.team_rank();
    std::int64_t const r = u / per_row, z = r / ny, y = r - z * ny, lz = z * z_step;
    std::int64_t const image = z / planes, local_z = z - image * planes;
    std::int64_t const x = (u - r * per_row) * width + t;
    Objects objects(member.team_scratch(0), width);
    std::uint64_t here = 0;
    std::int64_t object = -1;
    if (x < nx) {
      here = label_key(labels(lz, y, x));
      if (here > 0 && kx::is_finite(pixels(z, y, x))) object = lookup(image, here);
    }
    objects(t) = object;
    member.team_barrier();
    if (object >= 0) {
      std::int64_t before = 0;
      for (std::int64_t j = 0; j < t; ++j) before += objects(j) == object ? 1 : 0;
      std::int64_t const cell = object * units + u;
      if (!fill) {
        bool last = true;  // the unit's last voxel of the object writes the count
        for (std::int64_t j = t + 1; j < width; ++j) last = last && objects(j) != object;
        if (last) cursor(cell) = before + 1;
      } else {
        std::int64_t const d = cursor(cell) + before;
        values(d) = static_cast<double>(pixels(z, y, x));
        xs(d) = static_cast<std::int32_t>(x);
        ys(d) = static_cast<std::int32_t>(y);
        zs(d) = static_cast<std::int32_t>(local_z);
        if (want_edges) {
          // An in-bounds face neighbour with another label (Z neighbours within the image).
          auto const differs = [&](std::int64_t zz, std::int64_t yy, std::int64_t xx) {
            return label_key(labels(zz, yy, xx)) != here;
          };
          bool const on_edge =
              (x > 0 && differs(lz, y, x - 1)) || (x + 1 < nx && differs(lz, y, x + 1)) ||
              (y > 0 && differs(lz, y - 1, x)) || (y + 1 < ny && differs(lz, y + 1, x)) ||
              (z_step != 0 && local_z > 0 && differs(lz - 1, y, x)) ||
              (z_step != 0 && local_z + 1 < planes && differs(lz + 1, y, x));
          edge(d) = on_edge ? 1 : 0;
        }
      }
    }
  }
};

}  // namespace bik::detail

#endif
