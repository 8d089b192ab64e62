// numpy's pairwise summation, reproduced for device code. numpy sums a contiguous float64 array
// in leaves of at most 128 elements (eight interleaved accumulators) joined by a binary tree
// that splits at a multiple of 8; using the same tree makes bik's sums, means and standard
// deviations bit-identical to cp_measure's numpy ones. The recursion is unrolled onto a small
// fixed stack (depth <= 64), so it is safe in any execution space.
#ifndef BIK_CORE_PAIRWISE_SUM_HPP
#define BIK_CORE_PAIRWISE_SUM_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

namespace detail {
template <class Get>
KOKKOS_INLINE_FUNCTION double pairwise_leaf(Get const& get, std::int64_t begin, std::int64_t n) {
  if (n < 8) {
    double sum = -0.0;  // as numpy: keeps a sum of only -0.0 negative inside the tree
    for (std::int64_t i = 0; i < n; ++i) sum += get(begin + i);
    return sum;
  }
  double r[8];
  for (int j = 0; j < 8; ++j) r[j] = get(begin + j);
  std::int64_t i = 8;
  for (; i < n - (n % 8); i += 8)
    for (int j = 0; j < 8; ++j) r[j] += get(begin + i + j);
  double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; i < n; ++i) sum += get(begin + i);
  return sum;
}
}  // namespace detail

// Sum of get(0) .. get(n-1) in numpy's pairwise order. `get` is any device-callable.
template <class Get>
KOKKOS_INLINE_FUNCTION double pairwise_sum(Get const& get, std::int64_t n) {
  constexpr std::int64_t leaf = 128;
  // The reduction itself starts from numpy's identity 0.0, hence the `0.0 +` on both returns.
  if (n <= leaf) return 0.0 + detail::pairwise_leaf(get, 0, n);
  // Explicit post-order walk of the split tree: each frame is a range still to be summed;
  // `stage` is 0 before its left half, 1 while its right half runs (left sum kept in `left`).
  std::int64_t begin[64], size[64], half[64];
  double left[64];
  int stage[64];
  int top = 0;
  begin[0] = 0;
  size[0] = n;
  stage[0] = 0;
  double result = 0.0;
  while (true) {
    if (size[top] <= leaf) {
      result = detail::pairwise_leaf(get, begin[top], size[top]);
      --top;
    } else {
      std::int64_t h = size[top] / 2;
      h -= h % 8;
      half[top] = h;
      stage[top] = 1;
      begin[top + 1] = begin[top];
      size[top + 1] = h;
      ++top;
      continue;
    }
    // `result` completes a child of frame `top`: climb until a right half is still to do.
    while (top >= 0 && stage[top] == 2) {
      result = left[top] + result;
      --top;
    }
    if (top < 0) return 0.0 + result;
    left[top] = result;
    stage[top] = 2;
    begin[top + 1] = begin[top] + half[top];
    size[top + 1] = size[top] - half[top];
    ++top;
  }
}

}  // namespace bik

#endif
