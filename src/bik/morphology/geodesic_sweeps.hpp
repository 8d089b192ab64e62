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

template <class T>
struct GeodesicSweep {
  T const* mask = nullptr;  // dense (Z,Y,X) memory, as out
  T* out = nullptr;
  std::int64_t nz = 1, ny = 1, nx = 1, planes = 1, block = 1, blocks = 1;
  int axis = 2;  // 0: Z (inside each volume of `planes` planes), 1: Y, 2: X

  // One step on columns [x0, x1) of the row at offset `row` from the row at offset `from`.
  KOKKOS_INLINE_FUNCTION void rise(std::int64_t row, std::int64_t from, std::int64_t x0,
                                   std::int64_t x1) const {
    T* const o = out + row;
    T const* const p = out + from;
    T const* const m = mask + row;
    for (std::int64_t x = x0; x < x1; ++x) {
      T const v = o[x], q = p[x], limit = m[x];
      T r = v < q ? q : v;
      if (limit < r) r = limit;
      o[x] = r;
    }
  }

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t unit) const {
    if (axis == 2) {
      T* const o = out + unit * nx;
      T const* const m = mask + unit * nx;
      auto const step = [&](std::int64_t x, std::int64_t px) {
        T const v = o[x], q = o[px], limit = m[x];
        T r = v < q ? q : v;
        if (limit < r) r = limit;
        o[x] = r;
      };
      for (std::int64_t x = 1; x < nx; ++x) step(x, x - 1);
      for (std::int64_t x = nx - 2; x >= 0; --x) step(x, x + 1);
      return;
    }
    std::int64_t const line = unit / blocks, x0 = (unit - line * blocks) * block;
    std::int64_t const x1 = kx::min(x0 + block, nx);
    if (axis == 1) {
      std::int64_t const plane = line * ny * nx;
      for (std::int64_t y = 1; y < ny; ++y) rise(plane + y * nx, plane + (y - 1) * nx, x0, x1);
      for (std::int64_t y = ny - 2; y >= 0; --y) rise(plane + y * nx, plane + (y + 1) * nx, x0, x1);
    } else {
      std::int64_t const volume = line / ny, y = line - volume * ny, sz = ny * nx;
      std::int64_t const first = volume * planes, last = first + planes - 1;
      for (std::int64_t z = first + 1; z <= last; ++z)
        rise(z * sz + y * nx, (z - 1) * sz + y * nx, x0, x1);
      for (std::int64_t z = last - 1; z >= first; --z)
        rise(z * sz + y * nx, (z + 1) * sz + y * nx, x0, x1);
    }
  }
};

// `rounds` rounds of forward and backward sweeps of `out` under `mask` (both dense, see
// reconstruct.hpp) along X, Y and (when volumes are more than one plane deep) Z. out must
// already lie between min(seed, mask) and the reconstruction; it stays there.
template <class ExecSpace, class T, class MemorySpace>
void geodesic_sweeps(ExecSpace const& space, Volume<T const, MemorySpace> mask,
                     Volume<T, MemorySpace> out, std::int64_t planes, int rounds) {
  GeodesicSweep<T> sweep;
  sweep.mask = mask.data();
  sweep.out = out.data();
  sweep.nz = static_cast<std::int64_t>(out.extent(0));
  sweep.ny = static_cast<std::int64_t>(out.extent(1));
  sweep.nx = static_cast<std::int64_t>(out.extent(2));
  sweep.planes = planes;
  // Column blocks narrow enough that the lines along Y and Z give every thread work (one
  // 270-wide plane would be a single 512-column block).
  std::int64_t const lines_y = sweep.nz, wanted = 4 * kx::concurrency(space);
  sweep.block = ColumnBlock<ExecSpace>::columns;
  while (sweep.block > 32 && lines_y * ((sweep.nx + sweep.block - 1) / sweep.block) < wanted)
    sweep.block /= 2;
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
