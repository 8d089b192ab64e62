// Per-object intensity features (cp_measure's get_intensity, numpy main; spec §3).
#ifndef BIK_MEASURE_INTENSITY_HPP
#define BIK_MEASURE_INTENSITY_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/flatten.hpp"
#include "bik/core/label_lut.hpp"
#include "bik/core/object_schedule.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/intensity_kernel.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace bik {

struct IntensityOptions {
  bool edges = true;        // cp_measure's edge_measurements: adds the five *Edge features
  bool legacy = false;      // CellProfiler's n*q quantiles and 1/ndim MAD (cp_measure's legacy)
  ObjectSchedule schedule;  // thread or team per object; the space's default unless forced
  // Bytes the dense label table may take before the sort-unique path is used instead
  // (label_lut.hpp); negative: default_dense_lut_budget. The results are the same either way.
  std::int64_t dense_label_budget = -1;
};

// Feature names in cp_measure's dict order: the 16 core features, then the 5 edge features.
inline std::vector<std::string> intensity_feature_names(bool edges) {
  std::vector<std::string> names = {
      "Intensity_IntegratedIntensity",    "Intensity_MeanIntensity",
      "Intensity_StdIntensity",           "Intensity_MinIntensity",
      "Intensity_MaxIntensity",           "Intensity_MassDisplacement",
      "Intensity_LowerQuartileIntensity", "Intensity_MedianIntensity",
      "Intensity_MADIntensity",           "Intensity_UpperQuartileIntensity",
      "Location_CenterMassIntensity_X",   "Location_CenterMassIntensity_Y",
      "Location_CenterMassIntensity_Z",   "Location_MaxIntensity_X",
      "Location_MaxIntensity_Y",          "Location_MaxIntensity_Z"};
  if (edges) {
    for (char const* name :
         {"Intensity_IntegratedIntensityEdge", "Intensity_MeanIntensityEdge",
          "Intensity_StdIntensityEdge", "Intensity_MinIntensityEdge", "Intensity_MaxIntensityEdge"})
      names.emplace_back(name);
  }
  return names;
}

namespace detail {

// Where a pipeline run writes: a (objects, features) matrix and the label of each row, both in
// the memory space of the inputs. Rows beyond the object count are left untouched.
template <class MemorySpace>
struct IntensityOutput {
  using Matrix = Kokkos::View<double**, Kokkos::LayoutStride, MemorySpace,
                              Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  using Labels = Kokkos::View<std::int64_t*, Kokkos::LayoutStride, MemorySpace,
                              Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  Matrix features;
  Labels labels;
  std::int64_t objects = 0;
  // Owners of the memory behind features and labels when they are not the caller's (the
  // workspace's buffers, or fresh ones without a workspace).
  Kokkos::View<double*, MemorySpace> feature_storage;
  Kokkos::View<std::int64_t*, MemorySpace> label_storage;
  Kokkos::View<std::int64_t*, MemorySpace> images;  // [objects]: the image of each object
  bool unsigned_labels = false;  // `labels` holds the bit patterns of uint64 labels
};

// The whole pipeline on (Z,Y,X) volumes: LUT, flatten into per-object segments, features. It
// writes into `caller` when given (bik::Error if it has too few rows), else into buffers of the
// workspace (or fresh ones). Kernels are left running: no fence after the last one.
template <class ExecSpace, class L, class P, class MemorySpace>
IntensityOutput<MemorySpace> measure_intensity_volume(ExecSpace const& space,
                                                      Volume<L const, MemorySpace> labels,
                                                      Volume<P const, MemorySpace> pixels,
                                                      Pairing const& pairing, int source_ndim,
                                                      IntensityOptions const& options,
                                                      Workspace<MemorySpace>* workspace,
                                                      IntensityOutput<MemorySpace> const* caller) {
  kx::ScopedRegion region("bik::measure_intensity");
  using Buffers = Workspace<MemorySpace>;
  typename Buffers::Lease const lease(workspace, "bik::measure_intensity");
  // The LUT's marks may be left to flatten's count pass (one pass over the labels less).
  LabelLut<MemorySpace> lut =
      make_label_lut(space, labels, workspace, pairing.images, options.schedule,
                     options.dense_label_budget, /*defer_marks=*/true);
  FlattenOptions flatten_options;
  flatten_options.edge_flags = options.edges;
  flatten_options.schedule = options.schedule;
  Segments<MemorySpace> const seg =
      flatten_labeled(space, labels, pixels, lut, pairing, flatten_options, workspace);

  std::int64_t const objects = lut.count;
  int const columns = options.edges ? kIntensityColumns : kEdgeIntegrated;
  IntensityOutput<MemorySpace> output;
  output.objects = objects;
  output.images = lut.images;
  output.unsigned_labels = lut.unsigned_labels;
  if (caller != nullptr) {
    require(caller->features.extent(0) >= static_cast<std::size_t>(objects) &&
                caller->labels.extent(0) >= static_cast<std::size_t>(objects),
            "bik::measure_intensity_into",
            "the output Views hold " + std::to_string(caller->features.extent(0)) + " and " +
                std::to_string(caller->labels.extent(0)) + " rows, but " + std::to_string(objects) +
                " objects are present");
    require(caller->features.extent(1) == static_cast<std::size_t>(columns),
            "bik::measure_intensity_into",
            "the features View needs " + std::to_string(columns) + " columns (" +
                (options.edges ? "with" : "without") + " edges), got " +
                std::to_string(caller->features.extent(1)));
    output.features = caller->features;
    output.labels = caller->labels;
  } else {
    output.feature_storage = Buffers::template get<double>(
        workspace, "bik::intensity::features", static_cast<std::size_t>(objects * columns));
    output.features = typename IntensityOutput<MemorySpace>::Matrix(
        output.feature_storage.data(), Kokkos::LayoutStride(objects, 1, columns, objects));
    output.label_storage = lut.labels;
    output.labels = lut.labels;
  }
  if (caller != nullptr)
    Kokkos::deep_copy(space,
                      Kokkos::subview(output.labels, Kokkos::make_pair(std::int64_t(0), objects)),
                      lut.labels);

  IntensityKernel<ExecSpace, MemorySpace> kernel;
  kernel.offsets = seg.offsets;
  kernel.values = seg.values;
  kernel.xs = seg.x;
  kernel.ys = seg.y;
  kernel.zs = seg.z;
  kernel.edge = seg.edge;
  kernel.out = output.features;
  kernel.with_edges = options.edges;
  kernel.legacy = options.legacy;
  kernel.source_ndim = source_ndim;
  kernel.flat = pairing.planes() == 1;
  kernel.nan = std::numeric_limits<double>::quiet_NaN();
  if (objects == 0) return output;
  kernel.scratch = Buffers::template get<double>(workspace, "bik::intensity::scratch", seg.size);
  bool const teams = uses_teams<ExecSpace>(options.schedule);
  // Pixels that double holds exactly as integers: the thread shape may count them (see
  // counting_select.hpp).
  kernel.integer_values = !teams && std::is_integral<P>::value && sizeof(P) <= 4;
  if (kernel.integer_values)
    kernel.counts =
        Buffers::template get<std::int32_t>(workspace, "bik::intensity::counts", seg.size);
  if (teams) {
    std::int64_t const slots = decltype(kernel)::leaf_slots(objects, seg.size);
    kernel.leaf_begin =
        Buffers::template get<std::int64_t>(workspace, "bik::intensity::leaf_begin", slots);
    kernel.leaf_sums =
        Buffers::template get<double>(workspace, "bik::intensity::leaf_sums", 4 * slots);
    using Policy = Kokkos::TeamPolicy<ExecSpace, Kokkos::Schedule<Kokkos::Dynamic>>;
    auto const scratch = Kokkos::PerTeam(decltype(kernel)::team_scratch_bytes());
    int const requested = options.schedule.team_size;
    Policy policy = requested > 0 ? Policy(space, static_cast<int>(objects), requested)
                                  : Policy(space, static_cast<int>(objects), Kokkos::AUTO);
    policy.set_scratch_size(0, scratch);
    if (requested > 0) {
      int const most = policy.team_size_max(kernel, Kokkos::ParallelForTag());
      if (requested > most) {
        policy = Policy(space, static_cast<int>(objects), most);
        policy.set_scratch_size(0, scratch);
      }
    }
    Kokkos::parallel_for("bik::intensity::objects", policy, kernel);
  } else {
    Kokkos::parallel_for("bik::intensity::objects",
                         Kokkos::RangePolicy<ExecSpace, Kokkos::Schedule<Kokkos::Dynamic>,
                                             Kokkos::IndexType<std::int64_t>>(space, 0, objects),
                         kernel);
  }
  return output;
}

// Copies a pipeline's output to host FeatureTables, one per image of the batch (one for a
// single image); objects are ordered by image. The one fence of the table API.
template <class MemorySpace>
std::vector<FeatureTable> to_feature_tables(IntensityOutput<MemorySpace> const& output, bool edges,
                                            std::int64_t image_count) {
  using Unmanaged = Kokkos::MemoryTraits<Kokkos::Unmanaged>;
  std::int64_t const objects = output.objects;
  std::vector<std::string> const names = intensity_feature_names(edges);
  std::int64_t const columns = static_cast<std::int64_t>(names.size());
  std::vector<std::int64_t> labels(static_cast<std::size_t>(objects));
  std::vector<std::int64_t> images(static_cast<std::size_t>(objects));
  std::vector<double> matrix(static_cast<std::size_t>(objects * columns));
  if (objects > 0) {
    auto const first = Kokkos::make_pair(std::int64_t(0), objects);
    Kokkos::View<std::int64_t*, Kokkos::HostSpace, Unmanaged> labels_host(labels.data(), objects);
    Kokkos::deep_copy(labels_host, Kokkos::subview(output.labels, first));
    Kokkos::View<std::int64_t*, Kokkos::HostSpace, Unmanaged> images_host(images.data(), objects);
    Kokkos::deep_copy(images_host, Kokkos::subview(output.images, first));
    Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace, Unmanaged> matrix_host(
        matrix.data(), objects, columns);
    auto const rows = Kokkos::subview(output.features, first, Kokkos::ALL);
    if (rows.stride(0) == 1 && rows.stride(1) == static_cast<std::size_t>(objects)) {
      Kokkos::View<double**, Kokkos::LayoutLeft, MemorySpace, Unmanaged> dense(rows.data(), objects,
                                                                               columns);
      Kokkos::deep_copy(matrix_host, dense);
    } else {  // a caller's View of another layout
      auto mirror = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), rows);
      for (std::int64_t c = 0; c < columns; ++c)
        for (std::int64_t k = 0; k < objects; ++k) matrix_host(k, c) = mirror(k, c);
    }
  }
  Kokkos::fence();
  return tables_by_image(objects, image_count, labels.data(), images.data(), names, matrix.data(),
                         objects, output.unsigned_labels ? LabelType::uint64 : LabelType::int64);
}

}  // namespace detail

namespace detail {
// Checks the arguments of the public entry points and runs the pipeline on them.
template <class ExecSpace, class LabelView, class PixelView>
IntensityOutput<typename PixelView::memory_space> run_intensity(
    char const* where, ExecSpace const& space, LabelView const& labels, PixelView const& pixels,
    IntensityOptions const& options, Workspace<typename PixelView::memory_space>* workspace,
    IntensityOutput<typename PixelView::memory_space> const* caller) {
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
                                                  shape_of(pixel_volume), pixel_rank, where);
  return measure_intensity_volume<ExecSpace, L, P, MemorySpace>(
      space, label_volume, pixel_volume, pairing, pixel_rank, options, workspace, caller);
}
}  // namespace detail

// Per-object intensity features of `pixels` under `labels`, cp_measure's get_intensity.
//
// labels: integer View of any integer type and any non-negative values (uint64 up to 2^64 - 1,
// sparse ones such as 2^40 included), 2D (Y,X) or 3D (Z,Y,X), 0 = background, negative values
// rejected; the table's labels keep their values (FeatureTable::label_type says uint64 for
// 64-bit unsigned labels);
// pixels: real or integer View of rank 2 or 3 with the same shape (a 2D labels View over 3D
// pixels is applied to every plane). Voxels with non-finite pixels are left out of every
// feature. Returns one row per present label, ascending, with the 16 features (21 with edges)
// named and ordered as cp_measure's keys; objects without finite voxels get 0 everywhere.
// Sums, means and standard deviations follow numpy's pairwise order and so equal cp_measure
// (numpy) bit for bit on float64 input, as do min, max, quartiles, median and MAD; the max
// location is the first voxel reaching the maximum in raster order (numpy's argmax). In legacy
// mode quartiles use n*q and the MAD the 1/ndim quantile, ndim being the pixels' rank.
// Work is O(voxels) plus O(n) expected per object for the order statistics; runs on `space`,
// a thread or a team per object as options.schedule says (object_schedule.hpp).
// Throws bik::Error for mismatched or empty shapes or negative labels.
// A workspace (bik/core/workspace.hpp) kept across calls avoids reallocating the temporaries.
template <class ExecSpace, class LabelView, class PixelView>
FeatureTable measure_intensity(ExecSpace const& space, LabelView const& labels,
                               PixelView const& pixels, IntensityOptions const& options = {},
                               Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  return std::move(
      detail::to_feature_tables(detail::run_intensity("bik::measure_intensity", space, labels,
                                                      pixels, options, workspace, nullptr),
                                options.edges, 1)[0]);
}

// The same features, left on the device: row k of `features` (objects x features, in
// intensity_feature_names(options.edges) order) and `object_labels(k)` receive object k, the
// k-th present label in ascending order (object_labels: int64 or uint64; a uint64 label above
// INT64_MAX reads as its bit pattern in an int64 View). Both Views are the caller's, in the
// inputs' memory space, any layout, with at least as many rows as there are objects (bik::Error
// otherwise, before anything is written). Returns the number of objects. The kernels may still be
// running on `space` when this returns (no fence, no host copy): fence before reading.
template <class ExecSpace, class LabelView, class PixelView, class FeatureView, class LabelOutView>
std::int64_t measure_intensity_into(
    ExecSpace const& space, LabelView const& labels, PixelView const& pixels,
    FeatureView const& features, LabelOutView const& object_labels,
    IntensityOptions const& options = {},
    Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  using MemorySpace = typename PixelView::memory_space;
  static_assert(Kokkos::is_view<FeatureView>::value && static_cast<int>(FeatureView::rank) == 2 &&
                    std::is_same<typename FeatureView::non_const_value_type, double>::value,
                "bik::measure_intensity_into: features must be a rank-2 View of double");
  using LabelOut = typename LabelOutView::non_const_value_type;
  static_assert(Kokkos::is_view<LabelOutView>::value && static_cast<int>(LabelOutView::rank) == 1 &&
                    (std::is_same<LabelOut, std::int64_t>::value ||
                     std::is_same<LabelOut, std::uint64_t>::value),
                "bik::measure_intensity_into: object_labels must be a rank-1 View of int64_t or "
                "uint64_t");
  static_assert(std::is_same<typename FeatureView::memory_space, MemorySpace>::value &&
                    std::is_same<typename LabelOutView::memory_space, MemorySpace>::value,
                "bik::measure_intensity_into: outputs must be in the inputs' memory space");
  detail::IntensityOutput<MemorySpace> caller;
  caller.features = features;
  // The label bit patterns are written through an int64 alias of the caller's memory: uint64
  // labels keep their values in a uint64 View (and read as their bit patterns in an int64 one).
  caller.labels = typename detail::IntensityOutput<MemorySpace>::Labels(
      reinterpret_cast<std::int64_t*>(object_labels.data()),
      Kokkos::LayoutStride(object_labels.extent(0), object_labels.stride(0)));
  return detail::run_intensity("bik::measure_intensity_into", space, labels, pixels, options,
                               workspace, &caller)
      .objects;
}

}  // namespace bik

#endif
