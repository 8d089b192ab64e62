// Zernike sums through geometric moments (spec §8.3-8.5), for degrees up to
// kZernikeMomentDegree: the same features as the direct kernel (zernike_kernel.hpp) with about
// an order of magnitude less work per pixel.
//
// With x, y a pixel's offsets in its object's enclosing circle (x = column, y = row, as
// cp_measure maps them), every basis function is a polynomial in x and y:
// V_nm = s_nm(x^2 + y^2) (y + i x)^m = sum over a + b <= n of C_nm,ab x^a y^b, with integer C
// whose real part has only even a and whose imaginary part only odd a. So an object's sum of
// w V_nm is sum C_nm,ab G_ab, with the moments G_ab = sum w x^a y^b. A row has one y, so its
// pixels only need the row moments M_a = sum w x^a (degree + 1 products and sums per pixel,
// where the direct kernel evaluates every pair); the row then adds M_a y^b to G_ab.
//
// Pixels with r^2 > 1 get weight 0, decided per pixel with cp_measure's arithmetic. Sums run in
// chunks of kZernikeMomentChunk pixels of one object (rows in raster order), parallel over all
// chunks; the features sum each moment over its object's chunks in chunk order. The result is
// the same for any thread count or schedule.
//
// Accuracy: the expansion trades the pixel sums' round-off for cancellation in sum C G (the C
// of degree 12 reach 10^4 in size). With |x|, |y| <= 1 this costs a few digits at most: on the
// parity scenes, degrees 0 to 12, the worst deviation from cp_measure is a few percent of the
// tolerance (1e-9 relative, shape; 1e-8, radial). Above degree 12 the coefficients grow past
// what this keeps well inside the tolerance (and past exact doubles by degree ~30), so higher
// degrees take the direct kernel.
#ifndef BIK_MEASURE_ZERNIKE_MOMENTS_HPP
#define BIK_MEASURE_ZERNIKE_MOMENTS_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/zernike_indices.hpp"
#include "bik/measure/zernike_kernel.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace bik {

constexpr int kZernikeMomentDegree = 12;
constexpr std::int64_t kZernikeMomentChunk = 256;

// The position of the moment x^a y^b (a + b <= degree) in a triangular table, by b then a.
KOKKOS_INLINE_FUNCTION int zernike_monomial(int a, int b, int degree) {
  return b * (degree + 1) - b * (b - 1) / 2 + a;
}

KOKKOS_INLINE_FUNCTION int zernike_monomials(int degree) { return (degree + 1) * (degree + 2) / 2; }

// One term of a basis function's expansion: coefficient * x^a y^b, added to the real part for
// even a, to the imaginary part for odd a.
struct ZernikeTerm {
  int monomial;
  bool imaginary;
  double coefficient;
};

// The expansion of V_nm for every pair of `degree` (<= kZernikeMomentDegree), pair by pair, each
// ordered by monomial; zero coefficients are left out. Binomial expansion of (x^2 + y^2)^e in
// each Horner term of the radial table (spec §8.2) times that of (y + i x)^m, whose x^l term
// carries i^l. Every coefficient is an integer below 2^53, so the doubles are exact.
inline std::vector<std::vector<ZernikeTerm>> zernike_expansion(int degree) {
  std::vector<ZernikeIndex> const pairs = zernike_indices(degree);
  std::vector<double> const lut = zernike_radial_lut(pairs);
  int const width = zernike_lut_width(pairs);
  auto const binomial = [](int n, int k) {
    double c = 1.0;
    for (int j = 1; j <= k; ++j) c = c * (n - k + j) / j;  // exact: each partial is a binomial
    return c;
  };
  std::vector<std::vector<ZernikeTerm>> out;
  for (std::size_t q = 0; q < pairs.size(); ++q) {
    int const n = pairs[q].n, m = pairs[q].m, terms = (n - m) / 2 + 1;
    std::vector<double> c(static_cast<std::size_t>(zernike_monomials(degree)), 0.0);
    for (int k = 0; k < terms; ++k) {
      int const e = terms - 1 - k;  // lut[k] multiplies (r^2)^e
      double const radial = lut[q * static_cast<std::size_t>(width) + static_cast<std::size_t>(k)];
      for (int i = 0; i <= e; ++i)      // x^(2i) y^(2(e - i)) of (x^2 + y^2)^e
        for (int l = 0; l <= m; ++l) {  // (i x)^l y^(m - l) of (y + i x)^m
          double const sign = (l / 2) % 2 == 0 ? 1.0 : -1.0;  // i^l = sign, or sign * i (odd l)
          int const a = 2 * i + l, b = 2 * (e - i) + m - l;
          c[static_cast<std::size_t>(zernike_monomial(a, b, degree))] +=
              sign * radial * binomial(e, i) * binomial(m, l);
        }
    }
    std::vector<ZernikeTerm> expansion;
    for (int b = 0; b <= degree; ++b)
      for (int a = 0; a + b <= degree; ++a) {
        int const index = zernike_monomial(a, b, degree);
        if (c[static_cast<std::size_t>(index)] != 0.0)
          expansion.push_back({index, a % 2 == 1, c[static_cast<std::size_t>(index)]});
      }
    out.push_back(std::move(expansion));
  }
  return out;
}

// The expansions in a memory space: the terms of pair q are [begin(q), begin(q + 1)).
template <class MemorySpace>
struct ZernikeExpansion {
  Kokkos::View<std::int32_t*, MemorySpace> begin;     // [pairs + 1]
  Kokkos::View<std::int32_t*, MemorySpace> monomial;  // [terms]; negative: -1 - the imaginary's
  Kokkos::View<double*, MemorySpace> coefficient;     // [terms]
  int degree = 0, pairs = 0, monomials = 0;
};

template <class ExecSpace, class MemorySpace = typename ExecSpace::memory_space>
ZernikeExpansion<MemorySpace> make_zernike_expansion(ExecSpace const& space, int degree,
                                                     Workspace<MemorySpace>* workspace = nullptr) {
  require(degree >= 0 && degree <= kZernikeMomentDegree, "bik::make_zernike_expansion",
          "the degree must be in [0, " + std::to_string(kZernikeMomentDegree) + "], got " +
              std::to_string(degree));
  std::vector<std::int32_t> begin{0}, monomial;
  std::vector<double> coefficient;
  for (auto const& expansion : zernike_expansion(degree)) {
    for (auto const& t : expansion) {
      monomial.push_back(t.imaginary ? -1 - t.monomial : t.monomial);
      coefficient.push_back(t.coefficient);
    }
    begin.push_back(static_cast<std::int32_t>(monomial.size()));
  }
  using Buffers = Workspace<MemorySpace>;
  using Unmanaged = Kokkos::MemoryTraits<Kokkos::Unmanaged>;
  ZernikeExpansion<MemorySpace> e;
  e.degree = degree;
  e.pairs = static_cast<int>(begin.size()) - 1;
  e.monomials = zernike_monomials(degree);
  e.begin =
      Buffers::template get<std::int32_t>(workspace, "bik::zernike::term_begin", begin.size());
  e.monomial = Buffers::template get<std::int32_t>(workspace, "bik::zernike::term_monomial",
                                                   monomial.size());
  e.coefficient = Buffers::template get<double>(workspace, "bik::zernike::term_coefficient",
                                                coefficient.size());
  space.fence();  // earlier kernels may still read the previous tables of this workspace
  Kokkos::deep_copy(e.begin, Kokkos::View<std::int32_t const*, Kokkos::HostSpace, Unmanaged>(
                                 begin.data(), begin.size()));
  Kokkos::deep_copy(e.monomial, Kokkos::View<std::int32_t const*, Kokkos::HostSpace, Unmanaged>(
                                    monomial.data(), monomial.size()));
  Kokkos::deep_copy(e.coefficient, Kokkos::View<double const*, Kokkos::HostSpace, Unmanaged>(
                                       coefficient.data(), coefficient.size()));
  return e;
}

namespace detail {

// Pass 1, a chunk per index: partial(c * monomials + zernike_monomial(a, b)) receives the chunk's
// sum of w x^a y^b. Indices past the last chunk do nothing.
//
// The degree is a template parameter (dispatched once per chunk), so a row's moments live in
// registers and the per-pixel loop is fully unrolled. A row's pixels alternate between two
// lanes of moments (even and odd positions in the row), added at the end of the row: two
// independent chains that the compiler packs into one vector; the order is fixed by the data.
template <class ExecSpace, class P, class MemorySpace>
struct ZernikeMomentSums {
  Kokkos::View<std::int64_t*, MemorySpace> offsets, chunk_begin;
  Kokkos::View<std::int32_t*, MemorySpace> xs, ys;
  Kokkos::View<std::int64_t*, MemorySpace> images;  // object -> image (its plane in pixels)
  Volume<P const, MemorySpace> pixels;              // read only when weighted
  Kokkos::View<double*, MemorySpace> center_y, center_x, radius;
  Kokkos::View<double*, MemorySpace> partial;  // [chunks * monomials]
  std::int64_t objects = 0;
  int degree = 0;
  bool weighted = false;

  // The geometry of the chunk's object.
  struct Circle {
    double cy, cx, r;
    std::int64_t plane;
  };

  // Pixel p's x and its weight: w, 0 * w if r^2 > 1 (a non-finite pixel keeps its object NaN,
  // as in cp_measure), NaN if r^2 is (a one-pixel object's: cp_measure's Horner turns its NaN
  // r^2 into NaN sums, and 0 * r^2 does the same here).
  KOKKOS_INLINE_FUNCTION double weighted_x(std::int64_t p, std::int32_t row, double y,
                                           Circle const& circle, double& w) const {
    double const x = (static_cast<double>(xs(p)) - circle.cx) / circle.r;
    double const r2 = x * x + y * y;
    double const value = weighted ? static_cast<double>(pixels(circle.plane, row, xs(p))) : 1.0;
    w = r2 > 1.0 ? 0.0 * value : value + 0.0 * r2;
    return x;
  }

  template <int Degree>
  KOKKOS_INLINE_FUNCTION void chunk_sums(std::int64_t begin, std::int64_t end, Circle const& circle,
                                         double* out) const {
    constexpr int kPowers = Degree + 1;
    double moments[kPowers * (kPowers + 1) / 2];
    for (int i = 0; i < kPowers * (kPowers + 1) / 2; ++i) moments[i] = 0.0;
    for (std::int64_t row_begin = begin; row_begin < end;) {
      std::int32_t const row = ys(row_begin);
      std::int64_t row_end = row_begin + 1;
      while (row_end < end && ys(row_end) == row) ++row_end;  // raster order: rows contiguous
      double const y = (static_cast<double>(row) - circle.cy) / circle.r;
      double even[kPowers], odd[kPowers];  // M_a = sum w x^a, in two lanes
      for (int a = 0; a < kPowers; ++a) even[a] = odd[a] = 0.0;
      std::int64_t p = row_begin;
      for (; p + 1 < row_end; p += 2) {
        double w0, w1;
        double const x0 = weighted_x(p, row, y, circle, w0);
        double const x1 = weighted_x(p + 1, row, y, circle, w1);
        for (int a = 0; a < kPowers; ++a) {
          even[a] += w0;
          odd[a] += w1;
          w0 *= x0;
          w1 *= x1;
        }
      }
      if (p < row_end) {
        double w0;
        double const x0 = weighted_x(p, row, y, circle, w0);
        for (int a = 0; a < kPowers; ++a) {
          even[a] += w0;
          w0 *= x0;
        }
      }
      double yb = 1.0;  // G_ab += M_a y^b
      for (int b = 0; b < kPowers; ++b) {
        double* const g = moments + zernike_monomial(0, b, Degree);
        for (int a = 0; a + b < kPowers; ++a) g[a] += (even[a] + odd[a]) * yb;
        yb *= y;
      }
      row_begin = row_end;
    }
    for (int i = 0; i < kPowers * (kPowers + 1) / 2; ++i) out[i] = moments[i];
  }

  // chunk_sums<degree>, for a degree known at run time.
  template <int Degree>
  KOKKOS_INLINE_FUNCTION void dispatch(std::int64_t begin, std::int64_t end, Circle const& circle,
                                       double* out) const {
    if (degree == Degree)
      chunk_sums<Degree>(begin, end, circle, out);
    else if constexpr (Degree < kZernikeMomentDegree)
      dispatch<Degree + 1>(begin, end, circle, out);
  }

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t c) const {
    if (c >= chunk_begin(objects)) return;
    std::int64_t const k = zernike_chunk_owner(chunk_begin, objects, c);
    std::int64_t const begin = offsets(k) + (c - chunk_begin(k)) * kZernikeMomentChunk;
    std::int64_t const end = kx::min(begin + kZernikeMomentChunk, offsets(k + 1));
    Circle const circle{center_y(k), center_x(k), radius(k), images(k)};
    dispatch<0>(begin, end, circle, partial.data() + c * zernike_monomials(degree));
  }
};

// Pass 2, an (object, pair) per index: each moment of the pair's expansion summed over the
// object's chunks in chunk order, the expansion summed in monomial order, then the features.
template <class ExecSpace, class MemorySpace>
struct ZernikeMomentFeatures {
  Kokkos::View<std::int64_t*, MemorySpace> offsets, chunk_begin;
  Kokkos::View<double*, MemorySpace> radius, partial;
  ZernikeExpansion<MemorySpace> expansion;
  ZernikeFeatureMatrix<MemorySpace> out;
  ZernikeKind kind = ZernikeKind::shape;

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t const k = i / expansion.pairs;
    int const q = static_cast<int>(i - k * expansion.pairs);
    std::int64_t const stride = expansion.monomials;
    double re = 0.0, im = 0.0;
    for (std::int32_t t = expansion.begin(q); t < expansion.begin(q + 1); ++t) {
      std::int32_t const code = expansion.monomial(t);
      std::int64_t const monomial = code < 0 ? -1 - code : code;
      double g = 0.0;
      for (std::int64_t c = chunk_begin(k); c < chunk_begin(k + 1); ++c)
        g += partial(c * stride + monomial);
      if (code < 0)
        im += expansion.coefficient(t) * g;
      else
        re += expansion.coefficient(t) * g;
    }
    write_zernike_features(out, kind, k, q, re, im, radius(k), offsets(k + 1) - offsets(k));
  }
};

}  // namespace detail
}  // namespace bik

#endif
