// Where ITK's ShrinkImageFilter samples (spec n4.md §2.8): pure subsampling by an integer
// factor s, floor(n / s) samples per axis, output i taking input i * s + offset, where the
// offset makes the physical centres of input and output coincide: the input index nearest
// (halves rounded up) to (n - 1) / 2 - (floor(n / s) - 1) * s / 2. linumpy subsamples instead
// every s-th voxel from index 0 (spec §3.2 step 2): ceil(n / s) samples, offset 0.
#ifndef BIK_N4_SHRINK_HPP
#define BIK_N4_SHRINK_HPP

#include <cmath>
#include <cstdint>

namespace bik::n4 {

struct ShrinkAxis {
  std::int64_t size = 1;    // samples after shrinking
  std::int64_t offset = 0;  // input index of sample 0
  std::int64_t factor = 1;
};

inline ShrinkAxis shrink_axis(std::int64_t n, std::int64_t factor) {
  ShrinkAxis a;
  a.factor = factor;
  a.size = n / factor;
  if (a.size < 1) a.size = 1;
  double const centre = (static_cast<double>(n) - 1.0) / 2.0 -
                        (static_cast<double>(a.size) - 1.0) * static_cast<double>(factor) / 2.0;
  a.offset = static_cast<std::int64_t>(std::floor(centre + 0.5));
  if (a.offset < 0) a.offset = 0;
  return a;
}

inline ShrinkAxis linumpy_subsample_axis(std::int64_t n, std::int64_t factor) {
  return {(n + factor - 1) / factor, 0, factor};
}

}  // namespace bik::n4

#endif
