#include "scenes.hpp"

#include <cmath>
#include <map>
#include <random>
#include <unordered_set>

namespace bik_bench {

std::vector<SceneSpec> const& scene_specs() {
  static std::vector<SceneSpec> const specs = {
      {"256x256_16obj", 1, 256, 256, 16},
      {"1024x1024_64obj", 1, 1024, 1024, 64},
      {"1080x1080_144obj", 1, 1080, 1080, 144},
      {"32x240x240_16obj", 32, 240, 240, 16},
  };
  return specs;
}

namespace {

Scene make_scene(SceneSpec const& spec) {
  Scene s;
  s.spec = spec;
  std::int64_t const n = s.voxels();
  s.labels.assign(static_cast<std::size_t>(n), 0);
  s.pixels.resize(static_cast<std::size_t>(n));

  // Object k sits in grid cell (k / side, k % side); semi-axes 0.35 of the cell in Y and X
  // and, in 3D, 0.4 of the depth in Z, so objects never touch each other or the border.
  int const side = static_cast<int>(std::lround(std::sqrt(double(spec.objects))));
  double const cell_y = double(spec.ny) / side, cell_x = double(spec.nx) / side;
  double const ry = 0.35 * cell_y, rx = 0.35 * cell_x;
  double const rz = 0.4 * spec.nz, cz = 0.5 * (spec.nz - 1);
  for (int z = 0; z < spec.nz; ++z) {
    double const dz = spec.nz > 1 ? (z - cz) / rz : 0.0;
    for (int y = 0; y < spec.ny; ++y) {
      int const gy = static_cast<int>(y / cell_y);
      double const dy = (y + 0.5 - (gy + 0.5) * cell_y) / ry;
      for (int x = 0; x < spec.nx; ++x) {
        int const gx = static_cast<int>(x / cell_x);
        double const dx = (x + 0.5 - (gx + 0.5) * cell_x) / rx;
        if (gy < side && gx < side && dz * dz + dy * dy + dx * dx < 1.0)
          s.labels[(std::size_t(z) * spec.ny + y) * spec.nx + x] = gy * side + gx + 1;
      }
    }
  }

  // Uniform doubles from the top 53 bits of a fixed-seed 64-bit Mersenne Twister (the same
  // values on every platform, unlike std::uniform_real_distribution).
  std::mt19937_64 rng(20240601);
  for (auto& p : s.pixels) p = static_cast<double>(rng() >> 11) * 0x1.0p-53;

  std::unordered_set<std::int32_t> present;
  for (auto l : s.labels) {
    if (l > 0) {
      present.insert(l);
      ++s.labelled;
    }
  }
  s.objects = static_cast<std::int64_t>(present.size());
  return s;
}

}  // namespace

Scene const& scene(SceneSpec const& spec) {
  static std::map<std::string, Scene> cache;
  auto it = cache.find(spec.name);
  if (it == cache.end()) it = cache.emplace(spec.name, make_scene(spec)).first;
  return it->second;
}

}  // namespace bik_bench
