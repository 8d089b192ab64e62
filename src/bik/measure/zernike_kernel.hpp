// Fused Zernike accumulation (spec §8.3-8.5): one pass over the object pixels that maps each
// pixel into its object's enclosing circle, evaluates the basis for every (n, m) pair
// (zernike_basis.hpp) and sums w * V_nm per object; no (pixels x pairs) intermediate.
//
// Work is cut into chunks of kZernikeChunk pixels of one object (an object of n pixels has
// ceil(n / kZernikeChunk) chunks), parallel over all chunks of all objects, so one large
// object spreads over every thread as well as many small ones do. A chunk sums its pixels in
// kZernikeLanes interleaved lanes, added in a fixed tree; a second pass adds each object's
// chunk sums in chunk order and forms the features. The result is therefore the same for any thread
// count, team size or backend schedule; it differs from cp_measure's single raster-order sum by
// round-off only.
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
// Independent partial sums per chunk and pair (see ZernikeChunkSums).
constexpr int kZernikeLanes = 8;
// z^(2^b) for b < 7 covers every m <= kMaxZernikeDegree.
constexpr int kZernikeSquares = 7;

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
//
// A chunk is processed as a small structure of arrays: the pixels' coordinates and the
// repeated squares of z first, then, for each m, z^m of every pixel and, for each pair (n, m),
// Horner over all pixels at once.
// Pixel i adds into lane i mod kZernikeLanes, and the lanes are added in a fixed tree: a fixed
// order (so the same result everywhere) that the compiler can keep in vector registers.
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

  KOKKOS_INLINE_FUNCTION static double lane_sum(double const* a) {
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
  }

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
    int const n = static_cast<int>(kx::min(begin + kZernikeChunk, offsets(k + 1)) - begin);
    int const padded = (n + kZernikeLanes - 1) / kZernikeLanes * kZernikeLanes;
    double const cy = center_y(k), cx = center_x(k), r = radius(k);
    std::int64_t const plane = images(k);
    // zr[b], zi[b]: z^(2^b) of every pixel (b = 0: z = y + i x), the squares z^m is built from.
    double zr[kZernikeSquares][kZernikeChunk], zi[kZernikeSquares][kZernikeChunk];
    double r2v[kZernikeChunk], wv[kZernikeChunk], pr[kZernikeChunk], pi[kZernikeChunk];
    double sv[kZernikeChunk];
    for (int i = 0; i < n; ++i) {
      std::int64_t const p = begin + i;
      double const y = (static_cast<double>(ys(p)) - cy) / r;
      double const x = (static_cast<double>(xs(p)) - cx) / r;
      zr[0][i] = y;
      zi[0][i] = x;
      r2v[i] = x * x + y * y;
      // w = 1 for the shape features: s * 1 is s exactly.
      wv[i] = weighted ? static_cast<double>(pixels(plane, ys(p), xs(p))) : 1.0;
    }
    for (int i = n; i < padded; ++i) {  // padding: weight 0, cut off, z = 0: adds exact zeros
      zr[0][i] = zi[0][i] = wv[i] = 0.0;
      r2v[i] = 2.0;
    }
    int squares = 1;
    while ((tables.degree >> squares) != 0) ++squares;
    for (int b = 1; b < squares; ++b)
      for (int i = 0; i < padded; ++i) {
        Complex const sq =
            complex_mul(Complex{zr[b - 1][i], zi[b - 1][i]}, Complex{zr[b - 1][i], zi[b - 1][i]});
        zr[b][i] = sq.re;
        zi[b][i] = sq.im;
      }
    double* const row = partial.data() + c * 2 * tables.pairs;
    for (int m = 0; m <= tables.degree; ++m) {
      // z^m as zernike_power gives it: the squares of m's set bits multiplied in from the
      // lowest (NumPy's product starts from 1; 1 * p is p, up to the sign of a zero).
      int b = 0;
      while (m > 0 && ((m >> b) & 1) == 0) ++b;
      if (m > 0) {
        for (int i = 0; i < padded; ++i) {
          pr[i] = zr[b][i];
          pi[i] = zi[b][i];
        }
        for (++b; (m >> b) != 0; ++b)
          if ((m >> b) & 1)
            for (int i = 0; i < padded; ++i) {
              Complex const v = complex_mul(Complex{pr[i], pi[i]}, Complex{zr[b][i], zi[b][i]});
              pr[i] = v.re;
              pi[i] = v.im;
            }
      }
      for (int nn = m; nn <= tables.degree; nn += 2) {
        int const q = (nn + 1) * (nn + 1) / 4 + (m - nn % 2) / 2;  // the index of (nn, m)
        double const* const coefficient = tables.coefficients(q);
        int const terms = (nn - m) / 2 + 1;
        for (int i = 0; i < padded; ++i) sv[i] = 0.0;
        for (int t = 0; t < terms; ++t)
          for (int i = 0; i < padded; ++i) sv[i] = sv[i] * r2v[i] + coefficient[t];
        double re[kZernikeLanes] = {}, im[kZernikeLanes] = {};
        for (int i0 = 0; i0 < padded; i0 += kZernikeLanes)
          for (int j = 0; j < kZernikeLanes; ++j) {
            int const i = i0 + j;
            double const s = (r2v[i] > 1.0 ? 0.0 : sv[i]) * wv[i];
            if (m == 0) {
              re[j] += s;
            } else {
              re[j] += s * pr[i];
              im[j] += s * pi[i];
            }
          }
        row[2 * q] = lane_sum(re);
        row[2 * q + 1] = m == 0 ? 0.0 : lane_sum(im);
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
