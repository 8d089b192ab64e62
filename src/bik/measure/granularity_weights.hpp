// Granularity's per-object read-back as a fixed linear operator (spec §4.3; cp_measure main's
// fused operator, #76): an object's sum of order-1 samples of the subsampled image at its
// original-resolution voxels is sum_c W_k[c] * rec[c] over the cells c of the subsampled grid,
// W_k[c] summing the corner weights of the object's voxels that read c. W is the same at every
// step of the spectrum, so it is built once, and a step costs one pass over each object's box
// of cells instead of a gather at the original resolution. The sums differ from the gather's
// in rounding only. A cell that no voxel reads holds -1 and is skipped; a cell read with weight
// 0 (the mirrored neighbour at an axis' end) still multiplies, so NaN and Inf spread exactly as
// in the gather.
#ifndef BIK_MEASURE_GRANULARITY_WEIGHTS_HPP
#define BIK_MEASURE_GRANULARITY_WEIGHTS_HPP

#include "bik/core/compat.hpp"
#include "bik/core/object_runs.hpp"
#include "bik/core/object_schedule.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/resample/grid_sampler.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace bik::detail {

// Per object: the box of cells its voxels read, and the weights of those cells.
template <class MemorySpace>
struct ReadBackWeights {
  // Per object kBox entries: cell box z0, y0, x0, ez, ey, ex, then the original-resolution
  // extent of the object's voxels zmin, zmax, ymin, ymax.
  static constexpr int kBox = 10;
  Kokkos::View<std::int64_t*, MemorySpace> box;
  Kokkos::View<std::int64_t*, MemorySpace> offsets;  // [objects + 1] into weights
  Kokkos::View<double*, MemorySpace> weights;        // per object, its box in raster order

  // sum_c W_k[c] * rec[c] for object k of the image whose cells start at plane z_offset.
  template <class View>
  KOKKOS_INLINE_FUNCTION double dot(std::int64_t k, View const& rec, std::int64_t z_offset) const {
    std::int64_t const* const b = &box(kBox * k);
    double const* const w = weights.data() + offsets(k);
    double sum = 0.0;
    std::int64_t c = 0;
    for (std::int64_t z = b[0]; z < b[0] + b[3]; ++z)
      for (std::int64_t y = b[1]; y < b[1] + b[4]; ++y)
        for (std::int64_t x = b[2]; x < b[2] + b[5]; ++x, ++c)
          if (!(w[c] < 0.0)) sum += w[c] * rec(z_offset + z, y, x);
    return sum;
  }

  // The same sum, shared by a team (a reduction: equal within rounding).
  template <class Member, class View>
  KOKKOS_INLINE_FUNCTION double dot(Member const& team, std::int64_t k, View const& rec,
                                    std::int64_t z_offset) const {
    std::int64_t const* const b = &box(kBox * k);
    double const* const w = weights.data() + offsets(k);
    std::int64_t const ey = b[4], ex = b[5];
    double sum = 0.0;
    Kokkos::parallel_reduce(
        Kokkos::TeamThreadRange(team, offsets(k + 1) - offsets(k)),
        [&](std::int64_t c, double& acc) {
          if (w[c] < 0.0) return;
          std::int64_t const line = c / ex, z = line / ey;
          acc += w[c] * rec(z_offset + b[0] + z, b[1] + line - z * ey, b[2] + c - line * ex);
        },
        sum);
    return sum;
  }
};

// Builds ReadBackWeights from the objects' runs and the read-back sampler (original voxel ->
// subsampled grid). `ranges` holds, per cell index along z, then y, then x, the first and last
// original index whose sample reads that cell (first > last: none). A run of a row adds to a
// cell along x the weights of its columns that read the cell, summed in column order: a cell
// whose reading columns all lie in the run takes their precomputed sum (`column_sums`), so a run
// costs about one step per cell rather than per voxel.
template <class ExecSpace, class MemorySpace>
struct ReadBackWeightsBuilder {
  using member_type = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  static constexpr int kBox = ReadBackWeights<MemorySpace>::kBox;
  ObjectRuns<MemorySpace> runs;
  GridSampler<MemorySpace> sampler;
  Kokkos::View<std::int64_t*, MemorySpace> ranges;  // [2 * (cells_z + cells_y + cells_x)]
  Kokkos::View<double*, MemorySpace> column_sums;   // [cells_x]: all the columns reading a cell
  std::int64_t cells_z = 1, cells_y = 1;
  ReadBackWeights<MemorySpace> out;

  // Sample tables of the sampler, by original index.
  KOKKOS_INLINE_FUNCTION AxisSample along_z(std::int64_t z) const { return sampler.entry(z); }
  KOKKOS_INLINE_FUNCTION AxisSample along_y(std::int64_t y) const {
    return sampler.entry(sampler.out_z + y);
  }
  KOKKOS_INLINE_FUNCTION AxisSample along_x(std::int64_t x) const {
    return sampler.entry(sampler.out_z + sampler.out_y + x);
  }

  // The cells [lo, hi] read along one axis by original indices [first, last] (lo > hi: none).
  template <class Along>
  KOKKOS_INLINE_FUNCTION static void cells(Along const& along, std::int64_t first,
                                           std::int64_t last, std::int64_t& lo, std::int64_t& hi) {
    lo = 1;
    hi = 0;
    bool any = false;
    for (std::int64_t c = first; c <= last; ++c) {
      AxisSample const s = along(c);
      if (!s.inside()) continue;
      std::int64_t const a = s.i0 < s.i1 ? s.i0 : s.i1, b = s.i0 < s.i1 ? s.i1 : s.i0;
      if (!any || a < lo) lo = a;
      if (!any || b > hi) hi = b;
      any = true;
    }
  }

  // Stage 1: the box of object k from the extent of its runs.
  struct Bounds {};
  KOKKOS_INLINE_FUNCTION void set_box(std::int64_t k, std::int64_t ymin, std::int64_t ymax,
                                      std::int64_t xmin, std::int64_t xmax) const {
    std::int64_t* const b = &out.box(kBox * k);
    std::int64_t const first = runs.offsets(k), last = runs.offsets(k + 1) - 1;
    std::int64_t const zmin = runs.z(first), zmax = runs.z(last);  // raster order
    std::int64_t z0 = 0, z1 = 0, y0, y1, x0, x1;
    if (!sampler.planar) cells([&](std::int64_t c) { return along_z(c); }, zmin, zmax, z0, z1);
    cells([&](std::int64_t c) { return along_y(c); }, ymin, ymax, y0, y1);
    cells([&](std::int64_t c) { return along_x(c); }, xmin, xmax, x0, x1);
    bool const empty = z0 > z1 || y0 > y1 || x0 > x1;  // every voxel reads 0
    b[0] = z0;
    b[1] = y0;
    b[2] = x0;
    b[3] = empty ? 0 : z1 - z0 + 1;
    b[4] = empty ? 0 : y1 - y0 + 1;
    b[5] = empty ? 0 : x1 - x0 + 1;
    b[6] = zmin;
    b[7] = zmax;
    b[8] = ymin;
    b[9] = ymax;
  }
  KOKKOS_INLINE_FUNCTION void operator()(Bounds, std::int64_t k) const {
    std::int64_t const first = runs.offsets(k);
    std::int64_t ymin = runs.y(first), ymax = ymin, xmin = runs.x0(first),
                 xmax = runs.x1(first) - 1;
    for (std::int64_t r = first; r < runs.offsets(k + 1); ++r) {
      ymin = runs.y(r) < ymin ? runs.y(r) : ymin;
      ymax = runs.y(r) > ymax ? runs.y(r) : ymax;
      xmin = runs.x0(r) < xmin ? runs.x0(r) : xmin;
      xmax = runs.x1(r) - 1 > xmax ? runs.x1(r) - 1 : xmax;
    }
    set_box(k, ymin, ymax, xmin, xmax);
  }
  KOKKOS_INLINE_FUNCTION void operator()(Bounds, member_type const& team) const {
    std::int64_t const k = team.league_rank();
    auto const range = Kokkos::TeamThreadRange(team, runs.offsets(k), runs.offsets(k + 1));
    std::int64_t ymin, ymax, xmin, xmax;
    Kokkos::parallel_reduce(
        range, [&](std::int64_t r, std::int64_t& m) { m = runs.y(r) < m ? runs.y(r) : m; },
        Kokkos::Min<std::int64_t>(ymin));
    Kokkos::parallel_reduce(
        range, [&](std::int64_t r, std::int64_t& m) { m = runs.y(r) > m ? runs.y(r) : m; },
        Kokkos::Max<std::int64_t>(ymax));
    Kokkos::parallel_reduce(
        range, [&](std::int64_t r, std::int64_t& m) { m = runs.x0(r) < m ? runs.x0(r) : m; },
        Kokkos::Min<std::int64_t>(xmin));
    Kokkos::parallel_reduce(
        range,
        [&](std::int64_t r, std::int64_t& m) { m = runs.x1(r) - 1 > m ? runs.x1(r) - 1 : m; },
        Kokkos::Max<std::int64_t>(xmax));
    Kokkos::single(Kokkos::PerTeam(team), [&]() { set_box(k, ymin, ymax, xmin, xmax); });
  }

  // Stage 2: line (z, y) of object k's box takes the corner weights of the voxels in the
  // original rows that read it; each line is written by one thread, voxels in raster order.
  struct Accumulate {};
  KOKKOS_INLINE_FUNCTION std::int64_t row_start(std::int64_t k, std::int64_t z,
                                                std::int64_t y) const {
    std::int64_t lo = runs.offsets(k), hi = runs.offsets(k + 1);
    while (lo < hi) {  // first run at or after row (z, y)
      std::int64_t const mid = lo + (hi - lo) / 2;
      if (runs.z(mid) < z || (runs.z(mid) == z && runs.y(mid) < y))
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo;
  }
  // The weights that columns [c0, c1] (inside the grid) give cell j along x, in column order.
  KOKKOS_INLINE_FUNCTION double column_sum(std::int64_t j, std::int64_t c0, std::int64_t c1) const {
    double sum = 0.0;
    for (std::int64_t c = c0; c <= c1; ++c) {
      AxisSample const sx = along_x(c);
      if (sx.i0 == j) sum += sx.w0;
      if (sx.i1 == j) sum += sx.w1;
    }
    return sum;
  }
  // Adds the weights along x of the voxels [x0, x1) of a row, times `f`, to the cells of the
  // line starting at w (indexed by cell column).
  KOKKOS_INLINE_FUNCTION void add_run(double* w, double f, std::int64_t x0, std::int64_t x1) const {
    // Columns outside the grid (an overshoot at the axis' end) read nothing; those inside are
    // consecutive and read consecutive cells.
    std::int64_t a = x0, b = x1 - 1;
    while (a <= b && !along_x(a).inside()) ++a;
    while (b >= a && !along_x(b).inside()) --b;
    if (a > b) return;
    AxisSample const first = along_x(a), last = along_x(b);
    std::int64_t const lo = kx::min(first.i0, first.i1), hi = kx::max(last.i0, last.i1);
    std::int64_t const* const range = &ranges(2 * (cells_z + cells_y));
    for (std::int64_t j = lo; j <= hi; ++j) {
      std::int64_t const c0 = range[2 * j], c1 = range[2 * j + 1];
      double const sum =
          c0 >= a && c1 <= b ? column_sums(j) : column_sum(j, kx::max(a, c0), kx::min(b, c1));
      double const t = f * sum;
      w[j] = w[j] < 0.0 ? t : w[j] + t;
    }
  }
  KOKKOS_INLINE_FUNCTION void line(std::int64_t k, std::int64_t l) const {
    std::int64_t const* const b = &out.box(kBox * k);
    std::int64_t const cz = b[0] + l / b[4], cy = b[1] + l % b[4];
    double* const w = out.weights.data() + out.offsets(k) + l * b[5] - b[2];
    std::int64_t const end = runs.offsets(k + 1);
    std::int64_t const z_first = sampler.planar ? 0 : kx::max(ranges(2 * cz), b[6]);
    std::int64_t const z_last = sampler.planar ? 0 : kx::min(ranges(2 * cz + 1), b[7]);
    std::int64_t const y_first = kx::max(ranges(2 * (cells_z + cy)), b[8]);
    std::int64_t const y_last = kx::min(ranges(2 * (cells_z + cy) + 1), b[9]);
    auto const weight_of = [](AxisSample const& s, std::int64_t cell) {
      return s.i0 == cell ? s.w0 : (s.i1 == cell ? s.w1 : -1.0);
    };
    for (std::int64_t z = z_first; z <= z_last; ++z) {
      double fz = 1.0;
      if (!sampler.planar) {
        AxisSample const sz = along_z(z);
        fz = sz.inside() ? weight_of(sz, cz) : -1.0;
        if (fz < 0.0) continue;
      }
      for (std::int64_t y = y_first; y <= y_last; ++y) {
        AxisSample const sy = along_y(y);
        double const fy = sy.inside() ? weight_of(sy, cy) : -1.0;
        if (fy < 0.0) continue;
        double const f = sampler.planar ? fy : fz * fy;
        for (std::int64_t r = row_start(k, z, y); r < end && runs.z(r) == z && runs.y(r) == y; ++r)
          add_run(w, f, runs.x0(r), runs.x1(r));
      }
    }
  }
  KOKKOS_INLINE_FUNCTION std::int64_t lines(std::int64_t k) const {
    return out.box(kBox * k + 3) * out.box(kBox * k + 4);
  }
  // A thread per object: each run once, in raster order, into the (up to 4) lines its row
  // reads. Every weight takes the same terms in the same order as line() gives it.
  KOKKOS_INLINE_FUNCTION void operator()(Accumulate, std::int64_t k) const {
    std::int64_t const* const b = &out.box(kBox * k);
    if (b[3] == 0) return;
    double* const w = out.weights.data() + out.offsets(k) - b[2];
    for (std::int64_t r = runs.offsets(k); r < runs.offsets(k + 1); ++r) {
      // The cells along z (one plane in 2D) and along y of the row; as line(), a cell read by
      // both neighbours of a sample (an axis of one cell) takes the first weight only.
      AxisSample sz;
      sz.i0 = sz.i1 = 0;
      sz.w0 = 1.0;
      if (!sampler.planar) sz = along_z(runs.z(r));
      AxisSample const sy = along_y(runs.y(r));
      if (!sz.inside() || !sy.inside()) continue;
      for (int a = 0; a < (sampler.planar || sz.i1 == sz.i0 ? 1 : 2); ++a)
        for (int c = 0; c < (sy.i1 == sy.i0 ? 1 : 2); ++c) {
          std::int64_t const cz = a == 0 ? sz.i0 : sz.i1, cy = c == 0 ? sy.i0 : sy.i1;
          double const fy = c == 0 ? sy.w0 : sy.w1;
          add_run(w + ((cz - b[0]) * b[4] + (cy - b[1])) * b[5],
                  sampler.planar ? fy : (a == 0 ? sz.w0 : sz.w1) * fy, runs.x0(r), runs.x1(r));
        }
    }
  }
  KOKKOS_INLINE_FUNCTION void operator()(Accumulate, member_type const& team) const {
    std::int64_t const k = team.league_rank();
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, lines(k)),
                         [&](std::int64_t l) { line(k, l); });
  }

  template <class Tag>
  void run(char const* label, ExecSpace const& space, std::int64_t objects,
           ObjectSchedule const& schedule) const {
    if (uses_teams<ExecSpace>(schedule)) {
      using Policy = Kokkos::TeamPolicy<ExecSpace, Tag>;
      Policy policy = schedule.team_size > 0
                          ? Policy(space, static_cast<int>(objects), schedule.team_size)
                          : Policy(space, static_cast<int>(objects), Kokkos::AUTO);
      Kokkos::parallel_for(label, policy, *this);
    } else {
      Kokkos::parallel_for(label,
                           Kokkos::RangePolicy<ExecSpace, Tag, Kokkos::Schedule<Kokkos::Dynamic>,
                                               Kokkos::IndexType<std::int64_t>>(space, 0, objects),
                           *this);
    }
  }
};

// The first and last original index whose sample (coordinates `coords` on an axis of n cells)
// reads each cell, appended to `ranges` (first > last: none).
inline void append_cell_ranges(std::vector<double> const& coords, std::int64_t n,
                               std::vector<std::int64_t>& ranges) {
  std::size_t const base = ranges.size();
  for (std::int64_t c = 0; c < n; ++c) {
    ranges.push_back(static_cast<std::int64_t>(coords.size()));
    ranges.push_back(-1);
  }
  for (std::size_t i = 0; i < coords.size(); ++i) {
    AxisSample const s = axis_sample(coords[i], n);
    if (!s.inside()) continue;
    for (std::int64_t cell : {s.i0, s.i1}) {
      std::int64_t& first = ranges[base + 2 * static_cast<std::size_t>(cell)];
      std::int64_t& last = ranges[base + 2 * static_cast<std::size_t>(cell) + 1];
      first = kx::min(first, static_cast<std::int64_t>(i));
      last = kx::max(last, static_cast<std::int64_t>(i));
    }
  }
}

// The read-back operator of the objects of `runs` through `sampler` on a grid
// of `cells` per image (cz = 1 for 2D), or an empty one (weights.extent(0) == 0 and offsets
// unset) when the boxes would hold more than `budget` cells: the caller then gathers.
// read_back_{z,y,x} are the sampler's original-index coordinates along z (unused in 2D), y, x.
// One host synchronisation (the total box size).
template <class ExecSpace, class MemorySpace>
ReadBackWeights<MemorySpace> make_read_back_weights(
    ExecSpace const& space, ObjectRuns<MemorySpace> const& runs,
    GridSampler<MemorySpace> const& sampler, std::vector<double> const& read_back_z,
    std::vector<double> const& read_back_y, std::vector<double> const& read_back_x, Shape3 cells,
    std::int64_t budget, ObjectSchedule const& schedule, Workspace<MemorySpace>* workspace) {
  using Buffers = Workspace<MemorySpace>;
  std::int64_t const objects = runs.objects;
  ReadBackWeightsBuilder<ExecSpace, MemorySpace> b;
  b.runs = runs;
  b.sampler = sampler;
  b.cells_z = cells.z;
  std::vector<std::int64_t> ranges;
  if (sampler.planar)
    ranges = {0, 0};
  else
    append_cell_ranges(read_back_z, cells.z, ranges);
  append_cell_ranges(read_back_y, cells.y, ranges);
  std::size_t const x_base = ranges.size();
  append_cell_ranges(read_back_x, cells.x, ranges);
  std::vector<double> column_sums(static_cast<std::size_t>(cells.x), 0.0);
  for (std::int64_t j = 0; j < cells.x; ++j) {  // as ReadBackWeightsBuilder::column_sum
    double& sum = column_sums[static_cast<std::size_t>(j)];
    for (std::int64_t c = ranges[x_base + 2 * j]; c <= ranges[x_base + 2 * j + 1]; ++c) {
      AxisSample const sx = axis_sample(read_back_x[static_cast<std::size_t>(c)], cells.x);
      if (sx.i0 == j) sum += sx.w0;
      if (sx.i1 == j) sum += sx.w1;
    }
  }
  b.cells_y = cells.y;
  b.column_sums =
      Buffers::template get<double>(workspace, "bik::granularity::column_sums", column_sums.size());
  Kokkos::deep_copy(
      space, b.column_sums,
      Kokkos::View<double const*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>(
          column_sums.data(), column_sums.size()));
  b.ranges = Buffers::template get<std::int64_t>(workspace, "bik::granularity::cell_ranges",
                                                 ranges.size());
  Kokkos::deep_copy(
      space, b.ranges,
      Kokkos::View<std::int64_t const*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>(
          ranges.data(), ranges.size()));
  b.out.box = Buffers::template get<std::int64_t>(
      workspace, "bik::granularity::boxes",
      static_cast<std::size_t>(ReadBackWeights<MemorySpace>::kBox * objects));
  b.out.offsets = Buffers::template get<std::int64_t>(workspace, "bik::granularity::box_offsets",
                                                      static_cast<std::size_t>(objects + 1));
  b.template run<typename decltype(b)::Bounds>("bik::granularity::boxes", space, objects, schedule);
  auto const box = b.out.box;
  auto const offsets = b.out.offsets;
  constexpr int kBox = ReadBackWeights<MemorySpace>::kBox;
  Kokkos::parallel_scan(
      "bik::granularity::box_offsets",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, objects + 1),
      KOKKOS_LAMBDA(std::int64_t k, std::int64_t & running, bool last) {
        if (last) offsets(k) = running;
        if (k < objects) running += box(kBox * k + 3) * box(kBox * k + 4) * box(kBox * k + 5);
      });
  std::int64_t total = 0;
  Kokkos::deep_copy(
      space,
      Kokkos::View<std::int64_t, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>(
          &total),
      Kokkos::subview(offsets, objects));
  space.fence();  // `ranges`, `column_sums` and `total` live on the host stack
  if (total > budget) return {};
  b.out.weights = Buffers::template get<double>(workspace, "bik::granularity::box_weights",
                                                static_cast<std::size_t>(total));
  fill(space, "bik::granularity::box_weights_clear", b.out.weights, -1.0);
  b.template run<typename decltype(b)::Accumulate>("bik::granularity::box_weights", space, objects,
                                                   schedule);
  return b.out;
}

}  // namespace bik::detail

#endif
