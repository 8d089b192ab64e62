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
#include "bik/n4/linumpy_sharpening.hpp"
#include "bik/n4/shrink.hpp"

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
  bool const has_mask = images.mask.data() != nullptr;

  std::int64_t const s = options.shrink;
  if (mesh_grid.size() == 0) mesh_grid = full;
  Shape3 const work{rank == 2 ? 1 : linumpy_subsample_axis(full.z, s).size,
                    linumpy_subsample_axis(full.y, s).size, linumpy_subsample_axis(full.x, s).size};
  std::int64_t const sz = rank == 2 ? 1 : s;
  require((rank == 2 || work.z >= 2) && work.y >= 2 && work.x >= 2, where,
          "shrink factor " + std::to_string(s) +
              " leaves fewer than 2 samples on an axis of the image of shape " + full.str());

  auto input = images.input;
  auto mask = images.mask;
  Volume<double const, MemorySpace> no_confidence;
  bool const use_label = options.use_mask_label;
  std::int64_t const label = options.mask_label;

  int non_finite = 0;
  Kokkos::parallel_reduce(
      "bik::n4::check_input", Policy(space, 0, full.size()),
      KOKKOS_LAMBDA(std::int64_t i, int& flag) {
        std::int64_t const x = i % full.x, y = (i / full.x) % full.y, z = i / (full.x * full.y);
        if (!kx::is_finite(static_cast<double>(input(z, y, x)))) flag |= 1;
      },
      Kokkos::BOr<int>(non_finite));
  require(non_finite == 0, where, "the image contains NaN or infinite values");

  // ---- the working grid: log of every voxel, fit weights 1 in the mask, 0 outside ------------
  std::int64_t const n = work.size();
  detail::WorkingBuffers<MemorySpace> const grid(ws, n);
  auto log_in = grid.log_in;
  auto weight = grid.weight;
  auto log_bias = grid.log_bias;
  auto scratch = grid.scratch;
  std::int64_t included = 0;
  Kokkos::parallel_reduce(
      "bik::n4::subsample", Policy(space, 0, n),
      KOKKOS_LAMBDA(std::int64_t i, std::int64_t & count) {
        std::int64_t const x = i % work.x, y = (i / work.x) % work.y, z = i / (work.x * work.y);
        std::int64_t const fz = z * sz, fy = y * s, fx = x * s;
        double const v = static_cast<double>(input(fz, fy, fx));
        bool const in =
            detail::is_included(mask, no_confidence, has_mask, false, use_label, label, fz, fy, fx);
        weight(i) = in ? 1.0 : 0.0;
        log_in(i) = math::log(v > 1e-6 ? v : 1e-6);
        log_bias(i) = 0.0;
        if (in) ++count;
      },
      included);
  require(included > 0, where,
          "the mask selects no voxel of the working grid " + work.str() +
              (s > 1 ? " (after subsampling)" : ""));

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
  contract_to_lattice(space, basis, weight, 2, den, ws);
  auto const bz = basis.z;
  auto const by = basis.y;
  auto const bx = basis.x;

  int const nb = options.histogram_bins;
  auto hist = Buffers::template get<double>(ws, "bik::n4::histogram", nb);
  auto lut = Buffers::template get<double>(ws, "bik::n4::sharpening_map", nb);
  auto hist_host = Kokkos::create_mirror_view(hist);
  auto lut_host = Kokkos::create_mirror_view(lut);
  std::vector<double> histogram(nb);
  double const tol2 = options.convergence_threshold * options.convergence_threshold;

  N4Report report;
  report.working = work;
  report.included = included;
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
      auto const range = detail::masked_log_range(space, n, weight, log_in, log_bias);
      double const lo = range.min_val;
      double const width = linumpy_bin_width(range.min_val, range.max_val, nb);
      fill(space, "bik::n4::zero_histogram", hist, 0.0);
      Kokkos::parallel_for(
          "bik::n4::histogram", Policy(space, 0, n), KOKKOS_LAMBDA(std::int64_t i) {
            if (weight(i) > 0.0)
              Kokkos::atomic_add(&hist(linumpy_bin(log_in(i) - log_bias(i), lo, width, nb)), 1.0);
          });
      Kokkos::deep_copy(space, hist_host, hist);
      space.fence();
      for (int k = 0; k < nb; ++k) histogram[k] = hist_host(k);
      std::vector<double> const map =
          linumpy_sharpening_map(histogram, lo, width, options.fwhm, options.wiener_noise);
      for (int k = 0; k < nb; ++k) lut_host(k) = map[k];
      Kokkos::deep_copy(space, lut, lut_host);
      // The MBA numerator's field: weight * residual / max(sum of squared weights, 1e-8).
      Kokkos::parallel_for(
          "bik::n4::residual", Policy(space, 0, n), KOKKOS_LAMBDA(std::int64_t i) {
            std::int64_t const x = i % work.x, y = (i / work.x) % work.y, z = i / (work.x * work.y);
            double value = 0.0;
            if (weight(i) > 0.0) {
              double const u = log_in(i) - log_bias(i);
              double const residual = u - lut(linumpy_bin(u, lo, width, nb));
              double sq[3] = {0.0, 0.0, 0.0};
              for (int k = 0; k < 4; ++k) {
                sq[0] += bz.w(z, k) * bz.w(z, k);
                sq[1] += by.w(y, k) * by.w(y, k);
                sq[2] += bx.w(x, k) * bx.w(x, k);
              }
              double const S = sq[0] * sq[1] * sq[2];
              value = weight(i) * residual / (S > 1e-8 ? S : 1e-8);
            }
            scratch(i) = value;
          });
      contract_to_lattice(space, basis, scratch, 3, phi, ws);
      Kokkos::parallel_for(
          "bik::n4::update_lattice", Policy(space, 0, nc), KOKKOS_LAMBDA(std::int64_t c) {
            double const u = phi(c) / (den(c) > 1e-8 ? den(c) : 1e-8);
            phi(c) = u;
            coeff(c) += u;
          });
      auto const update = prepare_lattice_on_grid(space, basis, phi, ws);
      Kokkos::parallel_for(
          "bik::n4::apply_update", Policy(space, 0, n), KOKKOS_LAMBDA(std::int64_t i) {
            double const d = update.value_in_row(i / work.x, i % work.x);
            log_bias(i) += d;
            scratch(i) = d;
          });
      // Relative L2 change of the log bias over the whole working grid.
      double update_sq = 0.0, field_sq = 0.0;
      Kokkos::parallel_reduce(
          "bik::n4::update_norm", Policy(space, 0, n),
          KOKKOS_LAMBDA(std::int64_t i, double& sum) { sum += scratch(i) * scratch(i); },
          update_sq);
      Kokkos::parallel_reduce(
          "bik::n4::field_norm", Policy(space, 0, n),
          KOKKOS_LAMBDA(std::int64_t i, double& sum) { sum += log_bias(i) * log_bias(i); },
          field_sq);
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
