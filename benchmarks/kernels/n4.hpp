// Registration of the N4 benchmarks (n4.cpp), called from main next to register_benchmarks.
#ifndef BIK_BENCHMARKS_N4_HPP
#define BIK_BENCHMARKS_N4_HPP

namespace bik_bench {

// Registers n4_fit, n4_evaluate (64x128x128 working grid, 11^3 lattice), n4_apply and n4_copy
// (128x256x256 float32) on every enabled space, and n4_sharpen (host, 200 bins).
void register_n4_benchmarks();

}  // namespace bik_bench

#endif
