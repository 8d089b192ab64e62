// bik::n4::correct (spec n4.md §2): bad input, the level/iteration structure, a constant image,
// recovery of a known bias on a two-class phantom, the convergence value's definition, float32
// vs float64, and agreement across execution spaces.
#include "n4_scene.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using Scene = bik_test::N4Scene;

// The known log bias: a tilt plus a product of cosines.
Scene phantom(bik::Shape3 s, int rank) {
  return bik_test::n4_phantom(s, rank, [](double nz, double ny, double nx) {
    return 0.3 * (nz + 0.5 * ny - 0.5 * nx) + 0.15 * std::cos(3.0 * ny) * std::cos(2.0 * nx);
  });
}

template <class Space, class T = double>
bik_test::N4Run run(Scene const& sc, bik::n4::N4Options const& options, bool use_mask = true) {
  return bik_test::run_n4<Space, T>(sc, options, use_mask);
}

double pearson_in_mask(std::vector<double> const& a, std::vector<double> const& b,
                       std::vector<std::int32_t> const& mask) {
  double n = 0, sa = 0, sb = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (mask[i]) ++n, sa += a[i], sb += b[i];
  double const ma = sa / n, mb = sb / n;
  double cab = 0, caa = 0, cbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (mask[i]) {
      cab += (a[i] - ma) * (b[i] - mb);
      caa += (a[i] - ma) * (a[i] - ma);
      cbb += (b[i] - mb) * (b[i] - mb);
    }
  return cab / std::sqrt(caa * cbb);
}

template <class Space>
void expect_error(Scene sc, bik::n4::N4Options const& o, std::string const& fragment) {
  bool thrown = false;
  try {
    run<Space>(sc, o);
  } catch (bik::Error const& e) {
    thrown = true;
    CHECK_MESSAGE(std::string(e.what()).find(fragment) != std::string::npos, e.what());
  }
  CHECK_MESSAGE(thrown, "no bik::Error for: " << fragment);
}

}  // namespace

TEST_CASE("n4 correct: bad input gets a clear bik::Error") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    Scene const good = phantom({6, 12, 10}, 3);
    bik::n4::N4Options o;
    o.iterations = {2};
    Scene sc = good;
    sc.pixels[(3 * 12 + 6) * 10 + 5] = 0.0;  // inside the mask
    expect_error<Space>(sc, o, "values <= 0 inside the mask");
    sc = good;
    sc.pixels[0] = std::numeric_limits<double>::quiet_NaN();
    expect_error<Space>(sc, o, "NaN");
    sc = good;
    for (auto& m : sc.mask) m = 0;
    expect_error<Space>(sc, o, "selects no voxel");
    sc = good;
    for (auto& m : sc.mask) m = m ? 2 : 0;  // label 2 only, label 1 asked for
    expect_error<Space>(sc, o, "selects no voxel");
    bik::n4::N4Options big = o;
    big.shrink = 4;  // 6 / 4 = 1 plane
    expect_error<Space>(good, big, "shrink factor 4");
    bik::n4::N4Options few = o;
    few.control_points[2] = 3;
    expect_error<Space>(good, few, "at least 4 control points");
    bik::n4::N4Options none = o;
    none.iterations.clear();
    expect_error<Space>(good, none, "at least one level");

    // A mask of another shape.
    using MS = typename Space::memory_space;
    auto input = bik_test::volume<Space, double>(good.pixels, 6, 12, 10);
    auto mask =
        bik_test::volume<Space, std::int32_t>(std::vector<std::int32_t>(6 * 12 * 9, 1), 6, 12, 9);
    Kokkos::View<double***, Kokkos::LayoutRight, MS> out("out", 6, 12, 10);
    bik::n4::N4Images<double, std::int32_t, MS> images;
    images.input = bik::as_volume(input);
    images.mask = bik::as_volume(mask);
    images.corrected = bik::n4::as_writable_volume(out);
    CHECK_THROWS_WITH_AS(bik::n4::correct(Space(), images, o),
                         doctest::Contains("mask shape (6, 12, 9) does not match"), bik::Error);

    // Non-positive values outside the mask are allowed (they are neither logged nor fitted).
    sc = good;
    sc.pixels[0] = 0.0;
    REQUIRE(sc.mask[0] == 0);
    CHECK_NOTHROW(run<Space>(sc, o));
  });
}

TEST_CASE("n4 correct: levels, iteration counts and lattice sizes follow ITK") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    Scene const sc = phantom({8, 16, 12}, 3);
    bik::n4::N4Options o;
    o.iterations = {3, 2, 4, 1};
    o.convergence_threshold = 0.0;  // never met: every level runs all its iterations
    auto const r = run<Space>(sc, o).report;
    REQUIRE(r.levels.size() == 4);
    int const want_iterations[4] = {3, 2, 4, 1};
    int const want_controls[4] = {4, 5, 7, 11};  // (n - 3) * 2^L + 3
    for (int L = 0; L < 4; ++L) {
      CHECK(r.levels[L].iterations == want_iterations[L]);
      CHECK(r.levels[L].lattice.x == want_controls[L]);
      CHECK(r.levels[L].lattice.z == want_controls[L]);
    }
    // A threshold always met still runs one iteration per level.
    o.convergence_threshold = 1e9;
    auto const once = run<Space>(sc, o).report;
    for (auto const& level : once.levels) CHECK(level.iterations == 1);
    // Shrinking by 2 halves the working grid; 2D has one control point along Z.
    o.shrink = 2;
    CHECK(run<Space>(sc, o).report.working.str() == "(4, 8, 6)");
    auto const flat = run<Space>(phantom({1, 20, 30}, 2), o).report;
    CHECK(flat.levels[0].lattice.z == 1);
    CHECK(flat.working.str() == "(1, 10, 15)");
  });
}

TEST_CASE("n4 correct: a constant image is left unchanged") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    Scene sc = phantom({5, 9, 11}, 3);
    for (auto& v : sc.pixels) v = 2.5;
    bik::n4::N4Options o;
    o.iterations = {3, 3};
    auto const r = run<Space>(sc, o);
    for (std::size_t i = 0; i < sc.pixels.size(); ++i) {
      CHECK(r.corrected[i] == 2.5);
      CHECK(r.log_bias[i] == 0.0);
    }
  });
}

TEST_CASE("n4 correct: recovers a known smooth bias on a two-class phantom") {
  // The bias is identifiable up to a constant factor, hence a correlation of log fields.
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    for (auto const& sc : {phantom({24, 32, 40}, 3), phantom({1, 64, 80}, 2)}) {
      bik::n4::N4Options o;
      o.iterations = {20, 20, 20};
      auto const r = run<Space>(sc, o);
      double const rho = pearson_in_mask(r.log_bias, sc.log_bias, sc.mask);
      INFO("log-bias correlation " << rho);
      CHECK(rho > 0.95);
    }
  });
}

namespace {

// ITK's convergence value (CalculateConvergenceMeasurement): over the mask's voxels, the sample
// standard deviation (N - 1) over the mean of exp(old log bias - new log bias).
double itk_convergence(std::vector<double> const& old_field, std::vector<double> const& new_field,
                       std::vector<std::int32_t> const& mask) {
  std::vector<double> ratio;
  for (std::size_t i = 0; i < old_field.size(); ++i)
    if (mask[i]) ratio.push_back(std::exp(old_field[i] - new_field[i]));
  double mean = 0.0;
  for (double r : ratio) mean += r;
  mean /= static_cast<double>(ratio.size());
  double ss = 0.0;
  for (double r : ratio) ss += (r - mean) * (r - mean);
  return std::sqrt(ss / static_cast<double>(ratio.size() - 1)) / mean;
}

}  // namespace

TEST_CASE("n4 correct: the convergence value is ITK's, from the fields before and after") {
  // Without shrinking, the returned log bias after k iterations is the field the k-th
  // iteration produced; each run's values must be the definition applied to those fields.
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    Scene const sc = phantom({8, 16, 12}, 3);
    bik::n4::N4Options o;
    o.convergence_threshold = 0.0;
    std::vector<double> previous(sc.pixels.size(), 0.0);  // the initial field is zero
    for (int k = 1; k <= 3; ++k) {
      o.iterations = {k};
      auto const r = run<Space>(sc, o);
      REQUIRE(r.values[0].size() == std::size_t(k));
      double const want = itk_convergence(previous, r.log_bias, sc.mask);
      CHECK(r.values[0][k - 1] == doctest::Approx(want).epsilon(1e-9));
      if (k == 1) {
        // The tolerance tells the definition from near misses: all voxels (5% off), or the
        // inverse ratio exp(new - old) (only second order: 4e-4 off here).
        std::vector<std::int32_t> const all(sc.mask.size(), 1);
        CHECK(itk_convergence(previous, r.log_bias, all) > 1.05 * want);
        CHECK(std::abs(itk_convergence(r.log_bias, previous, sc.mask) / want - 1.0) > 1e-4);
      }
      previous = r.log_bias;
    }
    // The first iteration of a level compares with the previous level's last field.
    o.iterations = {3, 1};
    auto const r = run<Space>(sc, o);
    REQUIRE(r.values.size() == 2);
    CHECK(r.values[1][0] ==
          doctest::Approx(itk_convergence(previous, r.log_bias, sc.mask)).epsilon(1e-9));
  });
}

TEST_CASE("n4 correct: confidence weights select and weight the fit's voxels (ITK semantics)") {
  // Spec §2.2/§2.5: a voxel is included where the mask allows and its confidence is > 0, and
  // its confidence g weights the fit, sum g w^3 r / S over sum g w^2 per control point; the
  // histogram and the convergence value are unweighted. Hence, exactly:
  // - confidence 1 inside the mask and 0 outside, without the mask, is the mask run;
  // - a constant confidence of 0.25 (a power of two: every product scales exactly, and the
  //   ratio does not change) is the run without confidence;
  // and a confidence that varies over the mask changes the fit (it is not ignored), while the
  // known bias is still recovered.
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    auto const sc = phantom({12, 20, 16}, 3);
    bik::n4::N4Options o;
    o.iterations = {6, 6};
    o.convergence_threshold = 0.0;
    auto const masked = bik_test::run_n4<Space>(sc, o);
    std::vector<double> zero_one(sc.mask.begin(), sc.mask.end());
    auto const by_confidence = bik_test::run_n4<Space>(sc, o, false, zero_one);
    CHECK(by_confidence.report.included == masked.report.included);
    CHECK(by_confidence.corrected == masked.corrected);
    CHECK(by_confidence.log_bias == masked.log_bias);
    auto const quarter =
        bik_test::run_n4<Space>(sc, o, true, std::vector<double>(sc.pixels.size(), 0.25));
    CHECK(quarter.corrected == masked.corrected);
    CHECK(quarter.log_bias == masked.log_bias);
    std::vector<double> varying(sc.pixels.size());
    for (std::size_t i = 0; i < varying.size(); ++i) varying[i] = 0.2 + 0.8 * double(i % 7) / 6.0;
    auto const weighted = bik_test::run_n4<Space>(sc, o, true, varying);
    double largest = 0.0;
    for (std::size_t i = 0; i < sc.pixels.size(); ++i)
      largest = std::max(largest, std::abs(weighted.log_bias[i] - masked.log_bias[i]));
    CHECK(largest > 1e-6);
    CHECK(pearson_in_mask(weighted.log_bias, sc.log_bias, sc.mask) > 0.95);
  });
}

TEST_CASE("n4 correct: float32 input, and every space agrees with Serial") {
  bik::n4::N4Options o;
  o.iterations = {5, 5, 5};
  o.convergence_threshold = 0.0;  // fixed iteration counts: no threshold crossing can differ
  o.shrink = 2;
  bik_test::check_n4_spaces_agree(phantom({10, 20, 16}, 3), o);
}

TEST_CASE("n4 shrink: ITK ShrinkImageFilter's sample placement") {
  // Input indices kept by SimpleITK 2.5.7's sitk.Shrink (run on arange(n) rows).
  struct Case {
    std::int64_t n, factor;
    std::vector<std::int64_t> kept;
  };
  for (auto const& c : std::vector<Case>{{10, 4, {3, 7}},
                                         {9, 2, {1, 3, 5, 7}},
                                         {10, 3, {2, 5, 8}},
                                         {12, 4, {2, 6, 10}},
                                         {13, 4, {2, 6, 10}},
                                         {7, 2, {1, 3, 5}},
                                         {5, 1, {0, 1, 2, 3, 4}}}) {
    auto const a = bik::n4::shrink_axis(c.n, c.factor);
    REQUIRE(a.size == std::int64_t(c.kept.size()));
    for (std::int64_t i = 0; i < a.size; ++i) CHECK(i * a.factor + a.offset == c.kept[i]);
  }
}
