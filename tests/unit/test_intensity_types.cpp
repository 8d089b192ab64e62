// measure_intensity on every instantiated element type and on Views of other layouts: the
// features depend only on the values (each pixel is widened to double exactly), never on the
// storage type or layout, so each case must equal the same scene as int32 labels, double
// pixels in a LayoutRight View (the case checked against cp_measure by tests/parity).
#include "bik/measure.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

void check_same(bik::FeatureTable const& want, bik::FeatureTable const& got,
                std::string const& what) {
  REQUIRE_MESSAGE(want.labels() == got.labels(), what);
  for (std::size_t c = 0; c < want.columns(); ++c)
    for (std::size_t r = 0; r < want.rows(); ++r)
      CHECK_MESSAGE(same(want.column(c)[r], got.column(c)[r]), what << ": " << want.names()[c]);
}

int const ny = 23, nx = 29;

// Labels up to 200 and pixel values 0..250: representable in every type tested.
std::vector<std::int64_t> scene_labels() {
  std::vector<std::int64_t> v(ny * nx);
  for (int i = 0; i < ny * nx; ++i)
    v[i] = ((i % nx) / 6 + 5 * ((i / nx) / 5)) % 7 == 0
               ? 0
               : 40 * (((i % nx) / 6 + ((i / nx) / 5)) % 5) + 3;
  return v;
}
std::vector<double> scene_pixels() {
  std::mt19937_64 rng(17);
  std::vector<double> v(ny * nx);
  for (auto& x : v) x = static_cast<double>(rng() % 251);
  return v;
}

template <class T, class From>
std::vector<T> cast(std::vector<From> const& v) {
  return std::vector<T>(v.begin(), v.end());
}

}  // namespace

TEST_CASE_TEMPLATE_DEFINE("every element type and layout gives the same features", Space, types) {
  using Mem = typename Space::memory_space;
  auto const labels = scene_labels();
  auto const pixels = scene_pixels();
  bik::FeatureTable const want =
      bik::measure_intensity(Space(), bik_test::image<Space>(cast<std::int32_t>(labels), ny, nx),
                             bik_test::image<Space>(pixels, ny, nx));
  REQUIRE(want.rows() > 3);

  auto const with_labels = [&](auto label_tag, std::string const& name) {
    using L = decltype(label_tag);
    auto l = bik_test::image<Space>(cast<L>(labels), ny, nx);
    check_same(want,
               bik::measure_intensity(Space(), l,
                                      bik_test::image<Space>(cast<std::uint8_t>(pixels), ny, nx)),
               name + " uint8");
    check_same(want,
               bik::measure_intensity(Space(), l,
                                      bik_test::image<Space>(cast<std::uint16_t>(pixels), ny, nx)),
               name + " uint16");
    check_same(
        want,
        bik::measure_intensity(Space(), l, bik_test::image<Space>(cast<float>(pixels), ny, nx)),
        name + " float");
    check_same(want, bik::measure_intensity(Space(), l, bik_test::image<Space>(pixels, ny, nx)),
               name + " double");
  };
  with_labels(std::int32_t(), "int32");
  with_labels(std::int64_t(), "int64");
  with_labels(std::uint16_t(), "uint16");
  with_labels(std::uint32_t(), "uint32");
  with_labels(std::uint8_t(), "uint8 (not instantiated in libbik: compiled here)");

  // LayoutLeft copies.
  Kokkos::View<std::int32_t**, Kokkos::LayoutLeft, Mem> left_labels("l", ny, nx);
  Kokkos::View<double**, Kokkos::LayoutLeft, Mem> left_pixels("p", ny, nx);
  Kokkos::deep_copy(left_labels, bik_test::image<Space>(cast<std::int32_t>(labels), ny, nx));
  Kokkos::deep_copy(left_pixels, bik_test::image<Space>(pixels, ny, nx));
  check_same(want, bik::measure_intensity(Space(), left_labels, left_pixels), "LayoutLeft");

  // Strided subviews: the scene in the even columns and rows of images twice as large.
  std::vector<std::int32_t> wide_labels(4 * ny * nx, 99);
  std::vector<double> wide_pixels(4 * ny * nx, -1.0);
  for (int y = 0; y < ny; ++y)
    for (int x = 0; x < nx; ++x) {
      wide_labels[(2 * y) * (2 * nx) + 2 * x] = static_cast<std::int32_t>(labels[y * nx + x]);
      wide_pixels[(2 * y) * (2 * nx) + 2 * x] = pixels[y * nx + x];
    }
  auto const wl = bik_test::image<Space>(wide_labels, 2 * ny, 2 * nx);
  auto const wp = bik_test::image<Space>(wide_pixels, 2 * ny, 2 * nx);
  Kokkos::View<std::int32_t const**, Kokkos::LayoutStride, Mem> sl(
      wl.data(), Kokkos::LayoutStride(ny, 4 * nx, nx, 2));
  Kokkos::View<double const**, Kokkos::LayoutStride, Mem> sp(
      wp.data(), Kokkos::LayoutStride(ny, 4 * nx, nx, 2));
  check_same(want, bik::measure_intensity(Space(), sl, sp), "strided");
}
TEST_CASE_TEMPLATE_APPLY(types, BikTestSpaces);
