// In-place order statistics for device code: introselect built on a branch-free partition
// (one pass, no data-dependent branches, so random data costs no mispredictions), with a
// median-of-three pivot, a second split that peels off runs equal to the pivot (ties in
// integer images), and heap sort as the fallback when partitions stop shrinking. The k-th
// smallest of n values costs O(n) expected and O(n log n) at worst. Values must not be NaN.
#ifndef BIK_CORE_SELECTION_HPP
#define BIK_CORE_SELECTION_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

namespace detail {
template <class A>
KOKKOS_INLINE_FUNCTION void swap_at(A const& a, std::int64_t i, std::int64_t j) {
  auto t = a(i);
  a(i) = a(j);
  a(j) = t;
}

template <class A>
KOKKOS_INLINE_FUNCTION void insertion_sort(A const& a, std::int64_t begin, std::int64_t end) {
  for (std::int64_t i = begin + 1; i < end; ++i) {
    auto v = a(i);
    std::int64_t j = i;
    for (; j > begin && v < a(j - 1); --j) a(j) = a(j - 1);
    a(j) = v;
  }
}

template <class A>
KOKKOS_INLINE_FUNCTION void sift_down(A const& a, std::int64_t base, std::int64_t root,
                                      std::int64_t n) {
  while (true) {
    std::int64_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && a(base + child) < a(base + child + 1)) ++child;
    if (!(a(base + root) < a(base + child))) return;
    swap_at(a, base + root, base + child);
    root = child;
  }
}

template <class A>
KOKKOS_INLINE_FUNCTION void heap_sort(A const& a, std::int64_t begin, std::int64_t end) {
  std::int64_t const n = end - begin;
  for (std::int64_t i = n / 2; i-- > 0;) sift_down(a, begin, i, n);
  for (std::int64_t last = n - 1; last > 0; --last) {
    swap_at(a, begin, begin + last);
    sift_down(a, begin, 0, last);
  }
}
}  // namespace detail

namespace detail {
// Moves the values for which goes_left(value) holds to the front of [begin, end) and returns
// where the rest starts. Branch-free Lomuto: every step swaps, the boundary advances by 0 or 1.
template <class A, class Pred>
KOKKOS_INLINE_FUNCTION std::int64_t partition(A const& a, std::int64_t begin, std::int64_t end,
                                              Pred const& goes_left) {
  std::int64_t first = begin;
  for (std::int64_t i = begin; i < end; ++i) {
    auto const x = a(i);
    bool const left = goes_left(x);
    a(i) = a(first);
    a(first) = x;
    first += left ? 1 : 0;
  }
  return first;
}
}  // namespace detail

// Rearranges a(begin..end) so that a(k) is the value that would be there if the range were
// sorted, with no larger value before it and no smaller value after it.
template <class A>
KOKKOS_INLINE_FUNCTION void select_nth(A const& a, std::int64_t begin, std::int64_t end,
                                       std::int64_t k) {
  int budget = 16;
  for (std::int64_t n = end - begin; n > 1; n >>= 1) budget += 2;
  while (end - begin > 16) {
    if (budget-- == 0) {
      detail::heap_sort(a, begin, end);
      return;
    }
    auto const lo = a(begin), mid = a(begin + (end - begin) / 2), hi = a(end - 1);
    auto const pivot = (lo < mid) ? ((mid < hi) ? mid : (lo < hi ? hi : lo))
                                  : ((lo < hi) ? lo : (mid < hi ? hi : mid));
    std::int64_t const split = detail::partition(a, begin, end, [&](auto x) { return x < pivot; });
    if (k < split) {
      end = split;
    } else if (split > begin) {
      begin = split;
    } else {
      // The pivot is the range's minimum: peel off every value equal to it.
      std::int64_t const equal_end =
          detail::partition(a, begin, end, [&](auto x) { return !(pivot < x); });
      if (k < equal_end) return;  // a(k) == pivot
      begin = equal_end;
    }
  }
  detail::insertion_sort(a, begin, end);
}

// Places the values of ranks ranks[0] <= ranks[1] <= ... (each in [0, n)) at those positions of
// a(0..n), as if a were sorted there. A rank right after the previous one costs one min scan.
template <class A>
KOKKOS_INLINE_FUNCTION void select_ranks(A const& a, std::int64_t n, std::int64_t const* ranks,
                                         int count) {
  std::int64_t begin = 0;  // everything before `begin` is final
  for (int r = 0; r < count; ++r) {
    std::int64_t const k = ranks[r];
    if (k < begin) continue;  // already placed (repeated rank)
    if (k == begin) {
      std::int64_t best = begin;
      for (std::int64_t i = begin + 1; i < n; ++i)
        if (a(i) < a(best)) best = i;
      detail::swap_at(a, begin, best);
    } else {
      select_nth(a, begin, n, k);
    }
    begin = k + 1;
  }
}

}  // namespace bik

#endif
