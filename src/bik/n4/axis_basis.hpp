// One axis of the tensor-product B-spline sampled on a grid: for each of the n samples the
// first of its four control points (its span j, columns j..j+3 as in ITK, spec n4.md §12) and
// the four weights; and, per control point, the contiguous range of samples that touch it,
// so that contractions gather (one output per thread, no atomics); and, per span, its
// contiguous range of samples, so that evaluations loop over a span with the four control
// points fixed (vectorisable on CPUs). Weights are stored per k (4 rows of n), so that
// consecutive samples' weights are contiguous. A degenerate axis (n = 1,
// the Z axis of a 2D image) has one control point with weight 1. A basis may hold a window
// [first, end) of the axis's samples only (a section of a volume): its sample i is the axis's
// sample first + i, placed on the lattice of the whole axis.
#ifndef BIK_N4_AXIS_BASIS_HPP
#define BIK_N4_AXIS_BASIS_HPP

#include "bik/core/error.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/cubic_bspline.hpp"
#include "bik/n4/semantics.hpp"

#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <string>

namespace bik::n4 {

template <class MemorySpace>
struct AxisBasis {
  std::int64_t samples = 0;
  int controls = 0;                               // spans + 3, or 1 on a degenerate axis
  Kokkos::View<std::int32_t*, MemorySpace> span;  // per sample: its first control point
  Kokkos::View<double*, MemorySpace> weight;      // (4, n): weight k of sample i, for span(i) + k
  Kokkos::View<std::int64_t*, MemorySpace> first, last;  // per control point: samples [first, last)
  // Per span j: its samples [span_begin(j), span_begin(j + 1)).
  Kokkos::View<std::int64_t*, MemorySpace> span_begin;

  // Weight of sample i for control point span(i) + k.
  KOKKOS_INLINE_FUNCTION double w(std::int64_t i, int k) const { return weight(k * samples + i); }
  // Spans (1 on a degenerate axis).
  KOKKOS_INLINE_FUNCTION int spans() const { return controls == 1 ? 1 : controls - 3; }
};

// The basis of an n-sample axis on `spans` spans (degenerate: n == 1 and spans == 0). Its tables
// come from `ws` (buffers named after `name`) when one is given. `semantics` places the samples
// as ITK does or as linumpy does (cubic_bspline.hpp). [window_begin, window_end) selects the
// samples to hold (all of them when window_end <= window_begin).
template <class MemorySpace>
AxisBasis<MemorySpace> make_axis_basis(std::int64_t axis_samples, int spans,
                                       Workspace<MemorySpace>* ws = nullptr,
                                       std::string const& name = "bik::n4::axis",
                                       Semantics semantics = Semantics::itk,
                                       std::int64_t window_begin = 0, std::int64_t window_end = 0) {
  bool const degenerate = spans == 0;
  require(degenerate ? axis_samples == 1 : axis_samples >= 2 && spans >= 1,
          "bik::n4::make_axis_basis",
          "an axis needs at least 2 samples and 1 span, got " + std::to_string(axis_samples) +
              " samples and " + std::to_string(spans) + " spans");
  if (window_end <= window_begin) window_end = axis_samples, window_begin = 0;
  require(window_begin >= 0 && window_end <= axis_samples, "bik::n4::make_axis_basis",
          "the window of samples [" + std::to_string(window_begin) + ", " +
              std::to_string(window_end) + ") is not inside the axis's " +
              std::to_string(axis_samples) + " samples");
  std::int64_t const n = window_end - window_begin;
  using Buffers = Workspace<MemorySpace>;
  AxisBasis<MemorySpace> b;
  b.samples = n;
  b.controls = degenerate ? 1 : spans + 3;
  b.span = Buffers::template get<std::int32_t>(ws, name + ".span", n);
  b.weight = Buffers::template get<double>(ws, name + ".weight", 4 * n);
  b.first = Buffers::template get<std::int64_t>(ws, name + ".first", b.controls);
  b.last = Buffers::template get<std::int64_t>(ws, name + ".last", b.controls);
  b.span_begin = Buffers::template get<std::int64_t>(ws, name + ".span_begin", b.spans() + 1);
  auto span = Kokkos::create_mirror_view(b.span);
  auto span_begin = Kokkos::create_mirror_view(b.span_begin);
  auto weight = Kokkos::create_mirror_view(b.weight);
  auto first = Kokkos::create_mirror_view(b.first);
  auto last = Kokkos::create_mirror_view(b.last);
  for (int c = 0; c < b.controls; ++c) {
    first(c) = n;
    last(c) = 0;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    double w[4] = {1.0, 0.0, 0.0, 0.0};
    std::int32_t j = 0;
    std::int64_t const on_axis = window_begin + i;
    if (!degenerate && semantics == Semantics::linumpy) {
      linumpy_span_weights(on_axis, axis_samples, spans, j, w);
    } else if (!degenerate) {
      double const u = parametric_position(on_axis, axis_samples, spans);
      j = static_cast<std::int32_t>(std::floor(u));
      cubic_bspline_weights(u - j, w);
    }
    span(i) = j;
    for (int k = 0; k < 4; ++k) weight(k * n + i) = w[k];
    // Samples are in span order, so each control point's samples are contiguous.
    for (int k = 0; k < (degenerate ? 1 : 4); ++k) {
      if (first(j + k) == n) first(j + k) = i;
      last(j + k) = i + 1;
    }
  }
  for (int c = 0; c < b.controls; ++c)
    if (first(c) == n) first(c) = last(c) = 0;  // no sample touches it (coarse grids)
  std::int64_t i = 0;
  for (int j = 0; j <= b.spans(); ++j) {  // spans without samples get empty ranges
    while (i < n && span(i) < j) ++i;
    span_begin(j) = i;
  }
  Kokkos::deep_copy(b.span, span);
  Kokkos::deep_copy(b.weight, weight);
  Kokkos::deep_copy(b.first, first);
  Kokkos::deep_copy(b.last, last);
  Kokkos::deep_copy(b.span_begin, span_begin);
  return b;
}

// Weight of sample i for control point c (c in span(i) .. span(i) + 3).
template <class Basis>
KOKKOS_INLINE_FUNCTION double basis_weight(Basis const& b, std::int64_t i, int c) {
  return b.w(i, c - b.span(i));
}

}  // namespace bik::n4

#endif
