// Order statistics by a Kokkos team: a most-significant-digit radix select over 64-bit keys
// that sort like the doubles they come from. Eight passes over the range, each a team-wide
// histogram of one byte of the keys (per wanted rank, in team scratch) followed by the choice
// of the byte holding that rank. Several ranks share the passes. Nothing is reordered, so the
// range may be computed on the fly (deviations from a median, say).
#ifndef BIK_CORE_TEAM_SELECT_HPP
#define BIK_CORE_TEAM_SELECT_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <cstring>

namespace bik {

// A key whose unsigned order is the numeric order of v (not NaN). -0.0 and +0.0 get one key,
// the one of +0.0: order statistics do not tell the two zeros apart (nor does numpy's sort).
KOKKOS_INLINE_FUNCTION std::uint64_t order_key(double v) {
  double const canonical = v == 0.0 ? 0.0 : v;
  std::uint64_t bits;
  std::memcpy(&bits, &canonical, sizeof bits);
  return (bits >> 63) != 0 ? ~bits : (bits | (std::uint64_t(1) << 63));
}

KOKKOS_INLINE_FUNCTION double from_order_key(std::uint64_t key) {
  std::uint64_t const bits = (key >> 63) != 0 ? (key & ~(std::uint64_t(1) << 63)) : ~key;
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// Team scratch for team_select_ranks with up to `max_ranks` ranks.
template <class ScratchSpace>
struct SelectScratch {
  using Counts = Kokkos::View<std::int64_t**, Kokkos::LayoutRight, ScratchSpace,
                              Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  using Keys = Kokkos::View<std::uint64_t*, ScratchSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  using Ranks = Kokkos::View<std::int64_t*, ScratchSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  Counts counts;    // (rank, byte value) histogram of the current pass
  Keys prefix;      // the bytes chosen so far, per rank
  Ranks remaining;  // rank still sought among the keys that share the prefix

  static std::size_t bytes(int max_ranks) {
    return Counts::shmem_size(max_ranks, 256) + Keys::shmem_size(max_ranks) +
           Ranks::shmem_size(max_ranks);
  }
  template <class Member>
  KOKKOS_INLINE_FUNCTION SelectScratch(Member const& member, int max_ranks)
      : counts(member.team_scratch(0), max_ranks, 256),
        prefix(member.team_scratch(0), max_ranks),
        remaining(member.team_scratch(0), max_ranks) {}
};

// With the whole team: for each r < count, result[r] = the value of rank ranks[r] (0-based, in
// [0, n)) among value(0) .. value(n-1), as if they were sorted. Every thread gets the results.
// O(8 n count) work, parallel over the range.
template <class Member, class Value, class Scratch>
KOKKOS_INLINE_FUNCTION void team_select_ranks(Member const& member, Value const& value,
                                              std::int64_t n, std::int64_t const* ranks, int count,
                                              Scratch const& scratch, double* result) {
  auto const& counts = scratch.counts;
  auto const& prefix = scratch.prefix;
  auto const& remaining = scratch.remaining;
  Kokkos::single(Kokkos::PerTeam(member), [&]() {
    for (int r = 0; r < count; ++r) {
      prefix(r) = 0;
      remaining(r) = ranks[r];
    }
  });
  for (int shift = 56; shift >= 0; shift -= 8) {
    std::uint64_t const decided = shift == 56 ? 0 : ~std::uint64_t(0) << (shift + 8);
    Kokkos::parallel_for(Kokkos::TeamThreadRange(member, count * 256),
                         [&](int i) { counts(i / 256, i % 256) = 0; });
    member.team_barrier();
    Kokkos::parallel_for(Kokkos::TeamThreadRange(member, n), [&](std::int64_t i) {
      std::uint64_t const key = order_key(value(i));
      for (int r = 0; r < count; ++r)
        if (((key ^ prefix(r)) & decided) == 0)
          Kokkos::atomic_add(&counts(r, static_cast<int>((key >> shift) & 255)), std::int64_t(1));
    });
    member.team_barrier();
    Kokkos::parallel_for(Kokkos::TeamThreadRange(member, count), [&](int r) {
      std::int64_t below = 0;
      int byte = 0;
      while (byte < 255 && below + counts(r, byte) <= remaining(r)) below += counts(r, byte++);
      remaining(r) -= below;
      prefix(r) |= static_cast<std::uint64_t>(byte) << shift;
    });
    member.team_barrier();
  }
  for (int r = 0; r < count; ++r) result[r] = from_order_key(prefix(r));
}

}  // namespace bik

#endif
