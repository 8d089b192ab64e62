// Parameters and outcome of bik::n4::correct, with the defaults of SimpleITK's
// N4BiasFieldCorrectionImageFilter (spec n4.md §2.1, §8.2).
#ifndef BIK_N4_N4_OPTIONS_HPP
#define BIK_N4_N4_OPTIONS_HPP

#include "bik/core/volume.hpp"
#include "bik/n4/lattice.hpp"
#include "bik/n4/semantics.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace bik::n4 {

struct N4Options {
  // One entry per fitting level: its maximum number of iterations.
  std::vector<int> iterations{50, 50, 50, 50};
  // A level ends once the coefficient of variation of exp(old - new log bias) is <= this.
  double convergence_threshold = 0.001;
  // Control points per axis (z, y, x) at the first level, including the spline order (>= 4).
  // The z entry is ignored for 2D images.
  int control_points[3] = {4, 4, 4};
  double fwhm = 0.15;  // of the Gaussian bias distribution, in log-intensity units
  double wiener_noise = 0.01;
  int histogram_bins = 200;
  // Subsampling factor of the working grid (ITK ShrinkImageFilter placement), all axes.
  int shrink = 1;
  // Mask semantics: voxels whose mask value equals mask_label, or any non-zero value.
  bool use_mask_label = true;
  std::int64_t mask_label = 1;
  // ITK's filter (default) or linumpy's GPU port (correct_linumpy.hpp; defaults there in
  // linumpy_options()). The linumpy mesh is fixed: per axis max(4, min(round(size * voxel size /
  // spline distance), working size)) control points, and control_points is not used.
  Semantics semantics = Semantics::itk;
  double spline_distance_mm = 10.0;           // linumpy only
  double voxel_size_mm[3] = {1.0, 1.0, 1.0};  // linumpy only: (z, y, x)
  // Called on the host after every iteration: level, iteration (1-based), convergence value.
  std::function<void(int, int, double)> progress;
};

struct N4LevelReport {
  int iterations = 0;        // iterations run at this level
  double convergence = 0.0;  // the last convergence value
  LatticeShape lattice;      // control points during this level
};

struct N4Report {
  Shape3 working;             // the (shrunk) grid the fit ran on
  std::int64_t included = 0;  // voxels of the working grid in the mask
  std::vector<N4LevelReport> levels;
};

}  // namespace bik::n4

#endif
