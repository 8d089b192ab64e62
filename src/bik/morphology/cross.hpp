// Erosion and dilation by the cross: disk(1) (centre and 4 neighbours) per plane, or ball(1)
// (centre and 6 neighbours) within volumes; out-of-image neighbours ignored. The fast path of
// erode/dilate for radius 1 and the step of the granular spectrum (spec §4.2, §5).
#ifndef BIK_MORPHOLOGY_CROSS_HPP
#define BIK_MORPHOLOGY_CROSS_HPP

#include "bik/core/volume.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::detail {

template <class T, bool Max, class MemorySpace>
struct CrossMorphology {
  Volume<T const, MemorySpace> in;
  Volume<T, MemorySpace> out;
  std::int64_t ny, nx, planes;

  KOKKOS_INLINE_FUNCTION static void fold(T& acc, T v) {
    if constexpr (Max) {
      if (acc < v) acc = v;
    } else {
      if (v < acc) acc = v;
    }
  }

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t const r = i / nx, x = i - r * nx, z = r / ny, y = r - z * ny;
    std::int64_t const local_z = z % planes;
    T acc = in(z, y, x);
    if (local_z > 0) fold(acc, in(z - 1, y, x));
    if (local_z + 1 < planes) fold(acc, in(z + 1, y, x));
    if (y > 0) fold(acc, in(z, y - 1, x));
    if (y + 1 < ny) fold(acc, in(z, y + 1, x));
    if (x > 0) fold(acc, in(z, y, x - 1));
    if (x + 1 < nx) fold(acc, in(z, y, x + 1));
    out(z, y, x) = acc;
  }
};

// out = the cross erosion (Max: dilation) of in; `planes` as in erode(). out must not overlap in.
template <bool Max, class ExecSpace, class T, class MemorySpace>
void cross_morphology(ExecSpace const& space, Volume<T const, MemorySpace> in,
                      Volume<T, MemorySpace> out, std::int64_t planes) {
  CrossMorphology<T, Max, MemorySpace> kernel{in, out, static_cast<std::int64_t>(in.extent(1)),
                                              static_cast<std::int64_t>(in.extent(2)), planes};
  Kokkos::parallel_for(Max ? "bik::dilate::cross" : "bik::erode::cross",
                       Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(
                           space, 0, shape_of(in).size()),
                       kernel);
}

}  // namespace bik::detail

#endif
