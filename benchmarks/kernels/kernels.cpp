// The kernel benchmarks. Every benchmark times one kernel on one scene on one execution space
// with manual timing (fence, start, run, fence, stop), so that only the kernel is measured and
// nothing is still running when the clock stops. Each reports bytes/second over the bytes of its
// input image (labels + pixels), and a plain copy of the same bytes on the same space is
// registered next to it as the memory-bandwidth yardstick.
#include "kernels.hpp"

#include "bench_spaces.hpp"
#include "scenes.hpp"

#include "bik/core/flatten.hpp"
#include "bik/core/label_lut.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure.hpp"
#include "bik/morphology/erode_dilate.hpp"
#include "bik/morphology/reconstruct.hpp"
#include "bik/resample/grid_sampler.hpp"

#include <benchmark/benchmark.h>
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace bik_bench {

namespace {

// A scene copied to Space's memory.
template <class Space>
struct Inputs {
  using memory_space = typename Space::memory_space;
  Kokkos::View<std::int32_t***, Kokkos::LayoutRight, memory_space> labels;
  Kokkos::View<double***, Kokkos::LayoutRight, memory_space> pixels;

  explicit Inputs(Scene const& s)
      : labels(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("bik_bench::labels")),
               s.spec.nz, s.spec.ny, s.spec.nx),
        pixels(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("bik_bench::pixels")),
               s.spec.nz, s.spec.ny, s.spec.nx) {
    using Unmanaged = Kokkos::MemoryTraits<Kokkos::Unmanaged>;
    Kokkos::View<std::int32_t const***, Kokkos::LayoutRight, Kokkos::HostSpace, Unmanaged>
        host_labels(s.labels.data(), s.spec.nz, s.spec.ny, s.spec.nx);
    Kokkos::View<double const***, Kokkos::LayoutRight, Kokkos::HostSpace, Unmanaged> host_pixels(
        s.pixels.data(), s.spec.nz, s.spec.ny, s.spec.nx);
    Kokkos::deep_copy(labels, host_labels);
    Kokkos::deep_copy(pixels, host_pixels);
  }
};

// time_iterations, then the bytes processed (the scene's label + pixel bytes per iteration)
// and the scene counters.
template <class Space, class Body>
void timed(benchmark::State& state, Space const& space, Scene const& s, Body&& body) {
  time_iterations(state, space, body);
  state.SetBytesProcessed(state.iterations() * s.bytes());
  state.counters["objects"] = static_cast<double>(s.objects);
  state.counters["voxels"] = static_cast<double>(s.voxels());
  state.counters["labelled"] = static_cast<double>(s.labelled);
}

// Copy of the labels and the pixels into separate buffers of the same space: reads and writes
// every input byte once, with no other work.
template <class Space>
void bench_copy(benchmark::State& state, SceneSpec const& spec) {
  Scene const& s = scene(spec);
  Space space;
  Inputs<Space> in(s);
  using memory_space = typename Space::memory_space;
  std::int64_t const n = s.voxels();
  Kokkos::View<std::int32_t*, memory_space> labels_out(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("bik_bench::labels_copy")), n);
  Kokkos::View<double*, memory_space> pixels_out(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("bik_bench::pixels_copy")), n);
  std::int32_t const* labels_in = in.labels.data();
  double const* pixels_in = in.pixels.data();
  using Policy = Kokkos::RangePolicy<Space, Kokkos::IndexType<std::int64_t>>;
  // Defined here, not inside the timed lambda: nvcc does not allow an extended (device)
  // lambda inside another lambda.
  auto const copy = KOKKOS_LAMBDA(std::int64_t i) {
    labels_out(i) = labels_in[i];
    pixels_out(i) = pixels_in[i];
  };
  timed(state, space, s,
        [&] { Kokkos::parallel_for("bik_bench::copy", Policy(space, 0, n), copy); });
}

// bik::make_label_lut alone: the label range reduction, presence marks, scan and inversion.
// Like flatten below, it draws its tables from a workspace kept across iterations, so the
// kernels are timed and not the allocator.
template <class Space>
void bench_label_lut(benchmark::State& state, SceneSpec const& spec) {
  Scene const& s = scene(spec);
  Space space;
  Inputs<Space> in(s);
  bik::Workspace<typename Space::memory_space> workspace;
  auto const labels = bik::as_volume(in.labels);
  timed(state, space, s, [&] {
    auto const lut = bik::make_label_lut(space, labels, &workspace);
    std::int64_t count = lut.count;
    benchmark::DoNotOptimize(count);
  });
}

// bik::make_label_lut + bik::flatten_labeled (no edge flags): the segment building block.
template <class Space>
void bench_flatten(benchmark::State& state, SceneSpec const& spec) {
  Scene const& s = scene(spec);
  Space space;
  Inputs<Space> in(s);
  auto const labels = bik::as_volume(in.labels);
  auto const pixels = bik::as_volume(in.pixels);
  bik::Pairing const pairing = bik::pair_labels_with_pixels(
      bik::shape_of(labels), 3, bik::shape_of(pixels), 3, "bik_bench::flatten");
  bik::Workspace<typename Space::memory_space> workspace;
  timed(state, space, s, [&] {
    auto const lut = bik::make_label_lut(space, labels, &workspace);
    auto const segments = bik::flatten_labeled(space, labels, pixels, lut, pairing, {}, &workspace);
    std::int64_t kept = segments.size;
    benchmark::DoNotOptimize(kept);
  });
}

// The whole bik::measure_intensity (LUT, flatten, group, per-object features, copy-back).
// With `reuse`, one workspace serves every iteration: the steady state of a loop over images
// (and of `bik measure --repeat`). Without it, every call allocates and first-touches its
// temporaries, as a single call in a fresh program does.
// `shape` forces a thread or a team per object (object_schedule.hpp); teams take all the
// threads the space allows.
template <class Space>
void bench_intensity(benchmark::State& state, SceneSpec const& spec, bool edges, bool reuse,
                     bik::ObjectSchedule::Shape shape) {
  Scene const& s = scene(spec);
  Space space;
  Inputs<Space> in(s);
  bik::IntensityOptions options;
  options.edges = edges;
  options.schedule.shape = shape;
  bik::Workspace<typename Space::memory_space> workspace;
  auto* ws = reuse ? &workspace : nullptr;
  timed(state, space, s, [&] {
    bik::FeatureTable const table =
        bik::measure_intensity(space, in.labels, in.pixels, options, ws);
    std::size_t rows = table.rows();
    benchmark::DoNotOptimize(rows);
  });
}

// bik::minimum_enclosing_circles alone (column envelopes, hull, Chrystal's loop per object), on
// segments built once, in the given object schedule. 2D scenes.
template <class Space>
void bench_mec(benchmark::State& state, SceneSpec const& spec, bik::ObjectSchedule::Shape shape) {
  Scene const& s = scene(spec);
  Space space;
  Inputs<Space> in(s);
  auto const labels = bik::as_volume(in.labels);
  bik::Pairing const pairing = bik::pair_labels_with_pixels(
      bik::shape_of(labels), 3, bik::shape_of(labels), 3, "bik_bench::mec");
  bik::Workspace<typename Space::memory_space> workspace;
  auto const lut = bik::make_label_lut(space, labels, &workspace);
  auto const segments = bik::flatten_labeled(space, labels, labels, lut, pairing, {}, &workspace);
  bik::ObjectSchedule schedule;
  schedule.shape = shape;
  timed(state, space, s, [&] {
    auto const circles = bik::minimum_enclosing_circles(space, segments, schedule, &workspace);
    benchmark::DoNotOptimize(circles.radius.data());
  });
}

// The whole bik::measure_zernike or bik::measure_radial_zernike at degree 9 (LUT, segments,
// circles, the fused accumulation, features, copy-back), with a workspace. 2D scenes.
template <class Space>
void bench_zernike(benchmark::State& state, SceneSpec const& spec, bool radial) {
  Scene const& s = scene(spec);
  Space space;
  Inputs<Space> in(s);
  auto const labels = Kokkos::subview(in.labels, 0, Kokkos::ALL, Kokkos::ALL);
  auto const pixels = Kokkos::subview(in.pixels, 0, Kokkos::ALL, Kokkos::ALL);
  bik::Workspace<typename Space::memory_space> workspace;
  timed(state, space, s, [&] {
    bik::FeatureTable const table =
        radial ? bik::measure_radial_zernike(space, labels, pixels, {}, &workspace)
               : bik::measure_zernike(space, labels, {}, &workspace);
    std::size_t rows = table.rows();
    benchmark::DoNotOptimize(rows);
  });
}

// A (Z,Y,X) double View of the scene's shape on Space, as a writable Volume.
template <class Space>
struct Plane {
  Kokkos::View<double***, Kokkos::LayoutRight, typename Space::memory_space> data;
  explicit Plane(Scene const& s, char const* name)
      : data(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(name)), s.spec.nz,
             s.spec.ny, s.spec.nx) {}
  bik::Volume<double, typename Space::memory_space> volume() const {
    auto const& d = data;
    return bik::Volume<double, typename Space::memory_space>(
        d.data(), Kokkos::LayoutStride(d.extent(0), d.extent(1) * d.extent(2), d.extent(1),
                                       d.extent(2), d.extent(2), 1));
  }
};

// Images of the scene are planes (2D) unless it has several planes (one volume).
std::int64_t planes_of(Scene const& s) { return s.spec.nz > 1 ? s.spec.nz : 1; }

// bik::erode by disk(10) (ball(10) for a volume) of the pixels: compare with `copy`.
template <class Space>
void bench_erode(benchmark::State& state, SceneSpec const& spec, int radius) {
  Scene const& s = scene(spec);
  Space space;
  Inputs<Space> in(s);
  Plane<Space> out(s, "bik_bench::eroded");
  bik::Workspace<typename Space::memory_space> workspace;
  timed(state, space, s, [&] {
    bik::erode(space, bik::as_volume(in.pixels), out.volume(), radius, planes_of(s), &workspace);
  });
}

// bik::reconstruct_by_dilation of the cross erosion of the pixels under the pixels: the first
// step of the granular spectrum at full resolution.
template <class Space>
void bench_reconstruct(benchmark::State& state, SceneSpec const& spec) {
  Scene const& s = scene(spec);
  Space space;
  Inputs<Space> in(s);
  Plane<Space> seed(s, "bik_bench::seed"), out(s, "bik_bench::reconstructed");
  bik::Workspace<typename Space::memory_space> workspace;
  bik::erode(space, bik::as_volume(in.pixels), seed.volume(), 1, planes_of(s), &workspace);
  timed(state, space, s, [&] {
    bik::reconstruct_by_dilation(space, bik::as_volume(seed.data), bik::as_volume(in.pixels),
                                 out.volume(), planes_of(s), &workspace);
  });
}

// The bilinear gather of granularity's read-back: a quarter-size image sampled back onto the
// full grid through precomputed per-axis tables (2D scenes).
template <class Space>
void bench_gather(benchmark::State& state, SceneSpec const& spec) {
  Scene const& s = scene(spec);
  Space space;
  std::int64_t const ny = s.spec.ny / 4, nx = s.spec.nx / 4;
  Kokkos::View<double***, Kokkos::LayoutRight, typename Space::memory_space> small("small", 1, ny,
                                                                                   nx);
  Kokkos::deep_copy(small, 0.5);
  Plane<Space> out(s, "bik_bench::gathered");
  auto axis = [](std::int64_t original, std::int64_t n) {
    std::vector<double> c;
    double const scale = static_cast<double>(n - 1) / static_cast<double>(original - 1);
    for (std::int64_t i = 0; i < original; ++i) c.push_back(static_cast<double>(i) * scale);
    return c;
  };
  bik::Workspace<typename Space::memory_space> workspace;
  auto const sampler =
      bik::make_grid_sampler(space, {0.0}, axis(s.spec.ny, ny), axis(s.spec.nx, nx),
                             bik::Shape3{1, ny, nx}, &workspace, "bik_bench::gather");
  timed(state, space, s,
        [&] { bik::resample(space, sampler, bik::as_volume(small), out.volume()); });
}

// The whole bik::measure_granularity; `full` = subsample and background factors 1.
template <class Space>
void bench_granularity(benchmark::State& state, SceneSpec const& spec, bool full) {
  Scene const& s = scene(spec);
  Space space;
  Inputs<Space> in(s);
  bik::GranularityOptions options;
  if (full) options.subsample_size = options.image_sample_size = 1.0;
  bik::Workspace<typename Space::memory_space> workspace;
  timed(state, space, s, [&] {
    bik::FeatureTable const table =
        s.spec.nz > 1
            ? bik::measure_granularity(space, in.labels, in.pixels, options, &workspace)
            : bik::measure_granularity(
                  space, Kokkos::subview(in.labels, 0, Kokkos::ALL, Kokkos::ALL),
                  Kokkos::subview(in.pixels, 0, Kokkos::ALL, Kokkos::ALL), options, &workspace);
    std::size_t rows = table.rows();
    benchmark::DoNotOptimize(rows);
  });
}

template <class Space>
void register_space(SceneSpec const& spec, bool extra_cases) {
  std::string const suffix = "/" + spec.name + "/" + SpaceName<Space>::value;
  auto finish = [](benchmark::internal::Benchmark* b) {
    b->UseManualTime()->Unit(benchmark::kMicrosecond);
  };
  finish(benchmark::RegisterBenchmark(("copy" + suffix).c_str(), bench_copy<Space>, spec));
  finish(
      benchmark::RegisterBenchmark(("label_lut" + suffix).c_str(), bench_label_lut<Space>, spec));
  finish(benchmark::RegisterBenchmark(("flatten" + suffix).c_str(), bench_flatten<Space>, spec));
  using Shape = bik::ObjectSchedule::Shape;
  finish(benchmark::RegisterBenchmark(("intensity" + suffix).c_str(), bench_intensity<Space>, spec,
                                      true, true, Shape::automatic));
  if (extra_cases) {
    finish(benchmark::RegisterBenchmark(("intensity_noedges" + suffix).c_str(),
                                        bench_intensity<Space>, spec, false, true,
                                        Shape::automatic));
    finish(benchmark::RegisterBenchmark(("intensity_alloc" + suffix).c_str(),
                                        bench_intensity<Space>, spec, true, false,
                                        Shape::automatic));
    // The GPU shape on this space: what a thread per object gains on a CPU.
    finish(benchmark::RegisterBenchmark(("intensity_team" + suffix).c_str(), bench_intensity<Space>,
                                        spec, true, true, Shape::team_per_object));
  }
  if (spec.nz == 1) {  // the Zernike features are 2D only
    finish(benchmark::RegisterBenchmark(("mec" + suffix).c_str(), bench_mec<Space>, spec,
                                        Shape::automatic));
    if (extra_cases)  // the GPU shape on this space
      finish(benchmark::RegisterBenchmark(("mec_team" + suffix).c_str(), bench_mec<Space>, spec,
                                          Shape::team_per_object));
    finish(benchmark::RegisterBenchmark(("zernike" + suffix).c_str(), bench_zernike<Space>, spec,
                                        false));
    finish(benchmark::RegisterBenchmark(("radial_zernike" + suffix).c_str(), bench_zernike<Space>,
                                        spec, true));
  }
  // Granularity and its kernels: the 256 scene (smoke), the 1080 scene and the volume.
  bool const volume = spec.nz > 1;
  if (!extra_cases && !volume && spec.ny != 256) return;
  finish(benchmark::RegisterBenchmark(("erode_r10" + suffix).c_str(), bench_erode<Space>, spec,
                                      volume ? 3 : 10));
  finish(benchmark::RegisterBenchmark(("reconstruct" + suffix).c_str(), bench_reconstruct<Space>,
                                      spec));
  if (!volume)
    finish(benchmark::RegisterBenchmark(("gather" + suffix).c_str(), bench_gather<Space>, spec));
  finish(benchmark::RegisterBenchmark(("granularity" + suffix).c_str(), bench_granularity<Space>,
                                      spec, false));
  if (extra_cases)
    finish(benchmark::RegisterBenchmark(("granularity_fullres" + suffix).c_str(),
                                        bench_granularity<Space>, spec, true));
}

}  // namespace

std::vector<std::string> benchmarked_spaces() {
  std::vector<std::string> names;
  for_each_space([&](auto space) { names.emplace_back(SpaceName<decltype(space)>::value); });
  return names;
}

void register_benchmarks() {
  for (SceneSpec const& spec : scene_specs()) {
    // Edges off, and no workspace, on the Cell Painting sized scene only.
    bool const extra_cases = spec.name == "1080x1080_144obj";
    for_each_space([&](auto space) { register_space<decltype(space)>(spec, extra_cases); });
  }
  // A few very large objects (about 246k pixels, 560 columns each): the minimum enclosing
  // circle's team hull and team Chrystal loop, against one thread per object.
  SceneSpec const large{"1600x1600_4obj", 1, 1600, 1600, 4};
  for_each_space([&](auto space) {
    using Space = decltype(space);
    using Shape = bik::ObjectSchedule::Shape;
    std::string const suffix = "/" + large.name + "/" + SpaceName<Space>::value;
    for (auto shape : {Shape::automatic, Shape::team_per_object})
      benchmark::RegisterBenchmark(
          ((shape == Shape::automatic ? "mec" : "mec_team") + suffix).c_str(), bench_mec<Space>,
          large, shape)
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
  });
}

}  // namespace bik_bench
