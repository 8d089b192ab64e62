// measure_intensity on hand-computed cases (expected values derived in the comments), under
// every enabled execution space, plus cross-space agreement and bad-input errors.
#include "bik/measure.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

double const kNaN = std::numeric_limits<double>::quiet_NaN();

using Row = std::map<std::string, double>;

// The features of the object with `label`, by short name (prefix "Intensity_" dropped).
Row row_of(bik::FeatureTable const& t, std::int64_t label) {
  Row row;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    if (t.labels()[r] != label) continue;
    for (std::size_t c = 0; c < t.columns(); ++c) {
      std::string name = t.names()[c];
      if (name.rfind("Intensity_", 0) == 0) name = name.substr(10);
      row[name] = t.column(c)[r];
    }
  }
  REQUIRE_MESSAGE(!row.empty(), "no row for label " << label);
  return row;
}

void check_close(Row const& row, std::string const& name, double expected) {
  REQUIRE_MESSAGE(row.count(name) == 1, "missing feature " << name);
  CHECK_MESSAGE(row.at(name) == doctest::Approx(expected).epsilon(1e-12), name);
}

// 3x4 scene used by several tests:
//   labels  1 1 0 2     pixels 1 2 9 4
//           1 1 0 2            3 4 9 5
//           0 0 0 2            9 9 9 6
std::vector<std::int32_t> const small_labels = {1, 1, 0, 2, 1, 1, 0, 2, 0, 0, 0, 2};
std::vector<double> const small_pixels = {1, 2, 9, 4, 3, 4, 9, 5, 9, 9, 9, 6};

}  // namespace

TEST_CASE("intensity feature names are cp_measure's keys in its order") {
  auto names = bik::intensity_feature_names(true);
  REQUIRE(names.size() == 21);
  CHECK(names.front() == "Intensity_IntegratedIntensity");
  CHECK(names[5] == "Intensity_MassDisplacement");
  CHECK(names[15] == "Location_MaxIntensity_Z");
  CHECK(names.back() == "Intensity_MaxIntensityEdge");
  CHECK(bik::intensity_feature_names(false).size() == 16);
}

TEST_CASE_TEMPLATE_DEFINE("intensity of a hand-computed 2D scene", Space, int_small) {
  auto labels = bik_test::image<Space, std::int32_t>(small_labels, 3, 4);
  auto pixels = bik_test::image<Space, double>(small_pixels, 3, 4);
  auto t = bik::measure_intensity(Space(), labels, pixels);
  REQUIRE(t.labels() == std::vector<std::int64_t>{1, 2});
  REQUIRE(t.columns() == 21);

  // Object 1: values 1,2,3,4 at (x,y) = (0,0),(1,0),(0,1),(1,1).
  Row a = row_of(t, 1);
  check_close(a, "IntegratedIntensity", 10);
  check_close(a, "MeanIntensity", 2.5);
  check_close(a, "StdIntensity", std::sqrt(1.25));  // deviations +-1.5, +-0.5
  check_close(a, "MinIntensity", 1);
  check_close(a, "MaxIntensity", 4);
  // (n-1)q positions 0.75, 1.5, 2.25 on 1,2,3,4
  check_close(a, "LowerQuartileIntensity", 1.75);
  check_close(a, "MedianIntensity", 2.5);
  check_close(a, "UpperQuartileIntensity", 3.25);
  check_close(a, "MADIntensity", 1.0);                    // |v-2.5| = .5,.5,1.5,1.5 -> median 1
  check_close(a, "Location_CenterMassIntensity_X", 0.6);  // (0*1+1*2+0*3+1*4)/10
  check_close(a, "Location_CenterMassIntensity_Y", 0.7);  // (0+0+3+4)/10
  check_close(a, "Location_CenterMassIntensity_Z", 0);
  check_close(a, "MassDisplacement", std::sqrt(0.1 * 0.1 + 0.2 * 0.2));
  check_close(a, "Location_MaxIntensity_X", 1);
  check_close(a, "Location_MaxIntensity_Y", 1);
  check_close(a, "Location_MaxIntensity_Z", 0);
  // Edge voxels: all but (0,0), whose in-bounds neighbours are all label 1: values 2,3,4.
  check_close(a, "IntegratedIntensityEdge", 9);
  check_close(a, "MeanIntensityEdge", 3);
  check_close(a, "StdIntensityEdge", std::sqrt(2.0 / 3.0));
  check_close(a, "MinIntensityEdge", 2);
  check_close(a, "MaxIntensityEdge", 4);

  // Object 2: the column x=3 with values 4,5,6 at y=0,1,2; every voxel touches background.
  Row b = row_of(t, 2);
  check_close(b, "IntegratedIntensity", 15);
  check_close(b, "StdIntensity", std::sqrt(2.0 / 3.0));
  check_close(b, "LowerQuartileIntensity", 4.5);
  check_close(b, "MedianIntensity", 5);
  check_close(b, "UpperQuartileIntensity", 5.5);
  check_close(b, "MADIntensity", 1);  // |v-5| = 1,0,1 -> sorted 0,1,1 -> 1
  check_close(b, "Location_CenterMassIntensity_X", 3);
  check_close(b, "Location_CenterMassIntensity_Y", 17.0 / 15.0);
  check_close(b, "MassDisplacement", 2.0 / 15.0);  // |17/15 - 1|
  check_close(b, "Location_MaxIntensity_Y", 2);
  check_close(b, "IntegratedIntensityEdge", 15);
}
TEST_CASE_TEMPLATE_APPLY(int_small, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("legacy quantiles use n*q and the 1/ndim MAD", Space, int_legacy) {
  auto labels = bik_test::image<Space, std::int32_t>(small_labels, 3, 4);
  auto pixels = bik_test::image<Space, double>(small_pixels, 3, 4);
  bik::IntensityOptions options;
  options.legacy = true;
  options.edges = false;
  auto t = bik::measure_intensity(Space(), labels, pixels, options);
  CHECK(t.columns() == 16);
  Row a = row_of(t, 1);  // 1,2,3,4: positions 4q = 1, 2, 3 (clamped) -> 2, 3, 4
  check_close(a, "LowerQuartileIntensity", 2);
  check_close(a, "MedianIntensity", 3);
  check_close(a, "UpperQuartileIntensity", 4);
  check_close(a, "MADIntensity", 1);     // |v-3| sorted 0,1,1,2; 2D -> q = 1/2 -> position 2 -> 1
  check_close(a, "MeanIntensity", 2.5);  // unaffected by legacy

  // The same object as a one-plane 3D volume: pixels of rank 3, so the MAD takes q = 1/3,
  // position 4/3 -> 1*(2/3) + 1*(1/3) = 1 on 0,1,1,2. Use values 1,2,3,10 to tell them apart:
  // median (legacy) = s[2] = 3, |v-3| = 2,1,0,7 -> 0,1,2,7; q=1/3 -> pos 4/3 -> 1 + 1/3.
  std::vector<double> px = small_pixels;
  px[5] = 10;  // (y=1, x=1)
  auto labels3 = bik_test::volume<Space, std::int32_t>(small_labels, 1, 3, 4);
  auto pixels3 = bik_test::volume<Space, double>(px, 1, 3, 4);
  Row c = row_of(bik::measure_intensity(Space(), labels3, pixels3, options), 1);
  check_close(c, "MADIntensity", 1.0 + 1.0 / 3.0);
  auto pixels2 = bik_test::image<Space, double>(px, 3, 4);
  Row d = row_of(bik::measure_intensity(Space(), labels, pixels2, options), 1);
  check_close(d, "MADIntensity", 2);  // q = 1/2 -> position 2 -> 2
}
TEST_CASE_TEMPLATE_APPLY(int_legacy, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("non-finite pixels are excluded; all-NaN objects are zero", Space,
                          int_nan) {
  //   labels 1 1 1 2 2 3     pixels 1 NaN 3 NaN NaN -1
  //          0 0 0 0 0 3            0 0   0 0   0    1
  auto labels = bik_test::image<Space, std::int64_t>({1, 1, 1, 2, 2, 3, 0, 0, 0, 0, 0, 3}, 2, 6);
  double const inf = std::numeric_limits<double>::infinity();
  auto pixels =
      bik_test::image<Space, double>({1, kNaN, 3, kNaN, -inf, -1, 0, 0, 0, 0, 0, 1}, 2, 6);
  auto t = bik::measure_intensity(Space(), labels, pixels);
  REQUIRE(t.labels() == std::vector<std::int64_t>{1, 2, 3});
  Row a = row_of(t, 1);
  check_close(a, "IntegratedIntensity", 4);
  check_close(a, "MeanIntensity", 2);
  check_close(a, "Location_MaxIntensity_X", 2);
  Row b = row_of(t, 2);  // no finite voxel: every feature stays 0 (numpy main)
  for (auto const& kv : b) CHECK_MESSAGE(kv.second == 0.0, kv.first);
  Row c = row_of(t, 3);  // values -1, 1: integrated 0 -> centre of mass undefined (NaN)
  check_close(c, "IntegratedIntensity", 0);
  CHECK(std::isnan(c["Location_CenterMassIntensity_X"]));
  CHECK(std::isnan(c["MassDisplacement"]));
  check_close(c, "Location_MaxIntensity_Y", 1);
}
TEST_CASE_TEMPLATE_APPLY(int_nan, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("max location ties go to the first voxel in raster order", Space,
                          int_ties) {
  auto labels = bik_test::volume<Space, std::int32_t>({0, 4, 4, 4, 4, 4, 4, 4}, 2, 2, 2);
  auto pixels = bik_test::volume<Space, double>({0, 1, 7, 2, 3, 7, 7, 1}, 2, 2, 2);
  Row a = row_of(bik::measure_intensity(Space(), labels, pixels), 4);
  check_close(a, "Location_MaxIntensity_X", 0);  // first 7 at raster index 2: z=0, y=1, x=0
  check_close(a, "Location_MaxIntensity_Y", 1);
  check_close(a, "Location_MaxIntensity_Z", 0);
}
TEST_CASE_TEMPLATE_APPLY(int_ties, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("a 2D mask over a 3D stack equals the mask repeated on every plane",
                          Space, int_broadcast) {
  // Z neighbours of a repeated mask always carry the same label, so edges agree as well.
  int const nz = 3, ny = 5, nx = 6;
  std::mt19937_64 rng(3);
  std::vector<std::int32_t> mask(ny * nx), stacked;
  for (auto& m : mask) m = static_cast<std::int32_t>(rng() % 4);
  for (int z = 0; z < nz; ++z) stacked.insert(stacked.end(), mask.begin(), mask.end());
  std::vector<double> px(nz * ny * nx);
  for (auto& p : px) p = std::uniform_real_distribution<double>(0, 1)(rng);
  auto pixels = bik_test::volume<Space, double>(px, nz, ny, nx);
  auto t2 =
      bik::measure_intensity(Space(), bik_test::image<Space, std::int32_t>(mask, ny, nx), pixels);
  auto t3 = bik::measure_intensity(
      Space(), bik_test::volume<Space, std::int32_t>(stacked, nz, ny, nx), pixels);
  REQUIRE(t2.labels() == t3.labels());
  for (std::size_t c = 0; c < t2.columns(); ++c) {
    for (std::size_t r = 0; r < t2.rows(); ++r)
      CHECK_MESSAGE(t2.column(c)[r] == t3.column(c)[r], t2.names()[c]);
  }
}
TEST_CASE_TEMPLATE_APPLY(int_broadcast, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("bad input is rejected with bik::Error naming the problem", Space,
                          int_bad) {
  auto px = bik_test::image<Space, double>(std::vector<double>(12, 1.0), 3, 4);
  auto wrong = bik_test::image<Space, std::int32_t>(std::vector<std::int32_t>(12, 1), 4, 3);
  CHECK_THROWS_WITH_AS(bik::measure_intensity(Space(), wrong, px),
                       doctest::Contains("does not match"), bik::Error);
  auto negative = bik_test::image<Space, std::int32_t>({0, 1, 1, -2, 0, 0, 0, 0, 0, 0, 0, 0}, 3, 4);
  CHECK_THROWS_WITH_AS(bik::measure_intensity(Space(), negative, px), doctest::Contains(">= 0"),
                       bik::Error);
  auto l3 = bik_test::volume<Space, std::int32_t>(std::vector<std::int32_t>(12, 1), 1, 3, 4);
  CHECK_THROWS_WITH_AS(bik::measure_intensity(Space(), l3, px), doctest::Contains("3D labels"),
                       bik::Error);
  auto empty_px = bik_test::image<Space, double>({}, 0, 4);
  auto empty_l = bik_test::image<Space, std::int32_t>({}, 0, 4);
  CHECK_THROWS_WITH_AS(bik::measure_intensity(Space(), empty_l, empty_px),
                       doctest::Contains("empty"), bik::Error);
}
TEST_CASE_TEMPLATE_APPLY(int_bad, BikTestSpaces);

TEST_CASE("all execution spaces give identical results on a random 3D scene") {
  int const nz = 7, ny = 61, nx = 53;
  std::mt19937_64 rng(5);
  std::vector<std::int64_t> lab(static_cast<std::size_t>(nz) * ny * nx);
  std::vector<double> px(lab.size());
  for (std::size_t i = 0; i < lab.size(); ++i) {
    // Blocky objects with gaps: label from a coarse grid, some cells empty.
    std::size_t const x = i % nx, y = (i / nx) % ny, z = i / (nx * ny);
    std::int64_t const cell = static_cast<std::int64_t>((z / 3) * 100 + (y / 9) * 10 + x / 11);
    lab[i] = (cell % 7 == 3) ? 0 : cell + 1;
    px[i] = (rng() % 50 == 0) ? kNaN : std::uniform_real_distribution<double>(-1, 5)(rng);
  }
  std::vector<bik::FeatureTable> tables;
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    tables.push_back(bik::measure_intensity(space, bik_test::volume<Space>(lab, nz, ny, nx),
                                            bik_test::volume<Space>(px, nz, ny, nx)));
  });
  REQUIRE(!tables.empty());
  CHECK(tables[0].rows() > 20);
  for (std::size_t s = 1; s < tables.size(); ++s) {
    REQUIRE(tables[s].labels() == tables[0].labels());
    for (std::size_t c = 0; c < tables[0].columns(); ++c)
      for (std::size_t r = 0; r < tables[0].rows(); ++r) {
        double const a = tables[0].column(c)[r], b = tables[s].column(c)[r];
        CHECK_MESSAGE((a == b || (std::isnan(a) && std::isnan(b))), tables[0].names()[c]);
      }
  }
}

TEST_CASE_TEMPLATE_DEFINE("a reused workspace gives the same results as fresh allocations", Space,
                          int_workspace) {
  std::mt19937_64 rng(9);
  bik::Workspace<typename Space::memory_space> workspace;
  // Sizes shrink then grow, so buffers are both reused and regrown.
  for (int n : {40, 17, 64}) {
    std::vector<std::int32_t> lab(static_cast<std::size_t>(n) * n);
    std::vector<double> px(lab.size());
    for (std::size_t i = 0; i < lab.size(); ++i) {
      lab[i] = static_cast<std::int32_t>((i / 7) % 5);
      px[i] = std::uniform_real_distribution<double>(0, 1)(rng);
    }
    auto labels = bik_test::image<Space, std::int32_t>(lab, n, n);
    auto pixels = bik_test::image<Space, double>(px, n, n);
    auto fresh = bik::measure_intensity(Space(), labels, pixels);
    auto reused = bik::measure_intensity(Space(), labels, pixels, {}, &workspace);
    REQUIRE(fresh.labels() == reused.labels());
    for (std::size_t c = 0; c < fresh.columns(); ++c) CHECK(fresh.column(c) == reused.column(c));
  }
}
TEST_CASE_TEMPLATE_APPLY(int_workspace, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("batches: (B,Z,Y,X) Views and ragged lists equal one call per element",
                          Space, int_batch) {
  using Mem = typename Space::memory_space;
  std::mt19937_64 rng(21);
  // Batches of 64 2D images (B,1,Y,X) and of 5 volumes (B,4,Y,X): each element's table equals
  // the single call on the same data. Labels repeat across images (the same label is another
  // object in each image); in the volumes, edge flags must not see the neighbouring image.
  for (int const nz : {1, 4}) {
    int const nb = nz == 1 ? 64 : 5, ny = 9, nx = 11;
    Kokkos::View<std::int32_t****, Kokkos::LayoutRight, Kokkos::HostSpace> lh("lh", nb, nz, ny, nx);
    Kokkos::View<double****, Kokkos::LayoutRight, Kokkos::HostSpace> ph("ph", nb, nz, ny, nx);
    for (std::size_t i = 0; i < lh.size(); ++i) {
      lh.data()[i] = static_cast<std::int32_t>(rng() % 5 == 0 ? 0 : (i / 13) % 6);
      ph.data()[i] = std::uniform_real_distribution<double>(0, 1)(rng);
    }
    lh(nb - 1, 0, 0, 0) = 40;  // a label only one image has
    auto l4 = Kokkos::create_mirror_view_and_copy(Mem(), lh);
    auto p4 = Kokkos::create_mirror_view_and_copy(Mem(), ph);
    // A LayoutLeft copy: its images are not at equal steps, so it is measured element-wise.
    Kokkos::View<std::int32_t****, Kokkos::LayoutLeft, Mem> l4_left("l", nb, nz, ny, nx);
    Kokkos::View<double****, Kokkos::LayoutLeft, Mem> p4_left("p", nb, nz, ny, nx);
    Kokkos::deep_copy(l4_left, l4);
    Kokkos::deep_copy(p4_left, p4);
    for (bool const legacy_mode : {false, true}) {
      bik::IntensityOptions options;
      options.legacy = legacy_mode;  // makes the 2D (q = 1/2) versus 3D (q = 1/3) MAD visible
      auto tables = bik::measure_intensity_batch(Space(), l4, p4, options);
      auto tables_left = bik::measure_intensity_batch(Space(), l4_left, p4_left, options);
      REQUIRE(tables.size() == static_cast<std::size_t>(nb));
      REQUIRE(tables_left.size() == static_cast<std::size_t>(nb));
      for (int b = 0; b < nb; ++b) {
        auto l = Kokkos::subview(l4, b, Kokkos::ALL, Kokkos::ALL, Kokkos::ALL);
        auto p = Kokkos::subview(p4, b, Kokkos::ALL, Kokkos::ALL, Kokkos::ALL);
        auto one = nz == 1 ? bik::measure_intensity(
                                 Space(), Kokkos::subview(l, 0, Kokkos::ALL, Kokkos::ALL),
                                 Kokkos::subview(p, 0, Kokkos::ALL, Kokkos::ALL), options)
                           : bik::measure_intensity(Space(), l, p, options);
        REQUIRE(one.labels() == tables[b].labels());
        REQUIRE(one.labels() == tables_left[b].labels());
        for (std::size_t c = 0; c < one.columns(); ++c) {
          CHECK_MESSAGE(one.column(c) == tables[b].column(c), one.names()[c] << " image " << b);
          CHECK(one.column(c) == tables_left[b].column(c));
        }
      }
      CHECK(tables[nb - 1].labels().back() == 40);
      CHECK(tables[0].labels().back() != 40);
    }
  }

  // A ragged list: a 2D image and a 3D volume of other shapes.
  using L3 = Kokkos::View<std::int32_t***, Kokkos::LayoutRight, Mem>;
  using P3 = Kokkos::View<double***, Kokkos::LayoutRight, Mem>;
  std::vector<L3> labels = {
      bik_test::volume<Space, std::int32_t>(small_labels, 1, 3, 4),
      bik_test::volume<Space, std::int32_t>({1, 1, 0, 2, 2, 2, 0, 3}, 2, 2, 2)};
  std::vector<P3> pixels = {bik_test::volume<Space, double>(small_pixels, 1, 3, 4),
                            bik_test::volume<Space, double>({1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2)};
  auto ragged = bik::measure_intensity_batch(Space(), labels, pixels);
  REQUIRE(ragged.size() == 2);
  CHECK(ragged[0].labels() == std::vector<std::int64_t>{1, 2});
  CHECK(ragged[0].column("Intensity_IntegratedIntensity") == std::vector<double>{10, 15});
  CHECK(ragged[1].column("Intensity_IntegratedIntensity") == std::vector<double>{3, 15, 8});

  pixels.pop_back();
  CHECK_THROWS_WITH_AS(bik::measure_intensity_batch(Space(), labels, pixels),
                       doctest::Contains("batch size mismatch"), bik::Error);
}
TEST_CASE_TEMPLATE_APPLY(int_batch, BikTestSpaces);
