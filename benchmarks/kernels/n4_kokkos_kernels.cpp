// N4's separable B-spline contractions written with Kokkos Kernels (issue 11, deliverable 1),
// next to bik's own kernels (n4_fit, n4_evaluate in n4.cpp), at the sizes N4 uses: the
// 64x128x128 working grid of a 128x256x256 volume at shrink 2 and the last level's lattice of
// 11^3 control points. As dense products with the (n x C) basis matrices of each axis:
//   fit (MBA numerator, w^3):  T1 = F (ZY x X) . Mx^3          KokkosBlas::gemm
//                              T2[z] = (My^3)^T . T1[z]         KokkosBatched::SerialGemm per z
//                              out = (Mz^3)^T . T2 (Z x CY CX)  KokkosBlas::gemm
//   evaluate:                  P = Mz . coeff (CZ x CY CX)      KokkosBlas::gemm
//                              R[z] = My . P[z]                 KokkosBatched::SerialGemm per z
//                              field = R (ZY x CX) . Mx^T       KokkosBlas::gemm
// bik's kernels gather over the four non-zero weights per sample instead (contract_to_lattice,
// evaluate_lattice): about C/4 times fewer multiplications than the dense products. Each
// benchmark checks its result against bik's (counter max_abs_diff; an error beyond rounding,
// which fails the bench_smoke test) so that both compute the same thing. Only templated code of
// Kokkos Kernels is used (its ETI is off in the bootstrap build), so this compiles for every space,
// CUDA included.
#include "n4.hpp"

#include "bench_spaces.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/contract_to_lattice.hpp"
#include "bik/n4/evaluate_lattice.hpp"
#include "bik/n4/grid_basis.hpp"

#include <benchmark/benchmark.h>
#include <KokkosBatched_Gemm_Decl.hpp>
#include <KokkosBatched_Gemm_Serial_Impl.hpp>
#include <KokkosBlas3_gemm.hpp>
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace bik_bench {

namespace {

bik::Shape3 const kGrid{64, 128, 128};
bik::n4::LatticeShape const kControls{11, 11, 11};

template <class Space>
using Matrix = Kokkos::View<double**, Kokkos::LayoutRight,
                            Kokkos::Device<Space, typename Space::memory_space>>;

// The dense (n x C) matrix of an axis basis, each weight raised to `power` (1, 2 or 3).
template <class Space>
Matrix<Space> dense(bik::n4::AxisBasis<typename Space::memory_space> const& b, int power) {
  auto span = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b.span);
  auto weight = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b.weight);
  auto m = Kokkos::create_mirror_view(Matrix<Space>("bik_bench::n4_basis", b.samples, b.controls));
  Kokkos::deep_copy(m, 0.0);
  for (std::int64_t i = 0; i < b.samples; ++i)
    for (int k = 0; k < 4 && span(i) + k < b.controls; ++k)
      m(i, span(i) + k) = std::pow(weight(k * b.samples + i), power);
  return Kokkos::create_mirror_view_and_copy(typename Space::memory_space(), m);
}

// Records the largest |kk - ours| as the counter max_abs_diff, and fails the benchmark (an
// error Google Benchmark reports, which the bench_smoke test looks for) unless it is within
// rounding: 1e-12 of the largest |ours|. The products sum the same terms in another order.
template <class View>
void check_same_result(benchmark::State& state, View const& kk, View const& ours) {
  auto hk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), kk);
  auto ho = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ours);
  double worst = 0.0, largest = 0.0;
  for (std::size_t i = 0; i < ho.size(); ++i) {
    worst = std::max(worst, std::abs(hk.data()[i] - ho.data()[i]));
    largest = std::max(largest, std::abs(ho.data()[i]));
  }
  state.counters["max_abs_diff"] = worst;
  if (!(worst <= 1e-12 * largest))
    state.SkipWithError("Kokkos Kernels and bik's own kernel disagree beyond rounding");
}

// For each z: C[z] = op(A) . B[z], with B and C stacks of matrices (z, rows, cols) stored
// as (Z rows) x cols, one KokkosBatched::SerialGemm per z.
template <class Space, class TransA>
void batched(Space const& space, Matrix<Space> const& a, Matrix<Space> const& b,
             Matrix<Space> const& c, std::int64_t batches) {
  std::int64_t const b_rows = b.extent(0) / batches, c_rows = c.extent(0) / batches;
  Kokkos::parallel_for(
      "bik_bench::n4_batched_gemm", Kokkos::RangePolicy<Space>(space, 0, batches),
      KOKKOS_LAMBDA(std::int64_t z) {
        auto const bz =
            Kokkos::subview(b, Kokkos::make_pair(z * b_rows, (z + 1) * b_rows), Kokkos::ALL);
        auto const cz =
            Kokkos::subview(c, Kokkos::make_pair(z * c_rows, (z + 1) * c_rows), Kokkos::ALL);
        KokkosBatched::SerialGemm<TransA, KokkosBatched::Trans::NoTranspose,
                                  KokkosBatched::Algo::Gemm::Unblocked>::invoke(1.0, a, bz, 0.0,
                                                                                cz);
      });
}

template <class Space>
void bench_fit_gemm(benchmark::State& state) {
  Space space;
  using MS = typename Space::memory_space;
  auto const g = kGrid;
  auto const l = kControls;
  auto const basis = bik::n4::make_grid_basis<MS>(g, l);
  auto const mz = dense<Space>(basis.z, 3), my = dense<Space>(basis.y, 3),
             mx = dense<Space>(basis.x, 3);
  Matrix<Space> field("bik_bench::n4_field", g.z * g.y, g.x);
  Kokkos::parallel_for(
      "bik_bench::n4_fill", Kokkos::RangePolicy<Space>(space, 0, g.size()),
      KOKKOS_LAMBDA(std::int64_t i) {
        field.data()[i] = 1.0 + 1e-3 * static_cast<double>(i % 1000);
      });
  Matrix<Space> t1("bik_bench::n4_t1", g.z * g.y, l.x), t2("bik_bench::n4_t2", g.z * l.y, l.x);
  Matrix<Space> out("bik_bench::n4_out", l.z, l.y * l.x);
  Matrix<Space> t2_flat(t2.data(), g.z, l.y * l.x);
  time_iterations(state, space, [&] {
    KokkosBlas::gemm("N", "N", 1.0, field, mx, 0.0, t1);
    batched<Space, KokkosBatched::Trans::Transpose>(space, my, t1, t2, g.z);
    space.fence();
    KokkosBlas::gemm("T", "N", 1.0, mz, t2_flat, 0.0, out);
  });
  // bik's own contraction of the same field.
  Kokkos::View<double*, MS> flat(field.data(), g.size()), ours("bik_bench::n4_ours", l.size());
  bik::Workspace<MS> ws;
  bik::n4::contract_to_lattice(space, basis, flat, 3, ours, &ws);
  space.fence();
  check_same_result(state, Kokkos::View<double*, MS>(out.data(), l.size()), ours);
  state.SetBytesProcessed(state.iterations() * g.size() * 8);
}

template <class Space>
void bench_evaluate_gemm(benchmark::State& state) {
  Space space;
  using MS = typename Space::memory_space;
  auto const g = kGrid;
  auto const l = kControls;
  auto const basis = bik::n4::make_grid_basis<MS>(g, l);
  auto const mz = dense<Space>(basis.z, 1), my = dense<Space>(basis.y, 1),
             mx = dense<Space>(basis.x, 1);
  Matrix<Space> coeff("bik_bench::n4_coeff", l.z, l.y * l.x);
  Kokkos::parallel_for(
      "bik_bench::n4_fill", Kokkos::RangePolicy<Space>(space, 0, l.size()),
      KOKKOS_LAMBDA(std::int64_t i) {
        coeff.data()[i] = 1.0 + 1e-3 * static_cast<double>(i % 1000);
      });
  Matrix<Space> p("bik_bench::n4_p", g.z, l.y * l.x), r("bik_bench::n4_r", g.z * g.y, l.x);
  Matrix<Space> p_stack(p.data(), g.z * l.y, l.x);
  Matrix<Space> field("bik_bench::n4_grid", g.z * g.y, g.x);
  time_iterations(state, space, [&] {
    KokkosBlas::gemm("N", "N", 1.0, mz, coeff, 0.0, p);
    batched<Space, KokkosBatched::Trans::NoTranspose>(space, my, p_stack, r, g.z);
    space.fence();
    KokkosBlas::gemm("N", "T", 1.0, r, mx, 0.0, field);
  });
  Kokkos::View<double*, MS> ours("bik_bench::n4_ours", g.size());
  bik::Workspace<MS> ws;
  bik::n4::evaluate_lattice(space, basis, Kokkos::View<double*, MS>(coeff.data(), l.size()), ours,
                            &ws);
  space.fence();
  check_same_result(state, Kokkos::View<double*, MS>(field.data(), g.size()), ours);
  state.SetBytesProcessed(state.iterations() * g.size() * 8);
}

template <class Space>
void register_space() {
  std::string const w = "64x128x128";
  register_timed<Space>("n4_fit_kokkos_kernels", w, bench_fit_gemm<Space>);
  register_timed<Space>("n4_evaluate_kokkos_kernels", w, bench_evaluate_gemm<Space>);
}

}  // namespace

void register_n4_kokkos_kernels_benchmarks() {
  for_each_space([](auto space) { register_space<decltype(space)>(); });
}

}  // namespace bik_bench
