// flatten_labeled (spec §2.3): label volume + pixel volume -> per-object Segments.
//
// A stable counting sort fused with the scan of the image: the rows are cut into chunks; every
// chunk counts its kept voxels per object, one exclusive scan over (object, chunk) gives each
// chunk its write cursor per object, and every chunk then writes its voxels in raster order.
// The result is the same for any number of chunks or threads, on every backend.
#ifndef BIK_CORE_FLATTEN_HPP
#define BIK_CORE_FLATTEN_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/flatten_teams.hpp"
#include "bik/core/label_lut.hpp"
#include "bik/core/label_runs.hpp"
#include "bik/core/object_schedule.hpp"
#include "bik/core/segments.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace bik {

struct FlattenOptions {
  bool edge_flags = false;  // also fill Segments::edge
  // Team shape: a team per row segment, a thread per voxel (flatten_teams.hpp); otherwise a
  // thread per chunk of rows. The space's default unless forced; the same segments either way.
  ObjectSchedule schedule;
};

namespace detail {
// Kept voxels (finite pixels) of the run [x0, x1) of a row of pixels `stride` apart.
template <class P>
KOKKOS_INLINE_FUNCTION std::int64_t kept_in_run(P const* row, std::int64_t stride, std::int64_t x0,
                                                std::int64_t x1) {
  if constexpr (std::is_floating_point<P>::value) {
    std::int64_t kept = 0;
    for (std::int64_t x = x0; x < x1; ++x) kept += kx::is_finite(row[x * stride]) ? 1 : 0;
    return kept;
  } else {
    return x1 - x0;  // integers are always finite
  }
}

// The segment arrays the fill pass writes (raw pointers: one object's voxels are contiguous).
struct SegmentWriter {
  double* values;
  std::int32_t *x, *y, *z;
  std::uint8_t* edge;
  bool want_edges;
};

// The label rows around a row (see the fill pass).
template <class L>
struct RowNeighbours {
  L const *above, *below, *front, *back;
};

// Where a row lies: its y, its z within its image, and its length.
struct RunPlace {
  std::int32_t y, z;
  std::int64_t nx;
};

// Writes the kept voxels of the run [x0, x1) of one label (a maximal run: its neighbours along
// the row, where in bounds, have other labels) to the segments from position d on, and returns
// the next position. Stride1 says that labels and pixels are contiguous along x (then lsx and
// psx are 1 and the loops vectorise).
template <int Stride1, class L, class P>
KOKKOS_INLINE_FUNCTION std::int64_t write_run(SegmentWriter const& out, L const* lrow,
                                              RowNeighbours<L> const& around, P const* prow,
                                              std::int64_t lsx, std::int64_t psx, std::int64_t x0,
                                              std::int64_t x1, RunPlace const& place,
                                              std::int64_t d) {
  if (Stride1) lsx = psx = 1;
  L const label = lrow[x0 * lsx];
  std::int64_t const start = d;
  for (std::int64_t x = x0; x < x1; ++x) {
    P const p = prow[x * psx];
    if (!kx::is_finite(p)) continue;
    out.values[d] = static_cast<double>(p);
    out.x[d] = static_cast<std::int32_t>(x);
    ++d;
  }
  for (std::int64_t j = start; j < d; ++j) {
    out.y[j] = place.y;
    out.z[j] = place.z;
  }
  if (!out.want_edges) return d;
  // An in-bounds face neighbour with another label makes an edge voxel: along the row only the
  // run's ends can have one.
  auto const on_edge = [&](std::int64_t x) {
    std::int64_t const o = x * lsx;
    int const across = (around.above[o] != label ? 1 : 0) | (around.below[o] != label ? 1 : 0) |
                       (around.front[o] != label ? 1 : 0) | (around.back[o] != label ? 1 : 0);
    int const along = (x == x0 && x0 > 0 ? 1 : 0) | (x + 1 == x1 && x1 < place.nx ? 1 : 0);
    return static_cast<std::uint8_t>(across | along);
  };
  if (Stride1 && d - start == x1 - x0) {
    // Every voxel kept, contiguous rows: a vectorisable loop over the four neighbour rows
    // (pointers in locals, as the byte stores could otherwise alias them), then the run's ends.
    // Without Z neighbours (a plane; front and back are the row itself, equal to the label
    // along the run) only the rows above and below are compared.
    L const *above = around.above + x0, *below = around.below + x0, *front = around.front + x0,
            *back = around.back + x0;
    std::uint8_t* const flags = out.edge + start;
    std::int64_t const n = x1 - x0;
    if (around.front == lrow && around.back == lrow) {
      for (std::int64_t j = 0; j < n; ++j)
        flags[j] =
            static_cast<std::uint8_t>((above[j] != label ? 1 : 0) | (below[j] != label ? 1 : 0));
    } else {
      for (std::int64_t j = 0; j < n; ++j)
        flags[j] =
            static_cast<std::uint8_t>((above[j] != label ? 1 : 0) | (below[j] != label ? 1 : 0) |
                                      (front[j] != label ? 1 : 0) | (back[j] != label ? 1 : 0));
    }
    if (x0 > 0) flags[0] = 1;
    if (x1 < place.nx) flags[n - 1] = 1;
  } else if (d - start == x1 - x0) {  // every voxel kept: a loop without branches
    for (std::int64_t x = x0; x < x1; ++x) out.edge[start + (x - x0)] = on_edge(x);
  } else {
    std::int64_t j = start;
    for (std::int64_t x = x0; x < x1; ++x)
      if (kx::is_finite(prow[x * psx])) out.edge[j++] = on_edge(x);
  }
  return d;
}

// Row chunks for the counting sort: enough to keep every thread busy, few enough that the
// (objects x chunks) cursor table stays small (<= 2^24 entries unless there is one chunk).
inline std::int64_t flatten_chunks(std::int64_t rows, std::int64_t objects, int concurrency) {
  std::int64_t const by_memory = (std::int64_t(1) << 24) / std::max<std::int64_t>(objects, 1);
  std::int64_t const by_threads = 4 * static_cast<std::int64_t>(concurrency);
  return std::max<std::int64_t>(1, std::min({rows, by_memory, by_threads}));
}
}  // namespace detail

// Flattens `pixels` under `labels` (shapes paired by pair_labels_with_pixels; a single label
// plane may be broadcast over Z). `lut` must come from make_label_lut on the same labels.
// O(voxels) work in two passes over the image, parallel over row chunks (a thread each) or, in
// the team shape, over row segments (a team each, a thread per voxel; taken while its
// objects x segments table stays under 2^26 entries). One host synchronisation (the kept
// voxel count). With a workspace, the segments live in its buffers (see workspace.hpp).
// A LUT whose dense table is not yet marked (make_label_lut's defer_marks; thread shape only)
// is marked by the count pass, which then counts by table entry, and completed here (its one
// host synchronisation added).
template <class ExecSpace, class L, class P, class MemorySpace>
Segments<MemorySpace> flatten_labeled(ExecSpace const& space, Volume<L const, MemorySpace> labels,
                                      Volume<P const, MemorySpace> pixels,
                                      LabelLut<MemorySpace>& lut, Pairing const& pairing,
                                      FlattenOptions const& options = {},
                                      Workspace<MemorySpace>* workspace = nullptr) {
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, MemorySpace>::accessible,
                "bik::flatten_labeled: views must be accessible from the execution space");
  kx::ScopedRegion region("bik::flatten_labeled");
  std::int64_t const nz = pairing.shape.z, ny = pairing.shape.y, nx = pairing.shape.x;
  std::int64_t const z_step = pairing.label_z_step;
  std::int64_t const planes = pairing.planes();
  require(lut.image_count == pairing.images, "bik::flatten_labeled",
          "the LUT was built for " + std::to_string(lut.image_count) + " images, the pairing has " +
              std::to_string(pairing.images));
  require(shape_of(pixels).z == nz && shape_of(pixels).y == ny && shape_of(pixels).x == nx,
          "bik::flatten_labeled", "pixels do not have the paired shape " + pairing.shape.str());
  std::int64_t const rows = nz * ny;
  // Rows of the cursor table: objects, or table entries while the LUT is still to be marked.
  bool const marking = !lut.marked;
  std::int64_t const keys = marking ? lut.image_count * lut.stride() : lut.count;
  // Team shape: units of `width` voxels of one row.
  using Units = detail::FlattenUnits<ExecSpace, L, P, MemorySpace>;
  using TeamPolicy = Kokkos::TeamPolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  int width = options.schedule.team_size > 0                   ? options.schedule.team_size
              : DefaultObjectShape<ExecSpace>::team_per_object ? 128
                                                               : kx::concurrency(space);
  {
    TeamPolicy probe(space, 1, 1);
    width = kx::min(width, probe.team_size_max(Units(), Kokkos::ParallelForTag()));
  }
  std::int64_t const per_row = (nx + width - 1) / width;
  bool const teams =
      uses_teams<ExecSpace>(options.schedule) && keys * rows * per_row <= (std::int64_t(1) << 26);
  require(!(marking && (teams || !lut.dense)), "bik::flatten_labeled",
          "an unmarked label LUT needs a dense table and the thread shape");
  std::int64_t const chunks =
      teams ? rows * per_row : detail::flatten_chunks(rows, keys, kx::concurrency(space));
  std::int64_t const rows_per_chunk = (rows + chunks - 1) / chunks;
  std::int64_t const cells = keys * chunks;
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  auto const lookup = lut.lookup();  // used once the LUT is complete (not while marking)
  auto const table = lut.table;
  std::int64_t const stride = lut.stride();

  // cursor(k * chunks + c): voxels of object (or entry) k in chunk c, then (after the scan)
  // where the first of them goes; cursor(cells) ends up holding the total.
  using Buffers = Workspace<MemorySpace>;
  auto cursor = Buffers::template get<std::int64_t>(workspace, "bik::flatten::cursor", cells + 1);
  fill(space, "bik::flatten::clear", cursor, 0);
  TeamPolicy const unit_policy =
      TeamPolicy(space, teams ? chunks : 1, width)
          .set_scratch_size(0, Kokkos::PerTeam(Units::scratch_bytes(width)));
  // The team-shape functor, its fields set once for both passes (fill adds the outputs).
  Units units;
  units.labels = labels;
  units.pixels = pixels;
  units.lookup = lookup;
  units.cursor = cursor;
  units.ny = ny;
  units.nx = nx;
  units.z_step = z_step;
  units.planes = planes;
  units.width = width;
  units.per_row = per_row;
  units.units = chunks;
  units.want_edges = options.edge_flags;
  if (teams) {
    Kokkos::parallel_for("bik::flatten::count", unit_policy, units);
  } else {
    // A row is walked run by run (label_runs.hpp): a run of one label touches the cursor
    // table once, and background runs cost one comparison loop.
    Kokkos::parallel_for(
        "bik::flatten::count", Policy(space, 0, chunks), KOKKOS_LAMBDA(std::int64_t c) {
          std::int64_t const row_end = kx::min(rows, (c + 1) * rows_per_chunk);
          std::int64_t const lsx = labels.stride(2), psx = pixels.stride(2);
          for (std::int64_t r = c * rows_per_chunk; r < row_end; ++r) {
            std::int64_t const z = r / ny, y = r - z * ny, image = z / planes;
            std::int32_t const* const row_table = lookup.dense_row(image);  // null if sparse
            L const* const lrow = &labels(z * z_step, y, 0);
            P const* const prow = &pixels(z, y, 0);
            for (std::int64_t x = 0; x < nx;) {
              std::int64_t const end = detail::label_run_end(lrow, lsx, x, nx);
              std::uint64_t const key = label_key(lrow[x * lsx]);
              std::int64_t const kept = key > 0 ? detail::kept_in_run(prow, psx, x, end) : 0;
              if (marking && key > 0) {
                // Counted by entry; marked when this chunk first meets it (again after runs
                // without kept voxels: marking twice is harmless), atomically: other chunks
                // may mark it too.
                std::int64_t const entry = image * stride + static_cast<std::int64_t>(key);
                std::int64_t const cell = entry * chunks + c;
                if (cursor(cell) == 0) Kokkos::atomic_exchange(&table(entry), std::int32_t(1));
                cursor(cell) += kept;
              } else if (kept > 0) {
                std::int64_t const object =
                    row_table ? static_cast<std::int64_t>(row_table[key]) : lookup(image, key);
                cursor(object * chunks + c) += kept;
              }
              x = end;
            }
          }
        });
  }
  if (marking) detail::index_dense_lut(space, lut, workspace);
  std::int64_t const objects = lut.count;
  Kokkos::parallel_scan(
      "bik::flatten::scan", Policy(space, 0, cells + 1),
      KOKKOS_LAMBDA(std::int64_t j, std::int64_t & partial, bool final) {
        std::int64_t const count = cursor(j);
        if (final) cursor(j) = partial;
        partial += count;
      });

  Segments<MemorySpace> out;
  out.objects = objects;
  // The one host synchronisation: the number of kept voxels sizes the segments.
  space.fence();
  Kokkos::deep_copy(out.size, Kokkos::subview(cursor, cells));
  std::int64_t const total = out.size;
  out.offsets =
      Buffers::template get<std::int64_t>(workspace, "bik::segments::offsets", objects + 1);
  out.values = Buffers::template get<double>(workspace, "bik::segments::values", total);
  out.x = Buffers::template get<std::int32_t>(workspace, "bik::segments::x", total);
  out.y = Buffers::template get<std::int32_t>(workspace, "bik::segments::y", total);
  out.z = Buffers::template get<std::int32_t>(workspace, "bik::segments::z", total);
  if (options.edge_flags)
    out.edge = Buffers::template get<std::uint8_t>(workspace, "bik::segments::edge", total);

  auto offsets = out.offsets;
  auto const object_labels = lut.labels, object_images = lut.images;
  Kokkos::parallel_for(
      "bik::flatten::offsets", Policy(space, 0, objects + 1), KOKKOS_LAMBDA(std::int64_t k) {
        std::int64_t const key =
            !marking || k == objects ? k : object_images(k) * stride + object_labels(k);  // entry
        offsets(k) = k < objects ? cursor(key * chunks) : total;
      });

  auto values = out.values;
  auto xs = out.x;
  auto ys = out.y;
  auto zs = out.z;
  auto edge = out.edge;
  bool const want_edges = options.edge_flags;
  if (teams) {
    units.fill = true;
    units.values = values;
    units.xs = xs;
    units.ys = ys;
    units.zs = zs;
    units.edge = edge;
    Kokkos::parallel_for("bik::flatten::fill", unit_policy, units);
    return out;
  }
  Kokkos::parallel_for(
      "bik::flatten::fill", Policy(space, 0, chunks), KOKKOS_LAMBDA(std::int64_t c) {
        std::int64_t const row_end = kx::min(rows, (c + 1) * rows_per_chunk);
        std::int64_t const lsx = labels.stride(2), psx = pixels.stride(2);
        detail::SegmentWriter const writer{values.data(), xs.data(),   ys.data(),
                                           zs.data(),     edge.data(), want_edges};
        for (std::int64_t r = c * rows_per_chunk; r < row_end; ++r) {
          std::int64_t const z = r / ny, y = r - z * ny, lz = z * z_step;
          std::int64_t const image = z / planes, local_z = z - image * planes;
          std::int32_t const* const row_table = lookup.dense_row(image);  // null if sparse
          L const* const lrow = &labels(lz, y, 0);
          P const* const prow = &pixels(z, y, 0);
          // Neighbouring label rows; the row itself where out of bounds (its run never differs
          // from itself). No Z neighbours differ when one label plane is broadcast over Z, and
          // images of a batch are not neighbours of each other.
          detail::RowNeighbours<L> const around{
              y > 0 ? &labels(lz, y - 1, 0) : lrow, y + 1 < ny ? &labels(lz, y + 1, 0) : lrow,
              (z_step != 0 && local_z > 0) ? &labels(lz - 1, y, 0) : lrow,
              (z_step != 0 && local_z + 1 < planes) ? &labels(lz + 1, y, 0) : lrow};
          detail::RunPlace const place{static_cast<std::int32_t>(y),
                                       static_cast<std::int32_t>(local_z), nx};
          bool const contiguous = lsx == 1 && psx == 1;
          for (std::int64_t x = 0; x < nx;) {
            std::int64_t const end = detail::label_run_end(lrow, lsx, x, nx);
            std::uint64_t const key = label_key(lrow[x * lsx]);
            if (key > 0) {  // background runs: nothing to read or write
              std::int64_t const index =
                  marking     ? image * stride + static_cast<std::int64_t>(key)  // an entry
                  : row_table ? static_cast<std::int64_t>(row_table[key])
                              : lookup(image, key);
              std::int64_t const cell = index * chunks + c;
              cursor(cell) = contiguous ? detail::write_run<1>(writer, lrow, around, prow, 1, 1, x,
                                                               end, place, cursor(cell))
                                        : detail::write_run<0>(writer, lrow, around, prow, lsx, psx,
                                                               x, end, place, cursor(cell));
            }
            x = end;
          }
        }
      });
  return out;
}

// The same with a LUT that is already complete (marked).
template <class ExecSpace, class L, class P, class MemorySpace>
Segments<MemorySpace> flatten_labeled(ExecSpace const& space, Volume<L const, MemorySpace> labels,
                                      Volume<P const, MemorySpace> pixels,
                                      LabelLut<MemorySpace> const& lut, Pairing const& pairing,
                                      FlattenOptions const& options = {},
                                      Workspace<MemorySpace>* workspace = nullptr) {
  require(lut.marked, "bik::flatten_labeled",
          "an unmarked label LUT must be passed as a modifiable LabelLut, which is completed");
  LabelLut<MemorySpace> complete = lut;
  return flatten_labeled(space, labels, pixels, complete, pairing, options, workspace);
}

}  // namespace bik

#endif
