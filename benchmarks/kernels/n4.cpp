// N4 benchmarks (bik/n4): the separable MBA fit (numerator contraction onto the lattice), the
// full-resolution bias application (evaluate the lattice, divide the volume), and the
// histogram sharpening map, next to a plain copy of the volume as the bandwidth yardstick.
// Sizes follow issue 11: a 128x256x256 float32 volume, its shrink-2 working grid 64x128x128,
// and the last level's lattice of 11 control points per axis (4 -> 5 -> 7 -> 11).
#include "n4.hpp"

#include "bench_spaces.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/apply_bias.hpp"
#include "bik/n4/contract_to_lattice.hpp"
#include "bik/n4/evaluate_lattice.hpp"
#include "bik/n4/n4_images.hpp"
#include "bik/n4/sharpening_map.hpp"

#include <benchmark/benchmark.h>
#include <Kokkos_Core.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace bik_bench {

namespace {

using clock_type = std::chrono::steady_clock;

bik::Shape3 const kFull{128, 256, 256};
bik::Shape3 const kWorking{64, 128, 128};
bik::n4::LatticeShape const kLattice{11, 11, 11};

template <class Space>
Kokkos::View<double*, typename Space::memory_space> smooth_field(Space const& space,
                                                                 std::int64_t n) {
  Kokkos::View<double*, typename Space::memory_space> v("bik_bench::n4_field", n);
  Kokkos::parallel_for(
      "bik_bench::n4_fill",
      Kokkos::RangePolicy<Space, Kokkos::IndexType<std::int64_t>>(space, 0, n),
      KOKKOS_LAMBDA(std::int64_t i) { v(i) = 1.0 + 1e-3 * static_cast<double>(i % 1000); });
  return v;
}

// One MBA numerator contraction (w^3 weights) of the working grid onto the lattice: the
// per-iteration fit cost (the denominator is cached per level).
template <class Space>
void bench_fit(benchmark::State& state) {
  Space space;
  using MS = typename Space::memory_space;
  auto const basis = bik::n4::make_grid_basis<MS>(kWorking, kLattice);
  auto const field = smooth_field(space, kWorking.size());
  Kokkos::View<double*, MS> out("bik_bench::n4_lattice", kLattice.size());
  bik::Workspace<MS> ws;
  time_iterations(state, space,
                  [&] { bik::n4::contract_to_lattice(space, basis, field, 3, out, &ws); });
  state.SetBytesProcessed(state.iterations() * kWorking.size() * 8);
}

// The lattice evaluated on the working grid (every iteration's field update).
template <class Space>
void bench_evaluate(benchmark::State& state) {
  Space space;
  using MS = typename Space::memory_space;
  auto const basis = bik::n4::make_grid_basis<MS>(kWorking, kLattice);
  auto const coeff = smooth_field(space, kLattice.size());
  Kokkos::View<double*, MS> out("bik_bench::n4_grid", kWorking.size());
  bik::Workspace<MS> ws;
  time_iterations(state, space, [&] { bik::n4::evaluate_lattice(space, basis, coeff, out, &ws); });
  state.SetBytesProcessed(state.iterations() * kWorking.size() * 8);
}

// Full resolution: corrected = input / exp(field) on the float32 volume, as bik::n4::correct
// ends (evaluation of the final lattice plus the division), and a copy of the same volume.
template <class Space>
void bench_apply(benchmark::State& state, bool copy_only) {
  Space space;
  using MS = typename Space::memory_space;
  std::int64_t const n = kFull.size();
  Kokkos::View<float***, Kokkos::LayoutRight, MS> in("bik_bench::n4_in", kFull.z, kFull.y, kFull.x);
  Kokkos::View<float***, Kokkos::LayoutRight, MS> out("bik_bench::n4_out", kFull.z, kFull.y,
                                                      kFull.x);
  Kokkos::deep_copy(in, 1.5f);
  auto const basis = bik::n4::make_grid_basis<MS>(kFull, kLattice);
  auto const coeff = smooth_field(space, kLattice.size());
  bik::Workspace<MS> ws;
  using Policy = Kokkos::RangePolicy<Space, Kokkos::IndexType<std::int64_t>>;
  float const* src = in.data();
  float* dst = out.data();
  auto const copy = KOKKOS_LAMBDA(std::int64_t i) { dst[i] = src[i]; };
  time_iterations(state, space, [&] {
    if (copy_only) {
      Kokkos::parallel_for("bik_bench::n4_copy", Policy(space, 0, n), copy);
      return;
    }
    bik::n4::apply_bias(space, basis, coeff, bik::as_volume(in), bik::n4::as_writable_volume(out),
                        bik::Volume<float, MS>(), &ws);
  });
  state.SetBytesProcessed(state.iterations() * n * 8);
}

// The host part of one sharpening: the E[u|v] map of a 200-bin histogram (512-point FFTs).
void bench_sharpen(benchmark::State& state) {
  std::vector<double> histogram(200);
  for (int k = 0; k < 200; ++k)
    histogram[k] = 100.0 * std::exp(-0.5 * std::pow((k - 80) / 20.0, 2));
  for (auto _ : state) {
    auto const start = clock_type::now();
    auto map = bik::n4::sharpening_map(histogram, -1.0, 0.01, 0.15, 0.01);
    benchmark::DoNotOptimize(map.data());
    state.SetIterationTime(std::chrono::duration<double>(clock_type::now() - start).count());
  }
}

template <class Space>
void register_space() {
  std::string const w = "64x128x128", f = "128x256x256";
  register_timed<Space>("n4_fit", w, bench_fit<Space>);
  register_timed<Space>("n4_evaluate", w, bench_evaluate<Space>);
  register_timed<Space>("n4_apply", f, [](benchmark::State& s) { bench_apply<Space>(s, false); });
  register_timed<Space>("n4_copy", f, [](benchmark::State& s) { bench_apply<Space>(s, true); });
}

}  // namespace

void register_n4_benchmarks() {
  for_each_space([](auto space) { register_space<decltype(space)>(); });
  benchmark::RegisterBenchmark("n4_sharpen/200/Host", bench_sharpen)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
#ifdef BIK_BENCH_HAS_KOKKOS_KERNELS
  register_n4_kokkos_kernels_benchmarks();
#endif
}

}  // namespace bik_bench
