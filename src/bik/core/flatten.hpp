// flatten_labeled (spec §2.3): label volume + pixel volume -> Segments in raster order, as a
// parallel count / scan / fill over rows, so the output is the same on every backend.
#ifndef BIK_CORE_FLATTEN_HPP
#define BIK_CORE_FLATTEN_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/label_lut.hpp"
#include "bik/core/segments.hpp"
#include "bik/core/volume.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

namespace detail {
// True if voxel (z,y,x) with label l has an in-bounds face neighbour with another label.
// `z_step` is 0 when a single label plane is broadcast over Z (then no Z neighbour differs).
template <class LabelVolume>
KOKKOS_INLINE_FUNCTION bool on_inner_boundary(LabelVolume const& labels, std::int64_t z_step,
                                              std::int64_t nz, std::int64_t ny, std::int64_t nx,
                                              std::int64_t z, std::int64_t y, std::int64_t x,
                                              std::int64_t l) {
  std::int64_t const lz = z * z_step;
  if (x > 0 && static_cast<std::int64_t>(labels(lz, y, x - 1)) != l) return true;
  if (x + 1 < nx && static_cast<std::int64_t>(labels(lz, y, x + 1)) != l) return true;
  if (y > 0 && static_cast<std::int64_t>(labels(lz, y - 1, x)) != l) return true;
  if (y + 1 < ny && static_cast<std::int64_t>(labels(lz, y + 1, x)) != l) return true;
  if (z_step != 0) {
    if (z > 0 && static_cast<std::int64_t>(labels(lz - 1, y, x)) != l) return true;
    if (z + 1 < nz && static_cast<std::int64_t>(labels(lz + 1, y, x)) != l) return true;
  }
  return false;
}
}  // namespace detail

struct FlattenOptions {
  bool edge_flags = false;  // also fill Segments::edge
};

// Flattens `pixels` under `labels` (shapes paired by pair_labels_with_pixels). `lut` must come
// from make_label_lut on the same labels. O(voxels) work in two passes, parallel over rows.
template <class ExecSpace, class L, class P, class MemorySpace>
Segments<MemorySpace> flatten_labeled(ExecSpace const& space, Volume<L const, MemorySpace> labels,
                                      Volume<P const, MemorySpace> pixels,
                                      LabelLut<MemorySpace> const& lut, Pairing const& pairing,
                                      FlattenOptions const& options = {}) {
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, MemorySpace>::accessible,
                "bik::flatten_labeled: views must be accessible from the execution space");
  kx::ScopedRegion region("bik::flatten_labeled");
  std::int64_t const nz = pairing.shape.z, ny = pairing.shape.y, nx = pairing.shape.x;
  std::int64_t const z_step = pairing.label_z_step;
  std::int64_t const rows = nz * ny;
  require(pixels.extent(0) == static_cast<std::size_t>(nz) &&
              pixels.extent(1) == static_cast<std::size_t>(ny) &&
              pixels.extent(2) == static_cast<std::size_t>(nx),
          "bik::flatten_labeled", "pixels do not have the paired shape " + pairing.shape.str());
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;

  Kokkos::View<std::int64_t*, MemorySpace> row_start(
      kx::uninitialized("bik::flatten::row_start"), rows + 1);
  Kokkos::parallel_for(
      "bik::flatten::count", Policy(space, 0, rows), KOKKOS_LAMBDA(std::int64_t r) {
        std::int64_t const z = r / ny, y = r - z * ny;
        std::int64_t kept = 0;
        for (std::int64_t x = 0; x < nx; ++x)
          kept += (labels(z * z_step, y, x) > 0 && kx::is_finite(pixels(z, y, x))) ? 1 : 0;
        row_start(r) = kept;
      });
  Kokkos::parallel_scan(
      "bik::flatten::scan", Policy(space, 0, rows),
      KOKKOS_LAMBDA(std::int64_t r, std::int64_t & partial, bool final) {
        std::int64_t const kept = row_start(r);
        if (final) {
          row_start(r) = partial;
          if (r == rows - 1) row_start(rows) = partial + kept;
        }
        partial += kept;
      });
  std::int64_t total = 0;
  space.fence();
  Kokkos::deep_copy(total, Kokkos::subview(row_start, rows));

  Segments<MemorySpace> out;
  out.size = total;
  auto alloc = [](char const* label) { return kx::uninitialized(label); };
  out.values = decltype(out.values)(alloc("bik::segments::values"), total);
  out.object = decltype(out.object)(alloc("bik::segments::object"), total);
  out.x = decltype(out.x)(alloc("bik::segments::x"), total);
  out.y = decltype(out.y)(alloc("bik::segments::y"), total);
  out.z = decltype(out.z)(alloc("bik::segments::z"), total);
  if (options.edge_flags) out.edge = decltype(out.edge)(alloc("bik::segments::edge"), total);

  auto values = out.values;
  auto object = out.object;
  auto xs = out.x;
  auto ys = out.y;
  auto zs = out.z;
  auto edge = out.edge;
  auto index = lut.index;
  bool const want_edges = options.edge_flags;
  Kokkos::parallel_for(
      "bik::flatten::fill", Policy(space, 0, rows), KOKKOS_LAMBDA(std::int64_t r) {
        std::int64_t const z = r / ny, y = r - z * ny;
        std::int64_t i = row_start(r);
        for (std::int64_t x = 0; x < nx; ++x) {
          std::int64_t const l = static_cast<std::int64_t>(labels(z * z_step, y, x));
          auto const p = pixels(z, y, x);
          if (l <= 0 || !kx::is_finite(p)) continue;
          values(i) = static_cast<double>(p);
          object(i) = index(l);
          xs(i) = static_cast<std::int32_t>(x);
          ys(i) = static_cast<std::int32_t>(y);
          zs(i) = static_cast<std::int32_t>(z);
          if (want_edges)
            edge(i) = detail::on_inner_boundary(labels, z_step, nz, ny, nx, z, y, x, l) ? 1 : 0;
          ++i;
        }
      });
  space.fence();
  return out;
}

}  // namespace bik

#endif
