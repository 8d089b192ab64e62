// In-place order statistics for device code: introselect (quickselect with Hoare partitioning
// around a median of three, falling back to heap sort when the partitions stop shrinking), so
// the k-th smallest of n values costs O(n) expected and O(n log n) at worst. Hoare's scheme
// splits runs of equal values evenly, so ties (integer images) do not degrade it. Values must
// not be NaN.
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
    // Order first, middle and last; the middle becomes the pivot and the ends act as
    // sentinels for the two scans.
    std::int64_t const m = begin + (end - begin) / 2;
    if (a(m) < a(begin)) detail::swap_at(a, m, begin);
    if (a(end - 1) < a(begin)) detail::swap_at(a, end - 1, begin);
    if (a(end - 1) < a(m)) detail::swap_at(a, end - 1, m);
    auto const pivot = a(m);
    // Hoare partition: afterwards [begin, j] <= pivot <= [j + 1, end).
    std::int64_t i = begin - 1, j = end;
    while (true) {
      do ++i; while (a(i) < pivot);
      do --j; while (pivot < a(j));
      if (i >= j) break;
      detail::swap_at(a, i, j);
    }
    if (k <= j) {
      end = j + 1;
    } else {
      begin = j + 1;
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
