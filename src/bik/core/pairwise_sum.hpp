// numpy's pairwise summation, reproduced for device code. numpy sums a contiguous float64 array
// in leaves of at most 128 elements (eight interleaved accumulators) joined by a binary tree
// that splits at a multiple of 8; using the same tree makes bik's sums, means and standard
// deviations bit-identical to cp_measure's numpy ones. The recursion is unrolled onto a small
// fixed stack (depth <= 64), so it is safe in any execution space. Several sums over the same
// range can share one walk (Lanes<N>): each lane is still summed in numpy's order.
#ifndef BIK_CORE_PAIRWISE_SUM_HPP
#define BIK_CORE_PAIRWISE_SUM_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

// N doubles added lane by lane.
template <int N>
struct Lanes {
  double v[N];
  KOKKOS_INLINE_FUNCTION static Lanes filled(double x) {
    Lanes r;
    for (int j = 0; j < N; ++j) r.v[j] = x;
    return r;
  }
  KOKKOS_INLINE_FUNCTION Lanes& operator+=(Lanes const& o) {
    for (int j = 0; j < N; ++j) v[j] += o.v[j];
    return *this;
  }
  KOKKOS_INLINE_FUNCTION friend Lanes operator+(Lanes a, Lanes const& b) { return a += b; }
  KOKKOS_INLINE_FUNCTION double operator[](int j) const { return v[j]; }
};

namespace detail {
template <int N, class Get>
KOKKOS_INLINE_FUNCTION Lanes<N> pairwise_leaf(Get const& get, std::int64_t begin, std::int64_t n) {
  if (n < 8) {
    Lanes<N> sum = Lanes<N>::filled(-0.0);  // as numpy: a sum of only -0.0 stays negative here
    for (std::int64_t i = 0; i < n; ++i) sum += get(begin + i);
    return sum;
  }
  Lanes<N> r[8];
  for (int j = 0; j < 8; ++j) r[j] = get(begin + j);
  std::int64_t i = 8;
  for (; i < n - (n % 8); i += 8)
    for (int j = 0; j < 8; ++j) r[j] += get(begin + i + j);
  Lanes<N> sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; i < n; ++i) sum += get(begin + i);
  return sum;
}
}  // namespace detail

// Walks numpy's summation tree over n elements: leaf(begin, size) gives the sum of a leaf (at
// most 128 elements), and the leaf sums are joined pairwise in the tree's order. Leaves are
// visited in ascending order, so a walker can also record them or replay precomputed sums (see
// team_pairwise_sum.hpp). The reduction starts from numpy's identity 0.0, hence `zero +`.
template <int N, class Leaf>
KOKKOS_INLINE_FUNCTION Lanes<N> pairwise_tree(std::int64_t n, Leaf&& leaf) {
  constexpr std::int64_t max_leaf = 128;
  Lanes<N> const zero = Lanes<N>::filled(0.0);
  if (n <= max_leaf) return zero + leaf(std::int64_t(0), n);
  // Explicit post-order walk of the split tree: each frame is a range still to be summed;
  // `stage` is 1 while its left half runs and 2 while its right half runs (left sum kept).
  std::int64_t begin[64], size[64], half[64];
  Lanes<N> left[64];
  int stage[64];
  int top = 0;
  begin[0] = 0;
  size[0] = n;
  Lanes<N> result = zero;
  while (true) {
    if (size[top] <= max_leaf) {
      result = leaf(begin[top], size[top]);
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
    if (top < 0) return zero + result;
    left[top] = result;
    stage[top] = 2;
    begin[top + 1] = begin[top] + half[top];
    size[top + 1] = size[top] - half[top];
    ++top;
  }
}

// Sums get(0) .. get(n-1), each a Lanes<N>, lane by lane in numpy's pairwise order.
template <int N, class Get>
KOKKOS_INLINE_FUNCTION Lanes<N> pairwise_sums(Get const& get, std::int64_t n) {
  return pairwise_tree<N>(n, [&](std::int64_t begin, std::int64_t size) {
    return detail::pairwise_leaf<N>(get, begin, size);
  });
}

// Sum of get(0) .. get(n-1) (doubles) in numpy's pairwise order.
template <class Get>
KOKKOS_INLINE_FUNCTION double pairwise_sum(Get const& get, std::int64_t n) {
  return pairwise_sums<1>([&](std::int64_t i) { return Lanes<1>{{get(i)}}; }, n)[0];
}

}  // namespace bik

#endif
