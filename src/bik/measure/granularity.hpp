// Per-object granularity spectrum (CellProfiler's MeasureGranularity as cp_measure's numpy
// get_granularity computes it; spec §4): subsample, subtract a background opening, then per
// step g = 1..N erode by the cross, reconstruct under the background-free image, and report the
// loss of each object's mean at the original resolution, in percent of its raw mean.
#ifndef BIK_MEASURE_GRANULARITY_HPP
#define BIK_MEASURE_GRANULARITY_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/label_lut.hpp"
#include "bik/core/object_runs.hpp"
#include "bik/core/object_schedule.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/granularity_geometry.hpp"
#include "bik/measure/granularity_kernel.hpp"
#include "bik/morphology/erode_dilate.hpp"
#include "bik/morphology/reconstruct.hpp"
#include "bik/morphology/scratch.hpp"
#include "bik/resample/grid_sampler.hpp"

#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace bik {

// Parameters and defaults of CellProfiler's MeasureGranularity (cp_measure uses the same).
struct GranularityOptions {
  double subsample_size = 0.25;       // subsampling factor for the spectrum, in (0, 1]
  double image_sample_size = 0.25;    // subsampling factor for the background, in (0, 1]
  int element_size = 10;              // radius of the background opening's disk (ball), >= 0
  int granular_spectrum_length = 16;  // spectrum steps N, >= 1: features Granularity_1..N
  // 3D only: sample the background on cp_measure numpy's grid (N points at k / subsample_size,
  // spec §4.4) instead of CellProfiler's (ceil(N * f) points at k / image_sample_size).
  bool cp_measure_3d_background = false;
  // How each step reads the objects back at the original resolution (spec §4.3): by per-object
  // weights of the subsampled cells, built once (automatic: while the objects' boxes of cells
  // hold at most 4 cells per object voxel), or by the bilinear gather of every voxel. Both give
  // the reference's means within rounding.
  enum class ReadBack { automatic, gather, weights };
  ReadBack read_back = ReadBack::automatic;
  ObjectSchedule schedule;  // read-back: a thread or a team per object; the space's default
  // Bytes the spectrum may keep its erosions in (one image per step): then it runs from the
  // last step to the first, each reconstruction starting from the next step's result, about
  // half the reconstruction work. With less, the steps run in order. Same results either way.
  std::int64_t spectrum_memory = std::int64_t(1) << 30;
};

// Granularity_1 .. Granularity_<length>, cp_measure's keys.
inline std::vector<std::string> granularity_feature_names(int length) {
  std::vector<std::string> names;
  for (int g = 1; g <= length; ++g) names.push_back("Granularity_" + std::to_string(g));
  return names;
}

// bik::Error naming the parameter unless every option is in its range.
inline void check_granularity_options(GranularityOptions const& o, std::string const& where) {
  auto const factor = [&](double v, char const* name) {
    require(v > 0.0 && v <= 1.0, where,
            std::string(name) + " must be in (0, 1], got " + std::to_string(v));
  };
  factor(o.subsample_size, "subsample_size");
  factor(o.image_sample_size, "image_sample_size");
  require(o.element_size >= 0, where,
          "element_size must be >= 0, got " + std::to_string(o.element_size));
  require(
      o.granular_spectrum_length >= 1, where,
      "granular_spectrum_length must be >= 1, got " + std::to_string(o.granular_spectrum_length));
}

namespace detail {

// Where a pipeline run leaves its results, in the inputs' memory space: a (objects x steps)
// matrix, and per object its label and image.
template <class MemorySpace>
struct GranularityOutput {
  Kokkos::View<double**, Kokkos::LayoutLeft, MemorySpace> features;
  Kokkos::View<std::int64_t*, MemorySpace> labels, images;
  std::int64_t objects = 0;
  Kokkos::View<double*, MemorySpace> feature_storage;  // owns the memory of `features`
};

// The pipeline on `images` images stacked along Z (labels and pixels of one shape; ndim 2: one
// plane per image, 3: volumes). Kernels are left running on `space`.
template <class ExecSpace, class L, class P, class MemorySpace>
GranularityOutput<MemorySpace> measure_granularity_volume(ExecSpace const& space,
                                                          Volume<L const, MemorySpace> labels,
                                                          Volume<P const, MemorySpace> pixels,
                                                          std::int64_t images, int ndim,
                                                          GranularityOptions const& options,
                                                          Workspace<MemorySpace>* workspace) {
  char const* const where = "bik::measure_granularity";
  kx::ScopedRegion region(where);
  check_granularity_options(options, where);
  using Buffers = Workspace<MemorySpace>;
  typename Buffers::Lease const lease(workspace, where);
  Pairing pairing = pair_labels_with_pixels(shape_of(labels), 3, shape_of(pixels), 3, where);
  pairing.images = images;
  std::int64_t const planes = pairing.planes();
  require(ndim == 3 || planes == 1, where, "2D images must be one plane each");

  // Objects: the present (image, label) pairs, their voxels as runs in raster order (every
  // voxel of an object counts, NaN pixels too).
  LabelLut<MemorySpace> const lut =
      make_label_lut(space, labels, workspace, images, options.schedule);
  ObjectRuns<MemorySpace> const runs = object_runs(space, labels, lut, pairing, workspace);
  GranularityOutput<MemorySpace> output;
  output.objects = lut.count;
  output.labels = lut.labels;
  output.images = lut.images;
  int const steps = options.granular_spectrum_length;
  auto const feature_buffer = Buffers::template get<double>(
      workspace, "bik::granularity::features", static_cast<std::size_t>(lut.count * steps));
  output.feature_storage = feature_buffer;
  output.features = Kokkos::View<double**, Kokkos::LayoutLeft, MemorySpace>(feature_buffer.data(),
                                                                            lut.count, steps);
  if (lut.count == 0) return output;

  Shape3 const image_shape{planes, pairing.shape.y, pairing.shape.x};
  GranularityGeometry const geo =
      granularity_geometry(image_shape, ndim, options.subsample_size, options.image_sample_size,
                           options.cp_measure_3d_background);
  if (geo.collapsed) {
    fill(space, "bik::granularity::collapsed", feature_buffer,
         std::numeric_limits<double>::quiet_NaN());
    return output;
  }

  Shape3 const sub = geo.sub(), back = geo.back();
  std::int64_t const sub_voxels = images * sub.size();
  // Owners of the volumes' memory for this call (the workspace's buffers, or fresh ones).
  std::vector<Kokkos::View<double*, MemorySpace>> owners;
  auto volume = [&](char const* name, std::int64_t voxels_per_image, Shape3 s) {
    owners.push_back(Buffers::template get<double>(
        workspace, name, static_cast<std::size_t>(images * voxels_per_image)));
    return dense_volume(owners.back(), images * s.z, s.y, s.x);
  };
  auto const sampler = [&](std::vector<double> GranularityAxis::*member, Shape3 in,
                           char const* name) {
    return make_grid_sampler(space, geo.axes[0].*member, geo.axes[1].*member, geo.axes[2].*member,
                             in, workspace, name);
  };

  // 1. Subsample (or copy), as double.
  auto pix = volume("bik::granularity::pixels", sub.size(), sub);
  if (geo.subsample) {
    resample(space, sampler(&GranularityAxis::to_sub, image_shape, "bik::granularity::to_sub"),
             pixels, pix);
  } else {
    Volume<P const, MemorySpace> const source = pixels;
    std::int64_t const ny = sub.y, nx = sub.x;
    Kokkos::parallel_for(
        "bik::granularity::copy",
        Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, sub_voxels),
        KOKKOS_LAMBDA(std::int64_t i) {
          std::int64_t const r = i / nx, x = i - r * nx, z = r / ny, y = r - z * ny;
          pix(z, y, x) = static_cast<double>(source(z, y, x));
        });
  }

  // 2. Background: an opening by disk (ball) of element_size on the background grid, brought
  // back to the subsampled grid and subtracted; negative differences become 0.
  auto back_a = volume("bik::granularity::back_a", back.size(), back);
  auto back_b = volume("bik::granularity::back_b", back.size(), back);
  std::int64_t const back_planes = ndim == 3 ? back.z : 1;
  if (geo.background_sample)
    resample(space, sampler(&GranularityAxis::to_back, sub, "bik::granularity::to_back"),
             Volume<double const, MemorySpace>(pix), back_a);
  else
    Kokkos::deep_copy(space, back_a, pix);
  erode(space, Volume<double const, MemorySpace>(back_a), back_b, options.element_size, back_planes,
        workspace);
  dilate(space, Volume<double const, MemorySpace>(back_b), back_a, options.element_size,
         back_planes, workspace);
  auto ero_a = volume("bik::granularity::ero_a", sub.size(), sub);
  Volume<double, MemorySpace> background = back_a;
  if (geo.background_sample) {
    resample(space, sampler(&GranularityAxis::from_back, back, "bik::granularity::from_back"),
             Volume<double const, MemorySpace>(back_a), ero_a);
    background = ero_a;
  }
  {
    std::int64_t const ny = sub.y, nx = sub.x;
    Kokkos::parallel_for(
        "bik::granularity::tophat",
        Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, sub_voxels),
        KOKKOS_LAMBDA(std::int64_t i) {
          std::int64_t const r = i / nx, x = i - r * nx, z = r / ny, y = r - z * ny;
          double const v = pix(z, y, x) - background(z, y, x);
          pix(z, y, x) = v < 0.0 ? 0.0 : v;
          ero_a(z, y, x) = pix(z, y, x);
        });
  }

  // 3. Start means from the raw pixels at the original resolution.
  GranularityReadBack<ExecSpace, P, MemorySpace> read;
  read.runs = runs;
  read.object_images = lut.images;
  read.raw = pixels;
  read.planes = planes;
  read.sub_planes = ndim == 3 ? sub.z : 1;
  read.sampler = sampler(&GranularityAxis::read_back, sub, "bik::granularity::read_back");
  read.current = Buffers::template get<double>(workspace, "bik::granularity::current",
                                               static_cast<std::size_t>(lut.count));
  read.start = Buffers::template get<double>(workspace, "bik::granularity::start",
                                             static_cast<std::size_t>(lut.count));
  read.features = output.features;
  if (options.read_back != GranularityOptions::ReadBack::gather) {
    std::int64_t budget = std::numeric_limits<std::int64_t>::max();
    if (options.read_back == GranularityOptions::ReadBack::automatic) {
      std::int64_t voxels = 0;
      auto const counts = runs.voxels;
      Kokkos::parallel_reduce(
          "bik::granularity::voxels",
          Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, lut.count),
          KOKKOS_LAMBDA(std::int64_t k, std::int64_t & n) { n += counts(k); }, voxels);
      budget = 4 * voxels;
    }
    read.weights = make_read_back_weights(space, runs, read.sampler, geo.axes[0].read_back,
                                          geo.axes[1].read_back, geo.axes[2].read_back, sub, budget,
                                          options.schedule, workspace);
    read.weighted = read.weights.weights.extent(0) > 0;
  }
  read.step = -1;
  read.run(space, lut.count, options.schedule);

  // 4. The spectrum: rec_g, the reconstruction under the tophat image of its g-fold cross
  // erosion ero_g, read back per object.
  std::int64_t const sub_planes = ndim == 3 ? sub.z : 1;
  std::int64_t const kept_bytes = steps * sub_voxels * static_cast<std::int64_t>(sizeof(double));
  if (kept_bytes > options.spectrum_memory) {
    // In order, from two erosion buffers.
    auto ero_b = volume("bik::granularity::ero_b", sub.size(), sub);
    auto rec = volume("bik::granularity::rec", sub.size(), sub);
    for (int g = 0; g < steps; ++g) {
      erode(space, Volume<double const, MemorySpace>(ero_a), ero_b, 1, sub_planes, workspace);
      reconstruct_by_dilation(space, Volume<double const, MemorySpace>(ero_b),
                              Volume<double const, MemorySpace>(pix), rec, sub_planes, workspace);
      std::swap(ero_a, ero_b);
      read.rec = rec;
      read.step = g;
      read.run(space, lut.count, options.schedule);
    }
    return output;
  }
  // From the last step to the first. ero_{g+1} <= ero_g, so rec_{g+1} <= rec_g: each
  // reconstruction starts from max(ero_g, rec_{g+1}), which lies between its seed and its
  // result (an exact start, spec §6), and only fills in the granules of size g.
  owners.push_back(Buffers::template get<double>(workspace, "bik::granularity::erosions",
                                                 static_cast<std::size_t>(steps * sub_voxels)));
  double* const kept = owners.back().data();
  auto const erosion = [&](int g) {
    return Volume<double, MemorySpace>(
        kept + g * sub_voxels,
        Kokkos::LayoutStride(static_cast<std::size_t>(images * sub.z),
                             static_cast<std::size_t>(sub.y * sub.x),
                             static_cast<std::size_t>(sub.y), static_cast<std::size_t>(sub.x),
                             static_cast<std::size_t>(sub.x), 1));
  };
  for (int g = 0; g < steps; ++g)
    erode(space, Volume<double const, MemorySpace>(g == 0 ? ero_a : erosion(g - 1)), erosion(g), 1,
          sub_planes, workspace);
  read.means_only = true;
  for (int g = steps - 1; g >= 0; --g) {
    Volume<double, MemorySpace> const step = erosion(g);
    double const* const next = g + 1 < steps ? erosion(g + 1).data() : nullptr;
    reconstruct_from(space, Volume<double const, MemorySpace>(step), next,
                     Volume<double const, MemorySpace>(pix), step, sub_planes, workspace);
    read.rec = step;
    read.step = g;
    read.run(space, lut.count, options.schedule);
  }
  read.differences(space, lut.count, steps);
  return output;
}

// Copies a run's results to host tables, one per image (objects are ordered by image).
template <class MemorySpace>
std::vector<FeatureTable> granularity_tables(GranularityOutput<MemorySpace> const& output,
                                             int steps, std::int64_t image_count) {
  std::int64_t const objects = output.objects;
  auto const labels = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), output.labels);
  auto const images = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), output.images);
  auto const matrix = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), output.features);
  return tables_by_image(objects, image_count, labels.data(), images.data(),
                         granularity_feature_names(steps), matrix.data(),
                         static_cast<std::int64_t>(matrix.stride(1)));
}

// Checks the Views of the public entry points and runs the pipeline on them.
template <class ExecSpace, class LabelView, class PixelView>
GranularityOutput<typename PixelView::memory_space> run_granularity(
    ExecSpace const& space, LabelView const& labels, PixelView const& pixels,
    GranularityOptions const& options, Workspace<typename PixelView::memory_space>* workspace) {
  static_assert(Kokkos::is_view<LabelView>::value && Kokkos::is_view<PixelView>::value,
                "bik::measure_granularity: labels and pixels must be Kokkos::Views");
  using L = typename LabelView::non_const_value_type;
  using P = typename PixelView::non_const_value_type;
  static_assert(std::is_integral<L>::value, "bik::measure_granularity: labels must be integers");
  static_assert(std::is_arithmetic<P>::value, "bik::measure_granularity: pixels must be numbers");
  using MemorySpace = typename PixelView::memory_space;
  static_assert(std::is_same<MemorySpace, typename LabelView::memory_space>::value,
                "bik::measure_granularity: labels and pixels must be in the same memory space");
  constexpr int rank = static_cast<int>(PixelView::rank);
  static_assert(static_cast<int>(LabelView::rank) == rank && (rank == 2 || rank == 3),
                "bik::measure_granularity: labels and pixels must both be 2D (Y,X) or 3D (Z,Y,X)");
  auto const label_volume = as_volume(labels);
  auto const pixel_volume = as_volume(pixels);
  Shape3 const l = shape_of(label_volume), p = shape_of(pixel_volume);
  require(l.z == p.z && l.y == p.y && l.x == p.x, "bik::measure_granularity",
          "labels shape " + l.str() + " does not match pixels shape " + p.str());
  return measure_granularity_volume<ExecSpace, L, P, MemorySpace>(space, label_volume, pixel_volume,
                                                                  1, rank, options, workspace);
}

}  // namespace detail

// Granularity spectrum of every object of `labels` over `pixels` (2D (Y,X) or 3D (Z,Y,X) Views
// of one shape, in one memory space; labels integers, 0 = background, negative rejected):
// one row per present label, ascending, with the columns Granularity_1..N
// (N = granular_spectrum_length). Semantics of cp_measure's numpy get_granularity (spec §4):
// order-1 resampling with scipy's constant-mode rules, start means from the raw pixels, the
// read-back at the original resolution (a point even 1 ULP outside the subsampled grid reads
// 0 and still counts), and NaN everywhere when subsampling leaves an axis below 2 samples.
// cp_measure returns dense arrays over 1..max(label) with NaN for absent labels; absent labels
// have no row here. 3D follows CellProfiler's background grid unless
// options.cp_measure_3d_background. Pixels are taken as double (cp_measure keeps float32 and
// integer inputs in their type, spec §4.5). Work O(N * voxels) on `space`; temporaries from
// `workspace`. Throws bik::Error for bad options or shapes before any kernel runs.
template <class ExecSpace, class LabelView, class PixelView>
FeatureTable measure_granularity(ExecSpace const& space, LabelView const& labels,
                                 PixelView const& pixels, GranularityOptions const& options = {},
                                 Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  return std::move(
      detail::granularity_tables(detail::run_granularity(space, labels, pixels, options, workspace),
                                 options.granular_spectrum_length, 1)[0]);
}

}  // namespace bik

#endif
