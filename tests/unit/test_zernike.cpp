// Zernike index set, radial table, names, hand-computed features and bad input. Expected values
// come from the Zernike polynomials' closed forms and the geometry of the objects (spelled out
// next to each check); centrosome and cp_measure parity is in test_zernike_golden.cpp and
// tests/parity/test_zernike_parity.py.
#include "bik/core/error.hpp"
#include "bik/measure.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace {

constexpr double pi = 3.141592653589793;

std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

bool close(double got, double want) {
  return std::abs(got - want) <= 1e-14 * std::max(1.0, std::abs(want));
}

// A pseudo-random scene: blobs of random sizes (some touching, some on the border, one pixel,
// two pixels, a gap in the labels) over random pixels.
struct Scene {
  int ny = 61, nx = 67;
  std::vector<std::int32_t> labels;
  std::vector<double> pixels;
};

Scene random_scene() {
  Scene s;
  s.labels.assign(static_cast<std::size_t>(s.ny) * s.nx, 0);
  s.pixels.resize(s.labels.size());
  std::uint64_t state = 12345;
  auto next = [&]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  for (auto& p : s.pixels) p = next();
  std::int32_t label = 1;
  for (int cy = 5; cy < s.ny; cy += 12)
    for (int cx = 4; cx < s.nx; cx += 11) {
      double const r = 1.0 + 6.0 * next();
      for (int y = 0; y < s.ny; ++y)
        for (int x = 0; x < s.nx; ++x)
          if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r && next() < 0.9)
            s.labels[static_cast<std::size_t>(y) * s.nx + x] = label;
      label += (label == 7) ? 3 : 1;  // a gap: labels 8 and 9 are absent
    }
  s.labels[static_cast<std::size_t>(s.ny - 1) * s.nx] = label;          // one pixel, on the border
  s.labels[static_cast<std::size_t>(s.ny - 1) * s.nx + 3] = label + 1;  // two pixels
  s.labels[static_cast<std::size_t>(s.ny - 1) * s.nx + 4] = label + 1;
  return s;
}

}  // namespace

TEST_CASE("the index set is centrosome's: (n, m) by n then m, m of n's parity") {
  auto const pairs = bik::zernike_indices(9);
  REQUIRE(pairs.size() == 30);
  int const want[30][2] = {{0, 0}, {1, 1}, {2, 0}, {2, 2}, {3, 1}, {3, 3}, {4, 0}, {4, 2},
                           {4, 4}, {5, 1}, {5, 3}, {5, 5}, {6, 0}, {6, 2}, {6, 4}, {6, 6},
                           {7, 1}, {7, 3}, {7, 5}, {7, 7}, {8, 0}, {8, 2}, {8, 4}, {8, 6},
                           {8, 8}, {9, 1}, {9, 3}, {9, 5}, {9, 7}, {9, 9}};
  for (int q = 0; q < 30; ++q) {
    CHECK(pairs[static_cast<std::size_t>(q)].n == want[q][0]);
    CHECK(pairs[static_cast<std::size_t>(q)].m == want[q][1]);
  }
  // floor((d + 2)^2 / 4) pairs: sum over n of n/2 + 1 values of m.
  for (int d = 0; d <= 12; ++d)
    CHECK(bik::zernike_indices(d).size() == static_cast<std::size_t>((d + 2) * (d + 2) / 4));
}

TEST_CASE("the radial table holds the coefficients of R_nm in powers r^(n-2k)") {
  auto const pairs = bik::zernike_indices(4);
  auto const lut = bik::zernike_radial_lut(pairs);
  int const width = bik::zernike_lut_width(pairs);
  REQUIRE(width == 3);
  // R00 = 1, R11 = r, R20 = 2r^2 - 1, R22 = r^2, R31 = 3r^3 - 2r, R33 = r^3,
  // R40 = 6r^4 - 6r^2 + 1, R42 = 4r^4 - 3r^2, R44 = r^4; unused entries are 0.
  double const want[9][3] = {{1, 0, 0}, {1, 0, 0},  {2, -1, 0}, {1, 0, 0}, {3, -2, 0},
                             {1, 0, 0}, {6, -6, 1}, {4, -3, 0}, {1, 0, 0}};
  for (int q = 0; q < 9; ++q)
    for (int k = 0; k < 3; ++k) CHECK(lut[static_cast<std::size_t>(q * width + k)] == want[q][k]);
}

TEST_CASE("feature names are cp_measure's keys in its order") {
  auto const shape = bik::zernike_feature_names(2);
  CHECK(shape ==
        std::vector<std::string>{"Zernike_0_0", "Zernike_1_1", "Zernike_2_0", "Zernike_2_2"});
  auto const radial = bik::radial_zernike_feature_names(1);
  CHECK(radial == std::vector<std::string>{"RadialDistribution_ZernikeMagnitude_0_0",
                                           "RadialDistribution_ZernikePhase_0_0",
                                           "RadialDistribution_ZernikeMagnitude_1_1",
                                           "RadialDistribution_ZernikePhase_1_1"});
  CHECK(bik::zernike_feature_names(9).size() == 30);
  CHECK(bik::radial_zernike_feature_names(9).size() == 60);
}

TEST_CASE_TEMPLATE_DEFINE("two-pixel, one-pixel and gapped objects by hand", Space, zern_hand) {
  // Row 0: label 3 at columns 0 and 1 (pixels a = 2, b = 5); label 7 alone at column 3.
  // Label 3's enclosing circle: centre (0, 0.5), r = 0.5, so its pixels map to x = -1 and +1,
  // y = 0: r^2 = 1 exactly (kept), z = y + i x = -i and +i.
  Space const space;
  auto const labels = bik_test::image<Space>(std::vector<std::int32_t>{3, 3, 0, 7}, 1, 4);
  auto const pixels = bik_test::image<Space>(std::vector<double>{2.0, 5.0, 0.0, 1.0}, 1, 4);
  bik::ZernikeOptions options;
  options.degree = 2;
  auto const shape = bik::measure_zernike(space, labels, options);
  REQUIRE(shape.labels() == std::vector<std::int64_t>{3, 7});
  double const area = pi * 0.5 * 0.5;
  // V00 = 1 and V20 = 2 r^2 - 1 = 1 at both pixels: |2| / area. V11 = z: -i + i = 0.
  // V22 = z^2 = -1 at both: |-2| / area.
  CHECK(close(shape.column("Zernike_0_0")[0], 2.0 / area));
  CHECK(shape.column("Zernike_1_1")[0] == 0.0);
  CHECK(close(shape.column("Zernike_2_0")[0], 2.0 / area));
  CHECK(close(shape.column("Zernike_2_2")[0], 2.0 / area));
  // A one-pixel object has r = 0: 0/0 coordinates, NaN features (as cp_measure).
  for (auto const& name : shape.names()) CHECK(std::isnan(shape.column(name)[1]));

  auto const radial = bik::measure_radial_zernike(space, labels, pixels, options);
  REQUIRE(radial.labels() == std::vector<std::int64_t>{3, 7});
  // S00 = a + b = 7 (real): magnitude 7 / 2 pixels, phase atan2(7, 0) = pi / 2.
  CHECK(close(radial.column("RadialDistribution_ZernikeMagnitude_0_0")[0], 3.5));
  CHECK(close(radial.column("RadialDistribution_ZernikePhase_0_0")[0], pi / 2));
  // S11 = a (-i) + b (+i) = 3i: magnitude 3 / 2, phase atan2(Re 0, Im 3) = 0.
  CHECK(close(radial.column("RadialDistribution_ZernikeMagnitude_1_1")[0], 1.5));
  CHECK(radial.column("RadialDistribution_ZernikePhase_1_1")[0] == 0.0);
  // S22 = (a + b)(-1) = -7: magnitude 3.5, phase atan2(-7, 0) = -pi / 2.
  CHECK(close(radial.column("RadialDistribution_ZernikeMagnitude_2_2")[0], 3.5));
  CHECK(close(radial.column("RadialDistribution_ZernikePhase_2_2")[0], -pi / 2));
  for (auto const& name : radial.names()) CHECK(std::isnan(radial.column(name)[1]));
}
TEST_CASE_TEMPLATE_APPLY(zern_hand, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("a centrally symmetric object's odd moments vanish", Space, zern_disc) {
  // A 5x5 square without its corners (21 pixels). Its hull, (0,1) (0,3) (1,4) (3,4) (4,3) (4,1)
  // (3,0) (1,0), is cocircular about (2, 2), so the enclosing circle has that exact centre (the
  // circumcentre of integer points with an integer result). Every pixel then has a mirror image
  // through the centre with exactly negated offsets and the same r^2, so V_nm(mirror) =
  // (-1)^m V_nm exactly, and for odd m the sum cancels up to the round-off of the summation.
  std::vector<std::int32_t> mask(25, 1);
  for (int corner : {0, 4, 20, 24}) mask[static_cast<std::size_t>(corner)] = 0;
  Space const space;
  auto const labels = bik_test::image<Space>(mask, 5, 5);
  auto const shape = bik::measure_zernike(space, labels);
  REQUIRE(shape.rows() == 1);
  int odd = 0;
  for (auto const& p : bik::zernike_indices(9))
    if (p.m % 2 == 1) {
      ++odd;
      CHECK(shape.column("Zernike_" + std::to_string(p.n) + "_" + std::to_string(p.m))[0] < 1e-12);
    }
  CHECK(odd == 15);
  CHECK(shape.column("Zernike_0_0")[0] > 0.5);  // 13 or 21 pixels over 5 pi, not cancelled
}
TEST_CASE_TEMPLATE_APPLY(zern_disc, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("results do not depend on the schedule, the space or a workspace", Space,
                          zern_same) {
  Scene const s = random_scene();
  Space const space;
  auto const labels = bik_test::image<Space>(s.labels, s.ny, s.nx);
  auto const pixels = bik_test::image<Space>(s.pixels, s.ny, s.nx);
  bik::Workspace<typename Space::memory_space> workspace;
  for (int degree : {0, 3, 9, 12}) {
    bik::ZernikeOptions options;
    options.degree = degree;
    // The reference: the default host space (OpenMP here, Serial in a CUDA build), default
    // schedule; Serial and OpenMP at 1 to 4 threads all compare with it.
    auto const want_shape = bik::measure_zernike(
        Kokkos::DefaultHostExecutionSpace(),
        bik_test::image<Kokkos::DefaultHostExecutionSpace>(s.labels, s.ny, s.nx), options);
    auto const want_radial = bik::measure_radial_zernike(
        Kokkos::DefaultHostExecutionSpace(),
        bik_test::image<Kokkos::DefaultHostExecutionSpace>(s.labels, s.ny, s.nx),
        bik_test::image<Kokkos::DefaultHostExecutionSpace>(s.pixels, s.ny, s.nx), options);
    for (int shape_kind = 0; shape_kind < 3; ++shape_kind) {
      bik::ZernikeOptions o = options;
      o.schedule.shape = shape_kind == 0   ? bik::ObjectSchedule::Shape::thread_per_object
                         : shape_kind == 1 ? bik::ObjectSchedule::Shape::team_per_object
                                           : bik::ObjectSchedule::Shape::automatic;
      o.schedule.team_size = shape_kind == 1 ? 3 : 0;
      auto const a = bik::measure_zernike(space, labels, o, &workspace);
      auto const b = bik::measure_radial_zernike(space, labels, pixels, o, &workspace);
      auto const c = bik::measure_radial_zernike(space, labels, pixels, o);
      REQUIRE(a.labels() == want_shape.labels());
      REQUIRE(a.columns() == want_shape.columns());
      REQUIRE(b.columns() == 2 * a.columns());
      for (std::size_t col = 0; col < a.columns(); ++col)
        for (std::size_t row = 0; row < a.rows(); ++row)
          CHECK(bits(a.column(col)[row]) == bits(want_shape.column(col)[row]));
      for (std::size_t col = 0; col < b.columns(); ++col)
        for (std::size_t row = 0; row < b.rows(); ++row)
          CHECK((bits(b.column(col)[row]) == bits(c.column(col)[row]) &&
                 bits(b.column(col)[row]) == bits(want_radial.column(col)[row])));
    }
  }
  // The gap in the labels (8 and 9) shows in the rows, ascending.
  auto const t = bik::measure_zernike(space, labels);
  CHECK(std::find(t.labels().begin(), t.labels().end(), 8) == t.labels().end());
  CHECK(std::is_sorted(t.labels().begin(), t.labels().end()));
}
TEST_CASE_TEMPLATE_APPLY(zern_same, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("the moment expansion and the direct basis sums agree", Space,
                          zern_paths) {
  // Degrees up to bik::kZernikeMomentDegree sum moments (zernike_moments.hpp), higher degrees
  // evaluate the basis per pixel (zernike_kernel.hpp): the pairs they share (degree 12's are the
  // first of degree 13's) are the same sums in other orders, equal up to round-off (the parity
  // suite checks both against cp_measure).
  static_assert(bik::kZernikeMomentDegree == 12, "the degrees below straddle the switch");
  Scene const s = random_scene();
  Space const space;
  auto const labels = bik_test::image<Space>(s.labels, s.ny, s.nx);
  auto const pixels = bik_test::image<Space>(s.pixels, s.ny, s.nx);
  bik::ZernikeOptions moments, direct;
  moments.degree = 12;
  direct.degree = 13;
  auto const a = bik::measure_zernike(space, labels, moments);
  auto const b = bik::measure_zernike(space, labels, direct);
  auto const ra = bik::measure_radial_zernike(space, labels, pixels, moments);
  auto const rb = bik::measure_radial_zernike(space, labels, pixels, direct);
  REQUIRE(a.labels() == b.labels());
  REQUIRE(b.columns() == a.columns() + 7);  // degree 13 adds (13, 1), (13, 3), ..., (13, 13)
  int compared = 0, nans = 0;
  auto const agree = [&](double x, double y) {
    if (std::isnan(x) || std::isnan(y)) {
      ++nans;
      return std::isnan(x) && std::isnan(y);
    }
    ++compared;
    return std::abs(x - y) <= 1e-10 * std::abs(y) + 1e-12;  // the parity suite's atol
  };
  for (auto const& name : a.names())
    for (std::size_t row = 0; row < a.rows(); ++row)
      CHECK_MESSAGE(
          agree(a.column(name)[row], b.column(name)[row]),
          name << " row " << row << ": " << a.column(name)[row] << " vs " << b.column(name)[row]);
  for (auto const& name : ra.names()) {
    if (name.find("Phase") != std::string::npos) continue;  // atan2 of the same sums
    for (std::size_t row = 0; row < ra.rows(); ++row)
      CHECK_MESSAGE(agree(ra.column(name)[row], rb.column(name)[row]), name << " row " << row);
  }
  CHECK(compared > 1000);
  CHECK(nans == 2 * 49);  // the one-pixel object: NaN on both paths, shape and magnitudes
}
TEST_CASE_TEMPLATE_APPLY(zern_paths, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("bad input gets a bik::Error naming the problem", Space, zern_bad) {
  Space const space;
  auto const labels = bik_test::image<Space>(std::vector<std::int32_t>{1, 1, 0, 2}, 2, 2);
  auto const pixels = bik_test::image<Space>(std::vector<double>{1, 2, 3, 4}, 2, 2);
  auto const wide = bik_test::image<Space>(std::vector<double>{1, 2, 3, 4, 5, 6}, 2, 3);
  auto const labels3 = bik_test::volume<Space>(std::vector<std::int32_t>(8, 1), 2, 2, 2);
  auto const pixels3 = bik_test::volume<Space>(std::vector<double>(8, 1.0), 2, 2, 2);
  bik::ZernikeOptions negative;
  negative.degree = -1;
  bik::ZernikeOptions huge;
  huge.degree = 100;
  CHECK_THROWS_WITH_AS(bik::measure_zernike(space, labels, negative),
                       doctest::Contains("Zernike degree must be in [0, 99], got -1"), bik::Error);
  CHECK_THROWS_WITH_AS(bik::measure_radial_zernike(space, labels, pixels, huge),
                       doctest::Contains("got 100"), bik::Error);
  CHECK_THROWS_WITH_AS(bik::measure_zernike(space, labels3), doctest::Contains("2D only"),
                       bik::Error);
  CHECK_THROWS_WITH_AS(bik::measure_radial_zernike(space, labels3, pixels3),
                       doctest::Contains("2D only"), bik::Error);
  CHECK_THROWS_WITH_AS(bik::measure_radial_zernike(space, labels, pixels3),
                       doctest::Contains("3D pixels"), bik::Error);
  CHECK_THROWS_WITH_AS(bik::measure_radial_zernike(space, labels, wide),
                       doctest::Contains("does not match"), bik::Error);
  CHECK_THROWS_AS(bik::zernike_indices(-3), bik::Error);
}
TEST_CASE_TEMPLATE_APPLY(zern_bad, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("a (B,1,Y,X) batch equals one call per image", Space, zern_batch) {
  Scene const s = random_scene();
  // Image 0: the scene; image 1: the scene upside down with labels offset by 100.
  std::size_t const plane = s.labels.size();
  std::vector<std::int32_t> labels(2 * plane);
  std::vector<double> pixels(2 * plane);
  for (int y = 0; y < s.ny; ++y)
    for (int x = 0; x < s.nx; ++x) {
      std::size_t const here = static_cast<std::size_t>(y) * s.nx + x;
      std::size_t const flipped = static_cast<std::size_t>(s.ny - 1 - y) * s.nx + x;
      labels[here] = s.labels[here];
      pixels[here] = s.pixels[here];
      labels[plane + flipped] = s.labels[here] > 0 ? s.labels[here] + 100 : 0;
      pixels[plane + flipped] = s.pixels[here] * 2.0;
    }
  using Memory = typename Space::memory_space;
  Space const space;
  Kokkos::View<std::int32_t****, Kokkos::LayoutRight, Kokkos::HostSpace> l4("l4", 2, 1, s.ny, s.nx);
  Kokkos::View<double****, Kokkos::LayoutRight, Kokkos::HostSpace> p4("p4", 2, 1, s.ny, s.nx);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    l4.data()[i] = labels[i];
    p4.data()[i] = pixels[i];
  }
  auto const dl = Kokkos::create_mirror_view_and_copy(Memory(), l4);
  auto const dp = Kokkos::create_mirror_view_and_copy(Memory(), p4);
  bik::ZernikeOptions options;
  options.degree = 7;
  auto const shapes = bik::measure_zernike_batch(space, dl, options);
  auto const radials = bik::measure_radial_zernike_batch(space, dl, dp, options);
  REQUIRE(shapes.size() == 2);
  REQUIRE(radials.size() == 2);
  for (int b = 0; b < 2; ++b) {
    auto const l = Kokkos::subview(dl, b, 0, Kokkos::ALL, Kokkos::ALL);
    auto const p = Kokkos::subview(dp, b, 0, Kokkos::ALL, Kokkos::ALL);
    auto const shape = bik::measure_zernike(space, l, options);
    auto const radial = bik::measure_radial_zernike(space, l, p, options);
    CHECK(shapes[static_cast<std::size_t>(b)].labels() == shape.labels());
    CHECK(radials[static_cast<std::size_t>(b)].labels() == radial.labels());
    for (std::size_t c = 0; c < shape.columns(); ++c)
      for (std::size_t r = 0; r < shape.rows(); ++r)
        CHECK(bits(shapes[static_cast<std::size_t>(b)].column(c)[r]) == bits(shape.column(c)[r]));
    for (std::size_t c = 0; c < radial.columns(); ++c)
      for (std::size_t r = 0; r < radial.rows(); ++r)
        CHECK(bits(radials[static_cast<std::size_t>(b)].column(c)[r]) == bits(radial.column(c)[r]));
  }
  CHECK(shapes[1].labels().front() > 100);
  Kokkos::View<std::int32_t****, Kokkos::LayoutRight, Memory> deep("deep", 1, 2, s.ny, s.nx);
  CHECK_THROWS_WITH_AS(bik::measure_zernike_batch(space, deep), doctest::Contains("2D only"),
                       bik::Error);
}
TEST_CASE_TEMPLATE_APPLY(zern_batch, BikTestSpaces);
