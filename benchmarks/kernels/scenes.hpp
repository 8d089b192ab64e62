// Synthetic labelled scenes for the kernel benchmarks: a regular grid of discs (2D) or
// ellipsoids (3D), labelled 1..N in raster order of their centres, over uniform random float64
// pixels. Scenes live in plain host vectors so that no Kokkos allocation outlives
// Kokkos::finalize; every benchmark copies them to its space before timing.
#ifndef BIK_BENCHMARKS_SCENES_HPP
#define BIK_BENCHMARKS_SCENES_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace bik_bench {

struct SceneSpec {
  std::string name;  // used in the benchmark names, e.g. "1080x1080_144obj"
  int nz = 1, ny = 0, nx = 0;
  int objects = 0;  // a perfect square: objects are placed on a sqrt(n) x sqrt(n) grid in (Y,X)
};

struct Scene {
  SceneSpec spec;
  std::vector<std::int32_t> labels;  // (Z,Y,X) raster order, 0 = background
  std::vector<double> pixels;        // (Z,Y,X) raster order, uniform in [0, 1)
  std::int64_t objects = 0;          // distinct labels actually present
  std::int64_t labelled = 0;         // voxels with a label > 0

  std::int64_t voxels() const { return std::int64_t(spec.nz) * spec.ny * spec.nx; }
  // Bytes of the input image that every kernel must read at least once: labels + pixels.
  std::int64_t bytes() const {
    return voxels() * std::int64_t(sizeof(std::int32_t) + sizeof(double));
  }
};

// The benchmarked scenes, in registration order.
std::vector<SceneSpec> const& scene_specs();

// The scene for `spec`, built on first use and then cached (deterministic: fixed seed).
Scene const& scene(SceneSpec const& spec);

}  // namespace bik_bench

#endif
