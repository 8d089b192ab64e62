// Geodesic sweeps for reconstruction by dilation (spec §6): every line of the image along one
// axis (a row along X, a column along Y, a pillar along Z inside a volume) is swept forward,
// then backward, with f(p) <- min(max(f(p), f(previous p on the line)), mask(p)). Each update
// is a step of geodesic dilation by the cross, so values only rise and never pass the
// reconstruction, and a ridge or plateau along the axis fills in one sweep whatever its length:
// a few rounds over the three axes leave little for the exact finish (reconstruct.hpp). Lines
// are independent: a row per thread along X; along Y and Z a block of neighbouring columns
// per thread, stepped together (contiguous, vectorised on a CPU; a column per thread, coalesced
// across threads, on a GPU).
#ifndef BIK_MORPHOLOGY_GEODESIC_SWEEPS_HPP
#define BIK_MORPHOLOGY_GEODESIC_SWEEPS_HPP

#include "bik/core/column_block.hpp"
#include "bik/core/compat.hpp"
#include "bik/core/volume.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

namespace detail {

template <class T, class MemorySpace>
struct GeodesicSweep {
  Volume<T const, MemorySpace> mask;
  Volume<T, MemorySpace> out;
  std::int64_t nz = 1, ny = 1, nx = 1, planes = 1, block = 1, blocks = 1;
  int axis = 2;  // 0: Z (inside each volume of `planes` planes), 1: Y, 2: X

  // One step on columns [x0, x1) of row (z, y) from row (pz, py).
  KOKKOS_INLINE_FUNCTION void rise(std::int64_t z, std::int64_t y, std::int64_t pz, std::int64_t py,
                                   std::int64_t x0, std::int64_t x1) const {
    for (std::int64_t x = x0; x < x1; ++x) {
      T const v = out(z, y, x), p = out(pz, py, x), limit = mask(z, y, x);
      T m = v < p ? p : v;
      if (limit < m) m = limit;
      out(z, y, x) = m;
    }
  }

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t unit) const {
    if (axis == 2) {
      std::int64_t const z = unit / ny, y = unit - z * ny;
      auto const step = [&](std::int64_t x, std::int64_t px) {
        T const v = out(z, y, x), p = out(z, y, px), limit = mask(z, y, x);
        T m = v < p ? p : v;
        if (limit < m) m = limit;
        out(z, y, x) = m;
      };
      for (std::int64_t x = 1; x < nx; ++x) step(x, x - 1);
      for (std::int64_t x = nx - 2; x >= 0; --x) step(x, x + 1);
      return;
    }
    std::int64_t const line = unit / blocks, x0 = (unit - line * blocks) * block;
    std::int64_t const x1 = kx::min(x0 + block, nx);
    if (axis == 1) {
      std::int64_t const z = line;
      for (std::int64_t y = 1; y < ny; ++y) rise(z, y, z, y - 1, x0, x1);
      for (std::int64_t y = ny - 2; y >= 0; --y) rise(z, y, z, y + 1, x0, x1);
    } else {
      std::int64_t const volume = line / ny, y = line - volume * ny;
      std::int64_t const first = volume * planes, last = first + planes - 1;
      for (std::int64_t z = first + 1; z <= last; ++z) rise(z, y, z - 1, y, x0, x1);
      for (std::int64_t z = last - 1; z >= first; --z) rise(z, y, z + 1, y, x0, x1);
    }
  }
};

// `rounds` rounds of forward and backward sweeps of `out` under `mask` along X, Y and (when
// volumes are more than one plane deep) Z. out must already lie between min(seed, mask) and
// the reconstruction; it stays there.
template <class ExecSpace, class T, class MemorySpace>
void geodesic_sweeps(ExecSpace const& space, Volume<T const, MemorySpace> mask,
                     Volume<T, MemorySpace> out, std::int64_t planes, int rounds) {
  GeodesicSweep<T, MemorySpace> sweep;
  sweep.mask = mask;
  sweep.out = out;
  sweep.nz = static_cast<std::int64_t>(out.extent(0));
  sweep.ny = static_cast<std::int64_t>(out.extent(1));
  sweep.nx = static_cast<std::int64_t>(out.extent(2));
  sweep.planes = planes;
  sweep.block = ColumnBlock<ExecSpace>::columns;
  sweep.blocks = (sweep.nx + sweep.block - 1) / sweep.block;
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  for (int round = 0; round < rounds; ++round) {
    for (int axis = planes > 1 ? 0 : 1; axis <= 2; ++axis) {
      sweep.axis = axis;
      std::int64_t const lines = axis == 2   ? sweep.nz * sweep.ny
                                 : axis == 1 ? sweep.nz * sweep.blocks
                                             : (sweep.nz / planes) * sweep.ny * sweep.blocks;
      Kokkos::parallel_for("bik::reconstruct::sweep", Policy(space, 0, lines), sweep);
    }
  }
}

}  // namespace detail

}  // namespace bik

#endif
