// Label -> object-index lookup (spec §2.2). The present labels (> 0), in ascending order, get
// the indices 0..count-1; absent labels and 0 have none. Labels may have any integer type and
// any non-negative value, up to UINT64_MAX; negative labels are refused (as cp_measure does).
// A batch of images stacked along Z (each `planes` planes deep) gets one lookup for all of
// them: objects are the present (image, label) pairs, ordered by image, then label.
//
// Two ways to build it, the same objects either way:
// - dense: one int32 table of images x (max label + 1) entries, label -> object or -1, when it
//   fits the byte budget (default_dense_lut_budget: 8 bytes per voxel, and at least 4 MiB);
//   presence is marked in the table and scanned into indices in place. O(voxels + entries).
// - sparse (sort-unique): the (image, label) keys of the runs of equal labels along rows are
//   radix-sorted and made unique; a run's object is then found by binary search. O(voxels +
//   runs x key bytes) work, 16 bytes per voxel of temporaries (32 for a batch), for labels
//   such as 2^40 or 2^64 - 1 on a small image.
#ifndef BIK_CORE_LABEL_LUT_HPP
#define BIK_CORE_LABEL_LUT_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/label_runs.hpp"
#include "bik/core/object_schedule.hpp"
#include "bik/core/radix_sort.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

namespace bik {

// A label as an unsigned 64-bit key: the same order as the labels for every non-negative
// value of any integer type (negative labels are refused before a key is taken).
template <class L>
KOKKOS_INLINE_FUNCTION std::uint64_t label_key(L v) {
  return static_cast<std::uint64_t>(v);
}

// Finds the object of a (image, label) pair on the device: a copyable functor.
template <class MemorySpace>
struct ObjectLookup {
  Kokkos::View<std::int32_t*, MemorySpace> table;   // dense: image * stride + key -> object or -1
  Kokkos::View<std::int64_t*, MemorySpace> labels;  // sparse: objects by (image, key), ascending
  Kokkos::View<std::int64_t*, MemorySpace> images;
  std::int64_t stride = 1, count = 0;
  bool dense = true;

  // The dense table's part for `image`, indexed by key; nullptr on the sparse path.
  KOKKOS_INLINE_FUNCTION std::int32_t const* dense_row(std::int64_t image) const {
    return dense ? table.data() + image * stride : nullptr;
  }
  // The object of `key` (> 0) in `image`, or -1 if that label is absent there.
  KOKKOS_INLINE_FUNCTION std::int64_t operator()(std::int64_t image, std::uint64_t key) const {
    if (dense) return table(image * stride + static_cast<std::int64_t>(key));
    std::int64_t low = 0, high = count;  // the first object not below (image, key)
    while (low < high) {
      std::int64_t const mid = low + (high - low) / 2;
      bool const below = images(mid) < image ||
                         (images(mid) == image && static_cast<std::uint64_t>(labels(mid)) < key);
      if (below) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    bool const found =
        low < count && images(low) == image && static_cast<std::uint64_t>(labels(low)) == key;
    return found ? low : -1;
  }
};

template <class MemorySpace>
struct LabelLut {
  // Dense path only: [images * stride()]: image * stride() + label -> object index, or -1.
  Kokkos::View<std::int32_t*, MemorySpace> table;
  // [count]: object index -> label, as its 64-bit pattern: a uint64 label above INT64_MAX reads
  // negative here (unsigned_labels says to read it as uint64).
  Kokkos::View<std::int64_t*, MemorySpace> labels;
  Kokkos::View<std::int64_t*, MemorySpace> images;  // [count]: object index -> image
  std::int64_t count = 0;
  std::uint64_t max_label = 0;
  std::int64_t image_count = 1;
  bool dense = true;             // which path built it (see the top of this file)
  bool unsigned_labels = false;  // the label type is a 64-bit unsigned integer
  // False while a dense table is cleared but not yet marked (make_label_lut's defer_marks):
  // count, labels and images are then still to come (see flatten_labeled).
  bool marked = true;
  std::int64_t stride() const {  // dense table entries per image
    return dense ? static_cast<std::int64_t>(max_label) + 1 : 0;
  }
  ObjectLookup<MemorySpace> lookup() const {
    ObjectLookup<MemorySpace> l;
    l.table = table;
    l.labels = labels;
    l.images = images;
    l.stride = stride();
    l.count = count;
    l.dense = dense;
    return l;
  }
};

// The default byte budget of the dense table for `voxels` voxels (of all images): two int32
// entries per voxel, and 4 MiB (2^20 entries) however small the image. Beyond it the labels are
// relabelled by sort-unique instead, which costs O(voxels) memory whatever their values.
inline std::int64_t default_dense_lut_budget(std::int64_t voxels) {
  return std::max<std::int64_t>(std::int64_t(1) << 22, 8 * voxels);
}

// Whether make_label_lut builds a dense table for labels up to `max_label` in `images` images of
// `voxels` voxels in all, under `budget` bytes (negative: default_dense_lut_budget). The table
// also needs object indices to fit int32.
inline bool fits_dense_lut(std::uint64_t max_label, std::int64_t images, std::int64_t voxels,
                           std::int64_t budget = -1) {
  if (budget < 0) budget = default_dense_lut_budget(voxels);
  std::uint64_t const entries =
      std::min<std::uint64_t>(static_cast<std::uint64_t>(budget) / sizeof(std::int32_t),
                              static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()));
  std::uint64_t const per_image = entries / static_cast<std::uint64_t>(images);
  return max_label < per_image;  // max_label + 1 entries per image
}

namespace detail {

// The largest label of a row of nx labels `stride` apart, or UINT64_MAX if one is negative:
// a max and an OR of the bits (whose sign is any label's), loops the compiler vectorises.
template <class L>
KOKKOS_INLINE_FUNCTION std::uint64_t row_label_bound(L const* row, std::int64_t stride,
                                                     std::int64_t nx) {
  L high = 0, bits = 0;
  if (stride == 1) {  // the usual layout
    for (std::int64_t x = 0; x < nx; ++x) {
      high = high < row[x] ? row[x] : high;
      bits |= row[x];
    }
  } else {
    for (std::int64_t x = 0; x < nx; ++x) {
      high = high < row[x * stride] ? row[x * stride] : high;
      bits |= row[x * stride];
    }
  }
  if constexpr (std::is_signed<L>::value)
    if (bits < 0) return ~std::uint64_t(0);
  return static_cast<std::uint64_t>(high);
}

// The smallest label (for the message about a negative one).
template <class ExecSpace, class L, class MemorySpace>
std::int64_t smallest_label(ExecSpace const& space, Volume<L const, MemorySpace> labels) {
  std::int64_t const ny = labels.extent(1), nx = labels.extent(2);
  std::int64_t const voxels = static_cast<std::int64_t>(labels.extent(0)) * ny * nx;
  std::int64_t smallest = 0;
  Kokkos::parallel_reduce(
      "bik::label_lut::smallest",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, voxels),
      KOKKOS_LAMBDA(std::int64_t i, std::int64_t & acc) {
        std::int64_t const r = i / nx, x = i - r * nx, z = r / ny, y = r - z * ny;
        std::int64_t const v = static_cast<std::int64_t>(labels(z, y, x));
        if (v < acc) acc = v;
      },
      Kokkos::Min<std::int64_t>(smallest));
  return smallest;
}

// Dense path, first step: the table, cleared (no label marked yet).
template <class ExecSpace, class MemorySpace>
void clear_dense_lut(ExecSpace const& space, LabelLut<MemorySpace>& lut,
                     Workspace<MemorySpace>* workspace) {
  lut.table = Workspace<MemorySpace>::template get<std::int32_t>(workspace, "bik::label_lut::table",
                                                                 lut.image_count * lut.stride());
  fill(space, "bik::label_lut::clear", lut.table, 0);
}

// Dense path, last step: the marked table (1 where a label is present) scanned in place into
// object indices, then the objects listed. One host synchronisation (the object count).
template <class ExecSpace, class MemorySpace>
void index_dense_lut(ExecSpace const& space, LabelLut<MemorySpace>& lut,
                     Workspace<MemorySpace>* workspace) {
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  using Buffers = Workspace<MemorySpace>;
  std::int64_t const stride = lut.stride();
  std::int64_t const n_entries = lut.image_count * stride;
  auto const table = lut.table;
  auto count = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::count", 1);
  // In place: each entry is read (its mark), then overwritten with its index, by one iteration.
  Kokkos::parallel_scan(
      "bik::label_lut::scan", Policy(space, 0, n_entries),
      KOKKOS_LAMBDA(std::int64_t l, std::int64_t & partial, bool final) {
        std::int64_t const here = table(l);
        if (final) {
          table(l) = here ? static_cast<std::int32_t>(partial) : std::int32_t(-1);
          if (l == n_entries - 1) count(0) = partial + here;
        }
        partial += here;
      });
  // The host synchronisation: the number of objects sizes the outputs.
  space.fence();
  Kokkos::deep_copy(lut.count, Kokkos::subview(count, 0));

  lut.labels = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::labels", lut.count);
  lut.images = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::images", lut.count);
  auto labels_out = lut.labels;
  auto images_out = lut.images;
  Kokkos::parallel_for(
      "bik::label_lut::invert", Policy(space, 0, n_entries), KOKKOS_LAMBDA(std::int64_t e) {
        std::int64_t const k = table(e);
        if (k < 0) return;
        labels_out(k) = e % stride;
        images_out(k) = e / stride;
      });
  lut.marked = true;
}

// Dense path: mark present labels in the table, scan it in place into object indices, then
// list the objects. One host synchronisation (the object count).
template <class ExecSpace, class L, class MemorySpace>
void build_dense_lut(ExecSpace const& space, Volume<L const, MemorySpace> labels,
                     LabelLut<MemorySpace>& lut, std::int64_t planes, bool by_voxel,
                     Workspace<MemorySpace>* workspace) {
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  std::int64_t const ny = labels.extent(1), nx = labels.extent(2);
  std::int64_t const rows = static_cast<std::int64_t>(labels.extent(0)) * ny;
  std::int64_t const voxels = rows * nx;
  std::int64_t const stride = lut.stride();
  clear_dense_lut(space, lut, workspace);
  auto const table = lut.table;
  if (by_voxel) {
    Kokkos::parallel_for(
        "bik::label_lut::mark", Policy(space, 0, voxels), KOKKOS_LAMBDA(std::int64_t i) {
          std::int64_t const r = i / nx, x = i - r * nx, z = r / ny, y = r - z * ny;
          std::uint64_t const v = label_key(labels(z, y, x));
          // The first voxel of a run marks its label, atomically: other runs may mark it too.
          if (v > 0 && (x == 0 || label_key(labels(z, y, x - 1)) != v))
            Kokkos::atomic_exchange(&table((z / planes) * stride + static_cast<std::int64_t>(v)),
                                    std::int32_t(1));
        });
  } else {
    Kokkos::parallel_for(
        "bik::label_lut::mark", Policy(space, 0, rows), KOKKOS_LAMBDA(std::int64_t r) {
          std::int64_t const z = r / ny, y = r - z * ny, sx = labels.stride(2);
          std::int32_t* const part = table.data() + (z / planes) * stride;  // this image's
          L const* const row = &labels(z, y, 0);
          for (std::int64_t x = 0; x < nx;) {
            std::int64_t const end = label_run_end(row, sx, x, nx);
            std::uint64_t const v = label_key(row[x * sx]);
            // Runs of one label are marked once, atomically: other rows may mark it too.
            if (v > 0)
              Kokkos::atomic_exchange(part + static_cast<std::int64_t>(v), std::int32_t(1));
            x = end;
          }
        });
  }
  index_dense_lut(space, lut, workspace);
}

// Sparse path: the first voxel of every run of a label along a row gives one (image, key)
// pair; the pairs are radix-sorted and the first of each group of equal ones is an object.
// Runs, not voxels, are sorted: far fewer for segmented images. One host synchronisation (the
// object count): the number of runs stays on the device.
template <class ExecSpace, class L, class MemorySpace>
void build_sparse_lut(ExecSpace const& space, Volume<L const, MemorySpace> labels,
                      LabelLut<MemorySpace>& lut, std::int64_t planes,
                      Workspace<MemorySpace>* workspace) {
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  using Buffers = Workspace<MemorySpace>;
  std::int64_t const ny = labels.extent(1), nx = labels.extent(2);
  std::int64_t const voxels = static_cast<std::int64_t>(labels.extent(0)) * ny * nx;
  bool const batch = lut.image_count > 1;
  std::size_t const n = static_cast<std::size_t>(voxels);  // room for the runs
  auto keys = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::keys", n);
  auto keys_spare = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::keys2", n);
  Kokkos::View<std::int64_t*, MemorySpace> images, images_spare;
  if (batch) {
    images = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::key_images", n);
    images_spare = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::key_images2", n);
  }
  // counts(0): runs; counts(1): objects.
  auto counts = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::count", 2);
  // A thread per voxel, in raster order: neighbouring threads read neighbouring voxels.
  Kokkos::parallel_scan(
      "bik::label_lut::runs", Policy(space, 0, voxels),
      KOKKOS_LAMBDA(std::int64_t i, std::int64_t & partial, bool final) {
        std::int64_t const r = i / nx, x = i - r * nx, z = r / ny, y = r - z * ny;
        std::uint64_t const key = label_key(labels(z, y, x));
        bool const start = key != 0 && (x == 0 || label_key(labels(z, y, x - 1)) != key);
        if (final) {
          if (start) {
            keys(partial) = static_cast<std::int64_t>(key);
            if (batch) images(partial) = z / planes;
          }
          if (i == voxels - 1) counts(0) = partial + (start ? 1 : 0);
        }
        partial += start ? 1 : 0;
      });
  auto const sorted = radix_sort_pairs(
      space, voxels, counts, keys, images, keys_spare, images_spare,
      significant_bytes(lut.max_label),
      significant_bytes(static_cast<std::uint64_t>(lut.image_count - 1)), workspace);
  auto const key = sorted.first, image = sorted.second;
  // The unused one of the two key buffers receives each first occurrence's object index.
  auto const position = key.data() == keys.data() ? keys_spare : keys;
  Kokkos::parallel_scan(
      "bik::label_lut::unique", Policy(space, 0, voxels),
      KOKKOS_LAMBDA(std::int64_t i, std::int64_t & partial, bool final) {
        std::int64_t const runs = counts(0);
        bool const first =
            i < runs && (i == 0 || key(i - 1) != key(i) || (batch && image(i - 1) != image(i)));
        if (final) {
          if (i < runs) position(i) = first ? partial : -1;
          if (i == voxels - 1) counts(1) = partial + (first ? 1 : 0);
        }
        partial += first ? 1 : 0;
      });
  // The host synchronisation: the number of objects sizes the outputs.
  space.fence();
  Kokkos::deep_copy(lut.count, Kokkos::subview(counts, 1));

  lut.labels = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::labels", lut.count);
  lut.images = Buffers::template get<std::int64_t>(workspace, "bik::label_lut::images", lut.count);
  auto labels_out = lut.labels;
  auto images_out = lut.images;
  Kokkos::parallel_for(
      "bik::label_lut::list", Policy(space, 0, voxels), KOKKOS_LAMBDA(std::int64_t i) {
        if (i >= counts(0)) return;
        std::int64_t const k = position(i);
        if (k < 0) return;
        labels_out(k) = key(i);
        images_out(k) = batch ? image(i) : std::int64_t(0);
      });
}

}  // namespace detail

// Builds the lookup of `labels`, a single image or `images` images of equal depth stacked along
// Z: a dense table if it fits `dense_budget` bytes (negative: default_dense_lut_budget of the
// voxels), else by sort-unique (0 forces it). Throws bik::Error, before any table is built, for
// empty labels or a negative label. Parallel over rows (a thread each), or over voxels in the
// team shape of `schedule` (neighbouring threads read neighbouring voxels: coalesced on a GPU);
// two host synchronisations (the label range, then the object count). With a workspace, the
// tables live in its buffers (see workspace.hpp).
// defer_marks: when the dense table is small (at most one entry per 64 voxels) and the shape is
// a thread per row, return it cleared and unmarked (lut.marked false), for flatten_labeled to
// mark in its own pass over the labels and complete: one pass over the labels less.
template <class ExecSpace, class L, class MemorySpace>
LabelLut<MemorySpace> make_label_lut(ExecSpace const& space, Volume<L const, MemorySpace> labels,
                                     Workspace<MemorySpace>* workspace = nullptr,
                                     std::int64_t images = 1, ObjectSchedule const& schedule = {},
                                     std::int64_t dense_budget = -1, bool defer_marks = false) {
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

  // The largest label as an unsigned 64-bit number; any negative label makes it larger than
  // every value of L (its sign-extended bit pattern, or UINT64_MAX from row_label_bound), so
  // one pass both sizes the table and detects negative labels (a second pass then finds the
  // smallest, for the message).
  std::uint64_t largest = 0;
  if (by_voxel) {
    Kokkos::parallel_reduce(
        "bik::label_lut::range", Policy(space, 0, voxels),
        KOKKOS_LAMBDA(std::int64_t i, std::uint64_t & acc) {
          std::int64_t const r = i / nx, x = i - r * nx, z = r / ny, y = r - z * ny;
          std::uint64_t const key = label_key(labels(z, y, x));
          if (key > acc) acc = key;
        },
        Kokkos::Max<std::uint64_t>(largest));
  } else {
    Kokkos::parallel_reduce(
        "bik::label_lut::range", Policy(space, 0, rows),
        KOKKOS_LAMBDA(std::int64_t r, std::uint64_t & acc) {
          std::int64_t const z = r / ny, y = r - z * ny;
          std::uint64_t const bound =
              detail::row_label_bound(&labels(z, y, 0), labels.stride(2), nx);
          if (bound > acc) acc = bound;
        },
        Kokkos::Max<std::uint64_t>(largest));
  }
  space.fence();  // the first of two host synchronisations: the range validates and sizes
  if constexpr (std::is_signed<L>::value)
    if (largest > static_cast<std::uint64_t>(std::numeric_limits<L>::max()))
      throw Error("bik::make_label_lut: labels must be >= 0 (0 is background), found " +
                  std::to_string(detail::smallest_label(space, labels)));

  LabelLut<MemorySpace> lut;
  lut.max_label = largest;
  lut.image_count = images;
  lut.unsigned_labels = std::is_unsigned<L>::value && sizeof(L) == sizeof(std::uint64_t);
  lut.dense = fits_dense_lut(lut.max_label, images, voxels, dense_budget);
  if (lut.dense && defer_marks && !by_voxel &&
      static_cast<std::int64_t>(lut.max_label + 1) * images <= voxels / 64) {
    detail::clear_dense_lut(space, lut, workspace);
    lut.marked = false;
  } else if (lut.dense) {
    detail::build_dense_lut(space, labels, lut, planes, by_voxel, workspace);
  } else {
    detail::build_sparse_lut(space, labels, lut, planes, workspace);
  }
  return lut;
}

}  // namespace bik

#endif
