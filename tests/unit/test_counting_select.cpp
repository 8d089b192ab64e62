// Counted order statistics (bik/core/counting_select.hpp) against a full sort, and the intensity
// features of integer pixels with few distinct values (which the thread shape counts) against
// the same pixels as double (which it partitions; checked against cp_measure by tests/parity).
#include "bik/core/counting_select.hpp"
#include "bik/measure.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace {

// Host accessors callable from KOKKOS_INLINE_FUNCTION templates (see test_numerics.cpp).
struct Counts {
  std::int32_t* p;
  KOKKOS_INLINE_FUNCTION std::int32_t& operator()(std::int64_t i) const { return p[i]; }
};
struct Values {
  double const* p;
  KOKKOS_INLINE_FUNCTION double operator()(std::int64_t i) const { return p[i]; }
};

// Every rank 0..n-1 once, ascending.
std::vector<std::int64_t> all_ranks(std::int64_t n) {
  std::vector<std::int64_t> r(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) r[static_cast<std::size_t>(i)] = i;
  return r;
}

}  // namespace

TEST_CASE("counted ranks and distance ranks equal those of a full sort") {
  std::mt19937_64 rng(5);
  for (std::int64_t n : {1, 2, 3, 8, 31, 200}) {
    for (std::uint64_t spread : {1u, 2u, 5u, 40u}) {
      std::vector<double> v(static_cast<std::size_t>(n));
      for (auto& x : v) x = 1000.0 + static_cast<double>(rng() % spread);
      double const low = *std::min_element(v.begin(), v.end());
      double const high = *std::max_element(v.begin(), v.end());
      std::int64_t const bins = static_cast<std::int64_t>(high - low) + 1;
      std::vector<std::int32_t> counts(static_cast<std::size_t>(bins), 7);  // stale contents
      bik::count_values(Counts{counts.data()}, bins, Values{v.data()}, n, low);
      std::vector<double> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      auto const ranks = all_ranks(n);
      std::vector<double> got(static_cast<std::size_t>(n));
      bik::counted_ranks(Counts{counts.data()}, bins, low, ranks.data(), static_cast<int>(n),
                         got.data());
      CHECK(got == sorted);
      // Centres on a value, between two values and at both ends of the range.
      for (double centre :
           {low, high, sorted[static_cast<std::size_t>(n / 2)], 0.5 * (low + high), low + 0.25}) {
        if (centre > high) continue;
        std::vector<double> distances(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) distances[i] = std::abs(v[i] - centre);
        std::sort(distances.begin(), distances.end());
        bik::counted_distance_ranks(Counts{counts.data()}, bins, low, centre, ranks.data(),
                                    static_cast<int>(n), got.data());
        CHECK_MESSAGE(got == distances,
                      "n " << n << ", spread " << spread << ", centre " << centre);
      }
    }
  }
}

namespace {

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

void check_same(bik::FeatureTable const& want, bik::FeatureTable const& got,
                std::string const& what) {
  REQUIRE_MESSAGE(want.labels() == got.labels(), what);
  REQUIRE(want.columns() == got.columns());
  for (std::size_t c = 0; c < want.columns(); ++c)
    for (std::size_t r = 0; r < want.rows(); ++r)
      CHECK_MESSAGE(same(want.column(c)[r], got.column(c)[r]), what << ": " << want.names()[c]);
}

template <class T, class From>
std::vector<T> cast(std::vector<From> const& v) {
  return std::vector<T>(v.begin(), v.end());
}

}  // namespace

TEST_CASE_TEMPLATE_DEFINE("integer pixels with few distinct values: counted = partitioned", Space,
                          counted) {
  // A 3-plane volume of 9 x 14 blocks (126 voxels each, objects of 1 voxel up to whole
  // blocks), pixel values 200..208 (fewer values than voxels: counted) or, in some objects,
  // 0..250 (more: partitioned even for integers).
  int const nz = 3, ny = 27, nx = 28;
  std::mt19937_64 rng(23);
  std::vector<std::int64_t> labels(nz * ny * nx);
  std::vector<double> pixels(labels.size());
  for (int z = 0; z < nz; ++z)
    for (int y = 0; y < ny; ++y)
      for (int x = 0; x < nx; ++x) {
        std::size_t const i = static_cast<std::size_t>((z * ny + y) * nx + x);
        int const block = (y / 9) * 2 + x / 14;
        labels[i] = (block == 5 && (y % 9 != 4 || x % 14 != 6)) ? 0 : block + 1;
        pixels[i] =
            block == 2 ? static_cast<double>(rng() % 251) : 200.0 + static_cast<double>(rng() % 9);
      }
  for (bool legacy : {false, true}) {
    bik::IntensityOptions options;
    options.legacy = legacy;
    std::string const mode = legacy ? "legacy" : "standard";
    // The same checks on the 3D volume and on its first plane as a 2D image.
    auto const check_all = [&](auto const& make, std::string const& what) {
      auto const l = make(cast<std::int32_t>(labels));
      bik::FeatureTable const want = bik::measure_intensity(Space(), l, make(pixels), options);
      REQUIRE(want.rows() == 6);
      check_same(want,
                 bik::measure_intensity(Space(), l, make(cast<std::uint16_t>(pixels)), options),
                 what + " uint16");
      check_same(want,
                 bik::measure_intensity(Space(), l, make(cast<std::uint8_t>(pixels)), options),
                 what + " uint8");
      bik::IntensityOptions teams = options;
      teams.schedule.shape = bik::ObjectSchedule::Shape::team_per_object;
      check_same(want, bik::measure_intensity(Space(), l, make(cast<std::uint16_t>(pixels)), teams),
                 what + " uint16, team shape");
    };
    check_all([&](auto const& v) { return bik_test::volume<Space>(v, nz, ny, nx); }, mode + " 3D");
    check_all(
        [&](auto const& v) {
          using T = typename std::decay_t<decltype(v)>::value_type;
          return bik_test::image<Space>(std::vector<T>(v.begin(), v.begin() + ny * nx), ny, nx);
        },
        mode + " 2D");
  }
}
TEST_CASE_TEMPLATE_APPLY(counted, BikTestSpaces);
