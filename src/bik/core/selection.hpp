// In-place order statistics for device code: introselect built on a branch-free partition
// (one pass, no data-dependent branches, so random data costs no mispredictions), with a
// median-of-three or ninther pivot, a second split that peels off runs equal to the pivot (ties in
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

template <class T>
KOKKOS_INLINE_FUNCTION T median_of_three(T lo, T mid, T hi) {
  return (lo < mid) ? ((mid < hi) ? mid : (lo < hi ? hi : lo))
                    : ((lo < hi) ? lo : (mid < hi ? hi : mid));
}

// The pivot of [begin, end): the median of three on small ranges, else Tukey's ninther of nine
// values spread evenly over the range. Segments arrive in raster order, where the ends of an
// object are its dim rim and its middle the bright centre: three samples there make a pivot
// near the bottom (slow, lopsided splits); nine spread ones track the distribution.
template <class A>
KOKKOS_INLINE_FUNCTION auto choose_pivot(A const& a, std::int64_t begin, std::int64_t end) {
  std::int64_t const n = end - begin;
  if (n < 128) return median_of_three(a(begin), a(begin + n / 2), a(end - 1));
  auto const at = [&](int j) { return a(begin + (n * (2 * j + 1)) / 18); };
  return median_of_three(median_of_three(at(0), at(1), at(2)), median_of_three(at(3), at(4), at(5)),
                         median_of_three(at(6), at(7), at(8)));
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
    auto const pivot = detail::choose_pivot(a, begin, end);
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

// Places the values of ranks ranks[0] <= ranks[1] <= ... (each in [0, n), count <= 16) at those
// positions of a(0..n), as if a were sorted there. One multiselect: each partition sends the
// ranks below its split to the left part and the others to the right, so the ranks share the
// early passes over the whole range (about 2-3 n element steps for the six quartile ranks,
// against about 7 n when they are selected one after another).
template <class A>
KOKKOS_INLINE_FUNCTION void select_ranks(A const& a, std::int64_t n, std::int64_t const* ranks,
                                         int count) {
  struct Part {
    std::int64_t begin, end;  // a range still to order ...
    int first, last;          // ... holding ranks[first..last)
    int budget;               // partitions left before heap sort takes over
  };
  Part stack[16];  // a part is pushed only when its ranks split in two: at most `count` wait
  int budget = 16;
  for (std::int64_t m = n; m > 1; m >>= 1) budget += 2;
  int size = 0;
  stack[size++] = Part{0, n, 0, count, budget};
  while (size > 0) {
    Part p = stack[--size];
    while (p.first < p.last) {
      if (p.end - p.begin <= 16) {
        detail::insertion_sort(a, p.begin, p.end);
        break;
      }
      if (p.budget-- == 0) {
        detail::heap_sort(a, p.begin, p.end);
        break;
      }
      auto const pivot = detail::choose_pivot(a, p.begin, p.end);
      std::int64_t const split =
          detail::partition(a, p.begin, p.end, [&](auto x) { return x < pivot; });
      if (split == p.begin) {
        // The pivot is the range's minimum: peel off every value equal to it; ranks there are
        // placed.
        std::int64_t const equal_end =
            detail::partition(a, p.begin, p.end, [&](auto x) { return !(pivot < x); });
        while (p.first < p.last && ranks[p.first] < equal_end) ++p.first;
        p.begin = equal_end;
        continue;
      }
      int middle = p.first;
      while (middle < p.last && ranks[middle] < split) ++middle;
      if (middle > p.first && middle < p.last) {  // ranks on both sides: keep the right for later
        stack[size++] = Part{split, p.end, middle, p.last, p.budget};
        p.end = split;
        p.last = middle;
      } else if (middle == p.last) {
        p.end = split;
      } else {
        p.begin = split;
      }
    }
  }
}

}  // namespace bik

#endif
