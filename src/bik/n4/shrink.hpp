// Where ITK's ShrinkImageFilter samples (spec n4.md §2.8): pure subsampling by an integer
// factor s, floor(n / s) samples per axis, output i taking input i * s + offset, where the
// offset makes the physical centres of input and output coincide: the input index nearest
// (halves rounded up) to (n - 1) / 2 - (floor(n / s) - 1) * s / 2. linumpy subsamples instead
// every s-th voxel from index 0 (spec §3.2 step 2): ceil(n / s) samples, offset 0.
#ifndef BIK_N4_SHRINK_HPP
#define BIK_N4_SHRINK_HPP

#include "bik/core/error.hpp"
#include "bik/core/volume.hpp"
#include "bik/n4/semantics.hpp"

#include <cmath>
#include <cstdint>
#include <string>

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

// The three axes of a working grid.
struct ShrinkAxes {
  ShrinkAxis z, y, x;
  Shape3 shape() const { return {z.size, y.size, x.size}; }
};

// The working grid of a `full`-shaped image of `rank` 2 (one plane, Z kept) or 3, subsampled by
// `factor` as `semantics` does. bik::Error (from `where`) unless each of the image's axes keeps
// 2 samples or more; `image` names it in the message ("the image of shape (..)").
inline ShrinkAxes working_axes(Shape3 full, int rank, std::int64_t factor, Semantics semantics,
                               char const* where, std::string const& image) {
  auto const axis = [&](std::int64_t n) {
    return semantics == Semantics::linumpy ? linumpy_subsample_axis(n, factor)
                                           : shrink_axis(n, factor);
  };
  ShrinkAxes const a{rank == 2 ? ShrinkAxis{} : axis(full.z), axis(full.y), axis(full.x)};
  require((rank == 2 || a.z.size >= 2) && a.y.size >= 2 && a.x.size >= 2, where,
          "shrink factor " + std::to_string(factor) +
              " leaves fewer than 2 samples on an axis of " + image);
  return a;
}

}  // namespace bik::n4

#endif
