// The convex hull of one object as centrosome's convex_hull_ijv builds it (spec §8.6): from the
// object's column envelopes (lowest and highest row of every column), a monotone chain that
// emits counter-clockwise (x = column, y = row) from (lower[start], start), the lower envelope
// left to right, then the upper envelope right to left down to start + 1, then
// (upper[start], start) if it differs. Collinear points are dropped, except at a "U-turn".
// The vertex order matters: the minimum enclosing circle starts from the first two vertices.
//
// centrosome writes its hull over its input array and skips an upper-envelope point when that
// would overwrite input not yet read. Such a skipped point is a repeat that the following
// prunes remove anyway, so the hull here, computed per object without that shared array, is
// the same: the unit tests hold it to centrosome's hulls of thousands of random small shapes
// (tests/data/make_zernike_golden.py), where the skip does happen.
#ifndef BIK_MEASURE_CONVEX_HULL_HPP
#define BIK_MEASURE_CONVEX_HULL_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

// Marks of an empty column in the envelopes.
constexpr std::int32_t kEnvelopeNoLower = 2147483647;
constexpr std::int32_t kEnvelopeNoUpper = -1;

namespace detail {
// Whether a -> b -> c turns left (convex when walking counter-clockwise), centrosome's test:
// the cross product (x = column, y = row) is positive, or zero at a U-turn (b right of both).
KOKKOS_INLINE_FUNCTION bool hull_convex(std::int64_t ai, std::int64_t aj, std::int64_t bi,
                                        std::int64_t bj, std::int64_t ci, std::int64_t cj) {
  std::int64_t const cross = (bj - aj) * (ci - bi) - (cj - bj) * (bi - ai);
  if (cross > 0) return true;
  if (cross < 0) return false;
  return bj > aj && bj > cj;
}

// Pushes (i, j) after popping the points that would make a concavity; returns the new count.
KOKKOS_INLINE_FUNCTION int hull_emit(std::int32_t* hi, std::int32_t* hj, int count, std::int32_t i,
                                     std::int32_t j) {
  while (count >= 2 &&
         !hull_convex(hi[count - 2], hj[count - 2], hi[count - 1], hj[count - 1], i, j))
    --count;
  hi[count] = i;
  hj[count] = j;
  return count + 1;
}
}  // namespace detail

namespace detail {
// The chain's input, position p of 2 * width - 1: the lower envelope left to right (p = column),
// then the upper envelope right to left down to column 1 (p = width .. 2 * width - 2). Returns
// false for an empty column.
KOKKOS_INLINE_FUNCTION bool hull_input(std::int32_t const* lower, std::int32_t const* upper,
                                       std::int32_t start_j, std::int32_t width, std::int64_t p,
                                       std::int32_t& i, std::int32_t& j) {
  std::int32_t const c = p < width ? static_cast<std::int32_t>(p)
                                   : static_cast<std::int32_t>(2 * std::int64_t(width) - 1 - p);
  i = p < width ? lower[c] : upper[c];
  j = start_j + c;
  return p < width ? i != kEnvelopeNoLower : i != kEnvelopeNoUpper;
}

// The chain from an empty stack over input positions [begin, end), into hi, hj; returns the
// count. The stack never outgrows the input read, so hi may be the input's own positions.
KOKKOS_INLINE_FUNCTION int hull_chain(std::int32_t const* lower, std::int32_t const* upper,
                                      std::int32_t start_j, std::int32_t width, std::int64_t begin,
                                      std::int64_t end, std::int32_t* hi, std::int32_t* hj) {
  int count = 0;
  for (std::int64_t p = begin; p < end; ++p) {
    std::int32_t i = 0, j = 0;
    if (hull_input(lower, upper, start_j, width, p, i, j)) count = hull_emit(hi, hj, count, i, j);
  }
  return count;
}

// The closing point (upper[start], start) is always pruned against; it is added only if the
// first column has two distinct ends.
KOKKOS_INLINE_FUNCTION int hull_close(std::int32_t* hi, std::int32_t* hj, int count,
                                      std::int32_t lower0, std::int32_t upper0,
                                      std::int32_t start_j) {
  while (count >= 2 &&
         !hull_convex(hi[count - 2], hj[count - 2], hi[count - 1], hj[count - 1], upper0, start_j))
    --count;
  if (lower0 != upper0) {
    hi[count] = upper0;
    hj[count] = start_j;
    ++count;
  }
  return count;
}
}  // namespace detail

// Hull vertices (row hi[v], column hj[v]) of an object whose columns start_j .. start_j +
// width - 1 have envelopes lower[c], upper[c] (kEnvelopeNoLower / kEnvelopeNoUpper where a
// column is empty; columns 0 and width - 1 are not). hi and hj need room for 2 * width + 1
// points. Returns the vertex count. O(width), sequential.
KOKKOS_INLINE_FUNCTION int object_convex_hull(std::int32_t const* lower, std::int32_t const* upper,
                                              std::int32_t start_j, std::int32_t width,
                                              std::int32_t* hi, std::int32_t* hj) {
  int const count =
      detail::hull_chain(lower, upper, start_j, width, 0, 2 * std::int64_t(width) - 1, hi, hj);
  return detail::hull_close(hi, hj, count, lower[0], upper[0], start_j);
}

}  // namespace bik

#endif
