// The execution spaces the kernel benchmarks run on, shared by every registration file
// (kernels.cpp, n4.cpp, n4_kokkos_kernels.cpp): each space bik was instantiated for (BIK_HAS_*
// from CMake, following Kokkos' KOKKOS_ENABLE_*), the name benchmarks carry for it, and the
// registration and timing loop of a manually timed benchmark on one space.
#ifndef BIK_BENCHMARKS_BENCH_SPACES_HPP
#define BIK_BENCHMARKS_BENCH_SPACES_HPP

#include "bik/config.hpp"

#include <benchmark/benchmark.h>
#include <Kokkos_Core.hpp>

#include <chrono>
#include <string>

namespace bik_bench {

template <class Space>
struct SpaceName;
#if BIK_HAS_SERIAL && defined(KOKKOS_ENABLE_SERIAL)
template <>
struct SpaceName<Kokkos::Serial> {
  static constexpr char const* value = "Serial";
};
#endif
#if BIK_HAS_OPENMP && defined(KOKKOS_ENABLE_OPENMP)
template <>
struct SpaceName<Kokkos::OpenMP> {
  static constexpr char const* value = "OpenMP";
};
#endif
#if BIK_HAS_CUDA && defined(KOKKOS_ENABLE_CUDA)
template <>
struct SpaceName<Kokkos::Cuda> {
  static constexpr char const* value = "Cuda";
};
#endif

// Calls f(Space()) for every benchmarked execution space.
template <class F>
void for_each_space(F&& f) {
#if BIK_HAS_SERIAL && defined(KOKKOS_ENABLE_SERIAL)
  f(Kokkos::Serial());
#endif
#if BIK_HAS_OPENMP && defined(KOKKOS_ENABLE_OPENMP)
  f(Kokkos::OpenMP());
#endif
#if BIK_HAS_CUDA && defined(KOKKOS_ENABLE_CUDA)
  f(Kokkos::Cuda());
#endif
  (void)f;
}

// Registers `run` as "<kernel>/<size>/<Space's name>", timed by the benchmark itself (it fences
// and sets each iteration's time), reported in `unit`.
template <class Space, class Run>
void register_timed(std::string const& kernel, std::string const& size, Run run,
                    benchmark::TimeUnit unit = benchmark::kMillisecond) {
  benchmark::RegisterBenchmark((kernel + "/" + size + "/" + SpaceName<Space>::value).c_str(), run)
      ->UseManualTime()
      ->Unit(unit);
}

// Runs `body` once untimed (first touch of output buffers, workspace growth), then once per
// iteration between fences of `space`, setting each iteration's time.
template <class Space, class Body>
void time_iterations(benchmark::State& state, Space const& space, Body&& body) {
  using clock = std::chrono::steady_clock;
  body();
  space.fence();
  for (auto _ : state) {
    space.fence();
    auto const start = clock::now();
    body();
    space.fence();
    state.SetIterationTime(std::chrono::duration<double>(clock::now() - start).count());
  }
}

}  // namespace bik_bench

#endif
