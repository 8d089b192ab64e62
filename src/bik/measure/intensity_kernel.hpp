// The per-object part of the intensity features: a functor over the segments of flatten_labeled
// with two shapes of the same computation (object_schedule.hpp). operator()(k) is one thread
// walking object k (selection by introselect, which reorders the segment, or by counting the
// values when they are integers spanning fewer values than the object has voxels);
// operator()(member) is a team sharing object league_rank() (team pairwise sums, team radix select,
// team reductions). Both give the same values, bit for bit, for every team size and thread count.
#ifndef BIK_MEASURE_INTENSITY_KERNEL_HPP
#define BIK_MEASURE_INTENSITY_KERNEL_HPP

#include "bik/core/compat.hpp"
#include "bik/core/counting_select.hpp"
#include "bik/core/pairwise_sum.hpp"
#include "bik/core/selection.hpp"
#include "bik/core/team_pairwise_sum.hpp"
#include "bik/core/team_select.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::detail {

// Column positions in the output matrix, in intensity_feature_names order.
enum IntensityColumn : int {
  kIntegrated,
  kMean,
  kStd,
  kMin,
  kMax,
  kMassDisplacement,
  kLowerQuartile,
  kMedian,
  kMad,
  kUpperQuartile,
  kCmiX,
  kCmiY,
  kCmiZ,
  kMaxX,
  kMaxY,
  kMaxZ,
  kEdgeIntegrated,
  kEdgeMean,
  kEdgeStd,
  kEdgeMin,
  kEdgeMax,
  kIntensityColumns
};

// cp_measure's _interp given the values at its two ranks lo = min(int(pos), n-1) and
// hi = min(lo+1, n-1): s[lo]*(1-f) + s[hi]*f with f = pos - lo, evaluated in that order.
KOKKOS_INLINE_FUNCTION double interpolate(double at_lo, double at_hi, double pos, std::int64_t n) {
  std::int64_t lo = static_cast<std::int64_t>(pos);
  if (lo > n - 1) lo = n - 1;
  double const f = pos - static_cast<double>(lo);
  return at_lo * (1.0 - f) + at_hi * f;
}

// The same on a range whose ranks lo and hi are already in place.
template <class A>
KOKKOS_INLINE_FUNCTION double quantile_at(A const& a, std::int64_t n, double pos) {
  std::int64_t lo = static_cast<std::int64_t>(pos);
  if (lo > n - 1) lo = n - 1;
  std::int64_t const hi = lo + 1 > n - 1 ? n - 1 : lo + 1;
  return interpolate(a(lo), a(hi), pos, n);
}

KOKKOS_INLINE_FUNCTION double quantile_pos(std::int64_t n, double frac, bool legacy) {
  return legacy ? static_cast<double>(n) * frac : static_cast<double>(n - 1) * frac;
}

// Writes the two ranks _interp reads at `pos` into ranks[count..count+1].
KOKKOS_INLINE_FUNCTION int push_ranks(std::int64_t* ranks, int count, std::int64_t n, double pos) {
  std::int64_t lo = static_cast<std::int64_t>(pos);
  if (lo > n - 1) lo = n - 1;
  ranks[count] = lo;
  ranks[count + 1] = lo + 1 > n - 1 ? n - 1 : lo + 1;
  return count + 2;
}

// numpy's std (ddof 0) of a(0..n) given its mean: sqrt(sum((a - mean)^2) / n), pairwise summed.
template <class A>
KOKKOS_INLINE_FUNCTION double population_std(A const& a, std::int64_t n, double mean) {
  double const ss = pairwise_sum(
      [&](std::int64_t i) {
        double const d = a(i) - mean;
        return d * d;
      },
      n);
  return kx::sqrt(ss / static_cast<double>(n));
}

// Ranks read by the quartiles and the median (two each), and by the MAD.
struct QuantileRanks {
  double p25, p50, p75, pmad;
  std::int64_t q[6], m[2];
  KOKKOS_INLINE_FUNCTION QuantileRanks(std::int64_t n, bool legacy, int source_ndim) {
    p25 = quantile_pos(n, 0.25, legacy);
    p50 = quantile_pos(n, 0.5, legacy);
    p75 = quantile_pos(n, 0.75, legacy);
    int count = push_ranks(q, 0, n, p25);
    count = push_ranks(q, count, n, p50);
    push_ranks(q, count, n, p75);
    double const mad_frac = legacy ? 1.0 / static_cast<double>(source_ndim) : 0.5;
    pmad = quantile_pos(n, mad_frac, legacy);
    push_ranks(m, 0, n, pmad);
  }
};

template <class ExecSpace, class MemorySpace>
struct IntensityKernel {
  using member_type = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  using Scratch = SelectScratch<typename ExecSpace::scratch_memory_space>;
  template <class T>
  using Buffer = Kokkos::View<T*, MemorySpace>;
  using Out = Kokkos::View<double**, Kokkos::LayoutStride, MemorySpace,
                           Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

  Buffer<std::int64_t> offsets;  // the segments (see segments.hpp)
  Buffer<double> values;
  Buffer<std::int32_t> xs, ys, zs;
  Buffer<std::uint8_t> edge;
  Buffer<double> scratch;           // as long as values
  Buffer<std::int32_t> counts;      // thread shape with integer_values: as long as values
  Buffer<std::int64_t> leaf_begin;  // team shape: leaf_slots(objects, voxels)
  Buffer<double> leaf_sums;         // team shape: 4 * leaf_slots(objects, voxels)
  Out out;                          // (objects, kIntensityColumns or kEdgeIntegrated)
  bool with_edges = false;
  bool legacy = false;
  bool integer_values = false;  // the values are integers of at most 32 bits (uint8/uint16 pixels)
  int source_ndim = 2;
  bool flat = false;  // every image has one plane: all z coordinates are 0 (thread shape)
  double nan = 0;

  // Leaf slots of all objects: object k's begin at leaf_base(k) (see team_pairwise_sum.hpp).
  static std::int64_t leaf_slots(std::int64_t objects, std::int64_t voxels) {
    return voxels / 64 + 2 * objects + 2;
  }
  KOKKOS_INLINE_FUNCTION static std::int64_t leaf_base(std::int64_t k, std::int64_t begin) {
    return begin / 64 + 2 * k;
  }
  static std::size_t team_scratch_bytes() { return Scratch::bytes(6); }

  KOKKOS_INLINE_FUNCTION void clear_row(std::int64_t k) const {
    int const columns = with_edges ? kIntensityColumns : kEdgeIntegrated;
    for (int c = 0; c < columns; ++c) out(k, c) = 0;  // numpy main: absent features are 0
  }

  // One thread, object k.
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t k) const {
    clear_row(k);
    std::int64_t const begin = offsets(k), n = offsets(k + 1) - begin;
    if (n == 0) return;  // an object without finite voxels keeps all features 0
    auto const object_values = Kokkos::subview(values, Kokkos::make_pair(begin, begin + n));
    auto const object_scratch = Kokkos::subview(scratch, Kokkos::make_pair(begin, begin + n));

    // Edge voxels, compacted into scratch so they are summed as numpy sums evals: every value
    // is stored and the cursor moves past the edge ones (no data-dependent branch).
    if (with_edges) {
      std::int64_t ne = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        object_scratch(ne) = object_values(i);
        ne += edge(begin + i) != 0 ? 1 : 0;
      }
      if (ne > 0) {
        double emin = object_scratch(0), emax = object_scratch(0);
        for (std::int64_t i = 1; i < ne; ++i) {
          double const v = object_scratch(i);
          if (v < emin) emin = v;
          if (v > emax) emax = v;
        }
        double const esum = pairwise_sum([&](std::int64_t i) { return object_scratch(i); }, ne);
        double const emean = esum / static_cast<double>(ne);
        write_edges(k, esum, emean, population_std(object_scratch, ne, emean), emin, emax);
      }
    }

    // Sums in numpy's pairwise order. cp_measure's coordinate array comes from argwhere, which
    // is column-major, so its weighted sums are pairwise per axis too. One walk per sum: a
    // single sum's eight leaf accumulators vectorise, where the four sums' 32 in one walk spill
    // (measured: 40% fewer instructions). In a flat batch every z is 0 and the z-weighted sum
    // is numpy's 0.0 (0.0 plus zeros). The plain coordinate sums are sums of integers, exact in
    // int64. (Folding the loops below and the edge loop into the walks was measured: it costs
    // more instructions than it saves.)
    double const* const v = values.data() + begin;
    auto const weighted_sum = [&](std::int32_t const* coordinate) {
      return pairwise_sum([&](std::int64_t i) { return double(coordinate[i]) * v[i]; }, n);
    };
    Lanes<4> const sums{{pairwise_sum([&](std::int64_t i) { return v[i]; }, n),
                         weighted_sum(xs.data() + begin), weighted_sum(ys.data() + begin),
                         flat ? 0.0 : weighted_sum(zs.data() + begin)}};
    double const mean = sums[0] / static_cast<double>(n);
    std::int64_t sum_x = 0, sum_y = 0, sum_z = 0;
    double vmin = object_values(0), vmax = object_values(0);
    std::int64_t argmax = 0;  // first voxel in raster order that reaches the maximum
    for (std::int64_t i = 0; i < n; ++i) {
      double const v = object_values(i);
      sum_x += xs(begin + i);
      sum_y += ys(begin + i);
      if (v < vmin) vmin = v;
      if (v > vmax) {
        vmax = v;
        argmax = i;
      }
    }
    if (!flat)
      for (std::int64_t i = 0; i < n; ++i) sum_z += zs(begin + i);
    write_moments(k, begin + argmax, n, sums, population_std(object_values, n, mean), vmin, vmax,
                  static_cast<double>(sum_x), static_cast<double>(sum_y),
                  static_cast<double>(sum_z));

    QuantileRanks const r(n, legacy, source_ndim);
    if (integer_values && vmax - vmin < static_cast<double>(n)) {
      // Few distinct values (uint8/uint16 pixels): count them instead of partitioning.
      auto const object_counts = Kokkos::subview(counts, Kokkos::make_pair(begin, begin + n));
      std::int64_t const bins = static_cast<std::int64_t>(vmax - vmin) + 1;
      count_values(object_counts, bins, object_values, n, vmin);
      double q[6], m[2];
      counted_ranks(object_counts, bins, vmin, r.q, 6, q);
      double const median = interpolate(q[2], q[3], r.p50, n);
      counted_distance_ranks(object_counts, bins, vmin, median, r.m, 2, m);
      out(k, kLowerQuartile) = interpolate(q[0], q[1], r.p25, n);
      out(k, kMedian) = median;
      out(k, kUpperQuartile) = interpolate(q[4], q[5], r.p75, n);
      out(k, kMad) = interpolate(m[0], m[1], r.pmad, n);
      return;
    }

    // Quartiles and median: place the six ranks _interp reads, then interpolate.
    select_ranks(object_values, n, r.q, 6);
    double const median = quantile_at(object_values, n, r.p50);
    out(k, kLowerQuartile) = quantile_at(object_values, n, r.p25);
    out(k, kMedian) = median;
    out(k, kUpperQuartile) = quantile_at(object_values, n, r.p75);

    // MAD: the same interpolation over |v - median|. The values of ranks q[0]..q[5] (about
    // half of them) lie in [values(q[0]), values(q[5])], so the median deviation lies between
    // the smaller and the larger distance from the median to those two values: only
    // deviations in that band are gathered and selected from, the ones below it are counted.
    // A rank outside the band (legacy's 1/3 quantile, tiny objects) falls back to selecting
    // from all of them.
    double const to_low = median - object_values(r.q[0]);
    double const to_high = object_values(r.q[5]) - median;
    double const band_low = kx::min(to_low, to_high), band_high = kx::max(to_low, to_high);
    std::int64_t below = 0, inside = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      double const d = kx::abs(object_values(i) - median);
      int const under = static_cast<int>(d < band_low), over = static_cast<int>(band_high < d);
      below += under;
      object_scratch(inside) = d;  // kept only if inside the band; no data-dependent branch
      inside += 1 - (under | over);
    }
    std::int64_t band[2] = {r.m[0] - below, r.m[1] - below};
    if (band[0] >= 0 && band[1] < inside) {
      select_ranks(object_scratch, inside, band, 2);
      out(k, kMad) = interpolate(object_scratch(band[0]), object_scratch(band[1]), r.pmad, n);
    } else {
      for (std::int64_t i = 0; i < n; ++i) object_scratch(i) = kx::abs(object_values(i) - median);
      select_ranks(object_scratch, n, r.m, 2);
      out(k, kMad) = quantile_at(object_scratch, n, r.pmad);
    }
  }

  // A team, object league_rank(). Same results; nothing in the segment is reordered.
  KOKKOS_INLINE_FUNCTION void operator()(member_type const& member) const {
    std::int64_t const k = member.league_rank();
    std::int64_t const begin = offsets(k), n = offsets(k + 1) - begin;
    Kokkos::single(Kokkos::PerTeam(member), [&]() { clear_row(k); });
    if (n == 0) return;
    std::int64_t const base = leaf_base(k, begin);
    auto const begins =
        Kokkos::subview(leaf_begin, Kokkos::make_pair(base, base + pairwise_leaf_slots(n)));
    auto const sums_of_leaves = Kokkos::subview(
        leaf_sums, Kokkos::make_pair(4 * base, 4 * (base + pairwise_leaf_slots(n))));
    Scratch const select(member, 6);
    auto const value = [&](std::int64_t i) { return values(begin + i); };

    if (with_edges) {
      std::int64_t ne = 0;
      Kokkos::parallel_reduce(
          Kokkos::TeamThreadRange(member, n),
          [&](std::int64_t i, std::int64_t& count) { count += edge(begin + i) ? 1 : 0; }, ne);
      if (ne > 0) {
        // Compact the edge values into scratch in raster order, as numpy sums them.
        Kokkos::parallel_scan(Kokkos::TeamThreadRange(member, n),
                              [&](std::int64_t i, std::int64_t& position, bool final) {
                                if (!edge(begin + i)) return;
                                if (final) scratch(begin + position) = values(begin + i);
                                position += 1;
                              });
        member.team_barrier();
        auto const edge_value = [&](std::int64_t j) { return scratch(begin + j); };
        double emin = 0, emax = 0;
        team_min_max(member, edge_value, ne, emin, emax);
        double const esum = team_pairwise_sums<1>(
            member, [&](std::int64_t j) { return Lanes<1>{{edge_value(j)}}; }, ne, begins,
            sums_of_leaves)[0];
        double const emean = esum / static_cast<double>(ne);
        double const estd = team_std(member, edge_value, ne, emean, begins, sums_of_leaves);
        Kokkos::single(Kokkos::PerTeam(member),
                       [&]() { write_edges(k, esum, emean, estd, emin, emax); });
      }
    }

    Lanes<4> const sums = team_pairwise_sums<4>(
        member, [&](std::int64_t i) { return weighted(begin + i); }, n, begins, sums_of_leaves);
    double const mean = sums[0] / static_cast<double>(n);
    double const sd = team_std(member, value, n, mean, begins, sums_of_leaves);
    double vmin = 0, vmax = 0;
    team_min_max(member, value, n, vmin, vmax);
    std::int64_t argmax = 0;  // first voxel in raster order that reaches the maximum
    Kokkos::parallel_reduce(
        Kokkos::TeamThreadRange(member, n),
        [&](std::int64_t i, std::int64_t& first) {
          if (value(i) == vmax && i < first) first = i;
        },
        Kokkos::Min<std::int64_t>(argmax));
    // Coordinate sums: integers, exact in any order.
    double const cx = team_coordinate_sum(member, xs, begin, n);
    double const cy = team_coordinate_sum(member, ys, begin, n);
    double const cz = team_coordinate_sum(member, zs, begin, n);
    Kokkos::single(Kokkos::PerTeam(member), [&]() {
      write_moments(k, begin + argmax, n, sums, sd, vmin, vmax, cx, cy, cz);
    });

    QuantileRanks const r(n, legacy, source_ndim);
    double q[6];
    team_select_ranks(member, value, n, r.q, 6, select, q);
    double const median = interpolate(q[2], q[3], r.p50, n);
    double m[2];
    team_select_ranks(
        member, [&](std::int64_t i) { return kx::abs(value(i) - median); }, n, r.m, 2, select, m);
    Kokkos::single(Kokkos::PerTeam(member), [&]() {
      out(k, kLowerQuartile) = interpolate(q[0], q[1], r.p25, n);
      out(k, kMedian) = median;
      out(k, kUpperQuartile) = interpolate(q[4], q[5], r.p75, n);
      out(k, kMad) = interpolate(m[0], m[1], r.pmad, n);
    });
  }

 private:
  // A voxel's value and its coordinate-weighted values, the four pairwise sums' terms (team
  // shape).
  KOKKOS_INLINE_FUNCTION Lanes<4> weighted(std::int64_t i) const {
    double const v = values(i);
    return Lanes<4>{{v, double(xs(i)) * v, double(ys(i)) * v, double(zs(i)) * v}};
  }

  template <class Get>
  KOKKOS_INLINE_FUNCTION static void team_min_max(member_type const& member, Get const& get,
                                                  std::int64_t n, double& lo, double& hi) {
    Kokkos::parallel_reduce(
        Kokkos::TeamThreadRange(member, n),
        [&](std::int64_t i, double& m) { m = get(i) < m ? get(i) : m; }, Kokkos::Min<double>(lo));
    Kokkos::parallel_reduce(
        Kokkos::TeamThreadRange(member, n),
        [&](std::int64_t i, double& m) { m = m < get(i) ? get(i) : m; }, Kokkos::Max<double>(hi));
  }

  KOKKOS_INLINE_FUNCTION static double team_coordinate_sum(member_type const& member,
                                                           Buffer<std::int32_t> const& coordinate,
                                                           std::int64_t begin, std::int64_t n) {
    std::int64_t sum = 0;
    Kokkos::parallel_reduce(
        Kokkos::TeamThreadRange(member, n),
        [&](std::int64_t i, std::int64_t& partial) { partial += coordinate(begin + i); }, sum);
    return static_cast<double>(sum);
  }

  template <class Get, class Begins, class Sums>
  KOKKOS_INLINE_FUNCTION static double team_std(member_type const& member, Get const& get,
                                                std::int64_t n, double mean, Begins const& begins,
                                                Sums const& sums) {
    double const ss = team_pairwise_sums<1>(
        member,
        [&](std::int64_t i) {
          double const d = get(i) - mean;
          return Lanes<1>{{d * d}};
        },
        n, begins, sums)[0];
    return kx::sqrt(ss / static_cast<double>(n));
  }

  KOKKOS_INLINE_FUNCTION void write_edges(std::int64_t k, double sum, double mean, double sd,
                                          double lo, double hi) const {
    out(k, kEdgeIntegrated) = sum;
    out(k, kEdgeMean) = mean;
    out(k, kEdgeStd) = sd;
    out(k, kEdgeMin) = lo;
    out(k, kEdgeMax) = hi;
  }

  // Everything but the order statistics. at_max: the segment index of the maximum.
  KOKKOS_INLINE_FUNCTION void write_moments(std::int64_t k, std::int64_t at_max, std::int64_t n,
                                            Lanes<4> const& sums, double sd, double lo, double hi,
                                            double cx, double cy, double cz) const {
    double const sum = sums[0], dn = static_cast<double>(n);
    out(k, kIntegrated) = sum;
    out(k, kMean) = sum / dn;
    out(k, kStd) = sd;
    out(k, kMin) = lo;
    out(k, kMax) = hi;
    out(k, kMaxX) = xs(at_max);
    out(k, kMaxY) = ys(at_max);
    out(k, kMaxZ) = zs(at_max);
    double const cmi_x = sum != 0 ? sums[1] / sum : nan;
    double const cmi_y = sum != 0 ? sums[2] / sum : nan;
    double const cmi_z = sum != 0 ? sums[3] / sum : nan;
    out(k, kCmiX) = cmi_x;
    out(k, kCmiY) = cmi_y;
    out(k, kCmiZ) = cmi_z;
    double const dz = cmi_z - cz / dn, dy = cmi_y - cy / dn, dx = cmi_x - cx / dn;
    out(k, kMassDisplacement) = kx::sqrt(dz * dz + dy * dy + dx * dx);
  }
};

}  // namespace bik::detail

#endif
