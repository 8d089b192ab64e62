// scipy.ndimage.map_coordinates(order=1, mode='constant', cval=0) semantics, exactly (spec §7).
// Per axis, a coordinate c on an axis of n samples is either outside ([0, n-1] excluded, even
// by one ULP; NaN too) — then the whole point is 0, never a partial blend — or it has the
// neighbours floor(c) and floor(c) + 1 (mirrored to n - 2 when c = n - 1, read with weight 0)
// and the weights w0 = 1 - t, w1 = 1 - w0 with t = c - floor(c). Corners are summed from 0.0
// with the last axis fastest, each term (value * w_axis0) * w_axis1 (* w_axis2).
#ifndef BIK_RESAMPLE_MAP_COORDINATES_HPP
#define BIK_RESAMPLE_MAP_COORDINATES_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

struct AxisSample {
  std::int64_t i0 = -1, i1 = -1;  // neighbours; i0 = -1: the coordinate is outside
  double w0 = 0, w1 = 0;
  KOKKOS_INLINE_FUNCTION bool inside() const { return i0 >= 0; }
};

// The neighbours and weights of coordinate c on an axis of n >= 1 samples.
KOKKOS_INLINE_FUNCTION AxisSample axis_sample(double c, std::int64_t n) {
  AxisSample s;
  if (!(c >= 0.0) || c > static_cast<double>(n - 1)) return s;  // NaN fails c >= 0 too
  std::int64_t const start = static_cast<std::int64_t>(c);      // floor, as c >= 0
  double const t = c - static_cast<double>(start);
  s.i0 = start;
  s.i1 = start + 1 < n ? start + 1 : (n == 1 ? 0 : n - 2);
  s.w0 = 1.0 - t;
  s.w1 = 1.0 - s.w0;
  return s;
}

// Order-1 value of plane z of `image` (a (Z,Y,X) View) at the samples sy, sx.
template <class View>
KOKKOS_INLINE_FUNCTION double bilinear(View const& image, std::int64_t z, AxisSample const& sy,
                                       AxisSample const& sx) {
  if (!sy.inside() || !sx.inside()) return 0.0;
  double t = 0.0;
  t += (static_cast<double>(image(z, sy.i0, sx.i0)) * sy.w0) * sx.w0;
  t += (static_cast<double>(image(z, sy.i0, sx.i1)) * sy.w0) * sx.w1;
  t += (static_cast<double>(image(z, sy.i1, sx.i0)) * sy.w1) * sx.w0;
  t += (static_cast<double>(image(z, sy.i1, sx.i1)) * sy.w1) * sx.w1;
  return t;
}

// Order-1 value of `image` at the samples sz, sy, sx; z_offset shifts the plane indices (the
// first plane of the volume within a stack).
template <class View>
KOKKOS_INLINE_FUNCTION double trilinear(View const& image, std::int64_t z_offset,
                                        AxisSample const& sz, AxisSample const& sy,
                                        AxisSample const& sx) {
  if (!sz.inside() || !sy.inside() || !sx.inside()) return 0.0;
  std::int64_t const zs[2] = {z_offset + sz.i0, z_offset + sz.i1};
  std::int64_t const ys[2] = {sy.i0, sy.i1}, xs[2] = {sx.i0, sx.i1};
  double const wz[2] = {sz.w0, sz.w1}, wy[2] = {sy.w0, sy.w1}, wx[2] = {sx.w0, sx.w1};
  double t = 0.0;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 2; ++c)
        t += ((static_cast<double>(image(zs[a], ys[b], xs[c])) * wz[a]) * wy[b]) * wx[c];
  return t;
}

}  // namespace bik

#endif
