// Per-object intensity features (cp_measure's get_intensity, numpy main; spec §3).
#ifndef BIK_MEASURE_INTENSITY_HPP
#define BIK_MEASURE_INTENSITY_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/flatten.hpp"
#include "bik/core/label_lut.hpp"
#include "bik/core/pairwise_sum.hpp"
#include "bik/core/selection.hpp"
#include "bik/core/volume.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace bik {

struct IntensityOptions {
  bool edges = true;    // cp_measure's edge_measurements: adds the five *Edge features
  bool legacy = false;  // CellProfiler's n*q quantiles and 1/ndim MAD (cp_measure's legacy)
};

// Feature names in cp_measure's dict order: the 16 core features, then the 5 edge features.
inline std::vector<std::string> intensity_feature_names(bool edges) {
  std::vector<std::string> names = {
      "Intensity_IntegratedIntensity",   "Intensity_MeanIntensity",
      "Intensity_StdIntensity",          "Intensity_MinIntensity",
      "Intensity_MaxIntensity",          "Intensity_MassDisplacement",
      "Intensity_LowerQuartileIntensity", "Intensity_MedianIntensity",
      "Intensity_MADIntensity",          "Intensity_UpperQuartileIntensity",
      "Location_CenterMassIntensity_X",  "Location_CenterMassIntensity_Y",
      "Location_CenterMassIntensity_Z",  "Location_MaxIntensity_X",
      "Location_MaxIntensity_Y",         "Location_MaxIntensity_Z"};
  if (edges) {
    for (char const* name : {"Intensity_IntegratedIntensityEdge", "Intensity_MeanIntensityEdge",
                             "Intensity_StdIntensityEdge", "Intensity_MinIntensityEdge",
                             "Intensity_MaxIntensityEdge"})
      names.emplace_back(name);
  }
  return names;
}

namespace detail {

// Column positions in the output matrix, in intensity_feature_names order.
enum IntensityColumn : int {
  kIntegrated, kMean, kStd, kMin, kMax, kMassDisplacement, kLowerQuartile, kMedian, kMad,
  kUpperQuartile, kCmiX, kCmiY, kCmiZ, kMaxX, kMaxY, kMaxZ,
  kEdgeIntegrated, kEdgeMean, kEdgeStd, kEdgeMin, kEdgeMax, kIntensityColumns
};

// cp_measure's _interp given the values at its two ranks lo = min(int(pos), n-1) and
// hi = min(lo+1, n-1): s[lo]*(1-f) + s[hi]*f with f = pos - lo, evaluated in that order.
KOKKOS_INLINE_FUNCTION double interpolate(double at_lo, double at_hi, double pos, std::int64_t n) {
  std::int64_t lo = static_cast<std::int64_t>(pos);
  if (lo > n - 1) lo = n - 1;
  double const f = pos - static_cast<double>(lo);
  return at_lo * (1.0 - f) + at_hi * f;
}

// The same on a range whose ranks lo and hi are already in place.
template <class A>
KOKKOS_INLINE_FUNCTION double quantile_at(A const& a, std::int64_t n, double pos) {
  std::int64_t lo = static_cast<std::int64_t>(pos);
  if (lo > n - 1) lo = n - 1;
  std::int64_t const hi = lo + 1 > n - 1 ? n - 1 : lo + 1;
  return interpolate(a(lo), a(hi), pos, n);
}

KOKKOS_INLINE_FUNCTION double quantile_pos(std::int64_t n, double frac, bool legacy) {
  return legacy ? static_cast<double>(n) * frac : static_cast<double>(n - 1) * frac;
}

// Writes the two ranks _interp reads at `pos` into ranks[count..count+1].
KOKKOS_INLINE_FUNCTION int push_ranks(std::int64_t* ranks, int count, std::int64_t n, double pos) {
  std::int64_t lo = static_cast<std::int64_t>(pos);
  if (lo > n - 1) lo = n - 1;
  ranks[count] = lo;
  ranks[count + 1] = lo + 1 > n - 1 ? n - 1 : lo + 1;
  return count + 2;
}

// numpy's std (ddof 0) of a(0..n) given its mean: sqrt(sum((a - mean)^2) / n), pairwise summed.
template <class A>
KOKKOS_INLINE_FUNCTION double population_std(A const& a, std::int64_t n, double mean) {
  double const ss = pairwise_sum(
      [&](std::int64_t i) {
        double const d = a(i) - mean;
        return d * d;
      },
      n);
  return kx::sqrt(ss / static_cast<double>(n));
}

// Features of one object from its segment of voxels [begin, begin + n). The values range is
// reordered (selection) and `scratch` over the same range is overwritten.
template <class Values, class Coords, class Edges, class Out>
KOKKOS_INLINE_FUNCTION void object_intensity(std::int64_t k, std::int64_t begin, std::int64_t n,
                                             Values const& all_values, Coords const& xs,
                                             Coords const& ys, Coords const& zs,
                                             Edges const& edge, Values const& all_scratch,
                                             bool with_edges, bool legacy, int source_ndim,
                                             double nan, Out const& out) {
  if (n == 0) return;  // an object without finite voxels keeps all features 0 (numpy main)
  auto values = Kokkos::subview(all_values, Kokkos::make_pair(begin, begin + n));
  auto scratch = Kokkos::subview(all_scratch, Kokkos::make_pair(begin, begin + n));

  // Edge voxels, compacted into scratch so they are summed as numpy sums evals.
  if (with_edges) {
    std::int64_t ne = 0;
    double emin = 0, emax = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      if (!edge(begin + i)) continue;
      double const v = values(i);
      if (ne == 0 || v < emin) emin = v;
      if (ne == 0 || v > emax) emax = v;
      scratch(ne++) = v;
    }
    if (ne > 0) {
      double const esum = pairwise_sum([&](std::int64_t i) { return scratch(i); }, ne);
      double const emean = esum / static_cast<double>(ne);
      out(k, kEdgeIntegrated) = esum;
      out(k, kEdgeMean) = emean;
      out(k, kEdgeStd) = population_std(scratch, ne, emean);
      out(k, kEdgeMin) = emin;
      out(k, kEdgeMax) = emax;
    }
  }

  // Sums in numpy's pairwise order. cp_measure's coordinate array comes from argwhere, which is
  // column-major, so its weighted sums are pairwise per axis too. The plain coordinate sums
  // are sums of small integers: exact in any order.
  Lanes<4> const sums = pairwise_sums<4>(
      [&](std::int64_t i) {
        double const v = values(i);
        return Lanes<4>{{v, double(xs(begin + i)) * v, double(ys(begin + i)) * v,
                         double(zs(begin + i)) * v}};
      },
      n);
  double const sum = sums[0], wx = sums[1], wy = sums[2], wz = sums[3];
  double const mean = sum / static_cast<double>(n);
  double cx = 0, cy = 0, cz = 0;
  double vmin = values(0), vmax = values(0);
  std::int64_t argmax = 0;  // first voxel in raster order that reaches the maximum
  for (std::int64_t i = 0; i < n; ++i) {
    double const v = values(i);
    cx += xs(begin + i);
    cy += ys(begin + i);
    cz += zs(begin + i);
    if (v < vmin) vmin = v;
    if (v > vmax) {
      vmax = v;
      argmax = i;
    }
  }
  double const dn = static_cast<double>(n);
  out(k, kIntegrated) = sum;
  out(k, kMean) = mean;
  out(k, kStd) = population_std(values, n, mean);
  out(k, kMin) = vmin;
  out(k, kMax) = vmax;
  out(k, kMaxX) = xs(begin + argmax);
  out(k, kMaxY) = ys(begin + argmax);
  out(k, kMaxZ) = zs(begin + argmax);
  double const cmi_x = sum != 0 ? wx / sum : nan;
  double const cmi_y = sum != 0 ? wy / sum : nan;
  double const cmi_z = sum != 0 ? wz / sum : nan;
  out(k, kCmiX) = cmi_x;
  out(k, kCmiY) = cmi_y;
  out(k, kCmiZ) = cmi_z;
  double const dz = cmi_z - cz / dn, dy = cmi_y - cy / dn, dx = cmi_x - cx / dn;
  out(k, kMassDisplacement) = kx::sqrt(dz * dz + dy * dy + dx * dx);

  // Quartiles and median: place the six ranks _interp reads, then interpolate.
  double const p25 = quantile_pos(n, 0.25, legacy);
  double const p50 = quantile_pos(n, 0.5, legacy);
  double const p75 = quantile_pos(n, 0.75, legacy);
  std::int64_t q[6];
  int count = push_ranks(q, 0, n, p25);
  count = push_ranks(q, count, n, p50);
  count = push_ranks(q, count, n, p75);
  select_ranks(values, n, q, count);
  double const median = quantile_at(values, n, p50);
  out(k, kLowerQuartile) = quantile_at(values, n, p25);
  out(k, kMedian) = median;
  out(k, kUpperQuartile) = quantile_at(values, n, p75);

  // MAD: the same interpolation over |v - median|. The values of ranks q[0]..q[5] (about half
  // of them) lie in [values(q[0]), values(q[5])], so the median deviation lies between the
  // smaller and the larger distance from the median to those two values: only deviations in
  // that band are gathered and selected from, the ones below it are counted. A rank outside
  // the band (legacy's 1/3 quantile, tiny objects) falls back to selecting from all of them.
  double const mad_frac = legacy ? 1.0 / static_cast<double>(source_ndim) : 0.5;
  double const pmad = quantile_pos(n, mad_frac, legacy);
  std::int64_t m[2];
  push_ranks(m, 0, n, pmad);
  double const to_low = median - values(q[0]), to_high = values(q[5]) - median;
  double const band_low = kx::min(to_low, to_high), band_high = kx::max(to_low, to_high);
  std::int64_t below = 0, inside = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    double const d = kx::abs(values(i) - median);
    int const under = static_cast<int>(d < band_low), over = static_cast<int>(band_high < d);
    below += under;
    scratch(inside) = d;  // kept only if inside the band; no data-dependent branch
    inside += 1 - (under | over);
  }
  std::int64_t band[2] = {m[0] - below, m[1] - below};
  if (band[0] >= 0 && band[1] < inside) {
    select_ranks(scratch, inside, band, 2);
    out(k, kMad) = interpolate(scratch(band[0]), scratch(band[1]), pmad, n);
  } else {
    for (std::int64_t i = 0; i < n; ++i) scratch(i) = kx::abs(values(i) - median);
    select_ranks(scratch, n, m, 2);
    out(k, kMad) = quantile_at(scratch, n, pmad);
  }
}

// The whole pipeline on (Z,Y,X) volumes: LUT, flatten into per-object segments, features.
template <class ExecSpace, class L, class P, class MemorySpace>
FeatureTable measure_intensity_volume(ExecSpace const& space, Volume<L const, MemorySpace> labels,
                                      Volume<P const, MemorySpace> pixels, Pairing const& pairing,
                                      int source_ndim, IntensityOptions const& options,
                                      Workspace<MemorySpace>* workspace) {
  kx::ScopedRegion region("bik::measure_intensity");
  LabelLut<MemorySpace> lut = make_label_lut(space, labels, workspace);
  FlattenOptions flatten_options;
  flatten_options.edge_flags = options.edges;
  Segments<MemorySpace> const seg =
      flatten_labeled(space, labels, pixels, lut, pairing, flatten_options, workspace);

  std::int64_t const objects = lut.count;
  Kokkos::View<double**, Kokkos::LayoutLeft, MemorySpace> out("bik::intensity::features", objects,
                                                              kIntensityColumns);
  auto scratch = Workspace<MemorySpace>::template get<double>(workspace, "bik::intensity::scratch", seg.size);
  auto values = seg.values;
  auto xs = seg.x;
  auto ys = seg.y;
  auto zs = seg.z;
  auto edge = seg.edge;
  auto offsets = seg.offsets;
  bool const with_edges = options.edges && seg.has_edges();
  bool const legacy = options.legacy;
  double const nan = std::numeric_limits<double>::quiet_NaN();
  Kokkos::parallel_for(
      "bik::intensity::objects",
      Kokkos::RangePolicy<ExecSpace, Kokkos::Schedule<Kokkos::Dynamic>,
                          Kokkos::IndexType<std::int64_t>>(space, 0, objects),
      KOKKOS_LAMBDA(std::int64_t k) {
        std::int64_t const begin = offsets(k);
        object_intensity(k, begin, offsets(k + 1) - begin, values, xs, ys, zs, edge, scratch,
                         with_edges, legacy, source_ndim, nan, out);
      });
  space.fence();

  auto out_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  auto labels_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), lut.labels);
  FeatureTable table(std::vector<std::int64_t>(labels_host.data(), labels_host.data() + objects));
  std::vector<std::string> const names = intensity_feature_names(options.edges);
  for (std::size_t c = 0; c < names.size(); ++c) {
    std::vector<double> column(static_cast<std::size_t>(objects));
    for (std::int64_t k = 0; k < objects; ++k) column[k] = out_host(k, c);
    table.add_column(names[c], std::move(column));
  }
  return table;
}

}  // namespace detail

// Per-object intensity features of `pixels` under `labels`, cp_measure's get_intensity.
//
// labels: integer View, 2D (Y,X) or 3D (Z,Y,X), 0 = background, negative values rejected;
// pixels: real or integer View of rank 2 or 3 with the same shape (a 2D labels View over 3D
// pixels is applied to every plane). Voxels with non-finite pixels are left out of every
// feature. Returns one row per present label, ascending, with the 16 features (21 with edges)
// named and ordered as cp_measure's keys; objects without finite voxels get 0 everywhere.
// Sums, means and standard deviations follow numpy's pairwise order and so equal cp_measure
// (numpy) bit for bit on float64 input, as do min, max, quartiles, median and MAD; the max
// location is the first voxel reaching the maximum in raster order (numpy's argmax). In legacy
// mode quartiles use n*q and the MAD the 1/ndim quantile, ndim being the pixels' rank.
// Work is O(voxels) plus O(n) expected per object for the order statistics; runs on `space`.
// Throws bik::Error for mismatched or empty shapes, negative labels or overly sparse labels.
// A workspace (bik/core/workspace.hpp) kept across calls avoids reallocating the temporaries.
template <class ExecSpace, class LabelView, class PixelView>
FeatureTable measure_intensity(
    ExecSpace const& space, LabelView const& labels, PixelView const& pixels,
    IntensityOptions const& options = {},
    Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  static_assert(Kokkos::is_view<LabelView>::value && Kokkos::is_view<PixelView>::value,
                "bik::measure_intensity: labels and pixels must be Kokkos::Views");
  using L = typename LabelView::non_const_value_type;
  using P = typename PixelView::non_const_value_type;
  static_assert(std::is_integral<L>::value, "bik::measure_intensity: labels must be integers");
  static_assert(std::is_arithmetic<P>::value, "bik::measure_intensity: pixels must be numbers");
  using MemorySpace = typename PixelView::memory_space;
  static_assert(std::is_same<MemorySpace, typename LabelView::memory_space>::value,
                "bik::measure_intensity: labels and pixels must be in the same memory space");
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, MemorySpace>::accessible,
                "bik::measure_intensity: views must be accessible from the execution space");
  constexpr int label_rank = static_cast<int>(LabelView::rank);
  constexpr int pixel_rank = static_cast<int>(PixelView::rank);
  static_assert((label_rank == 2 || label_rank == 3) && (pixel_rank == 2 || pixel_rank == 3),
                "bik::measure_intensity: labels and pixels must be 2D (Y,X) or 3D (Z,Y,X)");
  auto label_volume = as_volume(labels);
  auto pixel_volume = as_volume(pixels);
  Pairing const pairing = pair_labels_with_pixels(shape_of(label_volume), label_rank,
                                                  shape_of(pixel_volume), pixel_rank,
                                                  "bik::measure_intensity");
  return detail::measure_intensity_volume<ExecSpace, L, P, MemorySpace>(
      space, label_volume, pixel_volume, pairing, pixel_rank, options, workspace);
}

}  // namespace bik

#endif
