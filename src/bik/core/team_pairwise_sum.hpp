// numpy's pairwise sum computed by a Kokkos team. The summation tree depends only on n, so its
// leaves can be summed by different threads and joined afterwards in the tree's order: one
// thread records where the leaves begin, the team sums the leaves, one thread joins the leaf
// sums. The result is bit-identical to pairwise_sums (and so to numpy) for every team size.
#ifndef BIK_CORE_TEAM_PAIRWISE_SUM_HPP
#define BIK_CORE_TEAM_PAIRWISE_SUM_HPP

#include "bik/core/pairwise_sum.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik {

// Slots a team_pairwise_sums call over n elements needs in `leaf_begin` (leaf_sums needs N
// times as many): the tree of n > 128 elements splits every node of more than 128 elements
// into halves of at least 64, so it has at most n / 64 leaves; one more slot ends the list.
KOKKOS_INLINE_FUNCTION constexpr std::int64_t pairwise_leaf_slots(std::int64_t n) {
  return (n <= 128 ? 1 : n / 64) + 1;
}

// Sums get(0) .. get(n-1) (each a Lanes<N>) with the whole team of `member`, lane by lane in
// numpy's pairwise order; every thread of the team gets the result. leaf_begin (integers) and
// leaf_sums (doubles) are this team's own buffers, with at least pairwise_leaf_slots(n) and
// N * pairwise_leaf_slots(n) elements; `get` must be callable from every thread.
template <int N, class Member, class Get, class Begins, class Sums>
KOKKOS_INLINE_FUNCTION Lanes<N> team_pairwise_sums(Member const& member, Get const& get,
                                                   std::int64_t n, Begins const& leaf_begin,
                                                   Sums const& leaf_sums) {
  std::int64_t leaves = 0;
  Kokkos::single(
      Kokkos::PerTeam(member),
      [&](std::int64_t& count) {
        std::int64_t j = 0;
        pairwise_tree<N>(n, [&](std::int64_t begin, std::int64_t) {
          leaf_begin(j++) = begin;
          return Lanes<N>::filled(0.0);
        });
        leaf_begin(j) = n;
        count = j;
      },
      leaves);
  member.team_barrier();
  Kokkos::parallel_for(Kokkos::TeamThreadRange(member, leaves), [&](std::int64_t j) {
    std::int64_t const begin = leaf_begin(j);
    Lanes<N> const s = detail::pairwise_leaf<N>(get, begin, leaf_begin(j + 1) - begin);
    for (int c = 0; c < N; ++c) leaf_sums(j * N + c) = s.v[c];
  });
  member.team_barrier();
  // One thread joins the leaf sums and leaves the total in the first N slots for the team.
  Kokkos::single(Kokkos::PerTeam(member), [&]() {
    std::int64_t j = 0;
    Lanes<N> const sum = pairwise_tree<N>(n, [&](std::int64_t, std::int64_t) {
      Lanes<N> s;
      for (int c = 0; c < N; ++c) s.v[c] = leaf_sums(j * N + c);
      ++j;
      return s;
    });
    for (int c = 0; c < N; ++c) leaf_sums(c) = sum.v[c];
  });
  member.team_barrier();
  Lanes<N> result;
  for (int c = 0; c < N; ++c) result.v[c] = leaf_sums(c);
  // Nothing writes leaf_sums again before the next call's first barrier, which every thread
  // reaches only after reading the total here.
  return result;
}

}  // namespace bik

#endif
