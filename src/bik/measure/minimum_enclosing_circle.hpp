// Minimum enclosing circle per object, bit for bit as centrosome's
// cpmorphology.minimum_enclosing_circle computes it (spec §8.6): the object's convex hull in
// centrosome's vertex order (convex_hull.hpp), then Chrystal's loop from the first two hull
// vertices. The Zernike features map object pixels into this circle, and a pixel on it lands at
// r^2 = 1 +- ulps, so the circle must match exactly, not just closely.
//
// Tie rule: when several candidate vertices subtend exactly the same smallest angle, the
// first in hull order is taken. centrosome takes the first in NumPy's (unstable) argsort order
// of all objects' angles, which has no rule to reproduce; the unit tests compare with
// centrosome on squares, rectangles, discs, diamonds and other cocircular shapes.
#ifndef BIK_MEASURE_MINIMUM_ENCLOSING_CIRCLE_HPP
#define BIK_MEASURE_MINIMUM_ENCLOSING_CIRCLE_HPP

#include "bik/core/compat.hpp"
#include "bik/core/first_min_loc.hpp"
#include "bik/core/object_schedule.hpp"
#include "bik/core/segments.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/convex_hull.hpp"
#include "bik/measure/team_convex_hull.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <limits>

namespace bik {

// NumPy's pi, and the right angle Chrystal's loop compares with.
constexpr double kPi = 3.141592653589793;

namespace detail {
// The angles of triangle S0 S1 V at V, S1 and S0, as centrosome computes them, from the side
// s01 = S0 - S1 and its squared length.
struct ChrystalAngles {
  double at_v, at_s1, at_s0;
};
KOKKOS_INLINE_FUNCTION ChrystalAngles chrystal_angles(std::int32_t const* hi,
                                                      std::int32_t const* hj, int s0, int s1,
                                                      double s01i, double s01j, double s01_sq,
                                                      int v) {
  double const vs0i = static_cast<double>(hi[v] - hi[s0]);
  double const vs0j = static_cast<double>(hj[v] - hj[s0]);
  double const vs1i = static_cast<double>(hi[v] - hi[s1]);
  double const vs1j = static_cast<double>(hj[v] - hj[s1]);
  double const cos_s1 =
      (s01i * vs1i + s01j * vs1j) / kx::sqrt(s01_sq * (vs1i * vs1i + vs1j * vs1j));
  double const at_s1 = kx::abs(kx::acos(cos_s1));
  double const cos_s0 =
      ((-s01i) * vs0i + (-s01j) * vs0j) / kx::sqrt(s01_sq * (vs0i * vs0i + vs0j * vs0j));
  double const at_s0 = kx::abs(kx::acos(cos_s0));
  return {kPi - at_s1 - at_s0, at_s1, at_s0};
}

// The circle of fewer than three hull vertices: none, NaN centre and radius 0; one, the vertex
// and radius 0; two, their midpoint.
KOKKOS_INLINE_FUNCTION void chrystal_few(std::int32_t const* hi, std::int32_t const* hj, int count,
                                         double nan, double& ci, double& cj, double& r) {
  if (count == 0) {
    ci = cj = nan;
    r = 0.0;
  } else if (count == 1) {
    ci = hi[0];
    cj = hj[0];
    r = 0.0;
  } else {
    ci = static_cast<double>(hi[0] + hi[1]) / 2;
    cj = static_cast<double>(hj[0] + hj[1]) / 2;
    double const di = ci - hi[0], dj = cj - hj[0];
    r = kx::sqrt(di * di + dj * dj);
  }
}

// One step of Chrystal's loop once the candidate `best` (-1: none) and its angles are known:
// returns true with the circle, or false after replacing the obtuse end S0 or S1 by V.
KOKKOS_INLINE_FUNCTION bool chrystal_step(std::int32_t const* hi, std::int32_t const* hj, int best,
                                          ChrystalAngles const& angles, int& s0, int& s1,
                                          double& ci, double& cj, double& r) {
  double const right = kPi / 2;
  double const s0i = hi[s0], s0j = hj[s0], s1i = hi[s1], s1j = hj[s1];
  if (best < 0 || angles.at_v >= right) {  // S0 S1 is a diameter
    ci = (s0i + s1i) / 2;
    cj = (s0j + s1j) / 2;
    double const di = s0i - s1i, dj = s0j - s1j;
    r = kx::sqrt(di * di + dj * dj) / 2;
    return true;
  }
  if (!(angles.at_s1 > right) && !(angles.at_s0 > right) && !(angles.at_v > right)) {
    // The circumcircle.
    double const vi = hi[best], vj = hj[best];
    double const d = 2 * (s0j * (s1i - vi) + s1j * (vi - s0i) + vj * (s0i - s1i));
    double const n0 = s0i * s0i + s0j * s0j, n1 = s1i * s1i + s1j * s1j, nv = vi * vi + vj * vj;
    cj = (n0 * (s1i - vi) + n1 * (vi - s0i) + nv * (s0i - s1i)) / d;
    ci = (n0 * (vj - s1j) + n1 * (s0j - vj) + nv * (s1j - s0j)) / d;
    double const di = s0i - ci, dj = s0j - cj;
    r = kx::sqrt(di * di + dj * dj);
    return true;
  }
  // The obtuse end lies inside the circle: V replaces it.
  if (angles.at_s0 > right)
    s0 = best;
  else
    s1 = best;
  return false;
}

// After the step cap (reached only on non-finite input): S0 S1 as a diameter.
KOKKOS_INLINE_FUNCTION void chrystal_give_up(std::int32_t const* hi, std::int32_t const* hj, int s0,
                                             int s1, double& ci, double& cj, double& r) {
  double const di = static_cast<double>(hi[s0] - hi[s1]), dj = static_cast<double>(hj[s0] - hj[s1]);
  ci = (static_cast<double>(hi[s0]) + hi[s1]) / 2;
  cj = (static_cast<double>(hj[s0]) + hj[s1]) / 2;
  r = kx::sqrt(di * di + dj * dj) / 2;
}
}  // namespace detail

// Chrystal's loop on hull vertices (hi[v], hj[v]), v < count, in centrosome's order: the
// centre (ci, cj) in (row, column) and the radius. Every operation in centrosome's order (FP
// contraction off). Sequential; O(count) per step, few steps.
KOKKOS_INLINE_FUNCTION void chrystal_circle(std::int32_t const* hi, std::int32_t const* hj,
                                            int count, double nan, double& ci, double& cj,
                                            double& r) {
  if (count < 3) {
    detail::chrystal_few(hi, hj, count, nan, ci, cj, r);
    return;
  }
  int s0 = 0, s1 = 1;
  // Chrystal's loop ends after at most one step per vertex pair; the cap only guards a device
  // against looping forever on non-finite input.
  for (int step = 0; step < count * count + 2; ++step) {
    // The candidate V with the smallest angle S0-V-S1, the first in hull order on ties.
    int best = -1;
    detail::ChrystalAngles best_angles{0.0, 0.0, 0.0};
    double const s01i = static_cast<double>(hi[s0] - hi[s1]);
    double const s01j = static_cast<double>(hj[s0] - hj[s1]);
    double const s01_sq = s01i * s01i + s01j * s01j;
    for (int v = 0; v < count; ++v) {
      if (v == s0 || v == s1) continue;
      detail::ChrystalAngles const angles =
          detail::chrystal_angles(hi, hj, s0, s1, s01i, s01j, s01_sq, v);
      if (best < 0 || angles.at_v < best_angles.at_v) {
        best = v;
        best_angles = angles;
      }
    }
    if (detail::chrystal_step(hi, hj, best, best_angles, s0, s1, ci, cj, r)) return;
  }
  detail::chrystal_give_up(hi, hj, s0, s1, ci, cj, r);
}

// chrystal_circle by the team `member`: each step's candidate search is a team reduction to
// the first smallest angle (FirstMinLoc), so the steps, and every bit of the circle, are the
// sequential loop's. A NaN angle is never a strict minimum there, yet stays chosen when it is
// the first candidate's: the reduction skips NaNs and the first candidate is checked apart.
// Every thread of the team gets the circle.
template <class Member>
KOKKOS_INLINE_FUNCTION void team_chrystal_circle(Member const& member, std::int32_t const* hi,
                                                 std::int32_t const* hj, int count, double nan,
                                                 double& ci, double& cj, double& r) {
  if (count < 3) {
    detail::chrystal_few(hi, hj, count, nan, ci, cj, r);
    return;
  }
  double const inf = Kokkos::reduction_identity<double>::min();
  int s0 = 0, s1 = 1;
  for (int step = 0; step < count * count + 2; ++step) {
    double const s01i = static_cast<double>(hi[s0] - hi[s1]);
    double const s01j = static_cast<double>(hj[s0] - hj[s1]);
    double const s01_sq = s01i * s01i + s01j * s01j;
    typename FirstMinLoc<>::value_type least;
    Kokkos::parallel_reduce(
        Kokkos::TeamThreadRange(member, count),
        [&](int v, typename FirstMinLoc<>::value_type& acc) {
          if (v == s0 || v == s1) return;
          double const at_v = detail::chrystal_angles(hi, hj, s0, s1, s01i, s01j, s01_sq, v).at_v;
          double const key = at_v == at_v ? at_v : inf;
          if (FirstMinLoc<>::precedes(key, v, acc.val, acc.loc)) {
            acc.val = key;
            acc.loc = v;
          }
        },
        FirstMinLoc<>(least));
    int const first = s0 != 0 && s1 != 0 ? 0 : (s0 != 1 && s1 != 1 ? 1 : 2);
    detail::ChrystalAngles const first_angles =
        detail::chrystal_angles(hi, hj, s0, s1, s01i, s01j, s01_sq, first);
    int const best = first_angles.at_v == first_angles.at_v ? least.loc : first;
    detail::ChrystalAngles const best_angles =
        best == first ? first_angles
                      : detail::chrystal_angles(hi, hj, s0, s1, s01i, s01j, s01_sq, best);
    if (detail::chrystal_step(hi, hj, best, best_angles, s0, s1, ci, cj, r)) return;
  }
  detail::chrystal_give_up(hi, hj, s0, s1, ci, cj, r);
}

// Per-object circles and the hulls they came from, in the memory space of the segments.
template <class MemorySpace>
struct EnclosingCircles {
  Kokkos::View<double*, MemorySpace> center_y, center_x, radius;  // [objects]
  // Hull of object k: hull_i/hull_j[hull_offset(k) .. + hull_count(k)), centrosome's order.
  Kokkos::View<std::int32_t*, MemorySpace> hull_i, hull_j, hull_count;
  Kokkos::View<std::int64_t*, MemorySpace> hull_offset;
};

namespace detail {

// Pass 1: the column range of each object (first column, width) into columns(k).
template <class ExecSpace, class MemorySpace>
struct ObjectColumns {
  using member_type = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  Kokkos::View<std::int64_t*, MemorySpace> offsets;
  Kokkos::View<std::int32_t*, MemorySpace> xs;
  Kokkos::View<std::int32_t*, MemorySpace> first;   // [objects]
  Kokkos::View<std::int64_t*, MemorySpace> widths;  // [objects + 1], scanned afterwards

  KOKKOS_INLINE_FUNCTION void operator()(member_type const& member) const {
    std::int64_t const k = member.league_rank();
    std::int64_t const begin = offsets(k), end = offsets(k + 1);
    typename Kokkos::MinMax<std::int32_t>::value_type range;
    Kokkos::parallel_reduce(
        Kokkos::TeamThreadRange(member, begin, end),
        [&](std::int64_t p, typename Kokkos::MinMax<std::int32_t>::value_type& acc) {
          std::int32_t const x = xs(p);
          if (x < acc.min_val) acc.min_val = x;
          if (x > acc.max_val) acc.max_val = x;
        },
        Kokkos::MinMax<std::int32_t>(range));
    Kokkos::single(Kokkos::PerTeam(member), [&]() {
      bool const empty = end == begin;
      first(k) = empty ? 0 : range.min_val;
      widths(k) = empty ? 0 : std::int64_t(range.max_val) - range.min_val + 1;
    });
  }
};

// Widths and hull sizes from which a team, rather than one of its threads, builds an object's
// hull and runs Chrystal's loop (team_per_object only). Below them the team's barriers and
// reductions cost more than the O(width) chain and the O(hull) steps they split; 128 columns
// make 4 chunks of kHullChunkColumns. Not yet tuned on a GPU (benchmarks/kernels' mec_team
// cases); on the 2-core host both paths measured within noise.
constexpr std::int32_t kTeamHullMinWidth = 128;
constexpr int kTeamChrystalMinVertices = 32;

// Pass 2: column envelopes of each object (team-parallel over its pixels), then its hull and
// Chrystal's loop: by the team for large objects when teams are asked for, by one thread
// otherwise.
template <class ExecSpace, class MemorySpace>
struct ObjectCircles {
  using member_type = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  using ChunkCounts = Kokkos::View<std::int32_t*, typename ExecSpace::scratch_memory_space,
                                   Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  Kokkos::View<std::int64_t*, MemorySpace> offsets;
  Kokkos::View<std::int32_t*, MemorySpace> xs, ys;
  Kokkos::View<std::int32_t*, MemorySpace> first;
  Kokkos::View<std::int64_t*, MemorySpace> column_offset;  // scanned widths, [objects + 1]
  Kokkos::View<std::int32_t*, MemorySpace> lower, upper;   // [total columns]
  EnclosingCircles<MemorySpace> out;
  double nan = 0.0;
  bool teams = false;  // team_per_object: team scratch holds ChunkCounts of 2 * kMaxHullChunks

  static std::size_t scratch_bytes() { return ChunkCounts::shmem_size(2 * kMaxHullChunks); }

  KOKKOS_INLINE_FUNCTION void write(std::int64_t k, int count, double ci, double cj,
                                    double r) const {
    out.hull_count(k) = count;
    out.center_y(k) = ci;
    out.center_x(k) = cj;
    out.radius(k) = r;
  }

  KOKKOS_INLINE_FUNCTION void operator()(member_type const& member) const {
    std::int64_t const k = member.league_rank();
    std::int64_t const begin = offsets(k), end = offsets(k + 1);
    std::int64_t const col0 = column_offset(k);
    std::int32_t const width = static_cast<std::int32_t>(column_offset(k + 1) - col0);
    std::int32_t const start = first(k);
    std::int32_t* const lo = lower.data() + col0;
    std::int32_t* const up = upper.data() + col0;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(member, width), [&](std::int32_t c) {
      lo[c] = kEnvelopeNoLower;
      up[c] = kEnvelopeNoUpper;
    });
    member.team_barrier();
    if (member.team_size() == 1) {
      // Raster order: the first pixel of a column is its lowest row, the last its highest.
      for (std::int64_t p = begin; p < end; ++p) {
        std::int32_t const c = xs(p) - start;
        if (lo[c] == kEnvelopeNoLower) lo[c] = ys(p);
        up[c] = ys(p);
      }
    } else {
      Kokkos::parallel_for(Kokkos::TeamThreadRange(member, begin, end), [&](std::int64_t p) {
        std::int32_t const c = xs(p) - start;
        Kokkos::atomic_fetch_min(&lo[c], ys(p));
        Kokkos::atomic_fetch_max(&up[c], ys(p));
      });
    }
    member.team_barrier();
    std::int64_t const h0 = out.hull_offset(k);
    std::int32_t* const hi = out.hull_i.data() + h0;
    std::int32_t* const hj = out.hull_j.data() + h0;
    int count = 0;
    if (teams && width >= kTeamHullMinWidth) {
      ChunkCounts const chunk_counts(member.team_scratch(0), 2 * kMaxHullChunks);
      count = team_convex_hull(member, lo, up, start, width, hull_chunks(width),
                               chunk_counts.data(), hi, hj);
    } else {
      Kokkos::single(
          Kokkos::PerTeam(member),
          [&](int& n) { n = width > 0 ? object_convex_hull(lo, up, start, width, hi, hj) : 0; },
          count);
    }
    member.team_barrier();  // the hull, written by one thread, is read by all
    if (teams && count >= kTeamChrystalMinVertices) {
      double ci = 0.0, cj = 0.0, r = 0.0;
      team_chrystal_circle(member, hi, hj, count, nan, ci, cj, r);
      Kokkos::single(Kokkos::PerTeam(member), [&]() { write(k, count, ci, cj, r); });
    } else {
      Kokkos::single(Kokkos::PerTeam(member), [&]() {
        double ci = 0.0, cj = 0.0, r = 0.0;
        chrystal_circle(hi, hj, count, nan, ci, cj, r);
        write(k, count, ci, cj, r);
      });
    }
  }
};

template <class ExecSpace, class Functor>
Kokkos::TeamPolicy<ExecSpace> object_team_policy(ExecSpace const& space, std::int64_t objects,
                                                 ObjectSchedule const& schedule,
                                                 Functor const& functor) {
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  int const league = static_cast<int>(objects);
  if (!uses_teams<ExecSpace>(schedule)) return Policy(space, league, 1);
  if (schedule.team_size <= 0) return Policy(space, league, Kokkos::AUTO);
  int const most = Policy(space, league, 1).team_size_max(functor, Kokkos::ParallelForTag());
  return Policy(space, league, kx::min(schedule.team_size, most));
}

}  // namespace detail

// The minimum enclosing circle of every object of `seg` (flatten_labeled's segments of a 2D
// label image, or of a batch of 2D images: rows are ys, columns xs), as centrosome computes
// it. Object pixels are read once, team-parallel in the team shape of `schedule` (envelopes by
// integer atomics, so the same for any team size); the hull and Chrystal's loop of an object run
// on one thread, or for large objects in the team_per_object shape on the whole team (the same
// bits: team_convex_hull.hpp, team_chrystal_circle): O(pixels) + O(columns + hull^2) per
// object. One host synchronisation (the
// total column count sizes the envelopes). With a workspace, results live in its buffers.
template <class ExecSpace, class MemorySpace>
EnclosingCircles<MemorySpace> minimum_enclosing_circles(
    ExecSpace const& space, Segments<MemorySpace> const& seg, ObjectSchedule const& schedule = {},
    Workspace<MemorySpace>* workspace = nullptr) {
  kx::ScopedRegion region("bik::minimum_enclosing_circles");
  using Buffers = Workspace<MemorySpace>;
  std::int64_t const objects = seg.objects;
  EnclosingCircles<MemorySpace> out;
  out.center_y = Buffers::template get<double>(workspace, "bik::mec::center_y", objects);
  out.center_x = Buffers::template get<double>(workspace, "bik::mec::center_x", objects);
  out.radius = Buffers::template get<double>(workspace, "bik::mec::radius", objects);
  out.hull_count = Buffers::template get<std::int32_t>(workspace, "bik::mec::hull_count", objects);
  if (objects == 0) return out;

  detail::ObjectColumns<ExecSpace, MemorySpace> columns;
  columns.offsets = seg.offsets;
  columns.xs = seg.x;
  columns.first = Buffers::template get<std::int32_t>(workspace, "bik::mec::first", objects);
  columns.widths = Buffers::template get<std::int64_t>(workspace, "bik::mec::columns", objects + 1);
  Kokkos::parallel_for("bik::mec::columns",
                       detail::object_team_policy(space, objects, schedule, columns), columns);
  auto widths = columns.widths;
  Kokkos::parallel_scan(
      "bik::mec::scan",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, objects + 1),
      KOKKOS_LAMBDA(std::int64_t k, std::int64_t & partial, bool final) {
        std::int64_t const w = k < objects ? widths(k) : 0;
        if (final) widths(k) = partial;
        partial += w;
      });
  std::int64_t total = 0;
  space.fence();
  Kokkos::deep_copy(total, Kokkos::subview(widths, objects));

  // An object of w columns has at most 2w + 1 hull points while the chain runs.
  out.hull_offset =
      Buffers::template get<std::int64_t>(workspace, "bik::mec::hull_offset", objects);
  out.hull_i =
      Buffers::template get<std::int32_t>(workspace, "bik::mec::hull_i", 2 * total + objects);
  out.hull_j =
      Buffers::template get<std::int32_t>(workspace, "bik::mec::hull_j", 2 * total + objects);
  auto hull_offset = out.hull_offset;
  Kokkos::parallel_for(
      "bik::mec::hull_offsets",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, objects),
      KOKKOS_LAMBDA(std::int64_t k) { hull_offset(k) = 2 * widths(k) + k; });

  detail::ObjectCircles<ExecSpace, MemorySpace> circles;
  circles.offsets = seg.offsets;
  circles.xs = seg.x;
  circles.ys = seg.y;
  circles.first = columns.first;
  circles.column_offset = widths;
  circles.lower = Buffers::template get<std::int32_t>(workspace, "bik::mec::lower", total);
  circles.upper = Buffers::template get<std::int32_t>(workspace, "bik::mec::upper", total);
  circles.out = out;
  circles.nan = std::numeric_limits<double>::quiet_NaN();
  circles.teams = uses_teams<ExecSpace>(schedule);
  auto policy = detail::object_team_policy(space, objects, schedule, circles);
  if (circles.teams) policy.set_scratch_size(0, Kokkos::PerTeam(circles.scratch_bytes()));
  Kokkos::parallel_for("bik::mec::circles", policy, circles);
  return out;
}

}  // namespace bik

#endif
