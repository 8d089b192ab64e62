// bik::n4::correct: N4 bias-field correction with the semantics of ITK's
// N4BiasFieldCorrectionImageFilter as SimpleITK runs it (spec n4.md §2), from a full-resolution
// image: shrink (ITK placement), log of the included voxels, levels x iterations of
// (sharpen the histogram, fit the residual with one MBA B-spline pass, add it to the lattice),
// convergence by the coefficient of variation of exp(old - new log bias), exact lattice
// refinement between levels, and finally input / exp(log bias) at full resolution with the
// field evaluated index-normalised (as GetLogBiasFieldAsImage(full image) does).
// bik::n4::fit stops before the last step and returns the lattice (n4_fit.hpp), for callers
// that evaluate it elsewhere (per-section runs with a global pass, sections_global.hpp).
// Working buffers are doubles on the (shrunk) working grid; the full-resolution pass reads the
// input once and writes the outputs once. options.semantics == Semantics::linumpy runs
// linumpy's variant instead (correct_linumpy.hpp).
#ifndef BIK_N4_CORRECT_HPP
#define BIK_N4_CORRECT_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/apply_bias.hpp"
#include "bik/n4/contract_to_lattice.hpp"
#include "bik/n4/evaluate_lattice.hpp"
#include "bik/n4/fit_steps.hpp"
#include "bik/n4/grid_basis.hpp"
#include "bik/n4/lattice.hpp"
#include "bik/n4/log_histogram.hpp"
#include "bik/n4/math.hpp"
#include "bik/n4/n4_fit.hpp"
#include "bik/n4/n4_images.hpp"
#include "bik/n4/n4_options.hpp"
#include "bik/n4/refine_lattice.hpp"
#include "bik/n4/sharpening_map.hpp"

#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace bik::n4 {

namespace detail {

inline void validate(N4Options const& o, int rank, char const* where) {
  require(!o.iterations.empty(), where, "iterations must list at least one level");
  for (int n : o.iterations)
    require(n >= 1, where, "every level needs at least 1 iteration, got " + std::to_string(n));
  require(std::isfinite(o.convergence_threshold) && o.convergence_threshold >= 0, where,
          "the convergence threshold must be finite and >= 0");
  for (int d = rank == 2 ? 1 : 0; d < 3; ++d)
    require(o.control_points[d] >= 4, where,
            "each axis needs at least 4 control points (spline order 3 + 1), got " +
                std::to_string(o.control_points[d]));
  require(o.iterations.size() <= 16, where, "at most 16 fitting levels are supported");
  require(std::isfinite(o.fwhm) && o.fwhm > 0, where, "the FWHM must be finite and > 0");
  require(std::isfinite(o.wiener_noise) && o.wiener_noise >= 0, where,
          "the Wiener noise must be finite and >= 0");
  require(o.histogram_bins >= 2, where, "at least 2 histogram bins are needed");
  require(o.shrink >= 1, where, "the shrink factor must be >= 1");
}

// The options, the rank and the input shapes of `images` (mask and confidence the image's);
// returns the image's shape.
template <class T, class M, class MemorySpace>
Shape3 validate_inputs(N4Images<T, M, MemorySpace> const& images, N4Options const& options,
                       char const* where) {
  int const rank = images.rank;
  require(rank == 2 || rank == 3, where,
          "the image must be 2D or 3D, got rank " + std::to_string(rank));
  Shape3 const full = shape_of(images.input);
  require(full.size() > 0, where, "the image is empty, shape " + full.str());
  require(rank == 3 || full.z == 1, where, "a 2D image has one plane, got " + full.str());
  validate(options, rank, where);
  auto same_shape = [&](Shape3 s) { return s.z == full.z && s.y == full.y && s.x == full.x; };
  require(
      images.mask.data() == nullptr || same_shape(shape_of(images.mask)), where,
      "mask shape " + shape_of(images.mask).str() + " does not match image shape " + full.str());
  require(images.confidence.data() == nullptr || same_shape(shape_of(images.confidence)), where,
          "confidence shape " + shape_of(images.confidence).str() + " does not match image shape " +
              full.str());
  return full;
}

// The output shapes of `images` are the input's (the outputs are not read before).
template <class T, class M, class MemorySpace>
void validate_outputs(N4Images<T, M, MemorySpace> const& images, char const* where) {
  Shape3 const full = shape_of(images.input);
  auto same_shape = [&](Shape3 s) { return s.z == full.z && s.y == full.y && s.x == full.x; };
  require(same_shape(shape_of(images.corrected)), where,
          "output shape " + shape_of(images.corrected).str() + " does not match image shape " +
              full.str());
  require(images.log_bias.data() == nullptr || same_shape(shape_of(images.log_bias)), where,
          "bias output shape " + shape_of(images.log_bias).str() + " does not match image shape " +
              full.str());
}

// linumpy's semantics (correct_linumpy.hpp, included at the end of this file).
template <class ExecSpace, class T, class M, class MemorySpace>
N4Fit<MemorySpace> fit_linumpy(ExecSpace const& space, N4Images<T, M, MemorySpace> const& images,
                               N4Options const& options, Workspace<MemorySpace>* ws,
                               Shape3 mesh_grid = {});

// ITK's semantics, without the workspace's lease (the callers hold it).
template <class ExecSpace, class T, class M, class MemorySpace>
N4Fit<MemorySpace> fit_itk(ExecSpace const& space, N4Images<T, M, MemorySpace> const& images,
                           N4Options const& options, Workspace<MemorySpace>* ws) {
  static_assert(std::is_floating_point<T>::value, "bik::n4::correct: float or double images");
  char const* where = "bik::n4::correct";
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  using Buffers = Workspace<MemorySpace>;

  // ---- arguments -----------------------------------------------------------------------------
  int const rank = images.rank;
  detail::validate_inputs(images, options, where);

  // ---- the working grid: shrunk log input, fit weights (0 = excluded) -------------------------
  auto const grid = detail::working_grid(space, images, options, ws, where);
  Shape3 const work = grid.shape;
  std::int64_t const n = work.size();
  std::int64_t const included = grid.included;
  require(included < kHistogramMaxVoxels, where,
          "the working grid " + work.str() + " includes " + std::to_string(included) +
              " voxels, more than the histogram can count; use a larger shrink factor");

  // ---- levels --------------------------------------------------------------------------------
  N4Report report;
  report.working = work;
  report.included = included;
  int const nb = options.histogram_bins;
  detail::SharpeningTables<HistogramCount, MemorySpace> tables(ws, nb);
  auto hist = tables.hist;
  auto lut = tables.lut;

  Lattice<MemorySpace> lattice;
  lattice.shape = {rank == 2 ? 1 : options.control_points[0], options.control_points[1],
                   options.control_points[2]};
  lattice.coeff = Buffers::template get<double>(ws, "bik::n4::lattice0", lattice.shape.size());
  fill(space, "bik::n4::zero_lattice", lattice.coeff, 0.0);
  int const levels = static_cast<int>(options.iterations.size());
  for (int level = 0; level < levels; ++level) {
    auto const basis = make_grid_basis<MemorySpace>(work, lattice.shape, ws, "bik::n4::working");
    std::int64_t const nc = lattice.shape.size();
    auto den = Buffers::template get<double>(ws, "bik::n4::denominator", nc);
    auto phi = Buffers::template get<double>(ws, "bik::n4::update", nc);
    contract_to_lattice(space, basis, grid.weight, 2, den, ws);  // fixed for the level
    auto const bz = basis.z;
    auto const by = basis.y;
    auto const bx = basis.x;
    N4LevelReport level_report;
    level_report.lattice = lattice.shape;
    double convergence = std::numeric_limits<double>::max();
    int iteration = 0;
    while (iteration < options.iterations[level] && convergence > options.convergence_threshold) {
      ++iteration;
      // Sharpen: histogram of the current log image over the included voxels.
      auto const range =
          detail::masked_log_range(space, n, grid.weight, grid.log_in, grid.log_bias);
      double const lo = range.min_val;
      double const slope = (range.max_val - range.min_val) / (nb - 1);
      bool const sharpen = slope > 0.0;  // a constant image has nothing to correct
      if (sharpen) {
        fill(space, "bik::n4::zero_histogram", hist, HistogramCount(0));
        Kokkos::parallel_for(
            "bik::n4::histogram", Policy(space, 0, n), KOKKOS_LAMBDA(std::int64_t i) {
              if (grid.weight(i) > 0.0)
                add_to_histogram(hist, (grid.log_in(i) - grid.log_bias(i) - lo) / slope, nb);
            });
        tables.upload_map(space, [&](std::vector<double> const& histogram) {
          return sharpening_map(histogram, lo, slope, options.fwhm, options.wiener_noise);
        });
      }
      // The MBA numerator's field: weight * residual / sum of squared weights at each voxel.
      Kokkos::parallel_for(
          "bik::n4::residual", Policy(space, 0, n), KOKKOS_LAMBDA(std::int64_t i) {
            double value = 0.0;
            if (sharpen && grid.weight(i) > 0.0) {
              std::int64_t const x = i % work.x, y = (i / work.x) % work.y,
                                 z = i / (work.x * work.y);
              double const u = grid.log_in(i) - grid.log_bias(i);
              double const residual = u - sharpened_value(lut, (u - lo) / slope, nb);
              value = grid.weight(i) * residual / detail::squared_weight_sum(bz, by, bx, z, y, x);
            }
            grid.scratch(i) = value;
          });
      detail::add_update(space, basis, grid, den, phi, lattice.coeff, Semantics::itk, ws);
      double const sum = detail::sum_over(
          space, n, "bik::n4::convergence_sum",
          KOKKOS_LAMBDA(std::int64_t i) { return grid.scratch(i); });
      double const sum_sq = detail::sum_over(
          space, n, "bik::n4::convergence_sum_sq",
          KOKKOS_LAMBDA(std::int64_t i) { return grid.scratch(i) * grid.scratch(i); });
      double const count = static_cast<double>(included);
      double variance = count > 1 ? (sum_sq - sum * sum / count) / (count - 1) : 0.0;
      if (variance < 0.0) variance = 0.0;
      convergence = std::sqrt(variance) / (1.0 + sum / count);
      if (options.progress) options.progress(level, iteration, convergence);
    }
    level_report.iterations = iteration;
    level_report.convergence = convergence;
    report.levels.push_back(level_report);
    if (level + 1 < levels) {
      Lattice<MemorySpace> refined;
      refined.shape = refined_shape(lattice.shape);
      refined.coeff = Buffers::template get<double>(
          ws, "bik::n4::lattice" + std::to_string((level + 1) % 2), refined.shape.size());
      refine_lattice(space, lattice, refined);
      lattice = refined;
    }
  }

  space.fence();
  return {report, Semantics::itk, lattice};
}

// The fit of either semantics.
template <class ExecSpace, class T, class M, class MemorySpace>
N4Fit<MemorySpace> fit_any(ExecSpace const& space, N4Images<T, M, MemorySpace> const& images,
                           N4Options const& options, Workspace<MemorySpace>* ws) {
  return options.semantics == Semantics::linumpy ? fit_linumpy(space, images, options, ws)
                                                 : fit_itk(space, images, options, ws);
}

}  // namespace detail

// N4's fit of the log bias field of images.input (its outputs are not used): the lattice, to
// evaluate with apply_fit or fit_basis. With a workspace, the lattice lives in it (n4_fit.hpp).
template <class ExecSpace, class T, class M, class MemorySpace>
N4Fit<MemorySpace> fit(ExecSpace const& space, N4Images<T, M, MemorySpace> const& images,
                       N4Options const& options, Workspace<MemorySpace>* ws = nullptr) {
  typename Workspace<MemorySpace>::Lease lease(ws, "bik::n4::fit");
  return detail::fit_any(space, images, options, ws);
}

// N4: the fit, then corrected = input / exp(field) and the field (if images.log_bias is given)
// at full resolution.
template <class ExecSpace, class T, class M, class MemorySpace>
N4Report correct(ExecSpace const& space, N4Images<T, M, MemorySpace> const& images,
                 N4Options const& options, Workspace<MemorySpace>* ws = nullptr) {
  char const* where = options.semantics == Semantics::linumpy
                          ? "bik::n4::correct (linumpy semantics)"
                          : "bik::n4::correct";
  typename Workspace<MemorySpace>::Lease lease(ws, where);
  detail::validate_outputs(images, where);
  auto const f = detail::fit_any(space, images, options, ws);
  apply_fit(space, f, images.input, images.corrected, images.log_bias, ws);
  space.fence();
  return f.report;
}

}  // namespace bik::n4

#include "bik/n4/correct_linumpy.hpp"

#endif
