// The last step of N4 at full resolution: the lattice's log bias field f evaluated on the image
// grid (index-normalised, evaluate_lattice.hpp), corrected = input / exp(f) at every voxel, and
// the field itself on request. One read of the input and one write per output, fused: the Z
// and Y sums of the separable evaluation are collapsed first into a small (Z, Y, CX) table, so
// each voxel costs four products along X, a polynomial and a product. On CPUs, from the
// lattice, each thread collapses the rows it corrects itself: one kernel, no table.
// The division is a product by the gain exp(-f) = 2^y, y = -f log2(e). Each row is centred on
// the middle c of its range of y (|c| <= 32; an integer on GPUs and near the clamps below, so
// that 2^c is exact there): y = c + sum_k q_k w_k(x) with q_k = -log2(e) f_k - c, and the gain
// is 2^c P(y - c), the coefficients of P scaled by 2^c once per span. The weights are >= 0 and
// sum to 1, so |y - c| <= D, the largest |q_k| of the span: on CPUs, where D <= 1/16 P is
// exp2_near's cubic, where D <= 0.49 exp2_reduced's quintic (bias varying by less than a factor
// 1.4 around 2^c: nearly always), and beyond that the range-reduced exp2_poly; GPUs always take
// exp2_poly. Span loops run in whole chunks of the vector width past the span's end (the next
// span rewrites those voxels), so that spans of ~32 voxels have no scalar epilogue. A row whose
// spans all take the cubic skips the per-span choice (near_spans), and two such rows run in
// one loop. A portable x86-64 build has a second CPU entry compiled for AVX2, taken where the
// CPU has it (host_vectors.hpp): chunks of 8 floats instead of 4, the same operations (no FMA),
// the same bits, in fewer instructions (the loop is bound by computation, not memory).
// Precision: the per-voxel work is done in the image's type, float32 or float64 (the table and
// the centre stay in double), so that a float32 loop has no conversion and twice the vector
// width of a double one. With D the largest |q_k| (half a row's range of y, plus 1/2 at most
// where the centre is an integer), the centred sum has an error of at most 6 D u (u = 2^-24 in
// float, 2^-53 in double: the rounding of the q_k and the weights, of four products and three
// sums, weighted by the weights, which sum to 1), and 2^c times P is within 4.5 u of 2^(y - c)
// (exp2_poly's 3.2 u in float, 2 u in double; 2^c's error, 0.5 u in float, rounded from
// double, and exp2_poly's 2 u in double; the product's rounding; the shift-free polynomials,
// their coefficients scaled by 2^c, stay below that, tested), so the gain's relative error is
// at most (6 ln2 D + 4.5) u and corrected's at most (4.2 D + 5.1) u, the product's rounding
// included: about 5 ulp, far below the parity tolerances. Near rows (D <= 1/16) sum
// q_0 + sum_k>0 (q_k - q_0) w_k instead, w_0 left implicit as 1 - w_1 - w_2 - w_3 (a product
// and a weight fewer per voxel): each partial sum is a convex combination of the q_k, within D,
// and |q_k - q_0| <= 2 D, so the error is at most 10 D u (the q_k's roundings, D; those of the
// differences, the weights and the products, weighted, 2 D each; three sums, D each), plus
// D |1 - sum_k w_k| from the double weights (below 10 u in double, cubic_bspline_weights'
// roundings; negligible in float): corrected within (7 D + 5.1) u in float, (14 D + 5.1) u in
// double, at most 5.6 u and 6 u there. In double, y = -log2(e) f itself is rounded too, which
// adds up to 0.7 Y u, Y the largest |y| of the row (in float that term is below 2^-22 u). The
// log bias output is the plain four-term sum of the table values in the image's type (within
// 6 R u of f, R the largest |f| of the table; equal to evaluate_lattice's in double).
// Gains are clamped to 2^+-(exp2_poly_limit - 32) (2^+-93 in float), and linumpy's semantics
// divides by max(exp(f), 1e-6) (spec n4.md §3.2 step 7): a gain of at most 1e6 (`max_gain`).
#ifndef BIK_N4_APPLY_BIAS_HPP
#define BIK_N4_APPLY_BIAS_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/host_vectors.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/evaluate_lattice.hpp"
#include "bik/n4/exp2_poly.hpp"
#include "bik/n4/non_deduced.hpp"
#include "bik/n4/semantics.hpp"

#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace bik::n4 {

// How apply_bias spreads its work on a space. CPUs (host-accessible memory): a thread per pair
// of (z, y) rows, looping over the X spans with their four control values fixed, so that the
// inner loop over the span's voxels has unit strides and vectorises (two rows in one loop
// share its loads of the weights and its overhead). GPUs: a team per row and a thread per
// voxel, whose reads of the row are coalesced. Specialise for other spaces.
template <class ExecSpace>
struct ApplyBiasShape {
  static constexpr bool thread_per_row =
      Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename ExecSpace::memory_space>::accessible;
};

namespace detail {

template <class ExecSpace, class MemorySpace, class T>
struct ApplyBiasRows {
  using Compute = std::conditional_t<std::is_same<T, float>::value, float, double>;
  using member_type = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  static constexpr double log2e = 1.4426950408889634;
  static constexpr double max_shift = 32;  // |centre|: the clamp below leaves 2^centre normal
  static constexpr int row_buffer = 64;    // control points along X that a CPU row keeps at hand
  // CPU span loops run in whole chunks of the vector width (see span_loop): 16 bytes, or 32
  // through the wide entries (host_vectors.hpp). Powers of two.
  static constexpr int narrow = 16 / sizeof(Compute), wide = 32 / sizeof(Compute);
  enum class Poly { near, reduced, general };
  LatticeOnGrid<MemorySpace> field;
  Volume<T const, MemorySpace> input;
  Volume<T, MemorySpace> corrected, log_bias;
  Kokkos::View<Compute const*, MemorySpace> weight;  // field.bx's (4, X) weights as Compute
  // CPUs, per span j: the end of its whole chunks from span_begin(j) (span_stops), chunks of
  // `wide` samples where wide_chunks, else of `narrow`.
  Kokkos::View<std::int64_t const*, MemorySpace> span_stop = {};
  bool wide_chunks = false;
  std::int64_t n_rows = 0;  // Z Y
  bool has_bias = false;
  bool unit_stride = false;  // every volume's X stride is 1
  Compute limit = 0;         // gains are clamped to [2^-limit, 2^limit]
  Compute max_gain = 0;      // and to max_gain (1 / the divisor's floor, or the largest Compute)
  // Spans whose y lie in [lowest, highest] need neither the clamp nor max_gain.
  Compute lowest = 0, highest = 0;

  // The row's centre: the middle of its values' range [lo, hi] of y, within +-max_shift (NaN
  // values give some centre in that range), rounded to an integer where `integer` (2^centre
  // exact); `inside`: every y of the row needs neither the clamp nor max_gain.
  KOKKOS_INLINE_FUNCTION double centre_of(double const* f, bool integer, bool& inside, double& lo,
                                          double& hi) const {
    lo = -log2e * f[0];
    hi = lo;
    for (std::int64_t c = 1; c < field.CX; ++c) {
      double const y = -log2e * f[c];
      lo = y < lo ? y : lo;
      hi = y > hi ? y : hi;
    }
    inside = lo >= lowest && hi <= highest;
    double centre = 0.5 * (lo + hi);
    double const shifter = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
    if (integer || !inside) centre = (centre + shifter) - shifter;
    if (!(centre >= -max_shift)) centre = -max_shift;
    if (centre > max_shift) centre = max_shift;
    return centre;
  }

  // The four shifted exponents q of span j of a row of collapsed values f, and (for the log
  // bias) its values r.
  KOKKOS_INLINE_FUNCTION static void span_exponents(double const* f, int j, double shift,
                                                    Compute q[4]) {
    for (int k = 0; k < 4; ++k) q[k] = static_cast<Compute>(-log2e * f[j + k] - shift);
  }
  KOKKOS_INLINE_FUNCTION static void span_values(double const* f, int j, Compute r[4]) {
    for (int k = 0; k < 4; ++k) r[k] = static_cast<Compute>(f[j + k]);
  }

  // sum_k v_k w_k(x): the same sum, in the same order, on every space.
  KOKKOS_INLINE_FUNCTION static Compute sum(Compute const* w0, Compute const* w1, Compute const* w2,
                                            Compute const* w3, Compute const v[4], std::int64_t x) {
    return v[0] * w0[x] + v[1] * w1[x] + v[2] * w2[x] + v[3] * w3[x];
  }

  // The gain 2^(shift + y), y clamped so that it stays within 2^+-limit, at most max_gain.
  KOKKOS_INLINE_FUNCTION Compute gain(Compute y, Compute shift, Compute scale) const {
    Compute const lo = -limit - shift, hi = limit - shift;
    Compute const g = math::exp2_poly(y < lo ? lo : (y > hi ? hi : y)) * scale;
    return g > max_gain ? max_gain : g;
  }

  // corrected = input * gain over voxels [begin, end) of a row with unit strides, for a span
  // whose y need neither clamp nor max_gain, so that the loop is branch-free and vectorises;
  // the gain is 2^c P(y) by the polynomial `poly` (scale = 2^c). The loop runs in whole chunks
  // of `step` voxels (the vector width): from `begin` up to `stop` >= end, whose voxels past
  // `end` belong to the spans after this one and are written again by them (the caller's
  // guarantee), so that a span of ~32 voxels has no scalar epilogue, and the compiler no
  // prologue either (a count of chunks, each of a known width); step 1 runs [begin, stop).
  // Those voxels' weights are of their own spans, >= 0 and summing to 1: their y stay within
  // this span's range too.
  template <Poly poly, bool with_bias, int step>
  KOKKOS_INLINE_FUNCTION static void span_loop(std::int64_t begin, std::int64_t stop,
                                               T const* KOKKOS_RESTRICT in, T* KOKKOS_RESTRICT out,
                                               T* KOKKOS_RESTRICT bias, Compute const* w0,
                                               Compute const* w1, Compute const* w2,
                                               Compute const* w3, Compute const q[4],
                                               Compute const r[4], Compute scale) {
    Compute const q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3];
    std::int64_t const n = (stop - begin) / step;
    for (std::int64_t c = 0; c < n; ++c)
      for (int l = 0; l < step; ++l) {
        std::int64_t const x = begin + c * step + l;
        Compute const y = q0 * w0[x] + q1 * w1[x] + q2 * w2[x] + q3 * w3[x];
        Compute const g = poly == Poly::near      ? math::exp2_near(y, scale)
                          : poly == Poly::reduced ? math::exp2_reduced(y, scale)
                                                  : math::exp2_poly(y) * scale;
        out[x] = static_cast<T>(static_cast<Compute>(in[x]) * g);
        if (with_bias) bias[x] = static_cast<T>(sum(w0, w1, w2, w3, r, x));
      }
  }

  template <bool with_bias, int step>
  KOKKOS_INLINE_FUNCTION static void span_loop(Poly poly, std::int64_t begin, std::int64_t stop,
                                               T const* in, T* out, T* bias, Compute const* w0,
                                               Compute const* w1, Compute const* w2,
                                               Compute const* w3, Compute const q[4],
                                               Compute const r[4], Compute scale) {
    if (poly == Poly::near)
      span_loop<Poly::near, with_bias, step>(begin, stop, in, out, bias, w0, w1, w2, w3, q, r,
                                             scale);
    else if (poly == Poly::reduced)
      span_loop<Poly::reduced, with_bias, step>(begin, stop, in, out, bias, w0, w1, w2, w3, q, r,
                                                scale);
    else
      span_loop<Poly::general, with_bias, step>(begin, stop, in, out, bias, w0, w1, w2, w3, q, r,
                                                scale);
  }

  // What a CPU row needs before its loop: its centre, the gain's scale 2^centre, whether every
  // y of the row needs neither the clamp nor max_gain (inside), its exponents q (span_exponents'
  // values, buffered when the row has at most row_buffer control points) and whether every span
  // may take the cubic (near: nearly every row of a smooth field).
  struct Row {
    double const* f = nullptr;  // the row's CX collapsed values (the table's, or a local copy)
    double centre = 0;
    Compute scale = 0;
    bool inside = false, buffered = false, near = false;
    Compute q[row_buffer];
  };

  KOKKOS_INLINE_FUNCTION void prepare(double const* f, Row& r) const {
    double lo = 0, hi = 0;
    r.f = f;
    r.centre = centre_of(r.f, !unit_stride, r.inside, lo, hi);
    r.scale = static_cast<Compute>(math::exp2_poly(r.centre));
    r.buffered = field.CX <= row_buffer;
    if (!r.buffered) return;
    for (std::int64_t k = 0; k < field.CX; ++k)
      r.q[k] = static_cast<Compute>(-log2e * r.f[k] - r.centre);
    // Rounding is monotonic: the q of the row's extremes are its largest in magnitude.
    Compute const q_lo = static_cast<Compute>(lo - r.centre),
                  q_hi = static_cast<Compute>(hi - r.centre);
    r.near = unit_stride && r.inside &&
             kx::max(-q_lo, q_hi) <= static_cast<Compute>(math::exp2_near_reach());
  }

  // The spans of a row that run in whole chunks: all but those whose chunks would pass the
  // row's end (the last one or few, when any; a span's chunks pass the row's end only if every
  // span after it is shorter than a chunk).
  KOKKOS_INLINE_FUNCTION int chunked_spans() const {
    int j = field.bx.spans();
    while (j > 0 && span_stop(j - 1) < field.bx.span_begin(j)) --j;
    return j;
  }

  // Spans [j_begin, j_end) of near rows (every span on the cubic, its coefficients scaled once
  // per row; the sum relative to each span's q_0, see the header): one row a, with its log bias
  // (values r) when with_bias, or two rows a and b at once (two), sharing the loads of the weights
  // w (4 rows of X) and the loop; each row keeps its own exponents and cubic, so a pair gives the
  // same results as its rows alone. The voxels run in whole chunks of `step` (the compiler's vector
  // width, see span_stop; the chunks of a span may pass its end, and the next span rewrites those
  // voxels), or one by one (step 1) up to the span's end. Pointers are restrict parameters, so that
  // the loop vectorises.
  template <bool two, bool with_bias, int step>
  KOKKOS_INLINE_FUNCTION void near_spans(
      int j_begin, int j_end, Compute const* qa, Compute const* qb, Compute const* r,
      T const* KOKKOS_RESTRICT in_a, T const* KOKKOS_RESTRICT in_b, T* KOKKOS_RESTRICT out_a,
      T* KOKKOS_RESTRICT out_b, T* KOKKOS_RESTRICT bias, Compute const* KOKKOS_RESTRICT w,
      math::Exp2Near<Compute> const gain_a, math::Exp2Near<Compute> const gain_b) const {
    auto const& bx = field.bx;
    Compute const *w0 = w, *w1 = w0 + field.X, *w2 = w1 + field.X, *w3 = w2 + field.X;
    for (int j = j_begin; j < j_end; ++j) {
      Compute const a0 = qa[j], a1 = qa[j + 1] - a0, a2 = qa[j + 2] - a0, a3 = qa[j + 3] - a0;
      Compute const b0 = two ? qb[j] : 0, b1 = two ? qb[j + 1] - b0 : 0,
                    b2 = two ? qb[j + 2] - b0 : 0, b3 = two ? qb[j + 3] - b0 : 0;
      std::int64_t const begin = bx.span_begin(j);
      std::int64_t const n =
          step == 1 ? bx.span_begin(j + 1) - begin : (span_stop(j) - begin) / step;
      for (std::int64_t c = 0; c < n; ++c)
        for (int l = 0; l < step; ++l) {
          std::int64_t const x = begin + c * step + l;
          Compute const ya = a0 + a1 * w1[x] + a2 * w2[x] + a3 * w3[x];
          out_a[x] = static_cast<T>(static_cast<Compute>(in_a[x]) * gain_a(ya));
          if (with_bias) bias[x] = static_cast<T>(sum(w0, w1, w2, w3, r + j, x));
          if (two) {
            Compute const yb = b0 + b1 * w1[x] + b2 * w2[x] + b3 * w3[x];
            out_b[x] = static_cast<T>(static_cast<Compute>(in_b[x]) * gain_b(yb));
          }
        }
    }
  }

  // Near rows a (and b, when two) whole: the spans in whole chunks, then those left.
  template <int chunk, bool two, bool with_bias>
  KOKKOS_INLINE_FUNCTION void near_rows(Compute const* qa, Compute const* qb, Compute const* r,
                                        T const* in_a, T const* in_b, T* out_a, T* out_b, T* bias,
                                        math::Exp2Near<Compute> const gain_a,
                                        math::Exp2Near<Compute> const gain_b) const {
    int const chunked = chunked_spans();
    Compute const* w = weight.data();
    near_spans<two, with_bias, chunk>(0, chunked, qa, qb, r, in_a, in_b, out_a, out_b, bias, w,
                                      gain_a, gain_b);
    near_spans<two, with_bias, 1>(chunked, field.bx.spans(), qa, qb, r, in_a, in_b, out_a, out_b,
                                  bias, w, gain_a, gain_b);
  }

  // Any row (CPUs), prepared: a near row by near_rows, others span by span, each span's
  // polynomial chosen by its reach, clamped where the gains may pass the clamps.
  template <int chunk>
  KOKKOS_INLINE_FUNCTION void any_row(std::int64_t row, Row const& a) const {
    std::int64_t const z = row / field.Y, y = row % field.Y;
    auto const& bx = field.bx;
    std::int64_t const X = field.X;
    Compute const* KOKKOS_RESTRICT w0 = weight.data();
    Compute const* KOKKOS_RESTRICT w1 = w0 + X;
    Compute const* KOKKOS_RESTRICT w2 = w1 + X;
    Compute const* KOKKOS_RESTRICT w3 = w2 + X;
    T const* in = &input(z, y, 0);
    T* out = &corrected(z, y, 0);
    T* bias = has_bias ? &log_bias(z, y, 0) : nullptr;
    math::Exp2Near<Compute> const near(a.scale);
    if (a.near && !has_bias)
      return near_rows<chunk, false, false>(a.q, nullptr, nullptr, in, nullptr, out, nullptr,
                                            nullptr, near, near);
    if (a.near) {
      Compute r[row_buffer];
      for (std::int64_t k = 0; k < field.CX; ++k) r[k] = static_cast<Compute>(a.f[k]);
      return near_rows<chunk, false, true>(a.q, nullptr, r, in, nullptr, out, nullptr, bias, near,
                                           near);
    }
    Compute const c = static_cast<Compute>(a.centre);
    for (int j = 0; j < bx.spans(); ++j) {
      Compute q[4], r[4] = {0, 0, 0, 0};
      if (a.buffered)
        for (int k = 0; k < 4; ++k) q[k] = a.q[j + k];
      else
        span_exponents(a.f, j, a.centre, q);
      if (has_bias) span_values(a.f, j, r);
      Compute const q_lo = kx::min(kx::min(q[0], q[1]), kx::min(q[2], q[3]));
      Compute const q_hi = kx::max(kx::max(q[0], q[1]), kx::max(q[2], q[3]));
      // The weights are >= 0 and sum to 1, so y - centre lies between the four q (up to
      // rounding, which the margins of lowest, highest, exp2_near's fit and 0.49 cover).
      bool const inside = unit_stride && (a.inside || (q_lo + c >= lowest && q_hi + c <= highest));
      Compute const reach = kx::max(-q_lo, q_hi);
      Poly const poly = reach <= Compute(math::exp2_near_reach()) ? Poly::near
                        : reach <= Compute(0.49)                  ? Poly::reduced
                                                                  : Poly::general;
      std::int64_t const begin = bx.span_begin(j), end = bx.span_begin(j + 1);
      // Whole chunks while they stay in the row, then what they leave of the last span.
      std::int64_t const stop = span_stop(j);
      if (inside && bias == nullptr) {
        span_loop<false, chunk>(poly, begin, stop, in, out, bias, w0, w1, w2, w3, q, r, a.scale);
        span_loop<false, 1>(poly, stop, end, in, out, bias, w0, w1, w2, w3, q, r, a.scale);
      } else if (inside) {
        span_loop<true, chunk>(poly, begin, stop, in, out, bias, w0, w1, w2, w3, q, r, a.scale);
        span_loop<true, 1>(poly, stop, end, in, out, bias, w0, w1, w2, w3, q, r, a.scale);
      } else
        for (std::int64_t x = begin; x < end; ++x) {
          corrected(z, y, x) = static_cast<T>(static_cast<Compute>(input(z, y, x)) *
                                              gain(sum(w0, w1, w2, w3, q, x), c, a.scale));
          if (has_bias) log_bias(z, y, x) = static_cast<T>(sum(w0, w1, w2, w3, r, x));
        }
    }
  }

  // Rows `row` and row + 1 (CPUs) of collapsed values fa and fb, or `row` alone where fb is
  // null: two near rows without log bias run in one loop (near_rows), any others one by one.
  template <int chunk>
  KOKKOS_INLINE_FUNCTION void two_rows(std::int64_t row, double const* fa, double const* fb) const {
    Row a;
    prepare(fa, a);
    if (fb == nullptr) return any_row<chunk>(row, a);
    Row b;
    prepare(fb, b);
    if (a.near && b.near && !has_bias) {
      std::int64_t const z = row / field.Y, y = row % field.Y;
      std::int64_t const zb = (row + 1) / field.Y, yb = (row + 1) % field.Y;
      return near_rows<chunk, true, false>(a.q, b.q, nullptr, &input(z, y, 0), &input(zb, yb, 0),
                                           &corrected(z, y, 0), &corrected(zb, yb, 0), nullptr,
                                           math::Exp2Near<Compute>(a.scale),
                                           math::Exp2Near<Compute>(b.scale));
    }
    any_row<chunk>(row, a);
    any_row<chunk>(row + 1, b);
  }

  // CPUs, from the table (FromTable): rows 2 pair and 2 pair + 1.
  struct FromTable {};
  template <int chunk>
  KOKKOS_INLINE_FUNCTION void rows_of(FromTable, std::int64_t pair) const {
    std::int64_t const row = 2 * pair;
    double const* fa = &field.rows(row * field.CX);
    two_rows<chunk>(row, fa, row + 1 < n_rows ? fa + field.CX : nullptr);
  }

  // CPUs, from the lattice itself (FromLattice): a thread per block of `block` rows of a plane
  // z (the whole plane when there are planes enough to share out, see apply_bias), which
  // collapses the lattice over Z for z and over Y for each row into buffers of its own, as
  // prepare_lattice_on_grid would (the same sums: the same values), so that the call is one
  // kernel without a table in memory (one fork and join: on a shared machine, each waits for
  // any thread the system has paused).
  struct FromLattice {};
  static constexpr std::int64_t plane_buffer = 2048;  // CY CX that a block keeps at hand
  std::int64_t block = 0;  // even, so that pairs of rows stay within a block
  AxisBasis<MemorySpace> bz = {}, by = {};
  Kokkos::View<double const*, MemorySpace> coeff = {};
  int CZ = 0;
  std::int64_t CY = 0;

  template <int chunk>
  KOKKOS_INLINE_FUNCTION void rows_of(FromLattice, std::int64_t b) const {
    std::int64_t const per_plane = (field.Y + block - 1) / block;  // blocks
    std::int64_t const z = b / per_plane, y_begin = b % per_plane * block;
    std::int64_t const y_end = kx::min(y_begin + block, field.Y);
    double plane[plane_buffer];
    for (std::int64_t cy = 0; cy < CY; ++cy)
      for (std::int64_t cx = 0; cx < field.CX; ++cx)
        plane[cy * field.CX + cx] = collapse_z(bz, coeff, CZ, CY, field.CX, z, cy, cx);
    double fa[row_buffer], fb[row_buffer];
    for (std::int64_t y = y_begin; y < y_end; y += 2) {
      collapse_y(by, CY, field.CX, y, plane, fa);
      if (y + 1 < y_end) collapse_y(by, CY, field.CX, y + 1, plane, fb);
      two_rows<chunk>(z * field.Y + y, fa, y + 1 < y_end ? fb : nullptr);
    }
  }

#if BIK_WIDE_HOST_ENTRY
  template <class From>
  BIK_WIDE_HOST_FUNCTION void wide_rows_of(From from, std::int64_t i) const {
    rows_of<wide>(from, i);
  }
#endif

  // Work item i of a CPU kernel, through the wide entry where there is one and the call chose
  // wide chunks.
  template <class From>
  KOKKOS_INLINE_FUNCTION void cpu_rows(From from, std::int64_t i) const {
    if (!wide_chunks) return rows_of<narrow>(from, i);
#if BIK_WIDE_HOST_ENTRY
    wide_rows_of(from, i);
#else
    rows_of<wide>(from, i);
#endif
  }

  // A thread per pair of rows of the table, or per block of rows from the lattice (CPUs).
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t pair) const { cpu_rows(FromTable(), pair); }
  KOKKOS_INLINE_FUNCTION void operator()(FromLattice, std::int64_t b) const {
    cpu_rows(FromLattice(), b);
  }

  // A team per row, a thread per voxel (GPUs).
  KOKKOS_INLINE_FUNCTION void operator()(member_type const& team) const {
    std::int64_t const row = team.league_rank();
    std::int64_t const z = row / field.Y, y = row % field.Y;
    std::int64_t const X = field.X;
    Compute const* w0 = weight.data();
    double shift = 0;
    Kokkos::single(
        Kokkos::PerTeam(team),
        [&](double& s) {
          bool inside = false;
          double lo = 0, hi = 0;
          s = centre_of(&field.rows(row * field.CX), true, inside, lo, hi);
        },
        shift);
    Compute const k = static_cast<Compute>(shift);
    Compute const scale = math::exp2_integer<Compute>(static_cast<int>(shift));
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, X), [&](std::int64_t x) {
      int const j = field.bx.span(x);
      Compute q[4];
      span_exponents(&field.rows(row * field.CX), j, shift, q);
      corrected(z, y, x) =
          static_cast<T>(static_cast<Compute>(input(z, y, x)) *
                         gain(sum(w0, w0 + X, w0 + 2 * X, w0 + 3 * X, q, x), k, scale));
      if (has_bias) {
        Compute r[4];
        span_values(&field.rows(row * field.CX), j, r);
        log_bias(z, y, x) = static_cast<T>(sum(w0, w0 + X, w0 + 2 * X, w0 + 3 * X, r, x));
      }
    });
  }
};

// The X weights of `bx` in the compute type: the basis's own for double, a float copy from
// `ws` for float (so that float images run the per-voxel loop in float only). The last
// argument selects the type.
template <class ExecSpace, class MemorySpace>
Kokkos::View<double const*, MemorySpace> weights_as(ExecSpace const&,
                                                    AxisBasis<MemorySpace> const& bx,
                                                    Workspace<MemorySpace>*, double*) {
  return bx.weight;
}

template <class ExecSpace, class MemorySpace>
void convert_weights(ExecSpace const& space, Kokkos::View<double const*, MemorySpace> from,
                     Kokkos::View<float*, MemorySpace> to) {
  Kokkos::parallel_for(
      "bik::n4::apply_weights",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(
          space, 0, static_cast<std::int64_t>(from.extent(0))),
      KOKKOS_LAMBDA(std::int64_t i) { to(i) = static_cast<float>(from(i)); });
}

// Where the host reaches the memory (CPUs), it writes the copy itself: a thousand values, less
// than a kernel's fork and join, and one wait fewer for a thread that the system has paused.
template <class ExecSpace, class MemorySpace>
Kokkos::View<float const*, MemorySpace> weights_as(ExecSpace const& space,
                                                   AxisBasis<MemorySpace> const& bx,
                                                   Workspace<MemorySpace>* ws, float*) {
  Kokkos::View<double const*, MemorySpace> const from = bx.weight;
  auto to =
      Workspace<MemorySpace>::template get<float>(ws, "bik::n4::apply_weights", from.extent(0));
  if constexpr (ApplyBiasShape<ExecSpace>::thread_per_row) {
    space.fence();  // an earlier call's kernel may still read `to` (asynchronous spaces)
    for (std::size_t i = 0; i < from.extent(0); ++i) to(i) = static_cast<float>(from(i));
  } else
    convert_weights(space, from, to);
  return to;
}

// Per span j of `bx` (CPU rows): span_begin(j) + chunk * n, n its chunks of `chunk` samples
// that cover it, or fewer where they would pass the axis's end. Computed once per call rather
// than once per span of every row, by the host (a handful of values, see weights_as).
template <class ExecSpace, class MemorySpace>
Kokkos::View<std::int64_t const*, MemorySpace> span_stops(ExecSpace const& space,
                                                          AxisBasis<MemorySpace> const& bx,
                                                          std::int64_t chunk,
                                                          Workspace<MemorySpace>* ws) {
  static_assert(ApplyBiasShape<ExecSpace>::thread_per_row, "span stops are the CPU rows'");
  auto stops = Workspace<MemorySpace>::template get<std::int64_t>(ws, "bik::n4::apply_span_stop",
                                                                  bx.spans());
  space.fence();  // as in weights_as
  std::int64_t const n = bx.samples;
  for (int j = 0; j < bx.spans(); ++j) {
    std::int64_t const begin = bx.span_begin(j),
                       covering = (bx.span_begin(j + 1) - begin + chunk - 1) / chunk,
                       in_axis = (n - begin) / chunk;
    stops(j) = begin + chunk * (covering < in_axis ? covering : in_axis);
  }
  return stops;
}

}  // namespace detail

// The floor on the divisor exp(field) of each semantics: none for ITK, 1e-6 for linumpy.
inline double bias_floor(Semantics semantics) {
  return semantics == Semantics::linumpy ? 1e-6 : 0.0;
}

namespace detail {

// apply_bias's functor for `field`, its clamps and tables set.
template <class ExecSpace, class MemorySpace, class T>
ApplyBiasRows<ExecSpace, MemorySpace, T> apply_rows(
    ExecSpace const& space, LatticeOnGrid<MemorySpace> const& field,
    Volume<T const, MemorySpace> input, Volume<T, MemorySpace> corrected,
    Volume<T, MemorySpace> log_bias, Workspace<MemorySpace>* ws, Semantics semantics) {
  require(corrected.data() != input.data() && log_bias.data() != input.data(),
          "bik::n4::apply_bias",
          "corrected and log_bias must be other volumes than the input (no correction in place)");
  using Rows = ApplyBiasRows<ExecSpace, MemorySpace, T>;
  using Compute = typename Rows::Compute;
  Rows rows{field, input, corrected, log_bias,
            weights_as(space, field.bx, ws, static_cast<Compute*>(nullptr))};
  double const floor = bias_floor(semantics);
  rows.limit = math::exp2_poly_limit(Compute()) - Rows::max_shift;
  rows.max_gain =
      floor > 0.0 ? static_cast<Compute>(1.0 / floor) : std::numeric_limits<Compute>::max();
  // Within 1 of the clamp the sum's rounding past the four values cannot cross it; 0.015 below
  // log2(max_gain), the bias is 1% above the floor: far from rounding.
  rows.lowest = 1 - rows.limit;
  rows.highest = rows.limit - 1;
  if (floor > 0.0 && -std::log2(floor) - 0.015 < rows.highest)
    rows.highest = static_cast<Compute>(-std::log2(floor) - 0.015);
  rows.has_bias = log_bias.data() != nullptr;
  rows.unit_stride = input.stride_2() == 1 && corrected.stride_2() == 1 &&
                     (!rows.has_bias || log_bias.stride_2() == 1);
  rows.n_rows = shape_of(input).z * field.Y;
  if constexpr (ApplyBiasShape<ExecSpace>::thread_per_row) {
    rows.wide_chunks = host_vectors() == HostVectors::wide;
    rows.span_stop = span_stops(space, field.bx, rows.wide_chunks ? Rows::wide : Rows::narrow, ws);
  }
  return rows;
}

}  // namespace detail

// corrected = input / max(exp(field), floor) and, if `log_bias` is not empty, log_bias = field,
// for a field already collapsed over Z and Y on the image's grid (prepare_lattice_on_grid);
// the floor is the semantics' bias_floor. The outputs must not be the input: a CPU span writes
// past its end before the next span reads its input (not in place).
template <class ExecSpace, class MemorySpace, class T>
void apply_bias(ExecSpace const& space, LatticeOnGrid<MemorySpace> const& field,
                Volume<T const, MemorySpace> input, Volume<T, MemorySpace> corrected,
                Volume<T, MemorySpace> log_bias, Workspace<MemorySpace>* ws = nullptr,
                Semantics semantics = Semantics::itk) {
  auto const rows = detail::apply_rows(space, field, input, corrected, log_bias, ws, semantics);
  if constexpr (ApplyBiasShape<ExecSpace>::thread_per_row)
    Kokkos::parallel_for("bik::n4::apply_bias",
                         Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(
                             space, 0, (rows.n_rows + 1) / 2),
                         rows);
  else
    Kokkos::parallel_for("bik::n4::apply_bias",
                         Kokkos::TeamPolicy<ExecSpace>(space, rows.n_rows, Kokkos::AUTO), rows);
}

// The same from the lattice: `basis` is for the image's grid, `log_bias` may be empty. CPUs
// collapse the lattice block by block within the kernel where its rows and planes fit their
// buffers (ApplyBiasRows::FromLattice), others through prepare_lattice_on_grid's table.
template <class ExecSpace, class MemorySpace, class T>
void apply_bias(ExecSpace const& space, GridBasis<MemorySpace> const& basis,
                NonDeduced<Kokkos::View<double const*, MemorySpace>> coeff,
                Volume<T const, MemorySpace> input, Volume<T, MemorySpace> corrected,
                Volume<T, MemorySpace> log_bias, Workspace<MemorySpace>* ws,
                Semantics semantics = Semantics::itk) {
  if constexpr (ApplyBiasShape<ExecSpace>::thread_per_row) {
    using Rows = detail::ApplyBiasRows<ExecSpace, MemorySpace, T>;
    std::int64_t const CY = basis.lattice.y, CX = basis.lattice.x;
    if (CX <= Rows::row_buffer && CY * CX <= Rows::plane_buffer) {
      LatticeOnGrid<MemorySpace> const field{basis.grid.y, basis.grid.x, CX, basis.x, {}};
      auto rows = detail::apply_rows(space, field, input, corrected, log_bias, ws, semantics);
      rows.bz = basis.z;
      rows.by = basis.y;
      rows.coeff = coeff;
      rows.CZ = basis.lattice.z;
      rows.CY = CY;
      // About 128 blocks or more (planes whole where there are that many), each collapsing its
      // plane over Z once.
      std::int64_t const Z = shape_of(input).z, Y = basis.grid.y;
      std::int64_t const split = kx::max(
          kx::min((128 + Z - 1) / kx::max(Z, std::int64_t(1)), (Y + 1) / 2), std::int64_t(1));
      rows.block = ((Y + split - 1) / split + 1) / 2 * 2;
      std::int64_t const blocks = Z * ((Y + rows.block - 1) / rows.block);
      Kokkos::parallel_for("bik::n4::apply_bias",
                           Kokkos::RangePolicy<ExecSpace, typename Rows::FromLattice,
                                               Kokkos::IndexType<std::int64_t>>(space, 0, blocks),
                           rows);
      return;
    }
  }
  apply_bias(space, prepare_lattice_on_grid(space, basis, coeff, ws), input, corrected, log_bias,
             ws, semantics);
}

}  // namespace bik::n4

#endif
