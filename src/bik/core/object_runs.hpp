// Object runs: each object's voxels as the maximal runs of its label along the rows, grouped by
// object, in raster order within an object (plane, then row, then column). The compact form of
// flatten_labeled's voxel lists for passes that handle a row's stretch of an object as a whole
// (granularity's read-back weights and means): about one run per object and row instead of
// one entry per voxel. Every voxel of label > 0 belongs to a run (no pixel test).
#ifndef BIK_CORE_OBJECT_RUNS_HPP
#define BIK_CORE_OBJECT_RUNS_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/flatten.hpp"
#include "bik/core/label_lut.hpp"
#include "bik/core/label_runs.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>

namespace bik {

template <class MemorySpace>
struct ObjectRuns {
  Kokkos::View<std::int64_t*, MemorySpace> offsets;       // [objects + 1] into the runs
  Kokkos::View<std::int32_t*, MemorySpace> z, y, x0, x1;  // plane in its image, row, [x0, x1)
  Kokkos::View<std::int64_t*, MemorySpace> voxels;        // [objects]: voxels per object
  std::int64_t objects = 0;
  std::int64_t size = 0;  // runs
};

namespace detail {

// The two passes over row chunks: count the runs of each object per chunk, then write them.
template <class L, class MemorySpace>
struct ObjectRunsPass {
  struct Count {};
  struct Fill {};
  Volume<L const, MemorySpace> labels;
  ObjectLookup<MemorySpace> lookup;
  Kokkos::View<std::int64_t*, MemorySpace> cursor;  // (object, chunk) -> count, then position
  Kokkos::View<std::int32_t*, MemorySpace> z, y, x0, x1;
  std::int64_t rows = 0, ny = 1, nx = 1, planes = 1, z_step = 1, chunks = 1, rows_per_chunk = 1;

  // Calls f(object, z in its image, y, x0, x1) for every run of chunk c's rows, in order.
  template <class F>
  KOKKOS_INLINE_FUNCTION void for_runs(std::int64_t c, F const& f) const {
    std::int64_t const row_end = kx::min(rows, (c + 1) * rows_per_chunk);
    std::int64_t const sx = labels.stride(2);
    for (std::int64_t r = c * rows_per_chunk; r < row_end; ++r) {
      std::int64_t const iz = r / ny, iy = r - iz * ny, image = iz / planes;
      std::int32_t const* const row_table = lookup.dense_row(image);  // null if sparse
      L const* const row = &labels(iz * z_step, iy, 0);
      for (std::int64_t x = 0; x < nx;) {
        std::int64_t const end = label_run_end(row, sx, x, nx);
        std::uint64_t const key = label_key(row[x * sx]);
        if (key > 0)
          f(row_table ? static_cast<std::int64_t>(row_table[key]) : lookup(image, key),
            iz - image * planes, iy, x, end);
        x = end;
      }
    }
  }

  KOKKOS_INLINE_FUNCTION void operator()(Count, std::int64_t c) const {
    for_runs(c, [&](std::int64_t k, std::int64_t, std::int64_t, std::int64_t, std::int64_t) {
      ++cursor(k * chunks + c);
    });
  }

  KOKKOS_INLINE_FUNCTION void operator()(Fill, std::int64_t c) const {
    for_runs(c,
             [&](std::int64_t k, std::int64_t rz, std::int64_t ry, std::int64_t a, std::int64_t b) {
               std::int64_t const d = cursor(k * chunks + c)++;
               z(d) = static_cast<std::int32_t>(rz);
               y(d) = static_cast<std::int32_t>(ry);
               x0(d) = static_cast<std::int32_t>(a);
               x1(d) = static_cast<std::int32_t>(b);
             });
  }
};

}  // namespace detail

// The runs of every object of `labels` (one shape per image, `pairing.images` images stacked
// along Z) indexed by `lut` (make_label_lut on the same labels; complete). A stable counting sort
// over row chunks, as flatten_labeled's thread shape: a pass counts each chunk's runs per
// object, one scan gives every chunk its cursor per object, a second pass writes the runs. The
// result is the same for any number of chunks. A chunk is a thread's (on a GPU: a row each).
// One host synchronisation (the run count). Buffers from `workspace`.
template <class ExecSpace, class L, class MemorySpace>
ObjectRuns<MemorySpace> object_runs(ExecSpace const& space, Volume<L const, MemorySpace> labels,
                                    LabelLut<MemorySpace> const& lut, Pairing const& pairing,
                                    Workspace<MemorySpace>* workspace = nullptr) {
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, MemorySpace>::accessible,
                "bik::object_runs: views must be accessible from the execution space");
  char const* const where = "bik::object_runs";
  require(lut.marked && lut.image_count == pairing.images, where,
          "the LUT must be complete and built for the pairing's " + std::to_string(pairing.images) +
              " images");
  kx::ScopedRegion region(where);
  using Buffers = Workspace<MemorySpace>;
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  std::int64_t const ny = pairing.shape.y, nx = pairing.shape.x, planes = pairing.planes();
  std::int64_t const rows = pairing.shape.z * ny, objects = lut.count;
  std::int64_t const chunks = detail::flatten_chunks(rows, objects, kx::concurrency(space));
  std::int64_t const rows_per_chunk = (rows + chunks - 1) / chunks;
  std::int64_t const cells = objects * chunks;
  detail::ObjectRunsPass<L, MemorySpace> pass;
  pass.labels = labels;
  pass.lookup = lut.lookup();
  pass.cursor = Buffers::template get<std::int64_t>(workspace, "bik::object_runs::cursor",
                                                    static_cast<std::size_t>(cells + 1));
  pass.rows = rows;
  pass.ny = ny;
  pass.nx = nx;
  pass.planes = planes;
  pass.z_step = pairing.label_z_step;
  pass.chunks = chunks;
  pass.rows_per_chunk = rows_per_chunk;
  auto const cursor = pass.cursor;
  using Pass = decltype(pass);
  fill(space, "bik::object_runs::clear", cursor, 0);
  Kokkos::parallel_for(
      "bik::object_runs::count",
      Kokkos::RangePolicy<ExecSpace, typename Pass::Count, Kokkos::IndexType<std::int64_t>>(
          space, 0, chunks),
      pass);
  Kokkos::parallel_scan(
      "bik::object_runs::scan", Policy(space, 0, cells + 1),
      KOKKOS_LAMBDA(std::int64_t j, std::int64_t & partial, bool final) {
        std::int64_t const count = cursor(j);
        if (final) cursor(j) = partial;
        partial += count;
      });
  ObjectRuns<MemorySpace> out;
  out.objects = objects;
  space.fence();
  Kokkos::deep_copy(out.size, Kokkos::subview(cursor, cells));
  std::size_t const total = static_cast<std::size_t>(out.size);
  out.offsets = Buffers::template get<std::int64_t>(workspace, "bik::object_runs::offsets",
                                                    static_cast<std::size_t>(objects + 1));
  out.voxels = Buffers::template get<std::int64_t>(workspace, "bik::object_runs::voxels",
                                                   static_cast<std::size_t>(objects));
  out.z = Buffers::template get<std::int32_t>(workspace, "bik::object_runs::z", total);
  out.y = Buffers::template get<std::int32_t>(workspace, "bik::object_runs::y", total);
  out.x0 = Buffers::template get<std::int32_t>(workspace, "bik::object_runs::x0", total);
  out.x1 = Buffers::template get<std::int32_t>(workspace, "bik::object_runs::x1", total);
  auto const offsets = out.offsets;
  std::int64_t const size = out.size;
  Kokkos::parallel_for(
      "bik::object_runs::offsets", Policy(space, 0, objects + 1),
      KOKKOS_LAMBDA(std::int64_t k) { offsets(k) = k < objects ? cursor(k * chunks) : size; });
  pass.z = out.z;
  pass.y = out.y;
  pass.x0 = out.x0;
  pass.x1 = out.x1;
  Kokkos::parallel_for(
      "bik::object_runs::fill",
      Kokkos::RangePolicy<ExecSpace, typename Pass::Fill, Kokkos::IndexType<std::int64_t>>(space, 0,
                                                                                           chunks),
      pass);
  auto const x0s = out.x0, x1s = out.x1;
  auto const voxels = out.voxels;
  Kokkos::parallel_for(
      "bik::object_runs::voxels", Policy(space, 0, objects), KOKKOS_LAMBDA(std::int64_t k) {
        std::int64_t n = 0;
        for (std::int64_t r = offsets(k); r < offsets(k + 1); ++r) n += x1s(r) - x0s(r);
        voxels(k) = n;
      });
  return out;
}

}  // namespace bik

#endif
