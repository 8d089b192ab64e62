// The shared plumbing of the batch entry points (measure_*_batch): a (B,Z,Y,X) View seen as
// one stack of images along Z when its images follow each other at equal steps, and the
// fallbacks that measure a batch element by element (irregular steps, or a std::vector of
// Views whose shapes may differ), each element with all of the execution space.
#ifndef BIK_CORE_BATCH_HPP
#define BIK_CORE_BATCH_HPP

#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace bik::detail {

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

// measure(labels, pixels) on each element b of (B,Z,Y,X) batches of equal extents, as 2D (Y,X)
// Views when Z = 1 and as (Z,Y,X) Views otherwise; one table per element, in order.
template <class LabelView, class PixelView, class Measure>
std::vector<FeatureTable> measure_each_image(LabelView const& labels, PixelView const& pixels,
                                             Measure const& measure) {
  std::vector<FeatureTable> tables;
  for (std::size_t b = 0; b < labels.extent(0); ++b) {
    auto l = Kokkos::subview(labels, b, Kokkos::ALL, Kokkos::ALL, Kokkos::ALL);
    auto p = Kokkos::subview(pixels, b, Kokkos::ALL, Kokkos::ALL, Kokkos::ALL);
    if (pixels.extent(1) == 1)
      tables.push_back(measure(Kokkos::subview(l, 0, Kokkos::ALL, Kokkos::ALL),
                               Kokkos::subview(p, 0, Kokkos::ALL, Kokkos::ALL)));
    else
      tables.push_back(measure(l, p));
  }
  return tables;
}

// measure(labels[b], pixels[b], workspace) for each pair of two lists of equal length, with one
// workspace shared by all (the caller's, or one made for the call).
template <class LabelView, class PixelView, class Measure>
std::vector<FeatureTable> measure_each_pair(char const* where, std::vector<LabelView> const& labels,
                                            std::vector<PixelView> const& pixels,
                                            Workspace<typename PixelView::memory_space>* workspace,
                                            Measure const& measure) {
  require(labels.size() == pixels.size(), where,
          "batch size mismatch: " + std::to_string(labels.size()) + " label images, " +
              std::to_string(pixels.size()) + " pixel images");
  Workspace<typename PixelView::memory_space> own;
  if (workspace == nullptr) workspace = &own;
  std::vector<FeatureTable> tables;
  for (std::size_t b = 0; b < labels.size(); ++b)
    tables.push_back(measure(labels[b], pixels[b], workspace));
  return tables;
}

}  // namespace bik::detail

#endif
