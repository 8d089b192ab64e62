// Zernike shape features (cp_measure's get_zernike) and radial Zernike features
// (get_radial_zernikes) of 2D label images (spec §8).
#ifndef BIK_MEASURE_ZERNIKE_HPP
#define BIK_MEASURE_ZERNIKE_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/flatten.hpp"
#include "bik/core/label_lut.hpp"
#include "bik/core/object_schedule.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/minimum_enclosing_circle.hpp"
#include "bik/measure/zernike_basis.hpp"
#include "bik/measure/zernike_indices.hpp"
#include "bik/measure/zernike_kernel.hpp"
#include "bik/measure/zernike_moments.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace bik {

struct ZernikeOptions {
  int degree = 9;           // cp_measure's zernike_numbers / zernike_degree: pairs up to n = 9
  ObjectSchedule schedule;  // thread or team per object for the enclosing circles
};

// The feature names of `kind` at `degree`, in cp_measure's dict order.
inline std::vector<std::string> zernike_kind_names(ZernikeKind kind, int degree) {
  return kind == ZernikeKind::shape ? zernike_feature_names(degree)
                                    : radial_zernike_feature_names(degree);
}

namespace detail {

// Where a pipeline run writes: a dense (objects x features) matrix, column-major, with the
// label and image of each row, in the memory space of the inputs.
template <class MemorySpace>
struct ZernikeOutput {
  Kokkos::View<double*, MemorySpace> features;      // [features * objects], column-major
  Kokkos::View<std::int64_t*, MemorySpace> labels;  // [objects]
  Kokkos::View<std::int64_t*, MemorySpace> images;  // [objects]
  std::int64_t objects = 0;
  int columns = 0;
};

// The inputs both accumulation kernels (zernike_kernel.hpp, zernike_moments.hpp) read: the
// segments and their chunk starts, each object's image and circle, the pixels, where partial
// sums go, and whether pixel values weigh them (radial) or not (shape).
template <class Sums, class P, class MemorySpace>
void set_chunk_inputs(Sums& sums, Segments<MemorySpace> const& seg,
                      LabelLut<MemorySpace> const& lut, Volume<P const, MemorySpace> pixels,
                      EnclosingCircles<MemorySpace> const& circles,
                      Kokkos::View<std::int64_t*, MemorySpace> chunk_begin,
                      Kokkos::View<double*, MemorySpace> partial, ZernikeKind kind) {
  sums.offsets = seg.offsets;
  sums.chunk_begin = chunk_begin;
  sums.xs = seg.x;
  sums.ys = seg.y;
  sums.images = lut.images;
  sums.pixels = pixels;
  sums.center_y = circles.center_y;
  sums.center_x = circles.center_x;
  sums.radius = circles.radius;
  sums.partial = partial;
  sums.objects = lut.count;
  sums.weighted = kind == ZernikeKind::radial;
}

// The inputs both feature kernels share: which chunks make each object, their partial sums,
// the radii that scale them, where the features go.
template <class Features, class MemorySpace>
void set_feature_inputs(Features& features, Segments<MemorySpace> const& seg,
                        EnclosingCircles<MemorySpace> const& circles,
                        Kokkos::View<std::int64_t*, MemorySpace> chunk_begin,
                        Kokkos::View<double*, MemorySpace> partial,
                        ZernikeFeatureMatrix<MemorySpace> const& out, ZernikeKind kind) {
  features.offsets = seg.offsets;
  features.chunk_begin = chunk_begin;
  features.radius = circles.radius;
  features.partial = partial;
  features.out = out;
  features.kind = kind;
}

// The whole pipeline on a (B,1,Y,X) stack of `pairing.images` 2D images: LUT, segments of the
// label pixels, enclosing circles, fused accumulation, features. `pixels` is read only for
// ZernikeKind::radial (it may be empty for ZernikeKind::shape). No fence after the last kernel.
template <class ExecSpace, class L, class P, class MemorySpace>
ZernikeOutput<MemorySpace> measure_zernike_volume(ExecSpace const& space,
                                                  Volume<L const, MemorySpace> labels,
                                                  Volume<P const, MemorySpace> pixels,
                                                  Pairing const& pairing, ZernikeKind kind,
                                                  ZernikeOptions const& options,
                                                  Workspace<MemorySpace>* workspace) {
  kx::ScopedRegion region(kind == ZernikeKind::shape ? "bik::measure_zernike"
                                                     : "bik::measure_radial_zernike");
  char const* const where =
      kind == ZernikeKind::shape ? "bik::measure_zernike" : "bik::measure_radial_zernike";
  check_zernike_degree(options.degree, where);
  require(pairing.planes() == 1 && pairing.label_z_step == 1, where,
          "Zernike features are 2D only (cp_measure returns none for 3D input), got images of " +
              std::to_string(pairing.planes()) + " planes of " + std::to_string(pairing.shape.y) +
              " x " + std::to_string(pairing.shape.x));
  using Buffers = Workspace<MemorySpace>;
  typename Buffers::Lease const lease(workspace, where);
  // The expansion (zernike_moments.hpp) up to kZernikeMomentDegree, the direct basis above.
  bool const moments = options.degree <= kZernikeMomentDegree;
  ZernikeExpansion<MemorySpace> expansion;
  ZernikeTables<MemorySpace> tables;
  if (moments)
    expansion = make_zernike_expansion(space, options.degree, workspace);
  else
    tables = make_zernike_tables(space, options.degree, workspace);
  LabelLut<MemorySpace> const lut =
      make_label_lut(space, labels, workspace, pairing.images, options.schedule);
  std::int64_t const objects = lut.count;
  ZernikeOutput<MemorySpace> output;
  output.objects = objects;
  output.labels = lut.labels;
  output.images = lut.images;
  int const pairs = moments ? expansion.pairs : tables.pairs;
  output.columns = kind == ZernikeKind::shape ? pairs : 2 * pairs;
  output.features = Buffers::template get<double>(
      workspace, "bik::zernike::features", static_cast<std::size_t>(objects * output.columns));
  if (objects == 0) return output;

  // Every labelled pixel counts, whatever its value (the labels stand in for the pixels, so
  // none is dropped as non-finite); radial weights are read from `pixels` by position.
  FlattenOptions flatten_options;
  flatten_options.schedule = options.schedule;
  Segments<MemorySpace> const seg =
      flatten_labeled(space, labels, labels, lut, pairing, flatten_options, workspace);
  EnclosingCircles<MemorySpace> const circles =
      minimum_enclosing_circles(space, seg, options.schedule, workspace);

  auto chunk_begin =
      Buffers::template get<std::int64_t>(workspace, "bik::zernike::chunk_begin", objects + 1);
  auto const out = ZernikeFeatureMatrix<MemorySpace>(
      output.features.data(), Kokkos::LayoutStride(objects, 1, output.columns, objects));
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  using ChunkPolicy = Kokkos::RangePolicy<ExecSpace, Kokkos::Schedule<Kokkos::Dynamic>,
                                          Kokkos::IndexType<std::int64_t>>;
  if (moments) {
    detail::zernike_chunk_starts(space, seg.offsets, chunk_begin, objects, kZernikeMomentChunk);
    std::int64_t const chunk_bound =
        (seg.size + kZernikeMomentChunk - 1) / kZernikeMomentChunk + objects;
    auto partial =
        Buffers::template get<double>(workspace, "bik::zernike::partial",
                                      static_cast<std::size_t>(chunk_bound * expansion.monomials));
    detail::ZernikeMomentSums<ExecSpace, P, MemorySpace> sums;
    detail::set_chunk_inputs(sums, seg, lut, pixels, circles, chunk_begin, partial, kind);
    sums.degree = options.degree;
    Kokkos::parallel_for("bik::zernike::moments", ChunkPolicy(space, 0, chunk_bound), sums);
    detail::ZernikeMomentFeatures<ExecSpace, MemorySpace> features;
    detail::set_feature_inputs(features, seg, circles, chunk_begin, partial, out, kind);
    features.expansion = expansion;
    Kokkos::parallel_for("bik::zernike::features", Policy(space, 0, objects * expansion.pairs),
                         features);
    return output;
  }

  detail::zernike_chunk_starts(space, seg.offsets, chunk_begin, objects, kZernikeChunk);
  std::int64_t const chunk_bound = (seg.size + kZernikeChunk - 1) / kZernikeChunk + objects;
  auto partial = Buffers::template get<double>(
      workspace, "bik::zernike::partial", static_cast<std::size_t>(chunk_bound * 2 * tables.pairs));

  detail::ZernikeChunkSums<ExecSpace, P, MemorySpace> sums;
  detail::set_chunk_inputs(sums, seg, lut, pixels, circles, chunk_begin, partial, kind);
  sums.tables = tables;
  Kokkos::parallel_for("bik::zernike::chunks", ChunkPolicy(space, 0, chunk_bound), sums);

  detail::ZernikeFeatures<ExecSpace, MemorySpace> features;
  detail::set_feature_inputs(features, seg, circles, chunk_begin, partial, out, kind);
  features.pairs = tables.pairs;
  Kokkos::parallel_for("bik::zernike::features", Policy(space, 0, objects * tables.pairs),
                       features);
  return output;
}

// Host FeatureTables, one per image of the batch; objects are ordered by image. The one fence.
template <class MemorySpace>
std::vector<FeatureTable> zernike_tables_on_host(ZernikeOutput<MemorySpace> const& output,
                                                 std::vector<std::string> const& names,
                                                 std::int64_t image_count) {
  require(static_cast<std::int64_t>(names.size()) == output.columns, "bik::zernike_tables_on_host",
          "one name per feature column");
  std::int64_t const objects = output.objects;
  auto const rows = Kokkos::make_pair(std::int64_t(0), objects);
  auto const labels = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(),
                                                          Kokkos::subview(output.labels, rows));
  auto const images = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(),
                                                          Kokkos::subview(output.images, rows));
  auto const matrix = Kokkos::create_mirror_view_and_copy(
      Kokkos::HostSpace(),
      Kokkos::subview(output.features,
                      Kokkos::make_pair(std::int64_t(0), objects * output.columns)));
  return tables_by_image(objects, image_count, labels.data(), images.data(), names, matrix.data(),
                         objects);
}

// Checks the Views of the public entry points: 2D, integer labels, same shapes.
template <class LabelView, class PixelView>
Pairing zernike_pairing(char const* where, LabelView const& labels, PixelView const& pixels) {
  static_assert(Kokkos::is_view<LabelView>::value && Kokkos::is_view<PixelView>::value,
                "bik Zernike features: labels and pixels must be Kokkos::Views");
  static_assert(std::is_integral<typename LabelView::non_const_value_type>::value,
                "bik Zernike features: labels must be integers");
  constexpr int label_rank = static_cast<int>(LabelView::rank);
  constexpr int pixel_rank = static_cast<int>(PixelView::rank);
  static_assert((label_rank == 2 || label_rank == 3) && (pixel_rank == 2 || pixel_rank == 3),
                "bik Zernike features: labels and pixels must be Views of rank 2 (or 3, refused)");
  require(label_rank == 2 && pixel_rank == 2, where,
          std::string("Zernike features are 2D only (cp_measure returns none for 3D input), got ") +
              (label_rank == 3 ? "3D labels of shape " + shape_of(as_volume(labels)).str()
                               : "3D pixels of shape " + shape_of(as_volume(pixels)).str()));
  return pair_labels_with_pixels(shape_of(as_volume(labels)), 2, shape_of(as_volume(pixels)), 2,
                                 where);
}

}  // namespace detail

// Zernike shape features of every object of a 2D label image, cp_measure's get_zernike:
// "Zernike_n_m" = |sum over the object's pixels of V_nm| / (pi r^2) for the (n, m) pairs up to
// options.degree (default 9: 30 pairs), where pixels are mapped into the object's minimum
// enclosing circle (centre and radius r bit for bit as centrosome's) and V_nm is centrosome's
// basis, bit for bit (zernike_basis.hpp). One row per present label, ascending; a one-pixel
// object (r = 0) gives NaN. Sums run in chunks (zernike_kernel.hpp): equal to cp_measure within
// round-off, identical for every thread count and schedule. O(pixels x pairs) work in one
// fused pass, parallel over chunks of objects. Throws bik::Error for 3D input (the features are
// 2D only), a degree outside [0, 99], negative labels or empty images.
template <class ExecSpace, class LabelView>
FeatureTable measure_zernike(ExecSpace const& space, LabelView const& labels,
                             ZernikeOptions const& options = {},
                             Workspace<typename LabelView::memory_space>* workspace = nullptr) {
  using MemorySpace = typename LabelView::memory_space;
  using L = typename LabelView::non_const_value_type;
  Pairing const pairing = detail::zernike_pairing("bik::measure_zernike", labels, labels);
  check_zernike_degree(options.degree, "bik::measure_zernike");
  auto const out = detail::measure_zernike_volume<ExecSpace, L, double, MemorySpace>(
      space, as_volume(labels), Volume<double const, MemorySpace>(), pairing, ZernikeKind::shape,
      options, workspace);
  return std::move(detail::zernike_tables_on_host(
      out, zernike_kind_names(ZernikeKind::shape, options.degree), 1)[0]);
}

// Radial Zernike features of `pixels` under a 2D label image of the same shape, cp_measure's
// get_radial_zernikes: with S = sum over the object of pixel * V_nm (the weight applied to the
// radial part before the azimuthal factor, as centrosome does), "RadialDistribution_
// ZernikeMagnitude_n_m" = |S| / (pixel count) and "RadialDistribution_ZernikePhase_n_m" =
// atan2(Re S, Im S) (CellProfiler's argument order), interleaved per pair. Non-finite pixels
// make their object's features NaN, as in cp_measure. Otherwise as measure_zernike.
template <class ExecSpace, class LabelView, class PixelView>
FeatureTable measure_radial_zernike(
    ExecSpace const& space, LabelView const& labels, PixelView const& pixels,
    ZernikeOptions const& options = {},
    Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  using MemorySpace = typename PixelView::memory_space;
  using L = typename LabelView::non_const_value_type;
  using P = typename PixelView::non_const_value_type;
  static_assert(std::is_arithmetic<P>::value,
                "bik::measure_radial_zernike: pixels must be numbers");
  static_assert(std::is_same<MemorySpace, typename LabelView::memory_space>::value,
                "bik::measure_radial_zernike: labels and pixels must be in the same memory space");
  Pairing const pairing = detail::zernike_pairing("bik::measure_radial_zernike", labels, pixels);
  check_zernike_degree(options.degree, "bik::measure_radial_zernike");
  auto const out = detail::measure_zernike_volume<ExecSpace, L, P, MemorySpace>(
      space, as_volume(labels), as_volume(pixels), pairing, ZernikeKind::radial, options,
      workspace);
  return std::move(detail::zernike_tables_on_host(
      out, zernike_kind_names(ZernikeKind::radial, options.degree), 1)[0]);
}

}  // namespace bik

#endif
