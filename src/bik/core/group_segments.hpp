// group_by_object: a stable counting sort of raster-order Segments by object index, so each
// object's voxels become contiguous and stay in raster order (the order cp_measure sums in).
// Parallel over chunks of the input: every chunk counts its voxels per object, one scan over
// (object, chunk) gives each chunk its write cursors, and every chunk scatters in order. The
// result does not depend on the number of chunks or threads.
#ifndef BIK_CORE_GROUP_SEGMENTS_HPP
#define BIK_CORE_GROUP_SEGMENTS_HPP

#include "bik/core/compat.hpp"
#include "bik/core/segments.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdint>

namespace bik {

namespace detail {
// Chunks for the counting sort: enough to keep every thread busy, few enough that the
// (objects x chunks) cursor table stays small.
inline std::int64_t sort_chunks(std::int64_t voxels, std::int64_t objects, int concurrency) {
  std::int64_t const by_work = voxels / 4096 + 1;
  std::int64_t const by_memory = (std::int64_t(1) << 24) / std::max<std::int64_t>(objects, 1);
  std::int64_t const by_threads = 8 * static_cast<std::int64_t>(concurrency);
  return std::max<std::int64_t>(1, std::min({by_work, by_memory, by_threads}));
}
}  // namespace detail

template <class ExecSpace, class MemorySpace>
GroupedSegments<MemorySpace> group_by_object(ExecSpace const& space,
                                             Segments<MemorySpace> const& in,
                                             std::int64_t objects) {
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, MemorySpace>::accessible,
                "bik::group_by_object: segments must be accessible from the execution space");
  kx::ScopedRegion region("bik::group_by_object");
  std::int64_t const n = in.size;
  std::int64_t const chunks = detail::sort_chunks(n, objects, kx::concurrency(space));
  std::int64_t const chunk = (n + chunks - 1) / chunks;
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;

  // cursor(k * chunks + c): first destination of object k's voxels from chunk c.
  Kokkos::View<std::int64_t*, MemorySpace> cursor("bik::group::cursor", objects * chunks + 1);
  auto object = in.object;
  Kokkos::parallel_for(
      "bik::group::count", Policy(space, 0, chunks), KOKKOS_LAMBDA(std::int64_t c) {
        std::int64_t const end = kx::min(n, (c + 1) * chunk);
        for (std::int64_t i = c * chunk; i < end; ++i) ++cursor(object(i) * chunks + c);
      });
  std::int64_t const cells = objects * chunks;
  Kokkos::parallel_scan(
      "bik::group::scan", Policy(space, 0, cells),
      KOKKOS_LAMBDA(std::int64_t j, std::int64_t & partial, bool final) {
        std::int64_t const count = cursor(j);
        if (final) cursor(j) = partial;
        partial += count;
      });

  GroupedSegments<MemorySpace> out;
  out.objects = objects;
  out.offsets = Kokkos::View<std::int64_t*, MemorySpace>(
      kx::uninitialized("bik::group::offsets"), objects + 1);
  auto offsets = out.offsets;
  Kokkos::parallel_for(
      "bik::group::offsets", Policy(space, 0, objects + 1), KOKKOS_LAMBDA(std::int64_t k) {
        offsets(k) = k < objects ? cursor(k * chunks) : n;
      });

  Segments<MemorySpace>& s = out.segments;
  s.size = n;
  auto alloc = [](char const* label) { return kx::uninitialized(label); };
  s.values = decltype(s.values)(alloc("bik::segments::values"), n);
  s.object = decltype(s.object)(alloc("bik::segments::object"), n);
  s.x = decltype(s.x)(alloc("bik::segments::x"), n);
  s.y = decltype(s.y)(alloc("bik::segments::y"), n);
  s.z = decltype(s.z)(alloc("bik::segments::z"), n);
  bool const with_edges = in.has_edges();
  if (with_edges) s.edge = decltype(s.edge)(alloc("bik::segments::edge"), n);

  auto in_values = in.values;
  auto in_x = in.x;
  auto in_y = in.y;
  auto in_z = in.z;
  auto in_edge = in.edge;
  auto values = s.values;
  auto out_object = s.object;
  auto xs = s.x;
  auto ys = s.y;
  auto zs = s.z;
  auto edge = s.edge;
  Kokkos::parallel_for(
      "bik::group::scatter", Policy(space, 0, chunks), KOKKOS_LAMBDA(std::int64_t c) {
        std::int64_t const end = kx::min(n, (c + 1) * chunk);
        for (std::int64_t i = c * chunk; i < end; ++i) {
          std::int64_t const k = object(i);
          std::int64_t const d = cursor(k * chunks + c)++;
          values(d) = in_values(i);
          out_object(d) = k;
          xs(d) = in_x(i);
          ys(d) = in_y(i);
          zs(d) = in_z(i);
          if (with_edges) edge(d) = in_edge(i);
        }
      });
  space.fence();
  return out;
}

}  // namespace bik

#endif
