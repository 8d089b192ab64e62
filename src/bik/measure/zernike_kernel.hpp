// Fused Zernike accumulation (spec §8.3-8.5): one pass over the object pixels that maps each
// pixel into its object's enclosing circle, evaluates the basis for every (n, m) pair
// (zernike_basis.hpp) and sums w * V_nm per object; no (pixels x pairs) intermediate.
//
// Work is cut into chunks of kZernikeChunk pixels of one object (an object of n pixels has
// ceil(n / kZernikeChunk) chunks), parallel over all chunks of all objects, so one large
// object spreads over every thread as well as many small ones do. A chunk sums its pixels in
// raster order; a second pass adds each object's chunk sums in chunk order and forms the
// features. The result is therefore the same for any thread count, team size or backend
// schedule; it differs from cp_measure's single raster-order sum by round-off only.
#ifndef BIK_MEASURE_ZERNIKE_KERNEL_HPP
#define BIK_MEASURE_ZERNIKE_KERNEL_HPP

#include "bik/core/compat.hpp"
#include "bik/core/volume.hpp"
#include "bik/measure/minimum_enclosing_circle.hpp"
#include "bik/measure/zernike_basis.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

constexpr std::int64_t kZernikeChunk = 128;
// Degrees below this keep a pixel's z^m for every m in registers or the stack.
constexpr int kZernikeCachedPowers = 16;

enum class ZernikeKind {
  shape,   // cp_measure's get_zernike: weight 1, magnitude / (pi r^2)
  radial,  // get_radial_zernikes: weight = pixel value, magnitude / pixel count, phase
};

namespace detail {

// Sets chunk_begin(k) to the first chunk of object k (an exclusive scan of chunk counts);
// chunk_begin(objects) is the total.
template <class ExecSpace, class MemorySpace>
void zernike_chunk_starts(ExecSpace const& space, Kokkos::View<std::int64_t*, MemorySpace> offsets,
                          Kokkos::View<std::int64_t*, MemorySpace> chunk_begin,
                          std::int64_t objects) {
  Kokkos::parallel_scan(
      "bik::zernike::chunk_scan",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, objects + 1),
      KOKKOS_LAMBDA(std::int64_t k, std::int64_t & partial, bool final) {
        std::int64_t const n = k < objects ? offsets(k + 1) - offsets(k) : 0;
        if (final) chunk_begin(k) = partial;
        partial += (n + kZernikeChunk - 1) / kZernikeChunk;
      });
}

// Pass 1, a chunk per index: partial(c, 2q) and partial(c, 2q + 1) receive the chunk's sums
// of Re and Im of w * V_q. Indices past the last chunk do nothing (the launch is sized by a
// bound known on the host, so no synchronisation is needed).
template <class ExecSpace, class P, class MemorySpace>
struct ZernikeChunkSums {
  Kokkos::View<std::int64_t*, MemorySpace> offsets, chunk_begin;
  Kokkos::View<std::int32_t*, MemorySpace> xs, ys;
  Kokkos::View<std::int64_t*, MemorySpace> images;  // object -> image (its plane in pixels)
  Volume<P const, MemorySpace> pixels;              // read only for ZernikeKind::radial
  Kokkos::View<double*, MemorySpace> center_y, center_x, radius;
  ZernikeTables<MemorySpace> tables;
  Kokkos::View<double*, MemorySpace> partial;  // [chunks * 2 * pairs]
  std::int64_t objects = 0;
  bool weighted = false;
  int squares = 1;  // z^(2^b) needed for b < squares

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t c) const {
    if (c >= chunk_begin(objects)) return;
    // The object owning chunk c: the last k with chunk_begin(k) <= c.
    std::int64_t lo = 0, hi = objects - 1;
    while (lo < hi) {
      std::int64_t const mid = (lo + hi + 1) / 2;
      if (chunk_begin(mid) <= c)
        lo = mid;
      else
        hi = mid - 1;
    }
    std::int64_t const k = lo;
    std::int64_t const begin = offsets(k) + (c - chunk_begin(k)) * kZernikeChunk;
    std::int64_t const end = kx::min(begin + kZernikeChunk, offsets(k + 1));
    int const pairs = tables.pairs;
    double* const row = partial.data() + c * 2 * pairs;
    for (int q = 0; q < 2 * pairs; ++q) row[q] = 0.0;
    double const cy = center_y(k), cx = center_x(k), r = radius(k);
    std::int64_t const plane = images(k);
    for (std::int64_t p = begin; p < end; ++p) {
      double const y = (static_cast<double>(ys(p)) - cy) / r;
      double const x = (static_cast<double>(xs(p)) - cx) / r;
      double const r2 = x * x + y * y;
      ZernikeSquares sq;
      sq.p[0] = Complex{y, x};
      for (int b = 1; b < squares; ++b) sq.p[b] = complex_mul(sq.p[b - 1], sq.p[b - 1]);
      // z^m once per m for the usual degrees (the same values zernike_power gives per pair).
      Complex powers[kZernikeCachedPowers];
      bool const cached = tables.degree < kZernikeCachedPowers;
      if (cached)
        for (int m = 1; m <= tables.degree; ++m) powers[m] = zernike_power(sq, m);
      double const w = weighted ? static_cast<double>(pixels(plane, ys(p), xs(p))) : 1.0;
      for (int q = 0; q < pairs; ++q) {
        double s = zernike_radial(tables.coefficients(q), tables.terms(q), r2);
        if (weighted) s = s * w;
        int const m = tables.m(q);
        if (m == 0) {
          row[2 * q] += s;
        } else {
          Complex const zm = cached ? powers[m] : zernike_power(sq, m);
          row[2 * q] += s * zm.re;
          row[2 * q + 1] += s * zm.im;
        }
      }
    }
  }
};

// Pass 2, an (object, pair) per index: the chunk sums in chunk order, then the features in
// cp_measure's formulas, into column q (shape) or columns 2q, 2q + 1 (radial) of row k.
template <class ExecSpace, class MemorySpace>
struct ZernikeFeatures {
  using Matrix = Kokkos::View<double**, Kokkos::LayoutStride, MemorySpace,
                              Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  Kokkos::View<std::int64_t*, MemorySpace> offsets, chunk_begin;
  Kokkos::View<double*, MemorySpace> radius, partial;
  Matrix out;
  int pairs = 0;
  ZernikeKind kind = ZernikeKind::shape;

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t const k = i / pairs;
    int const q = static_cast<int>(i - k * pairs);
    double re = 0.0, im = 0.0;
    for (std::int64_t c = chunk_begin(k); c < chunk_begin(k + 1); ++c) {
      re += partial(c * 2 * pairs + 2 * q);
      im += partial(c * 2 * pairs + 2 * q + 1);
    }
    double const magnitude = kx::sqrt(re * re + im * im);
    if (kind == ZernikeKind::shape) {
      double const r = radius(k);
      out(k, q) = magnitude / (kPi * r * r);  // the enclosing circle's area, pi r r
    } else {
      out(k, 2 * q) = magnitude / static_cast<double>(offsets(k + 1) - offsets(k));
      out(k, 2 * q + 1) = kx::atan2(re, im);  // CellProfiler's argument order: (Re, Im)
    }
  }
};

}  // namespace detail
}  // namespace bik

#endif
