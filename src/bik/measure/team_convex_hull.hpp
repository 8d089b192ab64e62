// The convex hull of one large object built by a team, with the same vertices in the same order
// as the sequential chain of convex_hull.hpp. The chain's input (the lower envelope left to
// right, then the upper envelope right to left) is cut into chunks, each pass separately; the
// team's threads chain the chunks from empty stacks at once, then one thread chains the
// concatenated chunk hulls and closes the hull, touching only the few surviving points.
//
// Why the result is the sequential chain's, vertex for vertex:
// - Within one pass the columns are strictly monotone, so the U-turn clause of hull_convex (the
//   middle point right of both others) never holds there, and the chain is Andrew's monotone
//   chain with a strict turn test: from an empty stack it keeps its input's first and last
//   points and exactly the strict vertices of the convex chain between them. A point a chunk
//   drops lies on or inside a chord between two points of that chunk, so it is no strict vertex
//   of the whole pass either; hence chain(A ++ B) = chain(chain(A) ++ chain(B)) for any cut of
//   a pass, and the chained chunk hulls of the lower pass are the sequential lower chain.
// - The upper pass starts on the lower chain's stack, at u0 = (upper, last column). Pushing u0
//   pops what the sequential chain pops (the same triple). After that u0 is never popped: for
//   any later point c (left of u0 and, being an upper end, not below the lower chain) the turn
//   (point under u0, u0, c) is a left turn, or collinear with u0 rightmost, a U-turn, which is
//   kept. So the rest of the upper pass is a monotone chain over u0 followed by the upper
//   envelope, with u0 as a base that is never popped: the first case again, and u0 is the first
//   point of the first upper chunk, which its chain keeps. U-turns thus occur only where the
//   passes meet, which both paths process identically.
// - The closing step then runs on the same stack in both paths.
// The unit tests hold the two paths to each other on every envelope of small objects and on
// large random ones, for every chunk count, and both to centrosome.
#ifndef BIK_MEASURE_TEAM_CONVEX_HULL_HPP
#define BIK_MEASURE_TEAM_CONVEX_HULL_HPP

#include "bik/measure/convex_hull.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

// Chunks per pass: one per kHullChunkColumns columns, at most kMaxHullChunks (their hull
// counts live in team scratch).
constexpr std::int32_t kHullChunkColumns = 32;
constexpr int kMaxHullChunks = 32;

KOKKOS_INLINE_FUNCTION int hull_chunks(std::int32_t width) {
  std::int32_t const chunks = (width + kHullChunkColumns - 1) / kHullChunkColumns;
  // By value, not kx::min: a device function cannot bind a reference to a host constant.
  return chunks < 1 ? 1 : (chunks > kMaxHullChunks ? kMaxHullChunks : static_cast<int>(chunks));
}

namespace detail {
// Input positions [begin, end) of chunk t of 2 * chunks: the first `chunks` split the lower
// pass (positions 0 .. width - 1), the others the upper pass (width .. 2 * width - 2).
KOKKOS_INLINE_FUNCTION void hull_chunk_range(std::int32_t width, int chunks, int t,
                                             std::int64_t& begin, std::int64_t& end) {
  bool const upper_pass = t >= chunks;
  int const c = upper_pass ? t - chunks : t;
  std::int64_t const base = upper_pass ? width : 0;
  std::int64_t const length = upper_pass ? width - 1 : width;
  begin = base + length * c / chunks;
  end = base + length * (c + 1) / chunks;
}
}  // namespace detail

// object_convex_hull's hull (same arguments) built by the team `member`, the input cut into
// `chunks` chunks per pass (1 .. kMaxHullChunks); chunk_counts is team-shared room for
// 2 * chunks ints. Every thread of the team returns the vertex count.
template <class Member>
KOKKOS_INLINE_FUNCTION int team_convex_hull(Member const& member, std::int32_t const* lower,
                                            std::int32_t const* upper, std::int32_t start_j,
                                            std::int32_t width, int chunks,
                                            std::int32_t* chunk_counts, std::int32_t* hi,
                                            std::int32_t* hj) {
  // Each chunk's hull goes to the chunk's own input positions: chunks never overlap.
  Kokkos::parallel_for(Kokkos::TeamThreadRange(member, 2 * chunks), [&](int t) {
    std::int64_t begin = 0, end = 0;
    detail::hull_chunk_range(width, chunks, t, begin, end);
    chunk_counts[t] =
        detail::hull_chain(lower, upper, start_j, width, begin, end, hi + begin, hj + begin);
  });
  member.team_barrier();
  int count = 0;
  Kokkos::single(
      Kokkos::PerTeam(member),
      [&](int& total) {
        // A chunk's points sit at or after the position the chain writes next (each earlier
        // chunk kept at most its length), so each point is read before it can be overwritten.
        int n = 0;
        for (int t = 0; t < 2 * chunks; ++t) {
          std::int64_t begin = 0, end = 0;
          detail::hull_chunk_range(width, chunks, t, begin, end);
          for (std::int64_t q = begin; q < begin + chunk_counts[t]; ++q) {
            std::int32_t const i = hi[q], j = hj[q];
            n = detail::hull_emit(hi, hj, n, i, j);
          }
        }
        total = detail::hull_close(hi, hj, n, lower[0], upper[0], start_j);
      },
      count);
  return count;
}

}  // namespace bik

#endif
