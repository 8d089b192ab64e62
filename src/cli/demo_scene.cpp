#include "demo_scene.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bik::cli {

namespace {

constexpr double kPi = 3.14159265358979323846;

std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void count_objects(Scene& scene) {
  scene.max_label = 0;
  for (auto l : scene.labels) scene.max_label = std::max(scene.max_label, l);
  std::vector<char> present(static_cast<std::size_t>(scene.max_label) + 1, 0);
  for (auto l : scene.labels) present[static_cast<std::size_t>(l)] = 1;
  scene.objects = 0;
  for (std::size_t l = 1; l < present.size(); ++l) scene.objects += present[l];
}

// One cell of the 2D scene.
struct Cell {
  double cy, cx;         // centre
  double a, b;           // semi-axes along the rotated x and y axes
  double cos_t, sin_t;   // orientation
  double wobble, phase;  // outline: radius x (1 + wobble sin(3 angle + phase))
  double brightness;
  double fx, fy, px, py;  // texture frequencies and phases
  double ny, nx, nsigma;  // nucleus centre and width
  std::int64_t label;
};

// Normalised distance of (y, x) from the cell centre: < 1 inside the cell.
double cell_distance(Cell const& c, double y, double x) {
  double const dy = y - c.cy, dx = x - c.cx;
  double const u = (dx * c.cos_t + dy * c.sin_t) / c.a;
  double const v = (-dx * c.sin_t + dy * c.cos_t) / c.b;
  double const rho2 = u * u + v * v;
  double const max_scale = 1.0 + c.wobble;
  if (rho2 >= max_scale * max_scale) return rho2;  // outside whatever the outline does
  double const scale = 1.0 + c.wobble * std::sin(3.0 * std::atan2(v, u) + c.phase);
  return rho2 / (scale * scale);
}

}  // namespace

std::uint64_t SplitMix64::next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  return mix(state_);
}

double SplitMix64::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double hash_uniform(std::uint64_t seed, std::uint64_t index) {
  return static_cast<double>(mix(mix(seed) + index * 0x9e3779b97f4a7c15ULL) >> 11) * 0x1.0p-53;
}

Scene make_cell_scene_2d(std::uint64_t seed) {
  constexpr int kSize = 1080, kGrid = 12;
  constexpr double kStep = double(kSize) / kGrid;  // 90
  SplitMix64 rng(seed);
  std::vector<Cell> cells;
  std::int64_t label = 0;
  for (int r = 0; r < kGrid; ++r) {
    for (int c = 0; c < kGrid; ++c) {
      Cell cell{};
      cell.cy = (r + 0.5) * kStep + rng.uniform(-14, 14);
      cell.cx = (c + 0.5) * kStep + rng.uniform(-14, 14);
      cell.a = rng.uniform(24, 42);
      cell.b = rng.uniform(24, 42);
      double const theta = rng.uniform(0, kPi);
      cell.cos_t = std::cos(theta);
      cell.sin_t = std::sin(theta);
      cell.wobble = rng.uniform(0, 0.12);
      cell.phase = rng.uniform(0, 2 * kPi);
      cell.brightness = rng.uniform(0.25, 1.0);
      cell.fx = rng.uniform(0.15, 0.45);
      cell.fy = rng.uniform(0.15, 0.45);
      cell.px = rng.uniform(0, 2 * kPi);
      cell.py = rng.uniform(0, 2 * kPi);
      cell.ny = cell.cy + rng.uniform(-6, 6);
      cell.nx = cell.cx + rng.uniform(-6, 6);
      cell.nsigma = rng.uniform(6, 10);
      if (rng.uniform() < 0.04) ++label;  // a skipped label number
      cell.label = ++label;
      cells.push_back(cell);
    }
  }

  Scene scene;
  scene.shape = {kSize, kSize};
  scene.labels.assign(std::size_t(kSize) * kSize, 0);
  scene.pixels.assign(std::size_t(kSize) * kSize, 0.0);
  for (int y = 0; y < kSize; ++y) {
    int const r0 = std::min(int(y / kStep), kGrid - 1);
    for (int x = 0; x < kSize; ++x) {
      int const c0 = std::min(int(x / kStep), kGrid - 1);
      int best = -1;
      double best_d = 1.0;
      for (int r = std::max(r0 - 1, 0); r <= std::min(r0 + 1, kGrid - 1); ++r) {
        for (int c = std::max(c0 - 1, 0); c <= std::min(c0 + 1, kGrid - 1); ++c) {
          double const d = cell_distance(cells[std::size_t(r * kGrid + c)], y, x);
          if (d < best_d) {
            best_d = d;
            best = r * kGrid + c;
          }
        }
      }
      std::size_t const i = std::size_t(y) * kSize + std::size_t(x);
      double value = 0.06 + 0.03 * std::sin(x / 157.0) * std::cos(y / 121.0) + 0.02 * y / kSize +
                     0.02 * (hash_uniform(seed, i) - 0.5);
      if (best >= 0) {
        Cell const& c = cells[std::size_t(best)];
        double const texture = 0.5 + 0.5 * std::sin(c.fx * x + c.px) * std::cos(c.fy * y + c.py);
        double const ry = y - c.ny, rx = x - c.nx;
        double const nucleus = std::exp(-(ry * ry + rx * rx) / (2 * c.nsigma * c.nsigma));
        value += c.brightness * (0.35 + 0.25 * texture + 0.8 * nucleus) * (1.0 - 0.3 * best_d);
        scene.labels[i] = c.label;
      }
      scene.pixels[i] = value;
    }
  }
  // A few NaN pixels (e.g. saturated or masked detector pixels) inside some cells.
  double const nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t k = 7; k < cells.size(); k += 23) {
    Cell const& c = cells[k];
    for (int const offset : {0, 2, 5}) {
      long const y = std::lround(c.cy) + offset / 2, x = std::lround(c.cx) + offset;
      if (y < 0 || y >= kSize || x < 0 || x >= kSize) continue;
      std::size_t const i = std::size_t(y) * kSize + std::size_t(x);
      if (scene.labels[i] == c.label && !std::isnan(scene.pixels[i])) {
        scene.pixels[i] = nan;
        ++scene.nan_pixels;
      }
    }
  }
  count_objects(scene);
  return scene;
}

Scene make_ball_scene_3d(std::uint64_t seed) {
  constexpr int kZ = 16, kY = 96, kX = 96, kBalls = 12;
  struct Ball {
    double cz, cy, cx, r, rz, brightness, f, p, q;
    std::int64_t label;
  };
  SplitMix64 rng(seed);
  std::vector<Ball> balls;
  for (int k = 0; k < kBalls; ++k) {
    Ball b{};
    b.cz = rng.uniform(3.5, 12.5);
    b.cy = rng.uniform(12, 84);
    b.cx = rng.uniform(12, 84);
    b.r = rng.uniform(8, 14);
    b.rz = b.r * rng.uniform(0.35, 0.5);
    b.brightness = rng.uniform(0.3, 1.0);
    b.f = rng.uniform(0.2, 0.5);
    b.p = rng.uniform(0, 2 * kPi);
    b.q = rng.uniform(0, 2 * kPi);
    b.label = k + 1 + (k >= 5 ? 1 : 0);  // label 6 is skipped
    balls.push_back(b);
  }
  Scene scene;
  scene.shape = {kZ, kY, kX};
  std::size_t const n = std::size_t(kZ) * kY * kX;
  scene.labels.assign(n, 0);
  scene.pixels.assign(n, 0.0);
  for (int z = 0; z < kZ; ++z) {
    for (int y = 0; y < kY; ++y) {
      for (int x = 0; x < kX; ++x) {
        int best = -1;
        double best_d = 1.0;
        for (int k = 0; k < kBalls; ++k) {
          Ball const& b = balls[std::size_t(k)];
          double const dz = (z - b.cz) / b.rz, dy = (y - b.cy) / b.r, dx = (x - b.cx) / b.r;
          double const d = dz * dz + dy * dy + dx * dx;
          if (d < best_d) {
            best_d = d;
            best = k;
          }
        }
        std::size_t const i = (std::size_t(z) * kY + std::size_t(y)) * kX + std::size_t(x);
        double value = 0.05 + 0.02 * std::sin(x / 20.0) * std::cos(y / 25.0) + 0.01 * z / kZ +
                       0.02 * (hash_uniform(seed, i) - 0.5);
        if (best >= 0) {
          Ball const& b = balls[std::size_t(best)];
          double const texture =
              0.5 + 0.5 * std::sin(b.f * x + b.p) * std::cos(b.f * y + b.q) * std::cos(0.5 * z);
          value += b.brightness * (0.5 + 0.3 * texture) * (1.0 - 0.4 * best_d);
          scene.labels[i] = b.label;
        }
        scene.pixels[i] = value;
      }
    }
  }
  // One NaN voxel at the centre of the third ball, if that ball owns it.
  Ball const& b = balls[2];
  std::size_t const i =
      (std::size_t(std::lround(b.cz)) * kY + std::size_t(std::lround(b.cy))) * kX +
      std::size_t(std::lround(b.cx));
  if (scene.labels[i] == b.label) {
    scene.pixels[i] = std::numeric_limits<double>::quiet_NaN();
    scene.nan_pixels = 1;
  }
  count_objects(scene);
  return scene;
}

BiasPhantom make_bias_phantom_3d(std::int64_t nz, std::int64_t ny, std::int64_t nx,
                                 double amplitude, std::uint64_t seed) {
  BiasPhantom p;
  p.shape = {nz, ny, nx};
  std::int64_t const dims[3] = {nz, ny, nx};
  std::uint64_t index = 0;
  for (std::int64_t z = 0; z < nz; ++z)
    for (std::int64_t y = 0; y < ny; ++y)
      for (std::int64_t x = 0; x < nx; ++x, ++index) {
        std::int64_t const g[3] = {z, y, x};
        double r2 = 0.0, n[3];
        for (int d = 0; d < 3; ++d) {
          double const offset = g[d] - dims[d] / 2.0;
          r2 += std::pow(offset / (dims[d] / 3.0), 2);
          n[d] = offset / dims[d];
        }
        double const r = std::sqrt(r2);
        // Box-Muller from two hashed uniforms; 1 - u keeps the log's argument in (0, 1].
        double const u1 = 1.0 - hash_uniform(seed, 2 * index);
        double const u2 = hash_uniform(seed, 2 * index + 1);
        double const noise = 0.02 * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
        double const truth = (r < 1.0 ? 1.0 : 0.3) + noise;
        double const bias =
            std::clamp(1.0 + amplitude * (n[0] + 0.5 * n[1] - 0.5 * n[2]) +
                           0.5 * amplitude * std::cos(kPi * n[0]) * std::cos(kPi * n[1]),
                       0.4, 2.5);
        p.pixels.push_back(truth * bias);
        p.mask.push_back(r < 1.2 ? 1 : 0);
        p.bias.push_back(bias);
      }
  return p;
}

}  // namespace bik::cli
