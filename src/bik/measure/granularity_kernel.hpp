// The per-object read-back of granularity (spec §4.3): each object's mean of the raw pixels
// (step -1, the start means) or of the reconstruction sampled at its original-resolution voxels
// through the bilinear gather or the equivalent per-object cell weights (granularity_weights.hpp),
// turned into Granularity_{step+1} = (previous - new) * 100 / start.
// A thread per object sums its voxels in raster order (run by run), as scipy.ndimage.mean
// (CellProfiler) does; a team per object (the GPU shape) sums in a team reduction, within
// rounding of it.
#ifndef BIK_MEASURE_GRANULARITY_KERNEL_HPP
#define BIK_MEASURE_GRANULARITY_KERNEL_HPP

#include "bik/core/object_runs.hpp"
#include "bik/core/object_schedule.hpp"
#include "bik/core/volume.hpp"
#include "bik/measure/granularity_weights.hpp"
#include "bik/resample/grid_sampler.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::detail {

template <class ExecSpace, class P, class MemorySpace>
struct GranularityReadBack {
  using member_type = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  ObjectRuns<MemorySpace> runs;  // z within the object's image
  Kokkos::View<std::int64_t*, MemorySpace> object_images;
  Volume<P const, MemorySpace> raw;  // the input, images of `planes` planes
  Volume<double, MemorySpace> rec;   // the reconstruction, images of `sub_planes` planes
  GridSampler<MemorySpace> sampler;  // original voxel -> subsampled grid
  ReadBackWeights<MemorySpace> weights;
  bool weighted = false;  // steps read back through `weights` instead of the gather
  Kokkos::View<double*, MemorySpace> current, start;
  Kokkos::View<double**, Kokkos::LayoutLeft, MemorySpace> features;
  std::int64_t planes = 1, sub_planes = 1;
  int step = -1;
  // Steps run out of order: keep each step's means in `features`, turned into the spectrum by
  // differences() once every step has run.
  bool means_only = false;

  // The sum over run r's voxels, in order.
  KOKKOS_INLINE_FUNCTION double run_sum(std::int64_t r, std::int64_t image) const {
    std::int64_t const z = runs.z(r), y = runs.y(r), x1 = runs.x1(r);
    double sum = 0.0;
    if (step < 0) {
      for (std::int64_t x = runs.x0(r); x < x1; ++x)
        sum += static_cast<double>(raw(image * planes + z, y, x));
    } else {
      for (std::int64_t x = runs.x0(r); x < x1; ++x)
        sum += sampler(rec, image * sub_planes, z, y, x);
    }
    return sum;
  }

  KOKKOS_INLINE_FUNCTION void finish(std::int64_t k, double sum) const {
    double const mean = sum / static_cast<double>(runs.voxels(k));
    if (step < 0) {  // numpy.maximum(mean, eps): NaN stays NaN
      double const eps = 2.220446049250313e-16;
      start(k) = (mean != mean || !(mean < eps)) ? mean : eps;
    } else if (means_only) {
      features(k, step) = mean;
      return;
    } else {
      features(k, step) = (current(k) - mean) * 100.0 / start(k);
    }
    current(k) = mean;
  }

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t k) const {
    std::int64_t const image = object_images(k);
    double sum = 0.0;
    if (step >= 0 && weighted) {
      sum = weights.dot(k, rec, image * sub_planes);
    } else {
      // One running sum over the voxels in raster order (not a sum of run sums).
      for (std::int64_t r = runs.offsets(k); r < runs.offsets(k + 1); ++r) {
        std::int64_t const z = runs.z(r), y = runs.y(r), x1 = runs.x1(r);
        if (step < 0)
          for (std::int64_t x = runs.x0(r); x < x1; ++x)
            sum += static_cast<double>(raw(image * planes + z, y, x));
        else
          for (std::int64_t x = runs.x0(r); x < x1; ++x)
            sum += sampler(rec, image * sub_planes, z, y, x);
      }
    }
    finish(k, sum);
  }

  KOKKOS_INLINE_FUNCTION void operator()(member_type const& team) const {
    std::int64_t const k = team.league_rank();
    std::int64_t const image = object_images(k);
    double sum = 0.0;
    if (step >= 0 && weighted)
      sum = weights.dot(team, k, rec, image * sub_planes);
    else
      Kokkos::parallel_reduce(
          Kokkos::TeamThreadRange(team, runs.offsets(k), runs.offsets(k + 1)),
          [&](std::int64_t r, double& acc) { acc += run_sum(r, image); }, sum);
    Kokkos::single(Kokkos::PerTeam(team), [&]() { finish(k, sum); });
  }

  // Granularity_1..steps from the means of every step, as the steps in order would give them.
  void differences(ExecSpace const& space, std::int64_t objects, int steps) const {
    auto const means = features;
    auto const previous = current, raw_start = start;
    Kokkos::parallel_for(
        "bik::granularity::spectrum",
        Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, objects),
        KOKKOS_LAMBDA(std::int64_t k) {
          double before = previous(k);
          for (int g = 0; g < steps; ++g) {
            double const mean = means(k, g);
            means(k, g) = (before - mean) * 100.0 / raw_start(k);
            before = mean;
          }
          previous(k) = before;
        });
  }

  void run(ExecSpace const& space, std::int64_t objects, ObjectSchedule const& schedule) const {
    if (uses_teams<ExecSpace>(schedule)) {
      using Policy = Kokkos::TeamPolicy<ExecSpace>;
      Policy policy = schedule.team_size > 0
                          ? Policy(space, static_cast<int>(objects), schedule.team_size)
                          : Policy(space, static_cast<int>(objects), Kokkos::AUTO);
      Kokkos::parallel_for("bik::granularity::read_back", policy, *this);
    } else {
      Kokkos::parallel_for("bik::granularity::read_back",
                           Kokkos::RangePolicy<ExecSpace, Kokkos::Schedule<Kokkos::Dynamic>,
                                               Kokkos::IndexType<std::int64_t>>(space, 0, objects),
                           *this);
    }
  }
};

}  // namespace bik::detail

#endif
