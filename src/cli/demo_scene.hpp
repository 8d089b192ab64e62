// Deterministic synthetic scenes for `bik demo`: a Cell-Painting-like 2D field of cells and a
// small 3D volume of ball-shaped objects. Only integer PRNG arithmetic and basic libm functions
// are used, so the scenes are the same on every platform (up to libm's last-bit differences).
#ifndef BIK_CLI_DEMO_SCENE_HPP
#define BIK_CLI_DEMO_SCENE_HPP

#include <cstdint>
#include <vector>

namespace bik::cli {

// SplitMix64 (Steele, Lea, Flood 2014): a tiny, portable 64-bit generator.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

 private:
  std::uint64_t state_;
};

// Uniform in [0, 1) from a hash of (seed, index): per-pixel noise that does not depend on the
// order in which pixels are visited.
double hash_uniform(std::uint64_t seed, std::uint64_t index);

// A labelled scene: C-order labels (int64, 0 = background) and float64 pixels.
struct Scene {
  std::vector<std::int64_t> shape;  // (Y,X) or (Z,Y,X)
  std::vector<std::int64_t> labels;
  std::vector<double> pixels;
  std::int64_t objects = 0;     // distinct labels > 0 present
  std::int64_t max_label = 0;   // largest label (> objects when label numbers are skipped)
  std::int64_t nan_pixels = 0;  // pixels set to NaN inside objects
};

// 1080x1080 image with a jittered 12x12 grid of ellipse-like cells (random semi-axes,
// orientation and wavy outline; neighbours may touch, border cells may be cut by the image
// edge), a few skipped label numbers, background 0. Pixels: smooth background + per-cell
// brightness x (sinusoidal texture + bright nucleus) + uniform noise, with a few NaN pixels in
// some cells. O(pixels) time.
Scene make_cell_scene_2d(std::uint64_t seed = 20240611);

// 16x96x96 volume with 12 flattened balls (overlaps go to the nearest centre), one skipped
// label number, textured pixels with noise and one NaN voxel.
Scene make_ball_scene_3d(std::uint64_t seed = 7);

// N4's synthetic phantom (spec n4.md §7.1): with r the distance from the centre in units of a
// third of each extent, truth 1.0 where r < 1 else 0.3, plus Gaussian noise of sigma 0.02;
// mask r < 1.2; bias 1 + a (n_z + n_y / 2 - n_x / 2) + a / 2 cos(pi n_z) cos(pi n_y) clipped to
// [0.4, 2.5], n the offset from the centre over the extent; pixels truth x bias.
struct BiasPhantom {
  std::vector<std::int64_t> shape;  // (Z,Y,X)
  std::vector<double> pixels;
  std::vector<std::int64_t> mask;  // 1 inside, 0 outside
  std::vector<double> bias;        // the true bias (not its log)
};
BiasPhantom make_bias_phantom_3d(std::int64_t nz = 32, std::int64_t ny = 64, std::int64_t nx = 64,
                                 double amplitude = 0.5, std::uint64_t seed = 11);

}  // namespace bik::cli

#endif
