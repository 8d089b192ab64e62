// Registration of the N4 benchmarks (n4.cpp), called from main next to register_benchmarks.
#ifndef BIK_BENCHMARKS_N4_HPP
#define BIK_BENCHMARKS_N4_HPP

namespace bik_bench {

// Registers n4_fit, n4_evaluate (64x128x128 working grid, 11^3 lattice), n4_apply and n4_copy
// (128x256x256 float32) on every enabled space, and n4_sharpen (host, 200 bins).
void register_n4_benchmarks();

// Registers n4_fit_kokkos_kernels and n4_evaluate_kokkos_kernels (n4_kokkos_kernels.cpp): the
// same contractions as dense Kokkos Kernels products; called by register_n4_benchmarks when
// Kokkos Kernels was found (BIK_BENCH_HAS_KOKKOS_KERNELS).
void register_n4_kokkos_kernels_benchmarks();

}  // namespace bik_bench

#endif
