// The steps of an N4 fit that ITK's semantics (correct.hpp) and linumpy's (correct_linumpy.hpp)
// share, each taking the semantics where they differ: the voxels included, the check of the
// input's values, the working grid sampled from the full-resolution images, the masked range of
// the current log
// image, the host side of the sharpening (histogram down, map up), the sum of squared B-spline
// weights the MBA numerator divides by, one lattice update, and the sums of the convergence
// tests.
#ifndef BIK_N4_FIT_STEPS_HPP
#define BIK_N4_FIT_STEPS_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/axis_basis.hpp"
#include "bik/n4/contract_to_lattice.hpp"
#include "bik/n4/evaluate_lattice.hpp"
#include "bik/n4/grid_basis.hpp"
#include "bik/n4/log_histogram.hpp"
#include "bik/n4/math.hpp"
#include "bik/n4/n4_images.hpp"
#include "bik/n4/n4_options.hpp"
#include "bik/n4/semantics.hpp"
#include "bik/n4/shrink.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <vector>

namespace bik::n4::detail {

// Which voxels take part in the fit, and their weights: a mask (its label, or any non-zero
// value), a confidence image (> 0), both optional.
template <class M, class MemorySpace>
struct Inclusion {
  Volume<M const, MemorySpace> mask;
  Volume<double const, MemorySpace> conf;
  bool has_mask = false, has_conf = false, use_label = true;
  std::int64_t label = 1;

  template <class T>
  Inclusion(N4Images<T, M, MemorySpace> const& images, N4Options const& options)
      : mask(images.mask),
        conf(images.confidence),
        has_mask(images.mask.data() != nullptr),
        has_conf(images.confidence.data() != nullptr),
        use_label(options.use_mask_label),
        label(options.mask_label) {}

  KOKKOS_INLINE_FUNCTION bool operator()(std::int64_t z, std::int64_t y, std::int64_t x) const {
    if (has_mask) {
      std::int64_t const m = static_cast<std::int64_t>(mask(z, y, x));
      if (use_label ? m != label : m == 0) return false;
    }
    return !has_conf || conf(z, y, x) > 0.0;
  }
  // The fit weight of an included voxel.
  KOKKOS_INLINE_FUNCTION double weight(std::int64_t z, std::int64_t y, std::int64_t x) const {
    return has_conf ? conf(z, y, x) : 1.0;
  }
};

// bik::Error if the image has a non-finite value or, with ITK's semantics (which takes the log
// of included voxels as they are; linumpy floors them at 1e-6), a value <= 0 where it is
// included.
template <class ExecSpace, class T, class M, class MemorySpace>
void check_values(ExecSpace const& space, N4Images<T, M, MemorySpace> const& images,
                  N4Options const& options, char const* where) {
  Shape3 const full = shape_of(images.input);
  auto input = images.input;
  Inclusion<M, MemorySpace> const included(images, options);
  bool const positive = options.semantics == Semantics::itk;
  int problems = 0;  // bit 0: non-finite values; bit 1: values <= 0 where included
  Kokkos::parallel_reduce(
      "bik::n4::check_input",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, full.size()),
      KOKKOS_LAMBDA(std::int64_t i, int& flags) {
        std::int64_t const x = i % full.x, y = (i / full.x) % full.y, z = i / (full.x * full.y);
        double const v = static_cast<double>(input(z, y, x));
        if (!kx::is_finite(v))
          flags |= 1;
        else if (positive && v <= 0.0 && included(z, y, x))
          flags |= 2;
      },
      Kokkos::BOr<int>(problems));
  require(!(problems & 1), where, "the image contains NaN or infinite values");
  require(!(problems & 2), where,
          "the image has values <= 0 inside the mask; N4 works on the log of positive "
          "intensities");
}

// A fit's working grid: its shape, its samples in the mask, and its buffers (a double per
// sample each): log input, fit weight (0: excluded), log bias, scratch.
template <class MemorySpace>
struct WorkingGrid {
  Shape3 shape;
  std::int64_t included = 0;
  Kokkos::View<double*, MemorySpace> log_in, weight, log_bias, scratch;
};

// The working grid of `images` for options.semantics and options.shrink, after checking the
// shrink factor (working_axes) and the values (check_values): working sample (z, y, x) is voxel
// (z * axes.z.factor + axes.z.offset, ...); its fit weight the confidence (1 without one) at
// included voxels and 0 elsewhere; its log input ITK's log of included voxels (the others keep
// their value) or linumpy's log(max(v, 1e-6)) of every voxel; its log bias 0. bik::Error if no
// sample is included. Buffers come from `ws`.
template <class ExecSpace, class T, class M, class MemorySpace>
WorkingGrid<MemorySpace> working_grid(ExecSpace const& space,
                                      N4Images<T, M, MemorySpace> const& images,
                                      N4Options const& options, Workspace<MemorySpace>* ws,
                                      char const* where) {
  using Buffers = Workspace<MemorySpace>;
  Shape3 const full = shape_of(images.input);
  ShrinkAxes const axes = working_axes(full, images.rank, options.shrink, options.semantics, where,
                                       "the image of shape " + full.str());
  check_values(space, images, options, where);
  Shape3 const work = axes.shape();
  std::int64_t const n = work.size();
  WorkingGrid<MemorySpace> grid{work,
                                0,
                                Buffers::template get<double>(ws, "bik::n4::log_input", n),
                                Buffers::template get<double>(ws, "bik::n4::weight", n),
                                Buffers::template get<double>(ws, "bik::n4::log_bias", n),
                                Buffers::template get<double>(ws, "bik::n4::scratch", n)};
  ShrinkAxis const sz = axes.z, sy = axes.y, sx = axes.x;
  auto input = images.input;
  Inclusion<M, MemorySpace> const inclusion(images, options);
  bool const linumpy = options.semantics == Semantics::linumpy;
  auto log_in = grid.log_in;
  auto weight = grid.weight;
  auto log_bias = grid.log_bias;
  Kokkos::parallel_reduce(
      "bik::n4::working_grid",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, n),
      KOKKOS_LAMBDA(std::int64_t i, std::int64_t & count) {
        std::int64_t const x = i % work.x, y = (i / work.x) % work.y, z = i / (work.x * work.y);
        std::int64_t const fz = z * sz.factor + sz.offset, fy = y * sy.factor + sy.offset,
                           fx = x * sx.factor + sx.offset;
        double const v = static_cast<double>(input(fz, fy, fx));
        bool const in = inclusion(fz, fy, fx);
        weight(i) = in ? inclusion.weight(fz, fy, fx) : 0.0;
        log_in(i) = linumpy ? math::log(v > 1e-6 ? v : 1e-6) : (in ? math::log(v) : v);
        log_bias(i) = 0.0;
        if (in) ++count;
      },
      grid.included);
  require(
      grid.included > 0, where,
      "the mask selects no voxel of the working grid " + work.str() +
          (options.shrink > 1 ? (linumpy ? " (after subsampling)" : " (after shrinking)") : ""));
  return grid;
}

// The range (min, max) of the current log image, log_in - log_bias, over the first n voxels
// of positive weight: the span both semantics' histograms cover.
template <class ExecSpace, class MemorySpace>
typename Kokkos::MinMax<double>::value_type masked_log_range(
    ExecSpace const& space, std::int64_t n, Kokkos::View<double*, MemorySpace> const& weight,
    Kokkos::View<double*, MemorySpace> const& log_in,
    Kokkos::View<double*, MemorySpace> const& log_bias) {
  typename Kokkos::MinMax<double>::value_type range;
  Kokkos::parallel_reduce(
      "bik::n4::range",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, n),
      KOKKOS_LAMBDA(std::int64_t i, typename Kokkos::MinMax<double>::value_type & r) {
        if (weight(i) > 0.0) {
          double const u = log_in(i) - log_bias(i);
          if (u < r.min_val) r.min_val = u;
          if (u > r.max_val) r.max_val = u;
        }
      },
      Kokkos::MinMax<double>(range));
  return range;
}

// The sharpening's tables: the histogram (nb bins of Count: ITK's fixed-point HistogramCount or
// linumpy's double) and the map of bin values (nb doubles) on the device, their host copies,
// and the histogram as weights on the host.
template <class Count, class MemorySpace>
struct SharpeningTables {
  Kokkos::View<Count*, MemorySpace> hist;
  Kokkos::View<double*, MemorySpace> lut;
  typename Kokkos::View<Count*, MemorySpace>::HostMirror hist_host;
  typename Kokkos::View<double*, MemorySpace>::HostMirror lut_host;
  std::vector<double> histogram;

  SharpeningTables(Workspace<MemorySpace>* ws, int nb)
      : hist(Workspace<MemorySpace>::template get<Count>(ws, "bik::n4::histogram", nb)),
        lut(Workspace<MemorySpace>::template get<double>(ws, "bik::n4::sharpening_map", nb)),
        hist_host(Kokkos::create_mirror_view(hist)),
        lut_host(Kokkos::create_mirror_view(lut)),
        histogram(nb) {}

  // Brings the histogram to the host and uploads make_map(histogram weights) into lut.
  template <class ExecSpace, class MakeMap>
  void upload_map(ExecSpace const& space, MakeMap const& make_map) {
    Kokkos::deep_copy(space, hist_host, hist);
    space.fence();
    for (std::size_t k = 0; k < histogram.size(); ++k) histogram[k] = as_weight(hist_host(k));
    std::vector<double> const map = make_map(histogram);
    for (std::size_t k = 0; k < histogram.size(); ++k) lut_host(k) = map[k];
    Kokkos::deep_copy(space, lut, lut_host);
  }

 private:
  static double as_weight(HistogramCount c) { return histogram_weight(c); }
  static double as_weight(double w) { return w; }
};

// S(z, y, x) = sum over the voxel's 64 control points of their squared weights, the product of
// the per-axis sums (the MBA numerator's divisor, spec n4.md §2.5 and §4.2).
template <class MemorySpace>
KOKKOS_INLINE_FUNCTION double squared_weight_sum(AxisBasis<MemorySpace> const& bz,
                                                 AxisBasis<MemorySpace> const& by,
                                                 AxisBasis<MemorySpace> const& bx, std::int64_t z,
                                                 std::int64_t y, std::int64_t x) {
  double s[3] = {0.0, 0.0, 0.0};
  for (int k = 0; k < 4; ++k) {
    s[0] += bz.w(z, k) * bz.w(z, k);
    s[1] += by.w(y, k) * by.w(y, k);
    s[2] += bx.w(x, k) * bx.w(x, k);
  }
  return s[0] * s[1] * s[2];
}

// One MBA update of the lattice `coeff` from the numerator's field in grid.scratch: phi = its
// contraction with the cubed weights divided by `den` (ITK: 0 where den is 0 or the quotient is
// not finite; linumpy: by max(den, 1e-8)), coeff += phi, and phi's field on the working grid
// added to the log bias. grid.scratch then holds what the convergence test sums: ITK's
// exp(-update) - 1 at included voxels (0 elsewhere), linumpy's update.
template <class ExecSpace, class MemorySpace>
void add_update(ExecSpace const& space, GridBasis<MemorySpace> const& basis,
                WorkingGrid<MemorySpace> const& grid, Kokkos::View<double*, MemorySpace> const& den,
                Kokkos::View<double*, MemorySpace> const& phi,
                Kokkos::View<double*, MemorySpace> const& coeff, Semantics semantics,
                Workspace<MemorySpace>* ws) {
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  bool const linumpy = semantics == Semantics::linumpy;
  auto scratch = grid.scratch;
  auto weight = grid.weight;
  auto log_bias = grid.log_bias;
  contract_to_lattice(space, basis, scratch, 3, phi, ws);
  Kokkos::parallel_for(
      "bik::n4::update_lattice", Policy(space, 0, basis.lattice.size()),
      KOKKOS_LAMBDA(std::int64_t c) {
        double u = 0.0;
        if (linumpy) {
          u = phi(c) / (den(c) > 1e-8 ? den(c) : 1e-8);
        } else {
          u = den(c) > 0.0 ? phi(c) / den(c) : 0.0;
          if (!kx::is_finite(u)) u = 0.0;
        }
        phi(c) = u;
        coeff(c) += u;
      });
  auto const update = prepare_lattice_on_grid(space, basis, phi, ws);
  std::int64_t const X = basis.grid.x;
  Kokkos::parallel_for(
      "bik::n4::apply_update", Policy(space, 0, basis.grid.size()), KOKKOS_LAMBDA(std::int64_t i) {
        double const d = update.value_in_row(i / X, i % X);
        log_bias(i) += d;
        scratch(i) = linumpy ? d : (weight(i) > 0.0 ? math::expm1(-d) : 0.0);
      });
}

// sum over i in [0, n) of f(i), f a device-callable function of the index.
template <class F>
struct SumOf {
  using value_type = double;
  F f;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i, double& sum) const { sum += f(i); }
};

template <class ExecSpace, class F>
double sum_over(ExecSpace const& space, std::int64_t n, char const* label, F const& f) {
  double sum = 0.0;
  Kokkos::parallel_reduce(
      label, Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, n),
      SumOf<F>{f}, sum);
  return sum;
}

}  // namespace bik::n4::detail

#endif
