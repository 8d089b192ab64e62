// Label -> object-index lookup table (spec §2.2). The present labels (> 0), in ascending order,
// get the indices 0..count-1; absent labels and 0 map to -1. Labels must be >= 0.
// A batch of images stacked along Z (each `planes` planes deep) gets one table for all of
// them: objects are the present (image, label) pairs, ordered by image, then label.
#ifndef BIK_CORE_LABEL_LUT_HPP
#define BIK_CORE_LABEL_LUT_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/object_schedule.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <type_traits>

namespace bik {

template <class MemorySpace>
struct LabelLut {
  // [images * (max_label + 1)]: image * (max_label + 1) + label -> object index, or -1
  Kokkos::View<std::int64_t*, MemorySpace> index;
  Kokkos::View<std::int64_t*, MemorySpace> labels;  // [count]: object index -> label
  Kokkos::View<std::int64_t*, MemorySpace> images;  // [count]: object index -> image
  std::int64_t count = 0;
  std::int64_t max_label = 0;
  std::int64_t image_count = 1;
  std::int64_t stride() const { return max_label + 1; }  // index entries per image
};

// Largest label value a dense LUT is built for, relative to the number of voxels: beyond it the
// labels are too sparse for a table and must be relabelled first (as cp_measure's sanitize does).
inline std::int64_t max_dense_label(std::int64_t voxels) {
  return voxels * 8 + (std::int64_t(1) << 24);
}

// Builds the LUT of `labels`, a single image or `images` images of equal depth stacked along Z.
// Throws bik::Error, before any table is built, for empty labels, a negative label or a label
// too large for a dense table. O(voxels + images * max_label) work, parallel over rows (a
// thread each), or over voxels in the team shape of `schedule` (neighbouring threads read
// neighbouring voxels: coalesced on a GPU); two host synchronisations (the label range, then
// the object count). With a workspace, the tables live in its buffers (see workspace.hpp).
template <class ExecSpace, class L, class MemorySpace>
LabelLut<MemorySpace> make_label_lut(ExecSpace const& space, Volume<L const, MemorySpace> labels,
                                     Workspace<MemorySpace>* workspace = nullptr,
                                     std::int64_t images = 1, ObjectSchedule const& schedule = {}) {
  static_assert(std::is_integral<L>::value, "bik::make_label_lut: labels must be integers");
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, MemorySpace>::accessible,
                "bik::make_label_lut: labels must be accessible from the execution space");
  kx::ScopedRegion region("bik::make_label_lut");
  std::int64_t const ny = labels.extent(1), nx = labels.extent(2);
  std::int64_t const rows = static_cast<std::int64_t>(labels.extent(0)) * ny;
  require(images >= 1 && static_cast<std::int64_t>(labels.extent(0)) % images == 0,
          "bik::make_label_lut",
          "a batch of " + std::to_string(images) + " images cannot split " +
              std::to_string(labels.extent(0)) + " planes evenly");
  std::int64_t const planes = static_cast<std::int64_t>(labels.extent(0)) / images;
  std::int64_t const voxels = rows * nx;
  require(voxels > 0, "bik::make_label_lut", "labels are empty, shape " + shape_of(labels).str());
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  bool const by_voxel = uses_teams<ExecSpace>(schedule);

  using MinMax = Kokkos::MinMax<std::int64_t>;
  typename MinMax::value_type range;
  if (by_voxel) {
    Kokkos::parallel_reduce(
        "bik::label_lut::range", Policy(space, 0, voxels),
        KOKKOS_LAMBDA(std::int64_t i, typename MinMax::value_type & acc) {
          std::int64_t const r = i / nx, x = i - r * nx, z = r / ny, y = r - z * ny;
          std::int64_t const v = static_cast<std::int64_t>(labels(z, y, x));
          if (v < acc.min_val) acc.min_val = v;
          if (v > acc.max_val) acc.max_val = v;
        },
        MinMax(range));
  } else
    Kokkos::parallel_reduce(
        "bik::label_lut::range", Policy(space, 0, rows),
        KOKKOS_LAMBDA(std::int64_t r, typename MinMax::value_type & acc) {
          std::int64_t const z = r / ny, y = r - z * ny, sx = labels.stride(2);
          L const* const row = &labels(z, y, 0);
          L low = row[0], high = row[0];
          if (sx == 1) {  // the usual layout: a loop the compiler can vectorise
            for (std::int64_t x = 1; x < nx; ++x) {
              low = row[x] < low ? row[x] : low;
              high = high < row[x] ? row[x] : high;
            }
          } else {
            for (std::int64_t x = 1; x < nx; ++x) {
              low = row[x * sx] < low ? row[x * sx] : low;
              high = high < row[x * sx] ? row[x * sx] : high;
            }
          }
          if (static_cast<std::int64_t>(low) < acc.min_val)
            acc.min_val = static_cast<std::int64_t>(low);
          if (static_cast<std::int64_t>(high) > acc.max_val)
            acc.max_val = static_cast<std::int64_t>(high);
        },
        MinMax(range));
  space.fence();  // the first of two host synchronisations: the range validates and sizes
  require(range.min_val >= 0, "bik::make_label_lut",
          "labels must be >= 0 (0 is background), found " + std::to_string(range.min_val));
  require(range.max_val <= max_dense_label(rows * nx) / images, "bik::make_label_lut",
          "largest label " + std::to_string(range.max_val) + " is too large for " +
              std::to_string(rows * nx) + " voxels; relabel the objects to 1..N first");

  LabelLut<MemorySpace> lut;
  lut.max_label = range.max_val;
  lut.image_count = images;
  std::int64_t const stride = lut.stride();
  std::int64_t const n_entries = images * stride;
  using Buffers = Workspace<MemorySpace>;
  auto present =
      Buffers::template get<std::int64_t>(workspace, "bik::label_lut::present", n_entries);
  fill(space, "bik::label_lut::clear", present, 0);
  if (by_voxel) {
    Kokkos::parallel_for(
        "bik::label_lut::mark", Policy(space, 0, voxels), KOKKOS_LAMBDA(std::int64_t i) {
          std::int64_t const r = i / nx, x = i - r * nx, z = r / ny, y = r - z * ny;
          std::int64_t const v = static_cast<std::int64_t>(labels(z, y, x));
          // The first voxel of a run marks its label, atomically: other runs may mark it too.
          if (v > 0 && (x == 0 || static_cast<std::int64_t>(labels(z, y, x - 1)) != v))
            Kokkos::atomic_exchange(&present((z / planes) * stride + v), std::int64_t(1));
        });
  } else
    Kokkos::parallel_for(
        "bik::label_lut::mark", Policy(space, 0, rows), KOKKOS_LAMBDA(std::int64_t r) {
          std::int64_t const z = r / ny, y = r - z * ny, sx = labels.stride(2);
          std::int64_t const first = (z / planes) * stride;  // this image's part of the table
          L const* const row = &labels(z, y, 0);
          std::int64_t previous = 0;
          for (std::int64_t x = 0; x < nx; ++x) {
            std::int64_t const v = static_cast<std::int64_t>(row[x * sx]);
            // Runs of one label are marked once, atomically: other rows may mark it too.
            if (v != previous && v > 0)
              Kokkos::atomic_exchange(&present(first + v), std::int64_t(1));
            previous = v;
          }
        });

  lut.index = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::index", n_entries);
  auto count = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::count", 1);
  auto index = lut.index;
  Kokkos::parallel_scan(
      "bik::label_lut::scan", Policy(space, 0, n_entries),
      KOKKOS_LAMBDA(std::int64_t l, std::int64_t & partial, bool final) {
        std::int64_t const here = present(l);
        if (final) {
          index(l) = here ? partial : -1;
          if (l == n_entries - 1) count(0) = partial + here;
        }
        partial += here;
      });
  // The second of the two host synchronisations: the number of objects sizes the outputs.
  space.fence();
  Kokkos::deep_copy(lut.count, Kokkos::subview(count, 0));

  lut.labels = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::labels", lut.count);
  lut.images = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::images", lut.count);
  auto labels_out = lut.labels;
  auto images_out = lut.images;
  Kokkos::parallel_for(
      "bik::label_lut::invert", Policy(space, 0, n_entries), KOKKOS_LAMBDA(std::int64_t e) {
        std::int64_t const k = index(e);
        if (k < 0) return;
        labels_out(k) = e % stride;
        images_out(k) = e / stride;
      });
  return lut;
}

}  // namespace bik

#endif
