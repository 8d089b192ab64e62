// Flat disk and ball footprints (scikit-image's disk(r) and ball(r), strict radius) as lines:
// a footprint is the union of its rows, row (dz, dy) covering dx in [-w, w]. Erosion and
// dilation take a window of half-width w along each row and pick over the rows (spec §5), so
// only the half-widths matter here.
#ifndef BIK_MORPHOLOGY_FOOTPRINT_HPP
#define BIK_MORPHOLOGY_FOOTPRINT_HPP

#include "bik/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace bik {

struct FootprintLine {
  int dz, dy;  // offset of the row
  int width;   // index into FootprintLines::widths: the row covers dx in [-w, w]
};

struct FootprintLines {
  std::vector<FootprintLine> lines;  // the centre row (0, 0) first
  std::vector<int> widths;           // distinct half-widths, the centre row's first
};

// Largest w with w*w <= n, for n >= 0 (exact: no floating point involved).
inline int integer_sqrt(std::int64_t n) {
  auto w = static_cast<std::int64_t>(std::sqrt(static_cast<double>(n)));
  while (w * w > n) --w;
  while ((w + 1) * (w + 1) <= n) ++w;
  return static_cast<int>(w);
}

// The rows of disk(r) (volumetric = false: dz = 0 only) or ball(r): offsets with
// dz^2 + dy^2 + dx^2 <= r^2, so row (dz, dy) has half-width floor(sqrt(r^2 - dz^2 - dy^2)).
// disk(10) has 21 rows over the 7 half-widths {10, 9, 8, 7, 6, 4, 0}.
inline FootprintLines footprint_lines(int radius, bool volumetric) {
  require(radius >= 0, "bik::footprint_lines",
          "radius must be >= 0, got " + std::to_string(radius));
  FootprintLines f;
  auto add = [&](int dz, int dy) {
    std::int64_t const rest =
        std::int64_t(radius) * radius - std::int64_t(dz) * dz - std::int64_t(dy) * dy;
    if (rest < 0) return;
    int const w = integer_sqrt(rest);
    auto const at = std::find(f.widths.begin(), f.widths.end(), w);
    int const index = static_cast<int>(at - f.widths.begin());
    if (at == f.widths.end()) f.widths.push_back(w);
    f.lines.push_back({dz, dy, index});
  };
  add(0, 0);
  int const rz = volumetric ? radius : 0;
  for (int dz = -rz; dz <= rz; ++dz)
    for (int dy = -radius; dy <= radius; ++dy)
      if (dz != 0 || dy != 0) add(dz, dy);
  return f;
}

}  // namespace bik

#endif
