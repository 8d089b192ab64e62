// N4 with linumpy's semantics (bik/n4/correct_linumpy.hpp, spec n4.md §3-4): the any-length DFT
// against a naive DFT, linumpy's clipped basis placement, nearest bins, the sharpening map
// against a naive-DFT transcription of §3.3 written here, the control-point rule, the level
// structure (fixed mesh, convergence tested every 5th iteration), bad input, and agreement
// across execution spaces.
#include "bik/n4/correct.hpp"
#include "bik/n4/fft_any_length.hpp"
#include "bik/n4/linumpy_sharpening.hpp"
#include "n4_scene.hpp"
#include "spaces.hpp"

#include "naive_dft.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using bik_test::C;
using bik_test::naive_dft;

// Spec §3.3 steps 4-7 with naive DFTs for the Wiener step and explicit circular sums for the
// two convolutions of the map.
std::vector<double> reference_map(std::vector<double> const& h, double min, double width,
                                  double fwhm, double noise) {
  int const nb = static_cast<int>(h.size()), P = 2 * nb, half = nb / 2;
  double const sigma = fwhm / 2.3548200450309493;
  std::vector<double> kernel(P, 0.0);  // offset d at index d mod P
  double total = 0.0;
  for (int d = -half; d < nb - half; ++d)
    total += std::exp(-std::pow(d * width, 2) / (2 * sigma * sigma));
  for (int d = -half; d < nb - half; ++d)
    kernel[(d + P) % P] = std::exp(-std::pow(d * width, 2) / (2 * sigma * sigma)) / total;
  std::vector<C> H(P), K(P);
  for (int k = 0; k < nb; ++k) H[k] = h[k];
  for (int k = 0; k < P; ++k) K[k] = kernel[k];
  auto Hf = naive_dft(H, -1);
  auto const Kf = naive_dft(K, -1);
  for (int n = 0; n < P; ++n) Hf[n] *= std::conj(Kf[n]) / (std::norm(Kf[n]) + noise);
  auto const sharp = naive_dft(Hf, +1);
  std::vector<double> u(nb);
  for (int k = 0; k < nb; ++k) u[k] = std::max(sharp[k].real() / P, 0.0);
  std::vector<double> E(nb);
  for (int k = 0; k < nb; ++k) {
    double num = 0.0, den = 0.0;
    for (int m = 0; m < nb; ++m) {
      double const g = kernel[((k - m) % P + P) % P];
      num += (min + m * width) * u[m] * g;
      den += u[m] * g;
    }
    E[k] = num / std::max(den, 1e-12);
  }
  return E;
}

using Scene = bik_test::N4Scene;

// The known log bias: a tilt plus a cosine along Y.
Scene phantom(bik::Shape3 s, int rank) {
  return bik_test::n4_phantom(s, rank, [](double nz, double ny, double nx) {
    return 0.3 * (nz + 0.5 * ny - 0.5 * nx) + 0.1 * std::cos(3.0 * ny);
  });
}

template <class Space, class T = double>
bik_test::N4Run run(Scene const& sc, bik::n4::N4Options const& o, bool with_confidence = false) {
  return bik_test::run_n4<Space, T>(
      sc, o, true,
      with_confidence ? std::vector<double>(sc.pixels.size(), 1.0) : std::vector<double>());
}

}  // namespace

TEST_CASE("n4 any-length DFT: matches a naive DFT in both directions") {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (std::size_t n : {1u, 2u, 6u, 7u, 16u, 30u, 400u}) {
    std::vector<C> a(n);
    for (auto& v : a) v = C(dist(rng), dist(rng));
    for (int sign : {-1, +1}) {
      auto const got = bik::n4::dft(a, sign);
      auto const want = naive_dft(a, sign);
      for (std::size_t k = 0; k < n; ++k) {
        CHECK(std::abs(got[k] - want[k]) <= 1e-11 * double(n));
      }
    }
  }
}

TEST_CASE("n4 linumpy basis: low columns merged, last column dead, partition of unity") {
  // Spec §4.5 item 1: N = 9 samples on C = 6 control points (3 spans).
  std::int32_t j = -1;
  double w[4];
  bik::n4::linumpy_span_weights(0, 9, 3, j, w);  // u = 0: columns -1, 0, 1, 2 -> 0, 0, 1, 2
  CHECK(j == 0);
  CHECK(w[0] == doctest::Approx(5.0 / 6.0));
  CHECK(w[1] == doctest::Approx(1.0 / 6.0));
  CHECK(w[2] == 0.0);
  CHECK(w[3] == 0.0);
  bik::n4::linumpy_span_weights(8, 9, 3, j, w);  // u = 3: columns 2..5, the last with t^3/6 = 0
  CHECK(j == 2);
  CHECK(w[0] == doctest::Approx(1.0 / 6.0));
  CHECK(w[1] == doctest::Approx(4.0 / 6.0));
  CHECK(w[2] == doctest::Approx(1.0 / 6.0));
  CHECK(w[3] == 0.0);
  bik::n4::linumpy_span_weights(4, 9, 3, j, w);  // u = 1.5: columns 0..3, unclipped
  CHECK(j == 0);
  CHECK(w[0] == doctest::Approx(0.125 / 6.0));
  CHECK(w[3] == doctest::Approx(0.125 / 6.0));
  for (std::int64_t i = 0; i < 9; ++i) {
    bik::n4::linumpy_span_weights(i, 9, 3, j, w);
    CHECK(w[0] + w[1] + w[2] + w[3] == doctest::Approx(1.0).epsilon(1e-14));
    CHECK(j + 3 <= 5);
  }
}

TEST_CASE("n4 linumpy bins, control points and sharpening map") {
  // Nearest bin of (u - min) / width, clipped: 0.49 -> 0, 0.5 -> 1, 2.6 -> 3, far outside.
  CHECK(bik::n4::linumpy_bin(1.049, 1.0, 0.1, 10) == 0);
  CHECK(bik::n4::linumpy_bin(1.0 + 0.1 * 0.5 + 1e-12, 1.0, 0.1, 10) == 1);
  CHECK(bik::n4::linumpy_bin(1.26, 1.0, 0.1, 10) == 3);
  CHECK(bik::n4::linumpy_bin(-1e300, 1.0, 0.1, 10) == 0);
  CHECK(bik::n4::linumpy_bin(1e300, 1.0, 0.1, 10) == 9);
  CHECK(bik::n4::linumpy_bin_width(2.0, 2.0, 11) == doctest::Approx(1e-7));
  // max(4, min(round(size * voxel / distance), working size)), halves to even as Python.
  CHECK(bik::n4::linumpy_control_points(25, 1.0, 10.0, 100) == 4);   // round(2.5) = 2
  CHECK(bik::n4::linumpy_control_points(65, 1.0, 10.0, 100) == 6);   // round(6.5) = 6
  CHECK(bik::n4::linumpy_control_points(75, 1.0, 10.0, 100) == 8);   // round(7.5) = 8
  CHECK(bik::n4::linumpy_control_points(60, 1.5, 10.0, 100) == 9);   // 90 mm / 10 mm
  CHECK(bik::n4::linumpy_control_points(400, 1.0, 10.0, 30) == 30);  // at most the working size
  CHECK(bik::n4::linumpy_control_points(400, 1.0, 10.0, 2) == 4);

  std::mt19937 rng(5);
  std::uniform_real_distribution<double> dist(0.0, 50.0);
  for (int nb : {7, 16, 40}) {
    std::vector<double> h(nb);
    for (auto& v : h) v = dist(rng);
    h[nb / 3] = 0.0;
    for (double width : {0.004, 0.02, 0.1}) {
      auto const got = bik::n4::linumpy_sharpening_map(h, -0.3, width, 0.15, 0.01);
      auto const want = reference_map(h, -0.3, width, 0.15, 0.01);
      for (int k = 0; k < nb; ++k) CHECK(got[k] == doctest::Approx(want[k]).epsilon(1e-9));
    }
  }
}

TEST_CASE("n4 linumpy correct: fixed mesh, convergence tested every 5th iteration") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    Scene const sc = phantom({20, 40, 60}, 3);
    bik::n4::N4Options o = bik::n4::linumpy_options();
    o.shrink = 2;
    o.voxel_size_mm[2] = 1.5;
    o.iterations = {3, 7, 12};
    o.convergence_threshold = 0.0;  // never met: every iteration runs
    auto r = run<Space>(sc, o);
    CHECK(r.report.working.z == 10);
    CHECK(r.report.working.y == 20);
    CHECK(r.report.working.x == 30);
    REQUIRE(r.report.levels.size() == 3);
    // z: 20 * 1 / 10 -> 4; y: 40 / 10 = 4; x: 60 * 1.5 / 10 = 9; the same at every level.
    for (auto const& level : r.report.levels) {
      CHECK(level.lattice.z == 4);
      CHECK(level.lattice.y == 4);
      CHECK(level.lattice.x == 9);
    }
    CHECK(r.report.levels[0].iterations == 3);
    CHECK(r.report.levels[1].iterations == 7);
    CHECK(r.report.levels[2].iterations == 12);
    // The first update is the whole field: relative change 1.
    CHECK(r.values[0][0] == doctest::Approx(1.0));
    // A huge tolerance is met at each level's first test: iteration 5, or the last if sooner.
    o.convergence_threshold = 1e3;
    r = run<Space>(sc, o);
    CHECK(r.report.levels[0].iterations == 3);
    CHECK(r.report.levels[1].iterations == 5);
    CHECK(r.report.levels[2].iterations == 5);
    // A mesh clamped by the working grid: 1 mm spline distance on 10 x 20 x 30 samples.
    o.spline_distance_mm = 1.0;
    o.iterations = {1};
    r = run<Space>(sc, o);
    CHECK(r.report.levels[0].lattice.z == 10);
    CHECK(r.report.levels[0].lattice.y == 20);
    CHECK(r.report.levels[0].lattice.x == 30);
  });
}

TEST_CASE("n4 linumpy correct: recovers a known bias, 2D and 3D") {
  for (int rank : {2, 3}) {
    Scene const sc = rank == 3 ? phantom({24, 48, 48}, 3) : phantom({1, 96, 128}, 2);
    bik::n4::N4Options o = bik::n4::linumpy_options();
    o.shrink = 2;
    o.spline_distance_mm = 20.0;
    using First = std::tuple_element_t<0, BikTestSpaces>;
    auto const r = run<First>(sc, o);
    // The ratio of recovered to true bias is constant up to the fit's error (N4 finds the bias
    // up to a scale): its coefficient of variation in the mask, against the bias's own.
    auto cv = [&](auto ratio) {
      double n = 0, s = 0, q = 0;
      for (std::size_t i = 0; i < sc.pixels.size(); ++i)
        if (sc.mask[i]) {
          double const v = ratio(i);
          n += 1, s += v, q += v * v;
        }
      double const mean = s / n;
      return std::sqrt(q / n - mean * mean) / mean;
    };
    double const before = cv([&](std::size_t i) { return std::exp(sc.log_bias[i]); });
    double const after =
        cv([&](std::size_t i) { return std::exp(r.log_bias[i] - sc.log_bias[i]); });
    INFO("rank " << rank << ": cv of the bias " << before << ", of recovered / true " << after);
    CHECK(after < 0.5 * before);
  }
}

TEST_CASE("n4 linumpy correct: bad input, non-positive values, every space agrees with Serial") {
  Scene const sc = phantom({10, 20, 16}, 3);
  bik::n4::N4Options o = bik::n4::linumpy_options();
  o.iterations = {6, 4};
  o.convergence_threshold = 0.0;
  o.shrink = 2;
  o.spline_distance_mm = 4.0;
  bik_test::check_n4_spaces_agree(sc, o);
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    auto expect_error = [&](Scene const& s, bik::n4::N4Options const& opt, bool conf,
                            char const* fragment) {
      CHECK_THROWS_WITH_AS(run<Space>(s, opt, conf), doctest::Contains(fragment), bik::Error);
    };
    expect_error(sc, o, true, "no confidence image");
    Scene bad = sc;
    bad.pixels[7] = std::numeric_limits<double>::quiet_NaN();
    expect_error(bad, o, false, "NaN");
    bad = sc;
    for (auto& m : bad.mask) m = 0;
    expect_error(bad, o, false, "selects no voxel");
    bik::n4::N4Options opt = o;
    opt.spline_distance_mm = 0.0;
    expect_error(sc, opt, false, "spline distance");
    opt = o;
    opt.voxel_size_mm[1] = -1.0;
    expect_error(sc, opt, false, "voxel sizes");
    opt = o;
    opt.shrink = 11;  // ceil(10 / 11) = 1 plane
    expect_error(sc, opt, false, "shrink factor 11");
    // Values <= 0 in the mask are floored at 1e-6 before the log, as linumpy does, not refused.
    bad = sc;
    std::size_t const centre = (5 * 20 + 10) * 16 + 8;
    REQUIRE(bad.mask[centre] == 1);
    bad.pixels[centre] = 0.0;
    CHECK_NOTHROW(run<Space>(bad, o));
  });
}
