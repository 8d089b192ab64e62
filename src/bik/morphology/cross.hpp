// Erosion and dilation by the cross: disk(1) (centre and 4 neighbours) per plane, or ball(1)
// (centre and 6 neighbours) within volumes; out-of-image neighbours ignored. The fast path of
// erode/dilate for radius 1 and the step of the granular spectrum (spec §4.2, §5).
#ifndef BIK_MORPHOLOGY_CROSS_HPP
#define BIK_MORPHOLOGY_CROSS_HPP

#include "bik/core/column_block.hpp"
#include "bik/core/volume.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::detail {

template <class T, bool Max, class MemorySpace>
struct CrossMorphology {
  Volume<T const, MemorySpace> in;
  Volume<T, MemorySpace> out;
  std::int64_t ny, nx, planes, block, blocks;
  bool dense;  // both Views contiguous along X

  KOKKOS_INLINE_FUNCTION static void fold(T& acc, T v) {
    if constexpr (Max) {
      if (acc < v) acc = v;
    } else {
      if (v < acc) acc = v;
    }
  }

  // Dense rows (both Views contiguous along X): the five (seven) rows as pointers, a missing
  // neighbour replaced by the centre row (folding a value already folded changes nothing, NaN
  // included), so that the interior loop has no branch and vectorises.
  KOKKOS_INLINE_FUNCTION void dense_row(std::int64_t z, std::int64_t y, bool below, bool above,
                                        bool up, bool down, std::int64_t x0,
                                        std::int64_t x1) const {
    T const* const c = &in(z, y, 0);
    T const* const b = below ? &in(z - 1, y, 0) : c;
    T const* const a = above ? &in(z + 1, y, 0) : c;
    T const* const u = up ? &in(z, y - 1, 0) : c;
    T const* const d = down ? &in(z, y + 1, 0) : c;
    T* const o = &out(z, y, 0);
    auto const at = [&](std::int64_t x, T const* left, T const* right) {
      T acc = c[x];
      fold(acc, b[x]);
      fold(acc, a[x]);
      fold(acc, u[x]);
      fold(acc, d[x]);
      fold(acc, *left);
      fold(acc, *right);
      o[x] = acc;
    };
    std::int64_t const first = x0 > 0 ? x0 : 1, last = x1 < nx - 1 ? x1 : nx - 1;
    if (x0 == 0) at(0, c, nx > 1 ? c + 1 : c);
    for (std::int64_t x = first; x < last; ++x) at(x, c + x - 1, c + x + 1);
    if (x1 == nx && nx > 1) at(nx - 1, c + nx - 2, c + nx - 1);
  }

  // Columns [x0, x1) of one row per call (ColumnBlock): the neighbours' presence is decided
  // once per row, and the inner loop runs along contiguous memory.
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t unit) const {
    std::int64_t const r = unit / blocks, x0 = (unit - r * blocks) * block;
    std::int64_t const x1 = x0 + block < nx ? x0 + block : nx;
    std::int64_t const z = r / ny, y = r - z * ny, local_z = z % planes;
    bool const below = local_z > 0, above = local_z + 1 < planes, up = y > 0, down = y + 1 < ny;
    if (dense) {
      dense_row(z, y, below, above, up, down, x0, x1);
      return;
    }
    for (std::int64_t x = x0; x < x1; ++x) {
      T acc = in(z, y, x);
      if (below) fold(acc, in(z - 1, y, x));
      if (above) fold(acc, in(z + 1, y, x));
      if (up) fold(acc, in(z, y - 1, x));
      if (down) fold(acc, in(z, y + 1, x));
      if (x > 0) fold(acc, in(z, y, x - 1));
      if (x + 1 < nx) fold(acc, in(z, y, x + 1));
      out(z, y, x) = acc;
    }
  }
};

// out = the cross erosion (Max: dilation) of in; `planes` as in erode(). out must not overlap in.
template <bool Max, class ExecSpace, class T, class MemorySpace>
void cross_morphology(ExecSpace const& space, Volume<T const, MemorySpace> in,
                      Volume<T, MemorySpace> out, std::int64_t planes) {
  std::int64_t const ny = static_cast<std::int64_t>(in.extent(1)),
                     nx = static_cast<std::int64_t>(in.extent(2));
  std::int64_t const block = ColumnBlock<ExecSpace>::columns, blocks = (nx + block - 1) / block;
  bool const dense = (nx <= 1 || (in.stride(2) == 1 && out.stride(2) == 1));
  CrossMorphology<T, Max, MemorySpace> kernel{in, out, ny, nx, planes, block, blocks, dense};
  Kokkos::parallel_for(Max ? "bik::dilate::cross" : "bik::erode::cross",
                       Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(
                           space, 0, static_cast<std::int64_t>(in.extent(0)) * ny * blocks),
                       kernel);
}

}  // namespace bik::detail

#endif
