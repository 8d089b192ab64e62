// The sampling geometry of granularity (spec §4.2-4.4), computed on the host in double exactly
// as cp_measure's numpy code computes it, per image axis: the subsampled size N = trunc(O * s),
// the background size (float S = N * f, ceil(S) samples), and the coordinates of the four
// resamplings (subsample, background down, background up, per-object read-back).
#ifndef BIK_MEASURE_GRANULARITY_GEOMETRY_HPP
#define BIK_MEASURE_GRANULARITY_GEOMETRY_HPP

#include "bik/core/volume.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

namespace bik::detail {

struct GranularityAxis {
  std::int64_t original = 1, sub = 1, back = 1;  // O, N and the background samples
  std::vector<double> to_sub, to_back, from_back, read_back;
};

struct GranularityGeometry {
  GranularityAxis axes[3];  // z, y, x; z is the trivial axis {0} for 2D images
  bool subsample = false, background_sample = false;
  bool collapsed = false;  // an axis of fewer than 2 samples: every feature is NaN (#91)
  Shape3 original() const { return {axes[0].original, axes[1].original, axes[2].original}; }
  Shape3 sub() const { return {axes[0].sub, axes[1].sub, axes[2].sub}; }
  Shape3 back() const { return {axes[0].back, axes[1].back, axes[2].back}; }
};

// `quirk_3d`: cp_measure's numpy 3D background grid (spec §4.4): N samples at k / s instead of
// ceil(S) samples at k / f. CellProfiler's intended geometry otherwise.
inline GranularityGeometry granularity_geometry(Shape3 original, int ndim, double subsample,
                                                double image_sample, bool quirk_3d) {
  GranularityGeometry g;
  g.subsample = subsample < 1.0;
  g.background_sample = image_sample < 1.0;
  std::int64_t const extents[3] = {original.z, original.y, original.x};
  for (int a = 0; a < 3; ++a) {
    GranularityAxis& axis = g.axes[a];
    axis.original = extents[a];
    if (a == 0 && ndim == 2) {  // not an image axis: one plane, at coordinate 0
      axis.to_sub = axis.to_back = axis.from_back = axis.read_back = {0.0};
      continue;
    }
    std::int64_t const o = extents[a];
    axis.sub = g.subsample ? static_cast<std::int64_t>(static_cast<double>(o) * subsample) : o;
    if (axis.sub < 2) g.collapsed = true;
  }
  if (g.collapsed) return g;
  for (int a = ndim == 2 ? 1 : 0; a < 3; ++a) {
    GranularityAxis& axis = g.axes[a];
    std::int64_t const n = axis.sub;
    for (std::int64_t k = 0; k < n; ++k) axis.to_sub.push_back(static_cast<double>(k) / subsample);
    if (g.background_sample) {
      double const s = static_cast<double>(n) * image_sample;  // a float size, e.g. 67.5
      bool const quirk = quirk_3d && ndim == 3;
      axis.back = quirk ? n : static_cast<std::int64_t>(std::ceil(s));
      for (std::int64_t k = 0; k < axis.back; ++k)
        axis.to_back.push_back(static_cast<double>(k) / (quirk ? subsample : image_sample));
      double const scale = (s - 1.0) / static_cast<double>(n - 1);
      for (std::int64_t i = 0; i < n; ++i) axis.from_back.push_back(static_cast<double>(i) * scale);
    } else {
      axis.back = n;
    }
    double const scale = static_cast<double>(n - 1) / static_cast<double>(axis.original - 1);
    for (std::int64_t c = 0; c < axis.original; ++c)
      axis.read_back.push_back(static_cast<double>(c) * scale);
  }
  return g;
}

}  // namespace bik::detail

#endif
