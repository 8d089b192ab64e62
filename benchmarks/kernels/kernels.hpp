// Registration of the kernel benchmarks (kernels.cpp), called from main after
// benchmark::Initialize and before the run.
#ifndef BIK_BENCHMARKS_KERNELS_HPP
#define BIK_BENCHMARKS_KERNELS_HPP

#include <string>
#include <vector>

namespace bik_bench {

// Registers copy, label_lut, flatten and intensity for every scene, and intensity_noedges and
// intensity_alloc for the 1080x1080 scene, on every enabled host execution space. Names are
// "<kernel>/<scene>/<Space>".
void register_benchmarks();

// Names of the execution spaces benchmarked ("Serial", "OpenMP"), as compiled in.
std::vector<std::string> benchmarked_spaces();

}  // namespace bik_bench

#endif
