// bik::n4::correct_linumpy: N4 bias-field correction with the semantics of linumpy's GPU port
// (linumpy PR #116, `n4_correct_gpu`; spec n4.md §3-4), for its users:
//  - the working grid takes every s-th voxel from index 0 (ceil(n / s) samples per axis);
//  - the log is log(max(v, 1e-6)) at every voxel; the mask only selects the fit's voxels;
//  - one fixed control mesh for all levels (no refinement), max(4, min(round(n * voxel size /
//    spline distance), working size)) control points per axis, with linumpy's clipped basis;
//  - the MBA fit divides by max(sum of squared weights, 1e-8) and max(denominator, 1e-8);
//  - nearest-bin histogram sharpening (linumpy_sharpening.hpp);
//  - a level stops when |update|^2 < tol^2 |log bias|^2 over the whole working grid, tested
//    every 5th iteration and at the level's last one;
//  - the final field is the lattice evaluated index-normalised at full resolution.
// It reuses ITK mode's contractions and evaluation; its bik::Error checks are ITK mode's, except
// that values <= 0 in the mask are allowed (they are floored) and confidence images are not.
// A 2D image is a volume of one plane whose Z axis carries weight 1: linumpy's Z basis on one
// plane, [5/6, 1/6, 0, 0], gives the same fitted field (its weights cancel between the fit's
// numerator, denominator and the evaluation). The full-resolution division is by
// max(exp(log bias), 1e-6) as linumpy's (apply_bias.hpp). Differences from linumpy: bik
// computes in double where linumpy uses float32.
#ifndef BIK_N4_CORRECT_LINUMPY_HPP
#define BIK_N4_CORRECT_LINUMPY_HPP

#include "bik/n4/correct.hpp"
#include "bik/n4/fit_steps.hpp"
#include "bik/n4/linumpy_sharpening.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace bik::n4 {

// linumpy's defaults (`n4_correct_gpu`): 25x25x25 iterations, shrink 4, spline distance 10 mm,
// 1 mm voxels, tolerance 1e-3, 200 bins, FWHM 0.15, Wiener noise 0.01, any non-zero mask voxel.
inline N4Options linumpy_options() {
  N4Options o;
  o.semantics = Semantics::linumpy;
  o.iterations = {25, 25, 25};
  o.shrink = 4;
  o.use_mask_label = false;
  return o;
}

// Control points of one axis of `full_size` voxels of `voxel_size` on a working grid of
// `working_size` samples: max(4, min(round(extent / spline distance), working size)), halves
// rounded to even as Python's round.
inline int linumpy_control_points(std::int64_t full_size, double voxel_size, double spline_distance,
                                  std::int64_t working_size) {
  double const base = std::max(4.0, std::nearbyint(full_size * voxel_size / spline_distance));
  return static_cast<int>(std::max(4.0, std::min(base, static_cast<double>(working_size))));
}

namespace detail {

// Called by bik::n4::fit and correct when options.semantics is Semantics::linumpy (they hold
// the workspace's lease). `mesh_grid` is the full-resolution grid whose extent sets the mesh:
// the input's when empty; correct_sections' global pass gives the whole volume's, its input
// being a working grid sampled beforehand from that volume.
template <class ExecSpace, class T, class M, class MemorySpace>
N4Fit<MemorySpace> fit_linumpy(ExecSpace const& space, N4Images<T, M, MemorySpace> const& images,
                               N4Options const& options, Workspace<MemorySpace>* ws,
                               Shape3 mesh_grid) {
  static_assert(std::is_floating_point<T>::value, "bik::n4::correct_linumpy: float or double");
  char const* where = "bik::n4::correct (linumpy semantics)";
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  using Buffers = Workspace<MemorySpace>;

  // ---- arguments -----------------------------------------------------------------------------
  int const rank = images.rank;
  require(images.confidence.data() == nullptr, where,
          "linumpy semantics has no confidence image (its weights are the mask)");
  Shape3 const full = detail::validate_inputs(images, options, where);
  require(std::isfinite(options.spline_distance_mm) && options.spline_distance_mm > 0, where,
          "the spline distance must be finite and > 0");
  for (double v : options.voxel_size_mm)
    require(std::isfinite(v) && v > 0, where, "voxel sizes must be finite and > 0");
  if (mesh_grid.size() == 0) mesh_grid = full;

  // ---- the working grid: log of every voxel, fit weights 1 in the mask, 0 outside ------------
  auto const grid = detail::working_grid(space, images, options, ws, where);
  Shape3 const work = grid.shape;
  std::int64_t const n = work.size();

  // ---- the fixed mesh and what does not change over the iterations ----------------------------
  auto const controls = [&](std::int64_t extent, int d, std::int64_t samples) {
    return linumpy_control_points(extent, options.voxel_size_mm[d], options.spline_distance_mm,
                                  samples);
  };
  LatticeShape const shape{rank == 2 ? 1 : controls(mesh_grid.z, 0, work.z),
                           controls(mesh_grid.y, 1, work.y), controls(mesh_grid.x, 2, work.x)};
  std::int64_t const nc = shape.size();
  auto const basis =
      make_grid_basis<MemorySpace>(work, shape, ws, "bik::n4::working", Semantics::linumpy);
  auto coeff = Buffers::template get<double>(ws, "bik::n4::lattice0", nc);
  auto den = Buffers::template get<double>(ws, "bik::n4::denominator", nc);
  auto phi = Buffers::template get<double>(ws, "bik::n4::update", nc);
  fill(space, "bik::n4::zero_lattice", coeff, 0.0);
  contract_to_lattice(space, basis, grid.weight, 2, den, ws);
  auto const bz = basis.z;
  auto const by = basis.y;
  auto const bx = basis.x;

  int const nb = options.histogram_bins;
  detail::SharpeningTables<double, MemorySpace> tables(ws, nb);
  auto hist = tables.hist;
  auto lut = tables.lut;
  double const tol2 = options.convergence_threshold * options.convergence_threshold;

  N4Report report;
  report.working = work;
  report.included = grid.included;
  int const levels = static_cast<int>(options.iterations.size());
  for (int level = 0; level < levels; ++level) {
    N4LevelReport level_report;
    level_report.lattice = shape;
    double convergence = std::numeric_limits<double>::infinity();
    int const last = options.iterations[level];
    int iteration = 0;
    while (iteration < last) {
      ++iteration;
      // Sharpen: nearest-bin histogram of the current log image over the mask.
      auto const range =
          detail::masked_log_range(space, n, grid.weight, grid.log_in, grid.log_bias);
      double const lo = range.min_val;
      double const width = linumpy_bin_width(range.min_val, range.max_val, nb);
      fill(space, "bik::n4::zero_histogram", hist, 0.0);
      Kokkos::parallel_for(
          "bik::n4::histogram", Policy(space, 0, n), KOKKOS_LAMBDA(std::int64_t i) {
            if (grid.weight(i) > 0.0)
              Kokkos::atomic_add(
                  &hist(linumpy_bin(grid.log_in(i) - grid.log_bias(i), lo, width, nb)), 1.0);
          });
      tables.upload_map(space, [&](std::vector<double> const& histogram) {
        return linumpy_sharpening_map(histogram, lo, width, options.fwhm, options.wiener_noise);
      });
      // The MBA numerator's field: weight * residual / max(sum of squared weights, 1e-8).
      Kokkos::parallel_for(
          "bik::n4::residual", Policy(space, 0, n), KOKKOS_LAMBDA(std::int64_t i) {
            std::int64_t const x = i % work.x, y = (i / work.x) % work.y, z = i / (work.x * work.y);
            double value = 0.0;
            if (grid.weight(i) > 0.0) {
              double const u = grid.log_in(i) - grid.log_bias(i);
              double const residual = u - lut(linumpy_bin(u, lo, width, nb));
              double const S = detail::squared_weight_sum(bz, by, bx, z, y, x);
              value = grid.weight(i) * residual / (S > 1e-8 ? S : 1e-8);
            }
            grid.scratch(i) = value;
          });
      detail::add_update(space, basis, grid, den, phi, coeff, Semantics::linumpy, ws);
      // Relative L2 change of the log bias over the whole working grid.
      double const update_sq = detail::sum_over(
          space, n, "bik::n4::update_norm",
          KOKKOS_LAMBDA(std::int64_t i) { return grid.scratch(i) * grid.scratch(i); });
      double const field_sq = detail::sum_over(
          space, n, "bik::n4::field_norm",
          KOKKOS_LAMBDA(std::int64_t i) { return grid.log_bias(i) * grid.log_bias(i); });
      convergence = field_sq > 0.0 ? std::sqrt(update_sq / field_sq)
                                   : std::numeric_limits<double>::infinity();
      if (options.progress) options.progress(level, iteration, convergence);
      bool const check = iteration % 5 == 0 || iteration == last;
      if (check && field_sq > 0.0 && update_sq < tol2 * field_sq) break;
    }
    level_report.iterations = iteration;
    level_report.convergence = convergence;
    report.levels.push_back(level_report);
  }

  space.fence();
  return {report, Semantics::linumpy, {shape, coeff}};
}

}  // namespace detail

}  // namespace bik::n4

#endif
