// Order statistics of integer values by counting: the pixels of uint8 and uint16 images (the
// types microscopy files hold) take few distinct values within one object, often fewer than
// the object has voxels. Counting them in one pass over a table indexed by value - low, then
// walking the table, places any set of ranks, and the ranks of the distances to a centre (the
// MAD), in O(n + range) without reordering anything: cheaper than partitioning when the range
// is at most about n, and exact, since the values read back are low + bin.
#ifndef BIK_CORE_COUNTING_SELECT_HPP
#define BIK_CORE_COUNTING_SELECT_HPP

#include "bik/core/compat.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

// counts(b), b < bins, becomes the number of i < n with get(i) == low + b. Every get(i) must be
// an integer in [low, low + bins).
template <class Counts, class Get>
KOKKOS_INLINE_FUNCTION void count_values(Counts const& counts, std::int64_t bins, Get const& get,
                                         std::int64_t n, double low) {
  for (std::int64_t b = 0; b < bins; ++b) counts(b) = 0;
  for (std::int64_t i = 0; i < n; ++i) counts(static_cast<std::int64_t>(get(i) - low)) += 1;
}

// out[j] = the value of rank ranks[j] (ascending ranks, each below the counted total) in the
// multiset counted by count_values.
template <class Counts>
KOKKOS_INLINE_FUNCTION void counted_ranks(Counts const& counts, std::int64_t bins, double low,
                                          std::int64_t const* ranks, int count, double* out) {
  std::int64_t below = 0;  // values in the bins before b
  int next = 0;
  for (std::int64_t b = 0; b < bins && next < count; ++b) {
    below += counts(b);
    for (; next < count && ranks[next] < below; ++next) out[next] = low + static_cast<double>(b);
  }
}

// out[j] = the value of rank ranks[j] (ascending, each below the counted total) among the
// distances |v - centre| of the counted values v, centre in [low, low + bins). The distances
// grow from the centre outwards on both sides, so the two sides are merged, nearer bin first.
template <class Counts>
KOKKOS_INLINE_FUNCTION void counted_distance_ranks(Counts const& counts, std::int64_t bins,
                                                   double low, double centre,
                                                   std::int64_t const* ranks, int count,
                                                   double* out) {
  auto const distance = [&](std::int64_t b) {
    return kx::abs(low + static_cast<double>(b) - centre);
  };
  std::int64_t down = kx::min(static_cast<std::int64_t>(centre - low), bins - 1);  // <= centre
  std::int64_t up = down + 1;                                                      // > centre
  std::int64_t below = 0;
  int next = 0;
  while (next < count) {
    while (down >= 0 && counts(down) == 0) --down;
    while (up < bins && counts(up) == 0) ++up;
    bool const take_down = up >= bins || (down >= 0 && distance(down) <= distance(up));
    std::int64_t const b = take_down ? down-- : up++;
    double const d = distance(b);
    below += counts(b);
    for (; next < count && ranks[next] < below; ++next) out[next] = d;
  }
}

}  // namespace bik

#endif
