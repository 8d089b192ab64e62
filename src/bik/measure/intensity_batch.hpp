// Batches for measure_intensity, by cp_measure's to_bzyx rules (spec §2.1): a rank-4
// (B,Z,Y,X) View is a batch of volumes, a std::vector of Views is a batch whose elements may
// differ in shape (ragged), and a single 2D or 3D View is not a batch (use measure_intensity).
// A (B,Z,Y,X) batch runs as one kernel sequence over the combined (image, object) index space,
// so a batch of many small images fills the execution space. A ragged list runs as one such
// sequence too, over a copy padded to the largest extents (see stage_ragged_element).
#ifndef BIK_MEASURE_INTENSITY_BATCH_HPP
#define BIK_MEASURE_INTENSITY_BATCH_HPP

#include "bik/core/batch.hpp"
#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/intensity.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace bik {

namespace detail {
// Copies element b of a ragged list into slab b of a (B*Z,Y,X) stack padded to the largest
// extents. Padding voxels repeat the label of the nearest voxel of the element and get a NaN
// pixel: a NaN voxel belongs to no object, and a border voxel's padded neighbour has its own
// label, so it is no more an edge than next to the element's border. The stack therefore
// yields the element's segments and edge flags exactly. Pixels become double, as flatten
// stores them anyway.
template <class ExecSpace, class L, class P, class MemorySpace>
void stage_ragged_element(ExecSpace const& space, Volume<L const, MemorySpace> labels,
                          Volume<P const, MemorySpace> pixels, Volume<L, MemorySpace> label_stack,
                          Volume<double, MemorySpace> pixel_stack, std::int64_t planes,
                          std::int64_t b) {
  std::int64_t const nz = labels.extent(0), ny = labels.extent(1), nx = labels.extent(2);
  std::int64_t const sy = label_stack.extent(1), sx = label_stack.extent(2);
  double const nan = std::numeric_limits<double>::quiet_NaN();
  Kokkos::parallel_for(
      "bik::intensity_batch::stage",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, planes * sy * sx),
      KOKKOS_LAMBDA(std::int64_t i) {
        std::int64_t const r = i / sx, x = i - r * sx, z = r / sy, y = r - z * sy;
        bool const inside = z < nz && y < ny && x < nx;
        label_stack(b * planes + z, y, x) =
            labels(kx::min(z, nz - 1), kx::min(y, ny - 1), kx::min(x, nx - 1));
        pixel_stack(b * planes + z, y, x) = inside ? static_cast<double>(pixels(z, y, x)) : nan;
      });
}
}  // namespace detail

// One FeatureTable per element of the (B,Z,Y,X) batches `labels` and `pixels`, which must have
// the same extents. An element with Z = 1 is measured as a 2D image (legacy MAD at q = 1/2),
// since (B,1,Y,X) is how a batch of 2D images is written; other elements are volumes. Objects
// are the (image, label) pairs, measured together; the results equal one call per element.
template <class ExecSpace, class LabelView, class PixelView>
std::vector<FeatureTable> measure_intensity_batch(
    ExecSpace const& space, LabelView const& labels, PixelView const& pixels,
    IntensityOptions const& options = {},
    Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  static_assert(static_cast<int>(LabelView::rank) == 4 && static_cast<int>(PixelView::rank) == 4,
                "bik::measure_intensity_batch: labels and pixels must both be 4D (B,Z,Y,X) Views; "
                "pass 2D or 3D Views to bik::measure_intensity, or a std::vector of them here");
  using L = typename LabelView::non_const_value_type;
  using P = typename PixelView::non_const_value_type;
  using MemorySpace = typename PixelView::memory_space;
  static_assert(std::is_same<MemorySpace, typename LabelView::memory_space>::value,
                "bik::measure_intensity_batch: labels and pixels must be in the same memory space");
  char const* const where = "bik::measure_intensity_batch";
  require(labels.extent(0) == pixels.extent(0), where,
          "batch size mismatch: " + std::to_string(labels.extent(0)) + " label images, " +
              std::to_string(pixels.extent(0)) + " pixel images");
  std::int64_t const images = static_cast<std::int64_t>(labels.extent(0));
  if (images == 0) return {};
  require(labels.extent(1) == pixels.extent(1) && labels.extent(2) == pixels.extent(2) &&
              labels.extent(3) == pixels.extent(3),
          where, "every label image must have its pixel image's (Z,Y,X) shape");
  int const source_ndim = pixels.extent(1) == 1 ? 2 : 3;
  auto const label_stack = detail::stack_images(labels);
  auto const pixel_stack = detail::stack_images(pixels);
  if (label_stack.data() == nullptr || pixel_stack.data() == nullptr) {
    // Images at irregular steps (LayoutLeft over B, say): one element after another.
    return detail::measure_each_image(labels, pixels, [&](auto const& l, auto const& p) {
      return measure_intensity(space, l, p, options, workspace);
    });
  }
  Pairing pairing =
      pair_labels_with_pixels(shape_of(label_stack), 3, shape_of(pixel_stack), 3, where);
  pairing.images = images;
  return detail::to_feature_tables(
      detail::measure_intensity_volume<ExecSpace, L, P, MemorySpace>(
          space, label_stack, pixel_stack, pairing, source_ndim, options, workspace, nullptr),
      options.edges, images);
}

// One FeatureTable per pair labels[i], pixels[i] (2D or 3D Views; shapes may differ between
// pairs). The two lists must have the same length. The pairs are copied into one stack padded
// to their largest extents (buffers of the workspace) and measured as one batch, so the results
// equal one call per pair; 2D labels over 3D pixels (broadcast) are measured pair by pair.
template <class ExecSpace, class LabelView, class PixelView>
std::vector<FeatureTable> measure_intensity_batch(
    ExecSpace const& space, std::vector<LabelView> const& labels,
    std::vector<PixelView> const& pixels, IntensityOptions const& options = {},
    Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  using MemorySpace = typename PixelView::memory_space;
  using L = typename LabelView::non_const_value_type;
  using P = typename PixelView::non_const_value_type;
  char const* const where = "bik::measure_intensity_batch";
  constexpr int label_rank = static_cast<int>(LabelView::rank);
  constexpr int pixel_rank = static_cast<int>(PixelView::rank);
  if (label_rank != pixel_rank || labels.size() != pixels.size() || labels.empty())
    return detail::measure_each_pair(where, labels, pixels, workspace,
                                     [&](auto const& l, auto const& p, auto* w) {
                                       return measure_intensity(space, l, p, options, w);
                                     });
  Workspace<MemorySpace> own;
  if (workspace == nullptr) workspace = &own;
  static_assert(std::is_integral<L>::value,
                "bik::measure_intensity_batch: labels must be integers");
  // Every pair is checked as a single call would check it; the stack has the largest extents.
  Shape3 most;
  for (std::size_t b = 0; b < labels.size(); ++b) {
    Shape3 const shape = pair_labels_with_pixels(shape_of(as_volume(labels[b])), label_rank,
                                                 shape_of(as_volume(pixels[b])), pixel_rank, where)
                             .shape;
    most = {std::max(most.z, shape.z), std::max(most.y, shape.y), std::max(most.x, shape.x)};
  }
  std::int64_t const images = static_cast<std::int64_t>(labels.size());
  std::int64_t const voxels = images * most.size();
  using Buffers = Workspace<MemorySpace>;
  // Labels of any integer type live in a byte buffer (allocations are aligned for any type).
  auto const label_bytes = Buffers::template get<std::uint8_t>(
      workspace, "bik::intensity_batch::labels", static_cast<std::size_t>(voxels) * sizeof(L));
  auto const pixel_values =
      Buffers::template get<double>(workspace, "bik::intensity_batch::pixels", voxels);
  Kokkos::LayoutStride const stack_layout(images * most.z, most.y * most.x, most.y, most.x, most.x,
                                          1);
  Volume<L, MemorySpace> const label_stack(reinterpret_cast<L*>(label_bytes.data()), stack_layout);
  Volume<double, MemorySpace> const pixel_stack(pixel_values.data(), stack_layout);
  for (std::int64_t b = 0; b < images; ++b)
    detail::stage_ragged_element<ExecSpace, L, P, MemorySpace>(
        space, as_volume(labels[b]), as_volume(pixels[b]), label_stack, pixel_stack, most.z, b);
  Pairing pairing =
      pair_labels_with_pixels(shape_of(label_stack), 3, shape_of(pixel_stack), 3, where);
  pairing.images = images;
  return detail::to_feature_tables(
      detail::measure_intensity_volume<ExecSpace, L, double, MemorySpace>(
          space, Volume<L const, MemorySpace>(label_stack),
          Volume<double const, MemorySpace>(pixel_stack), pairing, pixel_rank, options, workspace,
          nullptr),
      options.edges, images);
}

}  // namespace bik

#endif
