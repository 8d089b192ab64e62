// Batches for measure_granularity, by the rules of measure_intensity_batch: a rank-4 (B,Z,Y,X)
// batch runs as one pipeline over all its images (every kernel spans the whole stack: the
// morphology, resampling and reconstruction tiles of all images, and all (image, object)
// read-backs at once), so many small images fill the execution space; a std::vector of Views of
// one shape is copied into such a stack and measured the same way, one of several shapes pair
// after pair (the sampling geometry depends on the shape, so padding would change the results).
#ifndef BIK_MEASURE_GRANULARITY_BATCH_HPP
#define BIK_MEASURE_GRANULARITY_BATCH_HPP

#include "bik/core/batch.hpp"
#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/granularity.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
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

// One FeatureTable per pair labels[i], pixels[i] (2D or 3D Views). When every pair has one
// shape, the pairs are copied into one stack (buffers of the workspace) and measured as one
// batch; otherwise pair after pair. Either way the results equal one call per pair.
template <class ExecSpace, class LabelView, class PixelView>
std::vector<FeatureTable> measure_granularity_batch(
    ExecSpace const& space, std::vector<LabelView> const& labels,
    std::vector<PixelView> const& pixels, GranularityOptions const& options = {},
    Workspace<typename PixelView::memory_space>* workspace = nullptr) {
  using MemorySpace = typename PixelView::memory_space;
  using L = typename LabelView::non_const_value_type;
  using P = typename PixelView::non_const_value_type;
  char const* const where = "bik::measure_granularity_batch";
  constexpr int rank = static_cast<int>(PixelView::rank);
  bool one_shape = labels.size() == pixels.size() && !labels.empty() &&
                   static_cast<int>(LabelView::rank) == rank && (rank == 2 || rank == 3);
  Shape3 const shape = one_shape ? shape_of(as_volume(pixels.front())) : Shape3{};
  auto const has_shape = [&](auto const& view) {
    Shape3 const s = shape_of(as_volume(view));
    return s.z == shape.z && s.y == shape.y && s.x == shape.x;
  };
  for (std::size_t b = 0; one_shape && b < labels.size(); ++b)
    one_shape = has_shape(labels[b]) && has_shape(pixels[b]);
  if (!one_shape)  // single calls check each pair and say what is wrong
    return detail::measure_each_pair(where, labels, pixels, workspace,
                                     [&](auto const& l, auto const& p, auto* w) {
                                       return measure_granularity(space, l, p, options, w);
                                     });
  check_granularity_options(options, where);
  Workspace<MemorySpace> own;
  if (workspace == nullptr) workspace = &own;
  std::int64_t const images = static_cast<std::int64_t>(labels.size());
  std::size_t const voxels = static_cast<std::size_t>(images * shape.size());
  // Any label and pixel type lives in a byte buffer (allocations are aligned for any type).
  using Buffers = Workspace<MemorySpace>;
  auto const label_bytes = Buffers::template get<std::uint8_t>(
      workspace, "bik::granularity_batch::labels", voxels * sizeof(L));
  auto const pixel_bytes = Buffers::template get<std::uint8_t>(
      workspace, "bik::granularity_batch::pixels", voxels * sizeof(P));
  Kokkos::LayoutStride const layout(images * shape.z, shape.y * shape.x, shape.y, shape.x, shape.x,
                                    1);
  Volume<L, MemorySpace> const label_stack(reinterpret_cast<L*>(label_bytes.data()), layout);
  Volume<P, MemorySpace> const pixel_stack(reinterpret_cast<P*>(pixel_bytes.data()), layout);
  for (std::int64_t b = 0; b < images; ++b) {
    auto const planes = Kokkos::make_pair(b * shape.z, (b + 1) * shape.z);
    Kokkos::deep_copy(space, Kokkos::subview(label_stack, planes, Kokkos::ALL, Kokkos::ALL),
                      as_volume(labels[static_cast<std::size_t>(b)]));
    Kokkos::deep_copy(space, Kokkos::subview(pixel_stack, planes, Kokkos::ALL, Kokkos::ALL),
                      as_volume(pixels[static_cast<std::size_t>(b)]));
  }
  return detail::granularity_tables(
      detail::measure_granularity_volume<ExecSpace, L, P, MemorySpace>(
          space, Volume<L const, MemorySpace>(label_stack),
          Volume<P const, MemorySpace>(pixel_stack), images, rank, options, workspace),
      options.granular_spectrum_length, images);
}

}  // namespace bik

#endif
