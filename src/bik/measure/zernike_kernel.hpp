// Fused Zernike accumulation (spec §8.3-8.5): one pass over the object pixels that maps each
// pixel into its object's enclosing circle, evaluates the basis for every (n, m) pair
// (zernike_basis.hpp) and sums w * V_nm per object; no (pixels x pairs) intermediate. Degrees up
// to kZernikeMomentDegree take the cheaper moment expansion (zernike_moments.hpp) instead.
//
// Work is cut into chunks of kZernikeChunk pixels of one object (an object of n pixels has
// ceil(n / kZernikeChunk) chunks), parallel over all chunks of all objects, so one large
// object spreads over every thread as well as many small ones do. A chunk sums its pixels in
// a fixed tree; a second pass adds each object's chunk sums in chunk order and forms the
// features. The result is therefore the same for any thread
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

enum class ZernikeKind {
  shape,   // cp_measure's get_zernike: weight 1, magnitude / (pi r^2)
  radial,  // get_radial_zernikes: weight = pixel value, magnitude / pixel count, phase
};

namespace detail {

// Sets chunk_begin(k) to the first chunk of object k, in chunks of `chunk` pixels (an exclusive
// scan of chunk counts); chunk_begin(objects) is the total.
template <class ExecSpace, class MemorySpace>
void zernike_chunk_starts(ExecSpace const& space, Kokkos::View<std::int64_t*, MemorySpace> offsets,
                          Kokkos::View<std::int64_t*, MemorySpace> chunk_begin,
                          std::int64_t objects, std::int64_t chunk) {
  Kokkos::parallel_scan(
      "bik::zernike::chunk_scan",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, objects + 1),
      KOKKOS_LAMBDA(std::int64_t k, std::int64_t & partial, bool final) {
        std::int64_t const n = k < objects ? offsets(k + 1) - offsets(k) : 0;
        if (final) chunk_begin(k) = partial;
        partial += (n + chunk - 1) / chunk;
      });
}

// The object owning chunk c: the last k with chunk_begin(k) <= c.
template <class MemorySpace>
KOKKOS_INLINE_FUNCTION std::int64_t zernike_chunk_owner(
    Kokkos::View<std::int64_t*, MemorySpace> const& chunk_begin, std::int64_t objects,
    std::int64_t c) {
  std::int64_t lo = 0, hi = objects - 1;
  while (lo < hi) {
    std::int64_t const mid = (lo + hi + 1) / 2;
    if (chunk_begin(mid) <= c)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

// The (objects x features) output, column-major, of the features passes.
template <class MemorySpace>
using ZernikeFeatureMatrix = Kokkos::View<double**, Kokkos::LayoutStride, MemorySpace,
                                          Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

// Object k's features of pair q from its sums Re, Im, in cp_measure's formulas: column q
// (shape) or columns 2q, 2q + 1 (radial) of row k.
template <class MemorySpace>
KOKKOS_INLINE_FUNCTION void write_zernike_features(ZernikeFeatureMatrix<MemorySpace> const& out,
                                                   ZernikeKind kind, std::int64_t k, int q,
                                                   double re, double im, double r,
                                                   std::int64_t pixels) {
  double const magnitude = kx::sqrt(re * re + im * im);
  if (kind == ZernikeKind::shape) {
    out(k, q) = magnitude / (kPi * r * r);  // the enclosing circle's area, pi r r
  } else {
    out(k, 2 * q) = magnitude / static_cast<double>(pixels);
    out(k, 2 * q + 1) = kx::atan2(re, im);  // CellProfiler's argument order: (Re, Im)
  }
}

// Pass 1, a chunk per index: partial(c, 2q) and partial(c, 2q + 1) receive the chunk's sums
// of Re and Im of w * V_q. Indices past the last chunk do nothing (the launch is sized by a
// bound known on the host, so no synchronisation is needed).
//
// A chunk is a small structure of arrays of kZernikeChunk entries, padded after the object's
// last pixel with weight 0: r^2 and the weights first (the cutoff r^2 > 1 folded into the
// weight), then, for each m, u = w z^m (z^m by repeated multiplication, as cp_measure's numpy
// code builds it) and, for each pair (n, m), Horner in registers and the products s u, summed
// in a fixed halving tree (so the same result everywhere). Every loop runs over contiguous
// arrays of a fixed length, which the compiler vectorises.
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

  static constexpr int kSize = static_cast<int>(kZernikeChunk);
  static constexpr int kQuarter = kSize / 4;

  // The products s u of the pair with `terms` Horner coefficients, summed over the chunk in the
  // halving tree (a[i] += a[i + h] for h = N/2, N/4, ..., 1). Its first two levels are folded
  // into the Horner loop: entry i holds (p(i) + p(i + 2Q)) + (p(i + Q) + p(i + 3Q)), Q = N/4.
  // Terms > 0 fixes the term count at compile time (unrolled Horner); Terms = 0 reads `terms`.
  template <int Terms>
  KOKKOS_INLINE_FUNCTION static void pair_sums(int terms, double const* coefficient,
                                               double const* r2v, double const* ur,
                                               double const* ui, bool real, double* sre,
                                               double* sim, double& re, double& im) {
    int const count = Terms > 0 ? Terms : terms;
    double const c0 = coefficient[0];
    for (int i = 0; i < kQuarter; ++i) {
      // Horner from 0, so that a NaN r^2 stays NaN.
      double s0 = 0.0 * r2v[i] + c0, s1 = 0.0 * r2v[i + kQuarter] + c0;
      double s2 = 0.0 * r2v[i + 2 * kQuarter] + c0, s3 = 0.0 * r2v[i + 3 * kQuarter] + c0;
      for (int t = 1; t < count; ++t) {
        double const ct = coefficient[t];
        s0 = s0 * r2v[i] + ct;
        s1 = s1 * r2v[i + kQuarter] + ct;
        s2 = s2 * r2v[i + 2 * kQuarter] + ct;
        s3 = s3 * r2v[i + 3 * kQuarter] + ct;
      }
      sre[i] = (s0 * ur[i] + s2 * ur[i + 2 * kQuarter]) +
               (s1 * ur[i + kQuarter] + s3 * ur[i + 3 * kQuarter]);
      sim[i] = (s0 * ui[i] + s2 * ui[i + 2 * kQuarter]) +
               (s1 * ui[i + kQuarter] + s3 * ui[i + 3 * kQuarter]);
    }
    for (int h = kQuarter / 2; h > 0; h /= 2)
      for (int i = 0; i < h; ++i) sre[i] += sre[i + h];
    re = sre[0];
    if (real) {  // m = 0: the sum is real
      im = 0.0;
      return;
    }
    for (int h = kQuarter / 2; h > 0; h /= 2)
      for (int i = 0; i < h; ++i) sim[i] += sim[i + h];
    im = sim[0];
  }

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t c) const {
    if (c >= chunk_begin(objects)) return;
    std::int64_t const k = zernike_chunk_owner(chunk_begin, objects, c);
    std::int64_t const begin = offsets(k) + (c - chunk_begin(k)) * kZernikeChunk;
    int const n = static_cast<int>(kx::min(begin + kZernikeChunk, offsets(k + 1)) - begin);
    double const cy = center_y(k), cx = center_x(k), r = radius(k);
    std::int64_t const plane = images(k);
    // z = y + i x, z^m, u = w z^m, and the tree sums of the products s u.
    double zr[kSize], zi[kSize], pr[kSize], pi[kSize], ur[kSize], ui[kSize], r2v[kSize];
    double wv[kSize], sre[kQuarter], sim[kQuarter];
    for (int i = 0; i < n; ++i) {
      std::int64_t const p = begin + i;
      double const y = (static_cast<double>(ys(p)) - cy) / r;
      double const x = (static_cast<double>(xs(p)) - cx) / r;
      double const r2 = x * x + y * y;
      double const w = weighted ? static_cast<double>(pixels(plane, ys(p), xs(p))) : 1.0;
      zr[i] = y;
      zi[i] = x;
      r2v[i] = r2;
      // 0 * w rather than 0: a non-finite pixel keeps its object NaN, as in cp_measure (a NaN
      // r^2, a one-pixel object's, is not > 1 and is kept).
      wv[i] = r2 > 1.0 ? 0.0 * w : w;
    }
    for (int i = n; i < kSize; ++i)  // padding: weight 0 and z = 0 add exact zeros
      zr[i] = zi[i] = r2v[i] = wv[i] = 0.0;
    double* const row = partial.data() + c * 2 * tables.pairs;
    for (int m = 0; m <= tables.degree; ++m) {
      for (int i = 0; i < kSize; ++i) {
        if (m == 1) {
          pr[i] = zr[i];
          pi[i] = zi[i];
        } else if (m > 1) {
          Complex const v = complex_mul(Complex{pr[i], pi[i]}, Complex{zr[i], zi[i]});
          pr[i] = v.re;
          pi[i] = v.im;
        }
        ur[i] = m == 0 ? wv[i] : wv[i] * pr[i];
        ui[i] = m == 0 ? 0.0 : wv[i] * pi[i];
      }
      for (int nn = m; nn <= tables.degree; nn += 2) {
        int const q = (nn + 1) * (nn + 1) / 4 + (m - nn % 2) / 2;  // the index of (nn, m)
        double const* const coefficient = tables.coefficients(q);
        int const terms = (nn - m) / 2 + 1;
        double re = 0.0, im = 0.0;
        switch (terms) {  // unrolled Horner up to degree 13
          case 1:
            pair_sums<1>(terms, coefficient, r2v, ur, ui, m == 0, sre, sim, re, im);
            break;
          case 2:
            pair_sums<2>(terms, coefficient, r2v, ur, ui, m == 0, sre, sim, re, im);
            break;
          case 3:
            pair_sums<3>(terms, coefficient, r2v, ur, ui, m == 0, sre, sim, re, im);
            break;
          case 4:
            pair_sums<4>(terms, coefficient, r2v, ur, ui, m == 0, sre, sim, re, im);
            break;
          case 5:
            pair_sums<5>(terms, coefficient, r2v, ur, ui, m == 0, sre, sim, re, im);
            break;
          case 6:
            pair_sums<6>(terms, coefficient, r2v, ur, ui, m == 0, sre, sim, re, im);
            break;
          case 7:
            pair_sums<7>(terms, coefficient, r2v, ur, ui, m == 0, sre, sim, re, im);
            break;
          default:
            pair_sums<0>(terms, coefficient, r2v, ur, ui, m == 0, sre, sim, re, im);
        }
        row[2 * q] = re;
        row[2 * q + 1] = im;
      }
    }
  }
};

// Pass 2, an (object, pair) per index: the chunk sums in chunk order, then the features.
template <class ExecSpace, class MemorySpace>
struct ZernikeFeatures {
  Kokkos::View<std::int64_t*, MemorySpace> offsets, chunk_begin;
  Kokkos::View<double*, MemorySpace> radius, partial;
  ZernikeFeatureMatrix<MemorySpace> out;
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
    write_zernike_features(out, kind, k, q, re, im, radius(k), offsets(k + 1) - offsets(k));
  }
};

}  // namespace detail
}  // namespace bik

#endif
