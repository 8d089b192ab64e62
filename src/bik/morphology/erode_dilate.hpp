// Greyscale erosion and dilation by a flat disk(r) (per plane) or ball(r) (per volume), with
// out-of-image positions ignored: scikit-image's erosion/dilation on such footprints, bit for bit
// (spec §5). r = 1 takes the 5-tap (2D) or 7-tap (3D) cross; a disk of r >= 2 streams rows
// through the tables of a DiskPlan (disk_rows.hpp: O(log r + distinct widths + runs) picks per
// pixel, 24 for disk(10)). A ball goes over its rows (dz, dy): each input row becomes a sparse
// table of window mins (maxes) of power-of-two lengths along X, any row window is the pick of two
// table entries, and each output voxel picks over the footprint rows: O((log r + rows) * voxels),
// O(r^2 * N), every pass along contiguous rows.
#ifndef BIK_MORPHOLOGY_ERODE_DILATE_HPP
#define BIK_MORPHOLOGY_ERODE_DILATE_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/morphology/cross.hpp"
#include "bik/morphology/disk_rows.hpp"
#include "bik/morphology/footprint.hpp"
#include "bik/morphology/row_team.hpp"
#include "bik/morphology/scratch.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace bik {

namespace detail {

// Rows of output per team of the ball morphology on a space: host spaces take tall strips
// (a thread each, its ring of rows in cache), GPUs short ones for many teams. Specialise to tune.
template <class ExecSpace>
struct MorphologyStrips {
  static constexpr int rows = RowTeam<ExecSpace>::serial ? 32 : 8;
};

// A team per strip of output rows of one plane of a volume. Every input row a strip needs is
// edge-padded by the radius R (exact: a clipped window always holds the edge pixel) and turned into
// a sparse table, level j holding the min (Max: max) of 2^j consecutive padded values; a window of
// half-width w is then the pick of two level-k values, 2^k <= 2w + 1 < 2^(k+1), since the two
// runs of 2^k cover it. The tables live in a ring of 2R + 1 rows per plane offset dz, so each
// input row is tabled once per strip; the output row (z, y) is the pick over the footprint
// rows (dz, dy) inside the image and the volume of their windows. Every pass runs along X over
// contiguous memory. O((levels + lines) * voxels) work, O(R^2) per voxel.
template <class T, bool Max, class ExecSpace, class MemorySpace>
struct BallStrips {
  using member_type = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  using Strips = MorphologyStrips<ExecSpace>;
  using Team = RowTeam<ExecSpace>;
  Volume<T const, MemorySpace> in;
  Volume<T, MemorySpace> out;
  Kokkos::View<T*, MemorySpace> rings;             // per team: team_rows() rows of span
  Kokkos::View<std::int32_t*, MemorySpace> lines;  // (dz, dy, w, level) per footprint row
  std::int64_t line_count = 0, ny = 0, nx = 0, planes = 1, radius = 0, radius_z = 0, levels = 1,
               span = 0, strips_per_plane = 1;

  // Rows of one team's buffer: a ring of 2R + 1 tabled rows (all levels) per plane offset, and
  // the output row being picked.
  KOKKOS_INLINE_FUNCTION std::int64_t team_rows() const {
    return (2 * radius_z + 1) * (2 * radius + 1) * levels + 1;
  }

  KOKKOS_INLINE_FUNCTION void operator()(member_type const& team) const {
    std::int64_t const t = team.league_rank();
    std::int64_t const z = t / strips_per_plane, y0 = (t - z * strips_per_plane) * Strips::rows;
    std::int64_t const y1 = kx::min<std::int64_t>(y0 + Strips::rows, ny);
    std::int64_t const local_z = z % planes, period = 2 * radius + 1;
    T* const base = rings.data() + t * team_rows() * span;
    T* const acc = base + (team_rows() - 1) * span;
    auto const level_row = [&](std::int64_t dz, std::int64_t y, std::int64_t level) {
      return base + (((dz + radius_z) * period + y % period) * levels + level) * span;
    };
    auto const plane_ok = [&](std::int64_t dz) {
      return local_z + dz >= 0 && local_z + dz < planes;
    };
    for (std::int64_t s = y0 - radius; s < y1 + radius; ++s) {
      if (s >= 0 && s < ny) {  // table input row s of every plane in reach
        for (std::int64_t dz = -radius_z; dz <= radius_z; ++dz) {
          if (!plane_ok(dz)) continue;
          T* const p0 = level_row(dz, s, 0);
          std::int64_t const r = radius, last = nx - 1, zz = z + dz;
          Team::along(team, span, [&](std::int64_t p) {
            std::int64_t const x = p < r ? 0 : (p - r > last ? last : p - r);
            p0[p] = in(zz, s, x);
          });
          for (std::int64_t j = 1; j < levels; ++j) {
            Team::barrier(team);
            T const* const from = level_row(dz, s, j - 1);
            T* const to = level_row(dz, s, j);
            std::int64_t const half = std::int64_t(1) << (j - 1);
            Team::along(team, span - 2 * half + 1,
                        [&](std::int64_t p) { to[p] = pick<Max>(from[p], from[p + half]); });
          }
        }
        Team::barrier(team);
      }
      std::int64_t const y = s - radius;
      if (y < y0) continue;
      for (std::int64_t l = 0; l < line_count; ++l) {  // line 0 is the centre row
        std::int64_t const dz = lines(4 * l), dy = lines(4 * l + 1), w = lines(4 * l + 2),
                           level = lines(4 * l + 3);
        if (y + dy < 0 || y + dy >= ny || !plane_ok(dz)) continue;
        T const* const row = level_row(dz, y + dy, level);
        std::int64_t const a = radius - w, b = radius + w + 1 - (std::int64_t(1) << level);
        if (l == 0)
          Team::along(team, nx,
                      [&](std::int64_t x) { acc[x] = pick<Max>(row[x + a], row[x + b]); });
        else
          Team::along(team, nx, [&](std::int64_t x) {
            acc[x] = pick<Max>(acc[x], pick<Max>(row[x + a], row[x + b]));
          });
      }
      Team::barrier(team);
      Team::along(team, nx, [&](std::int64_t x) { out(z, y, x) = acc[x]; });
      Team::barrier(team);
    }
  }
};

template <bool Max, class ExecSpace, class T, class MemorySpace>
void flat_morphology(char const* where, ExecSpace const& space, Volume<T const, MemorySpace> in,
                     Volume<T, MemorySpace> out, int radius, std::int64_t planes,
                     Workspace<MemorySpace>* workspace) {
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, MemorySpace>::accessible,
                "bik erosion/dilation: views must be accessible from the execution space");
  Shape3 const shape = shape_of(in);
  require(radius >= 0, where, "radius must be >= 0, got " + std::to_string(radius));
  require(shape.z == shape_of(out).z && shape.y == shape_of(out).y && shape.x == shape_of(out).x,
          where,
          "output shape " + shape_of(out).str() + " differs from input shape " + shape.str());
  require(planes >= 1 && shape.z % planes == 0, where,
          "planes per image must be >= 1 and divide the depth " + std::to_string(shape.z) +
              ", got " + std::to_string(planes));
  if (shape.size() == 0) return;
  kx::ScopedRegion region(where);
  bool const volumetric = planes > 1;
  if (radius == 1) {
    cross_morphology<Max>(space, in, out, planes);
    return;
  }
  if (!volumetric) {
    disk_rows<Max>(where, space, in, out, radius, workspace);
    return;
  }
  FootprintLines const footprint = footprint_lines(radius, volumetric);
  using Strips = MorphologyStrips<ExecSpace>;
  std::int64_t const lines = static_cast<std::int64_t>(footprint.lines.size());
  auto const level_of = [](int w) {  // largest k with 2^k <= 2w + 1
    int k = 0;
    while ((2 << k) <= 2 * w + 1) ++k;
    return k;
  };
  std::vector<std::int32_t> table(static_cast<std::size_t>(4 * lines));
  for (std::int64_t l = 0; l < lines; ++l) {
    int const w = footprint.widths[static_cast<std::size_t>(footprint.lines[l].width)];
    table[4 * l] = footprint.lines[l].dz;
    table[4 * l + 1] = footprint.lines[l].dy;
    table[4 * l + 2] = w;
    table[4 * l + 3] = level_of(w);
  }
  BallStrips<T, Max, ExecSpace, MemorySpace> kernel;
  kernel.in = in;
  kernel.out = out;
  kernel.lines = scratch<std::int32_t>(workspace, "bik::morphology::footprint", table.size());
  Kokkos::deep_copy(
      space, kernel.lines,
      Kokkos::View<std::int32_t const*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>(
          table.data(), table.size()));
  kernel.line_count = lines;
  kernel.ny = shape.y;
  kernel.nx = shape.x;
  kernel.planes = volumetric ? planes : 1;
  kernel.radius = radius;
  kernel.radius_z = volumetric ? radius : 0;
  kernel.levels = level_of(radius) + 1;
  kernel.span = shape.x + 2 * radius;
  kernel.strips_per_plane = (shape.y + Strips::rows - 1) / Strips::rows;
  std::int64_t const teams = shape.z * kernel.strips_per_plane;
  kernel.rings = scratch<T>(workspace, "bik::morphology::rings",
                            static_cast<std::size_t>(teams * kernel.team_rows() * kernel.span));
  Kokkos::parallel_for(where, RowTeam<ExecSpace>::policy(space, teams), kernel);
  space.fence();  // `table` lives on the host stack
}

}  // namespace detail

// Greyscale erosion of `in` into `out` (same shape, not overlapping `in`) by the flat disk of
// `radius` in every plane (planes = 1), or by the ball of `radius` within each volume of a
// stack of volumes `planes` planes deep (planes > 1; one volume: planes = in.extent(0)).
// out(p) = min of in(q) over the footprint positions q around p inside the image (and inside
// p's volume): skimage.morphology.erosion(img, disk(r) | ball(r)) bit for bit. radius 0 copies.
// NaN inputs give unspecified results (as before: the order of the picks decides). Parallel
// over tiles of rows and columns (disks: DiskRowStrips) or strips of rows (balls:
// MorphologyStrips); the temporaries come from `workspace`.
template <class ExecSpace, class T, class MemorySpace>
void erode(ExecSpace const& space, Volume<T const, MemorySpace> in, Volume<T, MemorySpace> out,
           int radius, std::int64_t planes = 1, Workspace<MemorySpace>* workspace = nullptr) {
  detail::flat_morphology<false>("bik::erode", space, in, out, radius, planes, workspace);
}

// Greyscale dilation, the max counterpart of erode (the footprints are symmetric).
template <class ExecSpace, class T, class MemorySpace>
void dilate(ExecSpace const& space, Volume<T const, MemorySpace> in, Volume<T, MemorySpace> out,
            int radius, std::int64_t planes = 1, Workspace<MemorySpace>* workspace = nullptr) {
  detail::flat_morphology<true>("bik::dilate", space, in, out, radius, planes, workspace);
}

}  // namespace bik

#endif
