// Batches for measure_granularity, by the rules of measure_intensity_batch: a rank-4 (B,Z,Y,X)
// batch runs as one pipeline over all its images (every kernel spans the whole stack: the
// morphology, resampling and reconstruction tiles of all images, and all (image, object)
// read-backs at once), so many small images fill the execution space; a std::vector of Views
// (shapes may differ) is measured one element after another.
#ifndef BIK_MEASURE_GRANULARITY_BATCH_HPP
#define BIK_MEASURE_GRANULARITY_BATCH_HPP

#include "bik/core/batch.hpp"
#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/granularity.hpp"

#include <Kokkos_Core.hpp>

#include <string>
#include <vector>

namespace bik {

// One FeatureTable per element of the (B,Z,Y,X) batches `labels` and `pixels` (equal extents).
// An element with Z = 1 is a 2D image (disk footprints, 2D resampling), others are volumes.
// The results equal one measure_granularity call per element, bit for bit.
template <class ExecSpace, class LabelView, class PixelView>
std::vector<FeatureTable> measure_granularity_batch(
    ExecSpace const& space, LabelView const& labels, PixelView const& pixels,
    GranularityOptions const& options = {},
    Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  static_assert(static_cast<int>(LabelView::rank) == 4 && static_cast<int>(PixelView::rank) == 4,
                "bik::measure_granularity_batch: labels and pixels must both be 4D (B,Z,Y,X) "
                "Views; pass 2D or 3D Views to bik::measure_granularity, or a std::vector here");
  using L = typename LabelView::non_const_value_type;
  using P = typename PixelView::non_const_value_type;
  using MemorySpace = typename PixelView::memory_space;
  char const* const where = "bik::measure_granularity_batch";
  check_granularity_options(options, where);
  require(labels.extent(0) == pixels.extent(0) && labels.extent(1) == pixels.extent(1) &&
              labels.extent(2) == pixels.extent(2) && labels.extent(3) == pixels.extent(3),
          where, "labels and pixels must have the same (B,Z,Y,X) extents");
  std::int64_t const images = static_cast<std::int64_t>(labels.extent(0));
  if (images == 0) return {};
  int const ndim = pixels.extent(1) == 1 ? 2 : 3;
  auto const label_stack = detail::stack_images(labels);
  auto const pixel_stack = detail::stack_images(pixels);
  if (label_stack.data() == nullptr || pixel_stack.data() == nullptr) {
    // Images at irregular steps: one element after another.
    return detail::measure_each_image(labels, pixels, [&](auto const& l, auto const& p) {
      return measure_granularity(space, l, p, options, workspace);
    });
  }
  return detail::granularity_tables(
      detail::measure_granularity_volume<ExecSpace, L, P, MemorySpace>(
          space, label_stack, pixel_stack, images, ndim, options, workspace),
      options.granular_spectrum_length, images);
}

// One FeatureTable per pair labels[i], pixels[i] (2D or 3D Views; shapes may differ).
template <class ExecSpace, class LabelView, class PixelView>
std::vector<FeatureTable> measure_granularity_batch(
    ExecSpace const& space, std::vector<LabelView> const& labels,
    std::vector<PixelView> const& pixels, GranularityOptions const& options = {},
    Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  return detail::measure_each_pair("bik::measure_granularity_batch", labels, pixels, workspace,
                                   [&](auto const& l, auto const& p, auto* w) {
                                     return measure_granularity(space, l, p, options, w);
                                   });
}

}  // namespace bik

#endif
