// Batches for measure_intensity, by cp_measure's to_bzyx rules (spec §2.1): a rank-4
// (B,Z,Y,X) View is a batch of volumes, a std::vector of Views is a batch whose elements may
// differ in shape (ragged), and a single 2D or 3D View is not a batch (use measure_intensity).
// Elements are measured one after another, each with all of the execution space.
#ifndef BIK_MEASURE_INTENSITY_BATCH_HPP
#define BIK_MEASURE_INTENSITY_BATCH_HPP

#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/intensity.hpp"

#include <Kokkos_Core.hpp>

#include <string>
#include <vector>

namespace bik {

// One FeatureTable per element of the (B,Z,Y,X) batches `labels` and `pixels`, which must have
// the same extents. An element with Z = 1 is measured as a 2D image (legacy MAD at q = 1/2),
// since (B,1,Y,X) is how a batch of 2D images is written; other elements are volumes.
template <class ExecSpace, class LabelView, class PixelView>
std::vector<FeatureTable> measure_intensity_batch(ExecSpace const& space, LabelView const& labels,
                                                  PixelView const& pixels,
                                                  IntensityOptions const& options = {}) {
  static_assert(static_cast<int>(LabelView::rank) == 4 && static_cast<int>(PixelView::rank) == 4,
                "bik::measure_intensity_batch: labels and pixels must both be 4D (B,Z,Y,X) Views; "
                "pass 2D or 3D Views to bik::measure_intensity, or a std::vector of them here");
  require(labels.extent(0) == pixels.extent(0), "bik::measure_intensity_batch",
          "batch size mismatch: " + std::to_string(labels.extent(0)) + " label images, " +
              std::to_string(pixels.extent(0)) + " pixel images");
  Workspace<typename PixelView::memory_space> workspace;
  std::vector<FeatureTable> tables;
  for (std::size_t b = 0; b < labels.extent(0); ++b) {
    auto l = Kokkos::subview(labels, b, Kokkos::ALL, Kokkos::ALL, Kokkos::ALL);
    auto p = Kokkos::subview(pixels, b, Kokkos::ALL, Kokkos::ALL, Kokkos::ALL);
    if (p.extent(0) == 1 && l.extent(0) == 1) {
      tables.push_back(measure_intensity(space, Kokkos::subview(l, 0, Kokkos::ALL, Kokkos::ALL),
                                         Kokkos::subview(p, 0, Kokkos::ALL, Kokkos::ALL), options,
                                         &workspace));
    } else {
      tables.push_back(measure_intensity(space, l, p, options, &workspace));
    }
  }
  return tables;
}

// One FeatureTable per pair labels[i], pixels[i] (2D or 3D Views; shapes may differ between
// pairs). The two lists must have the same length.
template <class ExecSpace, class LabelView, class PixelView>
std::vector<FeatureTable> measure_intensity_batch(ExecSpace const& space,
                                                  std::vector<LabelView> const& labels,
                                                  std::vector<PixelView> const& pixels,
                                                  IntensityOptions const& options = {}) {
  require(labels.size() == pixels.size(), "bik::measure_intensity_batch",
          "batch size mismatch: " + std::to_string(labels.size()) + " label images, " +
              std::to_string(pixels.size()) + " pixel images");
  Workspace<typename PixelView::memory_space> workspace;
  std::vector<FeatureTable> tables;
  for (std::size_t b = 0; b < labels.size(); ++b)
    tables.push_back(measure_intensity(space, labels[b], pixels[b], options, &workspace));
  return tables;
}

}  // namespace bik

#endif
