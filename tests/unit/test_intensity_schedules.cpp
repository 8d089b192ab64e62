// The two shapes of the per-object kernel (a thread per object, a team per object) give the
// same features for every team size the space allows, and measure_intensity_into leaves the
// same values in caller-owned Views of any layout. The thread shape is itself checked against
// hand-computed values (test_intensity.cpp) and cp_measure (tests/parity), so equality here
// carries those checks over to the team shape.
#include "bik/measure.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using Shape = bik::ObjectSchedule::Shape;

// Equal values (the two zeros are equal: order statistics do not tell them apart), or both NaN.
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

void check_same_tables(bik::FeatureTable const& want, bik::FeatureTable const& got,
                       std::string const& what) {
  REQUIRE(want.labels() == got.labels());
  REQUIRE(want.names() == got.names());
  for (std::size_t c = 0; c < want.columns(); ++c)
    for (std::size_t r = 0; r < want.rows(); ++r)
      CHECK_MESSAGE(same(want.column(c)[r], got.column(c)[r]),
                    what << ": " << want.names()[c] << " of label " << want.labels()[r] << ": "
                         << want.column(c)[r] << " vs " << got.column(c)[r]);
}

// A scene with objects from 1 voxel to several thousand (many pairwise leaves), label gaps,
// an object whose only voxel is NaN, integer-valued pixels (ties) or continuous ones, and
// ±inf and NaN scattered in.
struct Scene {
  int nz, ny, nx;
  std::vector<std::int32_t> labels;
  std::vector<double> pixels;
};

Scene make_scene(int nz, int ny, int nx, bool integer_values, std::uint64_t seed) {
  Scene s{nz, ny, nx, {}, {}};
  std::mt19937_64 rng(seed);
  std::size_t const n = static_cast<std::size_t>(nz) * ny * nx;
  s.labels.resize(n);
  s.pixels.resize(n);
  double const nan = std::numeric_limits<double>::quiet_NaN();
  double const inf = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < n; ++i) {
    int const x = static_cast<int>(i % nx), y = static_cast<int>((i / nx) % ny);
    // A large band (label 1), blocks of a few dozen voxels, single voxels, background.
    std::int32_t label = 0;
    if (y < ny / 2)
      label = 1;
    else if ((x / 5 + y / 3) % 4 != 0)
      label = static_cast<std::int32_t>(10 + (x / 5) * 7 + y / 3);
    if (x == nx - 1 && y % 2 == 0) label = static_cast<std::int32_t>(1000 + y);  // 1-voxel objects
    s.labels[i] = label;
    s.pixels[i] = integer_values ? static_cast<double>(rng() % 7)
                                 : std::uniform_real_distribution<double>(-3, 9)(rng);
    std::uint64_t const r = rng() % 97;
    if (r == 0) s.pixels[i] = nan;
    if (r == 1) s.pixels[i] = -inf;
    if (r == 2 && !integer_values) s.pixels[i] = -0.0;
  }
  s.labels[0] = 5000;  // an object whose only voxel is NaN: all features 0
  s.pixels[0] = nan;
  return s;
}

template <class Space>
bik::FeatureTable measure(Scene const& s, bik::IntensityOptions const& options) {
  auto labels = bik_test::volume<Space, std::int32_t>(s.labels, s.nz, s.ny, s.nx);
  auto pixels = bik_test::volume<Space, double>(s.pixels, s.nz, s.ny, s.nx);
  if (s.nz == 1)
    return bik::measure_intensity(Space(), Kokkos::subview(labels, 0, Kokkos::ALL, Kokkos::ALL),
                                  Kokkos::subview(pixels, 0, Kokkos::ALL, Kokkos::ALL), options);
  return bik::measure_intensity(Space(), labels, pixels, options);
}

}  // namespace

TEST_CASE_TEMPLATE_DEFINE(
    "a team per object gives the thread-per-object features for any team size", Space, sched_team) {
  int const threads = bik::kx::concurrency(Space());
  for (bool const integer_values : {false, true}) {
    for (int const nz : {1, 3}) {
      Scene const s = make_scene(nz, 40, 61, integer_values, 11 + nz);
      for (bool const edges : {true, false}) {
        for (bool const legacy : {false, true}) {
          bik::IntensityOptions options;
          options.edges = edges;
          options.legacy = legacy;
          options.schedule.shape = Shape::thread_per_object;
          bik::FeatureTable const want = measure<Space>(s, options);
          REQUIRE(want.rows() > 40);
          options.schedule.shape = Shape::team_per_object;
          for (int team = 0; team <= 4; ++team) {  // 0: Kokkos chooses
            if (team > threads) break;
            options.schedule.team_size = team;
            check_same_tables(want, measure<Space>(s, options),
                              "team " + std::to_string(team) + (edges ? " edges" : "") +
                                  (legacy ? " legacy" : "") + " nz " + std::to_string(nz));
          }
        }
      }
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(sched_team, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("measure_intensity_into fills caller-owned Views of any layout", Space,
                          sched_into) {
  using Mem = typename Space::memory_space;
  Scene const s = make_scene(1, 30, 37, false, 3);
  bik::IntensityOptions options;
  bik::FeatureTable const want = measure<Space>(s, options);
  std::int64_t const objects = static_cast<std::int64_t>(want.rows());
  auto labels = bik_test::image<Space, std::int32_t>(s.labels, s.ny, s.nx);
  auto pixels = bik_test::image<Space, double>(s.pixels, s.ny, s.nx);

  auto check = [&](auto features, auto object_labels) {
    std::int64_t const got =
        bik::measure_intensity_into(Space(), labels, pixels, features, object_labels, options);
    REQUIRE(got == objects);
    auto f = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), features);
    auto l = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), object_labels);
    for (std::int64_t k = 0; k < objects; ++k) {
      CHECK(l(k) == want.labels()[static_cast<std::size_t>(k)]);
      for (std::size_t c = 0; c < want.columns(); ++c)
        CHECK_MESSAGE(same(f(k, c), want.column(c)[static_cast<std::size_t>(k)]), want.names()[c]);
    }
  };
  // Exactly sized, LayoutLeft; more rows than objects, LayoutRight.
  check(Kokkos::View<double**, Kokkos::LayoutLeft, Mem>("f", objects, want.columns()),
        Kokkos::View<std::int64_t*, Mem>("l", objects));
  check(Kokkos::View<double**, Kokkos::LayoutRight, Mem>("f", objects + 5, want.columns()),
        Kokkos::View<std::int64_t*, Mem>("l", objects + 5));

  Kokkos::View<double**, Mem> too_few("f", objects - 1, want.columns());
  Kokkos::View<std::int64_t*, Mem> enough("l", objects);
  CHECK_THROWS_WITH_AS(
      bik::measure_intensity_into(Space(), labels, pixels, too_few, enough, options),
      doctest::Contains("objects are present"), bik::Error);
  Kokkos::View<double**, Mem> narrow("f", objects, 16);
  CHECK_THROWS_WITH_AS(
      bik::measure_intensity_into(Space(), labels, pixels, narrow, enough, options),
      doctest::Contains("needs 21 columns"), bik::Error);
}
TEST_CASE_TEMPLATE_APPLY(sched_into, BikTestSpaces);
