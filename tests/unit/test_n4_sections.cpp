// Per-section N4 with an optional global pass (bik/n4/correct_sections.hpp, spec n4.md §6.1):
// without the global pass every section is exactly N4 on its planes alone; with it, the output
// is input / exp(log bias), the global pass adds a smooth field (no jump at section
// boundaries), and a bias made of a smooth field plus per-section offsets is recovered better
// than by the sections alone; a basis on a window of planes is those planes of the whole
// grid's; with linumpy's semantics, one section and the global pass are the two passes run by
// hand, and the global mesh and working grid are the whole volume's; bad input; every space
// agrees with Serial.
#include "bik/n4/correct_sections.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

namespace {

// The first space (Serial when enabled): histogram atomics make OpenMP runs differ in rounding.
using First = std::tuple_element_t<0, BikTestSpaces>;
using Host3 = Kokkos::View<double***, Kokkos::LayoutRight, Kokkos::HostSpace>;
using Mask3 = Kokkos::View<std::int32_t***, Kokkos::LayoutRight, Kokkos::HostSpace>;

// Spec §7.1's two-class phantom (1.0 inside an ellipsoid, 0.3 outside, mask a larger ellipsoid)
// times exp(a smooth field + an offset per section of `bounds`).
struct Scene {
  bik::Shape3 shape;
  Host3 pixels, truth;
  Mask3 mask;
};

Scene phantom(bik::Shape3 s, std::vector<std::int64_t> const& bounds,
              std::vector<double> const& offsets) {
  Scene sc{s, Host3("pixels", s.z, s.y, s.x), Host3("truth", s.z, s.y, s.x),
           Mask3("mask", s.z, s.y, s.x)};
  for (std::int64_t z = 0; z < s.z; ++z) {
    std::size_t section = 0;
    while (bounds[section + 1] <= z) ++section;
    for (std::int64_t y = 0; y < s.y; ++y)
      for (std::int64_t x = 0; x < s.x; ++x) {
        double const nz = (z - s.z / 2.0) / s.z, ny = (y - s.y / 2.0) / s.y,
                     nx = (x - s.x / 2.0) / s.x;
        double const r = std::sqrt((nz * nz + ny * ny + nx * nx) * 9.0);
        double const f = 0.3 * (nz + 0.5 * ny - 0.5 * nx) +
                         0.15 * std::cos(3.0 * ny) * std::cos(2.0 * nx) + offsets[section];
        sc.truth(z, y, x) = r < 1.0 ? 1.0 : 0.3;
        sc.pixels(z, y, x) = sc.truth(z, y, x) * std::exp(f);
        sc.mask(z, y, x) = r < 1.2 ? 1 : 0;
      }
  }
  return sc;
}

struct Outputs {
  Host3 corrected, log_bias;
  bik::n4::SectionsReport report;
};

template <class Space>
Outputs run_sections(Scene const& sc, bik::n4::N4Options const& options, std::int64_t sections,
                     bool global_pass, double global_spline_distance_mm = 10.0) {
  using MS = typename Space::memory_space;
  using V = Kokkos::View<double***, Kokkos::LayoutRight, MS>;
  using VM = Kokkos::View<std::int32_t***, Kokkos::LayoutRight, MS>;
  auto const s = sc.shape;
  auto input = Kokkos::create_mirror_view_and_copy(MS(), sc.pixels);
  auto mask = Kokkos::create_mirror_view_and_copy(MS(), sc.mask);
  V corrected("corrected", s.z, s.y, s.x), log_bias("log_bias", s.z, s.y, s.x);
  auto planes = [](std::int64_t z0, std::int64_t z1) { return std::make_pair(z0, z1); };
  auto read = [&](std::int64_t z0, std::int64_t z1) {
    V in("in", z1 - z0, s.y, s.x);
    VM m("m", z1 - z0, s.y, s.x);
    Kokkos::deep_copy(in, Kokkos::subview(input, planes(z0, z1), Kokkos::ALL, Kokkos::ALL));
    Kokkos::deep_copy(m, Kokkos::subview(mask, planes(z0, z1), Kokkos::ALL, Kokkos::ALL));
    return bik::n4::SectionPlanes<double, std::int32_t, MS>{in, m};
  };
  auto write = [&](std::int64_t z0, std::int64_t z1, V const& c, V const& b) {
    Kokkos::deep_copy(Kokkos::subview(corrected, planes(z0, z1), Kokkos::ALL, Kokkos::ALL), c);
    Kokkos::deep_copy(Kokkos::subview(log_bias, planes(z0, z1), Kokkos::ALL, Kokkos::ALL), b);
  };
  bik::n4::SectionsOptions how;
  how.sections = sections;
  how.global_pass = global_pass;
  how.global_spline_distance_mm = global_spline_distance_mm;
  how.want_bias = true;
  bik::Workspace<MS> ws;
  Outputs out;
  out.report = bik::n4::correct_sections<double, std::int32_t>(Space(), s, 3, options, how, read,
                                                               write, &ws);
  out.corrected = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), corrected);
  out.log_bias = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), log_bias);
  return out;
}

// Coefficient of variation of corrected / truth over the mask: 0 for a perfect correction (up
// to N4's free overall scale).
double ratio_cv(Scene const& sc, Host3 const& corrected) {
  double sum = 0.0, sum_sq = 0.0, n = 0.0;
  for (std::size_t i = 0; i < sc.pixels.size(); ++i)
    if (sc.mask.data()[i]) {
      double const r = corrected.data()[i] / sc.truth.data()[i];
      sum += r;
      sum_sq += r * r;
      n += 1.0;
    }
  double const mean = sum / n;
  return std::sqrt(std::max(0.0, sum_sq / n - mean * mean)) / mean;
}

// Fixed iteration counts: with the default threshold (0.001) the global pass on this small
// phantom stops after one iteration of each level (its first updates are already below it).
bik::n4::N4Options test_options() {
  bik::n4::N4Options o;
  o.iterations = {20, 20, 20};
  o.convergence_threshold = 0.0;
  o.shrink = 2;
  return o;
}

}  // namespace

TEST_CASE("n4 sections: without the global pass, each section is N4 on its planes alone") {
  bik::Shape3 const s{24, 24, 28};
  auto const bounds = bik::n4::section_bounds(s.z, 3);
  Scene const sc = phantom(s, bounds, {-0.2, 0.0, 0.2});
  auto const o = test_options();
  auto const out = run_sections<First>(sc, o, 3, false);
  CHECK_FALSE(out.report.has_global);
  REQUIRE(out.report.sections.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    std::int64_t const z0 = bounds[i], z1 = bounds[i + 1];
    auto const planes = std::make_pair(z0, z1);
    Host3 in("in", z1 - z0, s.y, s.x), c("c", z1 - z0, s.y, s.x), b("b", z1 - z0, s.y, s.x);
    Mask3 m("m", z1 - z0, s.y, s.x);
    Kokkos::deep_copy(in, Kokkos::subview(sc.pixels, planes, Kokkos::ALL, Kokkos::ALL));
    Kokkos::deep_copy(m, Kokkos::subview(sc.mask, planes, Kokkos::ALL, Kokkos::ALL));
    bik::n4::N4Images<double, std::int32_t, Kokkos::HostSpace> images;
    images.input = bik::as_volume(in);
    images.mask = bik::as_volume(m);
    images.corrected = bik::as_writable_volume(c);
    images.log_bias = bik::as_writable_volume(b);
    auto const report = bik::n4::correct(First(), images, o);
    CHECK(report.levels.size() == out.report.sections[i].levels.size());
    std::int64_t differ = 0;
    for (std::int64_t z = z0; z < z1; ++z)
      for (std::int64_t y = 0; y < s.y; ++y)
        for (std::int64_t x = 0; x < s.x; ++x)
          differ +=
              out.corrected(z, y, x) != c(z - z0, y, x) || out.log_bias(z, y, x) != b(z - z0, y, x);
    CHECK(differ == 0);  // the same computation: bit for bit
  }
}

TEST_CASE("n4 sections: the global pass recovers a smooth bias plus per-section offsets") {
  bik::Shape3 const s{24, 24, 28};
  auto const bounds = bik::n4::section_bounds(s.z, 3);
  Scene const sc = phantom(s, bounds, {-0.2, 0.0, 0.2});
  auto const o = test_options();
  auto const alone = run_sections<First>(sc, o, 3, false);
  auto const both = run_sections<First>(sc, o, 3, true);
  REQUIRE(both.report.has_global);
  CHECK(both.report.global.working.z == 12);  // the whole volume, shrunk by 2
  CHECK(both.report.global.working.x == 14);

  // The output is input / exp(log bias), in double: a few ulp.
  double worst = 0.0;
  for (std::size_t i = 0; i < sc.pixels.size(); ++i) {
    double const want = sc.pixels.data()[i] / std::exp(both.log_bias.data()[i]);
    worst = std::max(worst, std::abs(both.corrected.data()[i] - want) / want);
  }
  CHECK(worst < 1e-14);

  // The global pass's share of the log bias is one smooth spline over the whole volume: across
  // a section boundary it changes no more than between neighbouring planes inside a section
  // (a cubic spline's first difference varies slowly), while the sections' own fields jump.
  auto global_part = [&](std::int64_t z, std::int64_t y, std::int64_t x) {
    return both.log_bias(z, y, x) - alone.log_bias(z, y, x);
  };
  for (std::size_t b = 1; b + 1 < bounds.size(); ++b) {
    std::int64_t const z = bounds[b];
    double across = 0.0, inside = 0.0, section_jump = 0.0;
    for (std::int64_t y = 0; y < s.y; ++y)
      for (std::int64_t x = 0; x < s.x; ++x) {
        across = std::max(across, std::abs(global_part(z, y, x) - global_part(z - 1, y, x)));
        inside = std::max(inside, std::abs(global_part(z - 1, y, x) - global_part(z - 2, y, x)));
        inside = std::max(inside, std::abs(global_part(z + 1, y, x) - global_part(z, y, x)));
        section_jump =
            std::max(section_jump, std::abs(alone.log_bias(z, y, x) - alone.log_bias(z - 1, y, x)));
      }
    INFO("boundary " << z << ": across " << across << ", inside " << inside << ", sections "
                     << section_jump);
    CHECK(across <= 1.5 * inside + 1e-12);
    CHECK(section_jump > across);
  }

  // Each section alone leaves its mean log bias (its fit has no reference level): a staircase
  // of log levels about -0.15, 0.15, 0.45 across the volume (the offsets plus the sections'
  // means of the smooth field). The global pass sees that staircase on the whole volume and
  // corrects towards it, so it must bring the first and last sections' levels closer and
  // lower the variation of corrected / truth. N4 corrects such steps slowly (a fraction per
  // iteration through the deconvolved histogram), so the test asks for the direction and a
  // tenth of the gap, not for the steps' removal.
  auto mean_log_ratio = [&](Host3 const& corrected, std::int64_t z0, std::int64_t z1) {
    double sum = 0.0, n = 0.0;
    for (std::int64_t z = z0; z < z1; ++z)
      for (std::int64_t y = 0; y < s.y; ++y)
        for (std::int64_t x = 0; x < s.x; ++x)
          if (sc.mask(z, y, x)) {
            sum += std::log(corrected(z, y, x) / sc.truth(z, y, x));
            n += 1.0;
          }
    return sum / n;
  };
  auto gap = [&](Host3 const& corrected) {
    return mean_log_ratio(corrected, bounds[2], bounds[3]) -
           mean_log_ratio(corrected, bounds[0], bounds[1]);
  };
  double const gap_alone = gap(alone.corrected), gap_both = gap(both.corrected);
  double const cv_alone = ratio_cv(sc, alone.corrected);
  double const cv_both = ratio_cv(sc, both.corrected);
  INFO("last minus first section's mean log(corrected / truth): sections alone "
       << gap_alone << ", with the global pass " << gap_both);
  INFO("CV of corrected / truth in the mask: sections alone " << cv_alone << ", with the global "
                                                              << "pass " << cv_both);
  CHECK(gap_alone > 0.5);  // the staircase is there (0.6 = two steps of 0.2 + 0.1)
  CHECK(gap_both < 0.9 * gap_alone);
  CHECK(cv_both < cv_alone);
}

TEST_CASE("n4 sections: a basis on a window of planes is those planes of the whole grid's") {
  using MS = Kokkos::HostSpace;
  bik::Shape3 const g{13, 6, 9};
  bik::n4::LatticeShape const l{7, 5, 6};
  Kokkos::View<double*, MS> coeff("coeff", l.size());
  for (std::int64_t c = 0; c < l.size(); ++c) coeff(c) = std::sin(0.37 * c) + 0.1 * c;
  Kokkos::View<double*, MS> whole("whole", g.size());
  bik::n4::evaluate_lattice(Kokkos::DefaultHostExecutionSpace(), bik::n4::make_grid_basis<MS>(g, l),
                            coeff, whole, static_cast<bik::Workspace<MS>*>(nullptr));
  for (auto const& [z0, z1] : std::vector<std::pair<std::int64_t, std::int64_t>>{
           {0, 13}, {0, 1}, {4, 9}, {12, 13}, {5, 6}}) {
    auto const basis =
        bik::n4::make_grid_basis<MS>(g, l, nullptr, "window", bik::n4::Semantics::itk, {z0, z1});
    CHECK(basis.grid.z == z1 - z0);
    Kokkos::View<double*, MS> part("part", basis.grid.size());
    bik::n4::evaluate_lattice(Kokkos::DefaultHostExecutionSpace(), basis, coeff, part,
                              static_cast<bik::Workspace<MS>*>(nullptr));
    std::int64_t differ = 0;
    for (std::int64_t i = 0; i < basis.grid.size(); ++i)
      differ += part(i) != whole(z0 * g.y * g.x + i);
    CHECK(differ == 0);  // the same weights and sums: bit for bit
  }
  CHECK_THROWS_WITH_AS(
      bik::n4::make_grid_basis<MS>(g, l, nullptr, "window", bik::n4::Semantics::itk, {10, 14}),
      doctest::Contains("planes [10, 14) are not inside a grid of 13 planes"), bik::Error);
}

TEST_CASE("n4 sections: bad input, and every space agrees with Serial") {
  bik::Shape3 const s{16, 20, 20};
  auto const bounds = bik::n4::section_bounds(s.z, 2);
  Scene const sc = phantom(s, bounds, {0.1, -0.1});
  auto o = test_options();
  o.iterations = {10, 10};
  auto coarse = o;
  coarse.shrink = 9;
  CHECK_THROWS_WITH_AS(run_sections<First>(sc, coarse, 2, true),
                       doctest::Contains("shrink factor 9 leaves fewer than 2 samples"),
                       bik::Error);
  CHECK_THROWS_WITH_AS(run_sections<First>(sc, o, 17, true),
                       doctest::Contains("between 1 and the 16 planes along Z, got 17"),
                       bik::Error);

  // Only reductions (convergence sums) and histogram atomics change order across spaces; no
  // threshold, so that no stopping decision can differ.
  o.convergence_threshold = 0.0;
  auto const serial = run_sections<First>(sc, o, 2, true);
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    auto const other = run_sections<Space>(sc, o, 2, true);
    double worst = 0.0;
    for (std::size_t i = 0; i < sc.pixels.size(); ++i)
      worst = std::max(worst, std::abs(other.log_bias.data()[i] - serial.log_bias.data()[i]));
    INFO(Space::name() << ": worst log-bias difference " << worst);
    CHECK(worst < 1e-9);
  });
}

namespace {

// linumpy's options with small meshes that differ between the two passes.
bik::n4::N4Options linumpy_test_options() {
  auto o = bik::n4::linumpy_options();
  o.shrink = 2;
  o.iterations = {6, 4};
  o.spline_distance_mm = 3.0;
  return o;
}

// bik::n4::correct on a whole scene's pixels (or on `pixels` instead), on the first space.
Outputs correct_whole(Scene const& sc, bik::n4::N4Options const& o, Host3 const& pixels) {
  Outputs out{Host3("c", sc.shape.z, sc.shape.y, sc.shape.x),
              Host3("b", sc.shape.z, sc.shape.y, sc.shape.x),
              {}};
  using MS = First::memory_space;
  auto in = Kokkos::create_mirror_view_and_copy(MS(), pixels);
  auto m = Kokkos::create_mirror_view_and_copy(MS(), sc.mask);
  Kokkos::View<double***, Kokkos::LayoutRight, MS> c("c", sc.shape.z, sc.shape.y, sc.shape.x),
      b("b", sc.shape.z, sc.shape.y, sc.shape.x);
  bik::n4::N4Images<double, std::int32_t, MS> images;
  images.input = bik::as_volume(in);
  images.mask = bik::as_volume(m);
  images.corrected = bik::as_writable_volume(c);
  images.log_bias = bik::as_writable_volume(b);
  out.report.sections.push_back(bik::n4::correct(First(), images, o));
  Kokkos::deep_copy(out.corrected, c);
  Kokkos::deep_copy(out.log_bias, b);
  return out;
}

}  // namespace

TEST_CASE("n4 sections, linumpy semantics: one section and the global pass are two passes") {
  // linumpy's script runs N4 on the volume, then N4 with the global spline distance on the
  // corrected volume, and multiplies the biases. Meshes: the first pass max(4, round(n / 3))
  // per axis (5, 7, 8 on 16 x 20 x 24 voxels of 1 mm), the second max(4, round(n / 5)) (4, 4, 5):
  // of different widths along X.
  bik::Shape3 const s{16, 20, 24};
  Scene const sc = phantom(s, {0, 16}, {0.0});
  auto const o = linumpy_test_options();
  auto const both = run_sections<First>(sc, o, 1, true, 5.0);
  auto const first = correct_whole(sc, o, sc.pixels);
  auto second_options = o;
  second_options.spline_distance_mm = 5.0;
  auto const second = correct_whole(sc, second_options, first.corrected);
  REQUIRE(both.report.has_global);
  auto const& global_level = both.report.global.levels.front();
  CHECK(both.report.sections[0].levels.front().lattice.x == 8);
  CHECK(global_level.lattice.z == 4);
  CHECK(global_level.lattice.y == 4);
  CHECK(global_level.lattice.x == 5);
  CHECK(second.report.sections[0].levels.front().lattice.x == 5);
  // The same computations in the same order: bit for bit. The log bias is the sum of the two
  // fields, each as correct writes it (in double).
  std::int64_t differ = 0;
  for (std::size_t i = 0; i < sc.pixels.size(); ++i) {
    differ += both.corrected.data()[i] != second.corrected.data()[i];
    differ += both.log_bias.data()[i] != first.log_bias.data()[i] + second.log_bias.data()[i];
  }
  CHECK(differ == 0);
  // The global pass did something: its field is not zero.
  double largest = 0.0;
  for (std::size_t i = 0; i < sc.pixels.size(); ++i)
    largest = std::max(largest, std::abs(second.log_bias.data()[i]));
  CHECK(largest > 1e-3);
}

TEST_CASE("n4 sections, linumpy semantics: the global pass on the whole volume, every space") {
  // 23 x 24 x 27 voxels, shrink 2: linumpy's working grid is every other voxel from 0,
  // ceil(n / 2) = 12 x 12 x 14 (ITK's would be 11 x 12 x 13); a global spline distance of 5 mm
  // gives round(23 / 5, 24 / 5, 27 / 5) = 5 x 5 x 5 control points from the whole volume's
  // extent (the working grid's 12 x 12 x 14 would give 4 x 4 x 4).
  bik::Shape3 const s{23, 24, 27};
  auto const bounds = bik::n4::section_bounds(s.z, 3);
  Scene const sc = phantom(s, bounds, {-0.2, 0.0, 0.2});
  auto o = linumpy_test_options();
  o.convergence_threshold = 0.0;  // no stopping decision can differ across spaces
  auto const serial = run_sections<First>(sc, o, 3, true, 5.0);
  REQUIRE(serial.report.has_global);
  auto const& global = serial.report.global;
  CHECK(global.working.z == 12);
  CHECK(global.working.y == 12);
  CHECK(global.working.x == 14);
  CHECK(global.levels.front().lattice.z == 5);
  CHECK(global.levels.front().lattice.y == 5);
  CHECK(global.levels.front().lattice.x == 5);
  // The sections' own meshes come from their own extents: 8 planes / 3 mm -> round(2.67) = 3,
  // raised to 4.
  CHECK(serial.report.sections[0].levels.front().lattice.z == 4);
  // Two divisions: corrected = (input / exp(section)) / exp(global), within a few ulp of
  // input / exp(log bias) in double.
  double worst = 0.0;
  for (std::size_t i = 0; i < sc.pixels.size(); ++i) {
    double const want = sc.pixels.data()[i] / std::exp(serial.log_bias.data()[i]);
    worst = std::max(worst, std::abs(serial.corrected.data()[i] - want) / want);
  }
  CHECK(worst < 1e-14);
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    auto const other = run_sections<Space>(sc, o, 3, true, 5.0);
    double diff = 0.0;
    for (std::size_t i = 0; i < sc.pixels.size(); ++i)
      diff = std::max(diff, std::abs(other.log_bias.data()[i] - serial.log_bias.data()[i]));
    INFO(Space::name() << ": worst log-bias difference " << diff);
    CHECK(diff < 1e-9);
  });
}

TEST_CASE("n4 sections, linumpy semantics: bad global-pass arguments") {
  bik::Shape3 const s{16, 20, 20};
  Scene const sc = phantom(s, bik::n4::section_bounds(s.z, 2), {0.1, -0.1});
  auto o = linumpy_test_options();
  CHECK_THROWS_WITH_AS(
      run_sections<First>(sc, o, 2, true, 0.0),
      doctest::Contains("the global pass's spline distance must be finite and > 0"), bik::Error);
  CHECK_THROWS_WITH_AS(
      run_sections<First>(sc, o, 2, true, std::numeric_limits<double>::infinity()),
      doctest::Contains("the global pass's spline distance must be finite and > 0"), bik::Error);
  // ceil(16 / 17) = 1 plane: refused before any section is fitted.
  o.shrink = 17;
  CHECK_THROWS_WITH_AS(
      run_sections<First>(sc, o, 2, true),
      doctest::Contains("shrink factor 17 leaves fewer than 2 samples on an axis of the volume of "
                        "shape (16, 20, 20) for the global pass"),
      bik::Error);
}

TEST_CASE("n4 sections, linumpy semantics: the two divisions by windows of planes") {
  // Planes [3, 10) of a 13 x 6 x 9 volume, a section lattice on them and a global lattice on
  // the whole volume, of different widths along X. By windows of 1, 2 or 3 planes, the output
  // is the one of a single window bit for bit (each window's fields are those planes of the
  // whole grid's), and it is (input / exp(a)) / exp(b) within a few ulp, where a, b are the
  // fields evaluated in double (evaluate_lattice); the log bias is a + b exactly.
  using MS = First::memory_space;
  using V = Kokkos::View<double***, Kokkos::LayoutRight, MS>;
  bik::Shape3 const whole{13, 6, 9}, grid{7, 6, 9};
  std::int64_t const z0 = 3;
  auto lattice = [](bik::n4::LatticeShape shape, double phase) {
    bik::n4::Lattice<MS> l{shape, Kokkos::View<double*, MS>("coeff", shape.size())};
    auto h = Kokkos::create_mirror_view(l.coeff);
    for (std::int64_t c = 0; c < shape.size(); ++c) h(c) = 0.3 * std::sin(0.37 * c + phase);
    Kokkos::deep_copy(l.coeff, h);
    return l;
  };
  auto const section = lattice({4, 5, 6}, 0.0), global = lattice({5, 4, 5}, 1.0);
  V input("input", grid.z, grid.y, grid.x);
  auto in_host = Kokkos::create_mirror_view(input);
  for (std::size_t i = 0; i < in_host.size(); ++i) in_host.data()[i] = 1.0 + 0.01 * (i % 17);
  Kokkos::deep_copy(input, in_host);
  auto divide = [&](std::int64_t window) {
    V corrected("corrected", grid.z, grid.y, grid.x), bias("bias", grid.z, grid.y, grid.x);
    bik::Workspace<MS> ws;
    bik::n4::detail::divide_twice(First(), section, global, whole, z0,
                                  Kokkos::View<double const***, Kokkos::LayoutRight, MS>(input),
                                  corrected, bias, window, &ws);
    return std::make_pair(Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), corrected),
                          Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), bias));
  };
  auto const one = divide(grid.z);
  for (std::int64_t window : {1, 2, 3}) {
    auto const by = divide(window);
    std::int64_t differ = 0;
    for (std::size_t i = 0; i < in_host.size(); ++i)
      differ +=
          by.first.data()[i] != one.first.data()[i] || by.second.data()[i] != one.second.data()[i];
    INFO("window " << window);
    CHECK(differ == 0);
  }
  auto field = [&](bik::n4::Lattice<MS> const& l, bik::Shape3 g, std::int64_t p0) {
    Kokkos::View<double*, MS> out("field", grid.size());
    bik::n4::evaluate_lattice(
        First(),
        bik::n4::make_grid_basis<MS>(g, l.shape, nullptr, "f", bik::n4::Semantics::linumpy,
                                     {p0, p0 + grid.z}),
        l.coeff, out, static_cast<bik::Workspace<MS>*>(nullptr));
    return Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  };
  auto const a = field(section, grid, 0), b = field(global, whole, z0);
  double worst = 0.0;
  std::int64_t sums = 0;
  for (std::size_t i = 0; i < in_host.size(); ++i) {
    double const want = in_host.data()[i] / std::exp(a(i)) / std::exp(b(i));
    worst = std::max(worst, std::abs(one.first.data()[i] - want) / want);
    sums += one.second.data()[i] != a(i) + b(i);
  }
  CHECK(worst < 32 * 1e-16);
  CHECK(sums == 0);
  CHECK(bik::n4::detail::division_window({40, 512, 512}) == 4);  // 2^20 voxels
  CHECK(bik::n4::detail::division_window({3, 1024, 2048}) == 1);
  CHECK(bik::n4::detail::division_window({5, 10, 10}) == 5);
}
