// Batches for measure_intensity, by cp_measure's to_bzyx rules (spec §2.1): a rank-4
// (B,Z,Y,X) View is a batch of volumes, a std::vector of Views is a batch whose elements may
// differ in shape (ragged), and a single 2D or 3D View is not a batch (use measure_intensity).
// A (B,Z,Y,X) batch runs as one kernel sequence over the combined (image, object) index space,
// so a batch of many small images fills the execution space; a ragged list is measured one
// element after another, each with all of the execution space.
#ifndef BIK_MEASURE_INTENSITY_BATCH_HPP
#define BIK_MEASURE_INTENSITY_BATCH_HPP

#include "bik/core/batch.hpp"
#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/intensity.hpp"

#include <Kokkos_Core.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace bik {

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
// pairs). The two lists must have the same length.
template <class ExecSpace, class LabelView, class PixelView>
std::vector<FeatureTable> measure_intensity_batch(
    ExecSpace const& space, std::vector<LabelView> const& labels,
    std::vector<PixelView> const& pixels, IntensityOptions const& options = {},
    Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  return detail::measure_each_pair("bik::measure_intensity_batch", labels, pixels, workspace,
                                   [&](auto const& l, auto const& p, auto* w) {
                                     return measure_intensity(space, l, p, options, w);
                                   });
}

}  // namespace bik

#endif
