// A ragged list (elements of different shapes) is measured as one padded batch; each element's
// table must equal the single call on that element, bit for bit. The elements are chosen so
// that the padding matters: objects touch the right, bottom and last-plane borders (where the
// padded neighbours must not make edge voxels), some pixels are NaN (left out, like the NaN
// padding), and labels repeat between elements (other objects in each).
#include "bik/measure.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace {

// Bit-for-bit equality of two columns (NaN included, which == would reject).
bool same_bits(std::vector<double> const& a, std::vector<double> const& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

struct Element {
  int nz, ny, nx;
};

// Labels: blocks of 3 x 4 voxels with labels 1..6 (0 in every fifth block), so objects reach
// every border; pixels: uniform values with every 17th one NaN when `with_nan`.
template <class Space, class P>
void make_element(
    Element const& e, std::mt19937_64& rng, bool with_nan,
    Kokkos::View<std::int32_t***, Kokkos::LayoutRight, typename Space::memory_space>& l,
    Kokkos::View<P***, Kokkos::LayoutRight, typename Space::memory_space>& p) {
  std::vector<std::int32_t> lab(static_cast<std::size_t>(e.nz) * e.ny * e.nx);
  std::vector<P> px(lab.size());
  for (std::size_t i = 0; i < lab.size(); ++i) {
    std::size_t const x = i % e.nx, y = (i / e.nx) % e.ny, z = i / (e.nx * e.ny);
    std::size_t const block = (x / 4) + 7 * (y / 3) + 3 * z;
    lab[i] = block % 5 == 4 ? 0 : static_cast<std::int32_t>(block % 6 + 1);
    double const v = std::uniform_real_distribution<double>(0, 1000)(rng);
    px[i] = static_cast<P>(with_nan && i % 17 == 5 ? std::nan("") : v);
  }
  l = bik_test::volume<Space, std::int32_t>(lab, e.nz, e.ny, e.nx);
  p = bik_test::volume<Space, P>(px, e.nz, e.ny, e.nx);
}

template <class Space, class P>
void check_ragged(std::vector<Element> const& elements, bool with_nan) {
  using Mem = typename Space::memory_space;
  std::mt19937_64 rng(11);
  std::vector<Kokkos::View<std::int32_t***, Kokkos::LayoutRight, Mem>> labels(elements.size());
  std::vector<Kokkos::View<P***, Kokkos::LayoutRight, Mem>> pixels(elements.size());
  for (std::size_t b = 0; b < elements.size(); ++b)
    make_element<Space, P>(elements[b], rng, with_nan, labels[b], pixels[b]);
  using Shape = bik::ObjectSchedule::Shape;
  for (Shape const shape : {Shape::thread_per_object, Shape::team_per_object}) {
    for (bool const legacy : {false, true}) {
      bik::IntensityOptions options;
      options.schedule.shape = shape;
      options.legacy = legacy;
      bik::Workspace<Mem> workspace;
      auto const tables =
          bik::measure_intensity_batch(Space(), labels, pixels, options, &workspace);
      REQUIRE(tables.size() == elements.size());
      for (std::size_t b = 0; b < elements.size(); ++b) {
        auto const one = bik::measure_intensity(Space(), labels[b], pixels[b], options);
        REQUIRE(one.labels() == tables[b].labels());
        REQUIRE(one.columns() == tables[b].columns());
        CHECK(one.rows() > 0);
        for (std::size_t c = 0; c < one.columns(); ++c)
          CHECK_MESSAGE(same_bits(one.column(c), tables[b].column(c)),
                        one.names()[c] << " of element " << b);
      }
    }
  }
}

}  // namespace

TEST_CASE_TEMPLATE_DEFINE("a ragged list measured as one padded batch equals one call per element",
                          Space, ragged_batch) {
  // 2D images (Z = 1) of different heights and widths, the largest neither first nor last.
  std::vector<Element> const images = {{1, 7, 9}, {1, 23, 5}, {1, 12, 31}, {1, 3, 4}, {1, 16, 16}};
  // Volumes of different depths too.
  std::vector<Element> const volumes = {{2, 6, 8}, {5, 4, 13}, {3, 9, 3}};
  check_ragged<Space, double>(images, true);
  check_ragged<Space, double>(volumes, true);
  check_ragged<Space, float>(images, true);
  check_ragged<Space, std::uint16_t>(images, false);
  check_ragged<Space, std::uint16_t>(volumes, false);
}
TEST_CASE_TEMPLATE_APPLY(ragged_batch, BikTestSpaces);
