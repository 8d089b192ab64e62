// Runs of equal labels along a row: the unit of work of the row-shaped (CPU) passes over a
// label image. Segmented images are mostly long runs (background, object interiors), so a pass
// that finds where a run ends with a cheap comparison loop and then handles the run as a whole
// does far less work per voxel than one that decides voxel by voxel.
#ifndef BIK_CORE_LABEL_RUNS_HPP
#define BIK_CORE_LABEL_RUNS_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::detail {

// The end (one past the last voxel) of the run of row[x]'s label that starts at x, in a row of
// nx labels `stride` elements apart. Contiguous rows are compared in blocks of 8, a loop
// without early exit that compilers turn into a few vector compares.
template <class L>
KOKKOS_INLINE_FUNCTION std::int64_t label_run_end(L const* row, std::int64_t stride, std::int64_t x,
                                                  std::int64_t nx) {
  L const label = row[x * stride];
  ++x;
  if (stride == 1) {
    for (; x + 8 <= nx; x += 8) {
      int differs = 0;
      for (int j = 0; j < 8; ++j) differs |= row[x + j] != label ? 1 : 0;
      if (differs) break;
    }
    while (x < nx && row[x] == label) ++x;
  } else {
    while (x < nx && row[x * stride] == label) ++x;
  }
  return x;
}

}  // namespace bik::detail

#endif
