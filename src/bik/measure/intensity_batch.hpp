// Batches for measure_intensity, by cp_measure's to_bzyx rules (spec §2.1): a rank-4
// (B,Z,Y,X) View is a batch of volumes, a std::vector of Views is a batch whose elements may
// differ in shape (ragged), and a single 2D or 3D View is not a batch (use measure_intensity).
// A (B,Z,Y,X) batch runs as one kernel sequence over the combined (image, object) index space,
// so a batch of many small images fills the execution space; a ragged list is measured one
// element after another, each with all of the execution space.
#ifndef BIK_MEASURE_INTENSITY_BATCH_HPP
#define BIK_MEASURE_INTENSITY_BATCH_HPP

#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/intensity.hpp"

#include <Kokkos_Core.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace bik {

namespace detail {
// A (B,Z,Y,X) View as a (B*Z,Y,X) Volume, when its images follow each other at equal steps
// (true of LayoutRight and of subviews over B); empty otherwise.
template <class View4>
auto stack_images(View4 const& v) {
  using Result = Volume<typename View4::const_value_type, typename View4::memory_space>;
  std::size_t stride[8] = {};
  v.stride(stride);
  if (v.extent(0) > 1 && stride[0] != v.extent(1) * stride[1]) return Result();
  return Result(v.data(), Kokkos::LayoutStride(v.extent(0) * v.extent(1), stride[1], v.extent(2),
                                               stride[2], v.extent(3), stride[3]));
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
    std::vector<FeatureTable> tables;
    for (std::int64_t b = 0; b < images; ++b) {
      auto l = Kokkos::subview(labels, b, Kokkos::ALL, Kokkos::ALL, Kokkos::ALL);
      auto p = Kokkos::subview(pixels, b, Kokkos::ALL, Kokkos::ALL, Kokkos::ALL);
      if (source_ndim == 2)
        tables.push_back(measure_intensity(space, Kokkos::subview(l, 0, Kokkos::ALL, Kokkos::ALL),
                                           Kokkos::subview(p, 0, Kokkos::ALL, Kokkos::ALL), options,
                                           workspace));
      else
        tables.push_back(measure_intensity(space, l, p, options, workspace));
    }
    return tables;
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
  require(labels.size() == pixels.size(), "bik::measure_intensity_batch",
          "batch size mismatch: " + std::to_string(labels.size()) + " label images, " +
              std::to_string(pixels.size()) + " pixel images");
  Workspace<typename PixelView::memory_space> own;
  if (workspace == nullptr) workspace = &own;
  std::vector<FeatureTable> tables;
  for (std::size_t b = 0; b < labels.size(); ++b)
    tables.push_back(measure_intensity(space, labels[b], pixels[b], options, workspace));
  return tables;
}

}  // namespace bik

#endif
