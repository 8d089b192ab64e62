// What the row-streaming morphology kernels (disk_rows.hpp, the ball in erode_dilate.hpp) share:
// the pick of erosion (min) or dilation (max), and how a team walks along a row. A host team is
// one thread running plain loops that the compiler vectorises, with nothing to synchronise; a
// GPU team spreads the row over its threads and waits at a barrier between dependent passes.
#ifndef BIK_MORPHOLOGY_ROW_TEAM_HPP
#define BIK_MORPHOLOGY_ROW_TEAM_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>

// Host loops of a few instructions per vector: unrolled to amortise the loop's own.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define BIK_ROW_TEAM_UNROLL _Pragma("GCC unroll 4")
#else
#define BIK_ROW_TEAM_UNROLL
#endif

namespace bik::detail {

// min(a, b) (Max: max) returning `a` on ties and when `b` is NaN: the order the kernels fold in.
template <bool Max, class T>
KOKKOS_INLINE_FUNCTION T pick(T a, T b) {
  if constexpr (Max) {
    return a < b ? b : a;
  } else {
    return b < a ? b : a;
  }
}

template <class ExecSpace>
struct RowTeam {
  using member_type = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  // One thread per team on host spaces: plain loops, no barriers.
  static constexpr bool serial =
      Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible;

  // f(i) for i in [0, n) by the team.
  template <class F>
  KOKKOS_INLINE_FUNCTION static void along(member_type const& team, std::int64_t n, F const& f) {
    if constexpr (serial) {
      (void)team;
      BIK_ROW_TEAM_UNROLL
      for (std::int64_t i = 0; i < n; ++i) f(i);
    } else {
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, n), f);
    }
  }

  KOKKOS_INLINE_FUNCTION static void barrier(member_type const& team) {
    if constexpr (serial) {
      (void)team;
    } else {
      team.team_barrier();
    }
  }

  // The team policy of `teams` teams: one thread each on host spaces.
  static Kokkos::TeamPolicy<ExecSpace> policy(ExecSpace const& space, std::int64_t teams) {
    using Policy = Kokkos::TeamPolicy<ExecSpace>;
    return serial ? Policy(space, static_cast<int>(teams), 1)
                  : Policy(space, static_cast<int>(teams), Kokkos::AUTO);
  }
};

}  // namespace bik::detail

#undef BIK_ROW_TEAM_UNROLL

#endif
