// Greyscale erosion and dilation by a flat disk(r) (per plane) or ball(r) (per volume), with
// out-of-image positions ignored: scikit-image's erosion/dilation on such footprints, bit for bit
// (spec §5). Van Herk/Gil-Werman over the footprint's rows: one O(1)-per-pixel window min (max)
// along X per distinct row half-width, then a fold over the rows (dz, dy) per voxel, so the
// work is O((widths + rows) * voxels): O(r * N) for a disk, O(r^2 * N) for a ball. r = 1 takes
// the 5-tap (2D) or 7-tap (3D) cross instead.
#ifndef BIK_MORPHOLOGY_ERODE_DILATE_HPP
#define BIK_MORPHOLOGY_ERODE_DILATE_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/morphology/cross.hpp"
#include "bik/morphology/footprint.hpp"
#include "bik/morphology/scratch.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace bik {

namespace detail {

// Window min (Max: max) of half-width w along X for every row and distinct width: row r of
// width index d goes to windows[(d * rows + r) * nx ...]. The row is conceptually edge-padded
// by w on both sides (exact: a clipped window always holds the edge pixel), cut into blocks of
// k = 2w + 1; a suffix pass within blocks, then a prefix pass folded in, give each window as
// min(suffix at its start, prefix at its end). No scratch beyond the output row.
template <class T, bool Max, class MemorySpace>
struct RowWindows {
  Volume<T const, MemorySpace> in;
  Kokkos::View<T*, MemorySpace> windows;
  Kokkos::View<std::int32_t*, MemorySpace> widths;
  std::int64_t rows, ny, nx;

  KOKKOS_INLINE_FUNCTION static T pick(T a, T b) {
    if constexpr (Max) {
      return a < b ? b : a;
    } else {
      return b < a ? b : a;
    }
  }

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t const d = i / rows, r = i - d * rows, z = r / ny, y = r - z * ny;
    std::int64_t const w = widths(d), sx = in.stride(2);
    T const* const row = &in(z, y, 0);
    T* const o = windows.data() + (d * rows + r) * nx;
    if (w == 0) {
      for (std::int64_t x = 0; x < nx; ++x) o[x] = row[x * sx];
      return;
    }
    std::int64_t const k = 2 * w + 1, length = nx + 2 * w;
    auto const padded = [&](std::int64_t p) {
      std::int64_t const x = p < w ? 0 : (p - w >= nx ? nx - 1 : p - w);
      return row[x * sx];
    };
    T acc = padded(length - 1);
    std::int64_t to_block_end = (length - 1) % k;  // steps until p sits on a block's last index
    for (std::int64_t p = length - 1; p >= 0; --p) {
      T const v = padded(p);
      if (to_block_end == k - 1 || p == length - 1)
        acc = v;
      else
        acc = pick(acc, v);
      if (p < nx) o[p] = acc;
      to_block_end = to_block_end == 0 ? k - 1 : to_block_end - 1;
    }
    std::int64_t in_block = 0;
    for (std::int64_t p = 0; p < length; ++p) {
      T const v = padded(p);
      acc = in_block == 0 ? v : pick(acc, v);
      if (p >= 2 * w) o[p - 2 * w] = pick(o[p - 2 * w], acc);
      in_block = in_block == k - 1 ? 0 : in_block + 1;
    }
  }
};

// out(z, y, x) = min (max) over the footprint rows (dz, dy) inside the image (and inside the
// voxel's own volume of `planes` planes) of their window at x.
template <class T, bool Max, class MemorySpace>
struct FoldRows {
  Kokkos::View<T*, MemorySpace> windows;
  Kokkos::View<std::int32_t*, MemorySpace> lines;  // (dz, dy, width index) per row
  Volume<T, MemorySpace> out;
  std::int64_t line_count, rows, nz, ny, nx, planes;

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t const r = i / nx, x = i - r * nx, z = r / ny, y = r - z * ny;
    std::int64_t const local_z = z % planes;
    T acc = windows(r * nx + x);  // line 0 is the centre row, width index 0
    for (std::int64_t l = 1; l < line_count; ++l) {
      std::int64_t const dz = lines(3 * l), dy = lines(3 * l + 1), d = lines(3 * l + 2);
      std::int64_t const yy = y + dy, lz = local_z + dz;
      if (yy < 0 || yy >= ny || lz < 0 || lz >= planes) continue;
      acc = RowWindows<T, Max, MemorySpace>::pick(
          acc, windows((d * rows + (z + dz) * ny + yy) * nx + x));
    }
    out(z, y, x) = acc;
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
  FootprintLines const footprint = footprint_lines(radius, volumetric);
  std::int64_t const rows = shape.z * shape.y;
  std::int64_t const widths = static_cast<std::int64_t>(footprint.widths.size());
  std::int64_t const lines = static_cast<std::int64_t>(footprint.lines.size());
  std::vector<std::int32_t> table(static_cast<std::size_t>(widths + 3 * lines));
  for (std::int64_t d = 0; d < widths; ++d) table[d] = footprint.widths[d];
  for (std::int64_t l = 0; l < lines; ++l) {
    table[widths + 3 * l] = footprint.lines[l].dz;
    table[widths + 3 * l + 1] = footprint.lines[l].dy;
    table[widths + 3 * l + 2] = footprint.lines[l].width;
  }
  auto const device_table = scratch<std::int32_t>(workspace, "bik::morphology::footprint",
                                                  static_cast<std::size_t>(table.size()));
  Kokkos::deep_copy(
      space, device_table,
      Kokkos::View<std::int32_t const*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>(
          table.data(), table.size()));
  RowWindows<T, Max, MemorySpace> windows;
  windows.in = in;
  windows.windows = scratch<T>(workspace, "bik::morphology::windows",
                               static_cast<std::size_t>(widths * shape.size()));
  windows.widths = Kokkos::subview(device_table, Kokkos::make_pair(std::int64_t(0), widths));
  windows.rows = rows;
  windows.ny = shape.y;
  windows.nx = shape.x;
  Kokkos::parallel_for(
      where,
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, widths * rows),
      windows);
  FoldRows<T, Max, MemorySpace> fold;
  fold.windows = windows.windows;
  fold.lines = Kokkos::subview(device_table, Kokkos::make_pair(widths, widths + 3 * lines));
  fold.out = out;
  fold.line_count = lines;
  fold.rows = rows;
  fold.nz = shape.z;
  fold.ny = shape.y;
  fold.nx = shape.x;
  fold.planes = volumetric ? planes : 1;
  Kokkos::parallel_for(
      where,
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, shape.size()),
      fold);
}

}  // namespace detail

// Greyscale erosion of `in` into `out` (same shape, not overlapping `in`) by the flat disk of
// `radius` in every plane (planes = 1), or by the ball of `radius` within each volume of a
// stack of volumes `planes` planes deep (planes > 1; one volume: planes = in.extent(0)).
// out(p) = min of in(q) over the footprint positions q around p inside the image (and inside
// p's volume): skimage.morphology.erosion(img, disk(r) | ball(r)) bit for bit. radius 0 copies.
// Parallel over (width, row) then over voxels; the temporaries come from `workspace`.
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
