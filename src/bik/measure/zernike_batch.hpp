// Batches for the Zernike features: a (B,1,Y,X) View is B 2D images measured as one kernel
// sequence over the combined (image, object) index space, so many small images fill the
// execution space together (cp_measure's to_bzyx convention, spec §2.1).
#ifndef BIK_MEASURE_ZERNIKE_BATCH_HPP
#define BIK_MEASURE_ZERNIKE_BATCH_HPP

#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/intensity_batch.hpp"
#include "bik/measure/zernike.hpp"

#include <Kokkos_Core.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace bik {

namespace detail {
// The pairing of a (B,Z,Y,X) label batch with pixels of `pixel_extents`: bik::Error unless the
// extents are equal, Z = 1 and the images follow each other at equal steps.
template <class LabelView>
Pairing zernike_batch_pairing(char const* where, LabelView const& labels,
                              std::size_t const (&pixel_extents)[4], int degree) {
  static_assert(static_cast<int>(LabelView::rank) == 4,
                "bik Zernike batches: labels must be a 4D (B,1,Y,X) View");
  check_zernike_degree(degree, where);
  for (int d = 0; d < 4; ++d)
    require(labels.extent(d) == pixel_extents[d], where,
            "labels and pixels must have the same (B,Z,Y,X) extents");
  require(labels.extent(1) == 1, where,
          "Zernike features are 2D only (cp_measure returns none for 3D input), got images of " +
              std::to_string(labels.extent(1)) + " planes");
  require(stack_images(labels).data() != nullptr, where,
          "the images of a batch must follow each other at equal steps (LayoutRight)");
  Shape3 const shape = shape_of(stack_images(labels));
  Pairing pairing = pair_labels_with_pixels(shape, 3, shape, 3, where);
  pairing.images = static_cast<std::int64_t>(labels.extent(0));
  return pairing;
}
}  // namespace detail

// Zernike shape features of each 2D image of a (B,1,Y,X) label batch: one FeatureTable per
// image, equal to measure_zernike on each; bik::Error for images of more than one plane.
template <class ExecSpace, class LabelView>
std::vector<FeatureTable> measure_zernike_batch(
    ExecSpace const& space, LabelView const& labels, ZernikeOptions const& options = {},
    Workspace<typename LabelView::memory_space>* workspace = nullptr) {
  using L = typename LabelView::non_const_value_type;
  using MemorySpace = typename LabelView::memory_space;
  if (labels.extent(0) == 0) return {};
  std::size_t const extents[4] = {labels.extent(0), labels.extent(1), labels.extent(2),
                                  labels.extent(3)};
  Pairing const pairing =
      detail::zernike_batch_pairing("bik::measure_zernike_batch", labels, extents, options.degree);
  return detail::zernike_tables_on_host(
      detail::measure_zernike_volume<ExecSpace, L, double, MemorySpace>(
          space, detail::stack_images(labels), Volume<double const, MemorySpace>(), pairing,
          ZernikeKind::shape, options, workspace),
      zernike_kind_names(ZernikeKind::shape, options.degree), pairing.images);
}

// Radial Zernike features of a (B,1,Y,X) pixel batch under labels of the same extents.
template <class ExecSpace, class LabelView, class PixelView>
std::vector<FeatureTable> measure_radial_zernike_batch(
    ExecSpace const& space, LabelView const& labels, PixelView const& pixels,
    ZernikeOptions const& options = {},
    Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  static_assert(static_cast<int>(PixelView::rank) == 4,
                "bik::measure_radial_zernike_batch: pixels must be a 4D (B,1,Y,X) View");
  using L = typename LabelView::non_const_value_type;
  using P = typename PixelView::non_const_value_type;
  using MemorySpace = typename PixelView::memory_space;
  static_assert(std::is_same<MemorySpace, typename LabelView::memory_space>::value,
                "bik::measure_radial_zernike_batch: labels and pixels must share a memory space");
  if (labels.extent(0) == 0 && pixels.extent(0) == 0) return {};
  std::size_t const extents[4] = {pixels.extent(0), pixels.extent(1), pixels.extent(2),
                                  pixels.extent(3)};
  Pairing const pairing = detail::zernike_batch_pairing("bik::measure_radial_zernike_batch", labels,
                                                        extents, options.degree);
  auto const pixel_stack = detail::stack_images(pixels);
  require(pixel_stack.data() != nullptr, "bik::measure_radial_zernike_batch",
          "the images of a batch must follow each other at equal steps (LayoutRight)");
  return detail::zernike_tables_on_host(
      detail::measure_zernike_volume<ExecSpace, L, P, MemorySpace>(
          space, detail::stack_images(labels), pixel_stack, pairing, ZernikeKind::radial, options,
          workspace),
      zernike_kind_names(ZernikeKind::radial, options.degree), pairing.images);
}

}  // namespace bik

#endif
