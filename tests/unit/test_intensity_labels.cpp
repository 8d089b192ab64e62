// Labels of any value through measure_intensity: features depend on which voxels share a label,
// not on the label values, so relabelling objects by an increasing map must give the same rows
// (same order, same values) with the new labels. The scene's small labels take the dense table;
// the same objects labelled up to UINT64_MAX (or near INT64_MAX, or 2^40) take the sort-unique
// path, and the dense path forced off (a zero byte budget) must agree too, on every space, for
// both kernel shapes, single images and batches. The small-label results are themselves checked
// against cp_measure (tests/parity), so the equalities carry those checks over.
#include "bik/measure.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace intensity_labels_test {

using Shape = bik::ObjectSchedule::Shape;

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// `got` has `want`'s rows and values, with the labels `labels` (as 64-bit patterns).
void check_relabelled(bik::FeatureTable const& want, bik::FeatureTable const& got,
                      std::vector<std::uint64_t> const& labels, std::string const& what) {
  CAPTURE(what);
  REQUIRE(got.rows() == labels.size());
  REQUIRE(want.rows() == got.rows());
  REQUIRE(want.names() == got.names());
  for (std::size_t r = 0; r < got.rows(); ++r) CHECK(got.label_bits(r) == labels[r]);
  bool equal = true;
  for (std::size_t c = 0; c < want.columns(); ++c)
    for (std::size_t r = 0; r < want.rows(); ++r)
      equal = equal && same(want.column(c)[r], got.column(c)[r]);
  CHECK(equal);
}

// Two 3x7x9 images: labels 1..7 with gaps, runs across rows and planes, a one-voxel object, an
// object whose voxels are all NaN, and the pixels vary.
struct Scene {
  static constexpr int nz = 3, ny = 7, nx = 9;
  std::vector<std::int32_t> labels;  // two images, one after the other
  std::vector<double> pixels;
};

Scene make_scene() {
  Scene s;
  std::size_t const n = 2u * Scene::nz * Scene::ny * Scene::nx;
  double const nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t const x = i % Scene::nx, y = (i / Scene::nx) % Scene::ny, image = i / (n / 2);
    std::int32_t label = static_cast<std::int32_t>((x / 3 + y / 2 * 2 + image) % 8);
    if (label == 3) label = 0;  // a gap
    s.labels.push_back(label);
    s.pixels.push_back(label == 6 ? nan : static_cast<double>((i * 37) % 23) * 0.25 - 1.0);
  }
  s.labels[5] = 9;  // a one-voxel object
  return s;
}

// Labels mapped through `map` (0 stays 0).
template <class L>
std::vector<L> relabel(std::vector<std::int32_t> const& labels,
                       std::map<std::int32_t, L> const& map) {
  std::vector<L> out;
  for (auto v : labels) out.push_back(v == 0 ? L(0) : map.at(v));
  return out;
}

template <class Space, class L>
using View3 = Kokkos::View<L***, Kokkos::LayoutRight, typename Space::memory_space>;

template <class Space, class L>
std::vector<bik::FeatureTable> measure_scene(std::vector<L> const& labels,
                                             std::vector<double> const& pixels,
                                             bik::IntensityOptions const& options, bool batch) {
  constexpr int nz = Scene::nz, ny = Scene::ny, nx = Scene::nx;
  if (!batch) {
    // The first image alone.
    std::vector<L> const l(labels.begin(), labels.begin() + nz * ny * nx);
    std::vector<double> const p(pixels.begin(), pixels.begin() + nz * ny * nx);
    return {bik::measure_intensity(Space(), bik_test::volume<Space, L>(l, nz, ny, nx),
                                   bik_test::volume<Space, double>(p, nz, ny, nx), options)};
  }
  auto const l3 = bik_test::volume<Space, L>(labels, 2 * nz, ny, nx);
  auto const p3 = bik_test::volume<Space, double>(pixels, 2 * nz, ny, nx);
  Kokkos::View<L const****, Kokkos::LayoutRight, typename Space::memory_space,
               Kokkos::MemoryTraits<Kokkos::Unmanaged>>
      l4(l3.data(), 2, nz, ny, nx);
  Kokkos::View<double const****, Kokkos::LayoutRight, typename Space::memory_space,
               Kokkos::MemoryTraits<Kokkos::Unmanaged>>
      p4(p3.data(), 2, nz, ny, nx);
  return bik::measure_intensity_batch(Space(), l4, p4, options);
}

// The rows' labels of the reference tables, mapped.
template <class L>
std::vector<std::uint64_t> mapped_labels(bik::FeatureTable const& reference,
                                         std::map<std::int32_t, L> const& map) {
  std::vector<std::uint64_t> out;
  for (auto label : reference.labels())
    out.push_back(static_cast<std::uint64_t>(map.at(static_cast<std::int32_t>(label))));
  return out;
}

// Every space, both kernel shapes, single and batch, default budget and forced sort-unique:
// the same rows as the Serial dense reference of the small labels, relabelled by `map`.
template <class L>
void check_labels_of(std::map<std::int32_t, L> const& map, char const* what) {
  Scene const scene = make_scene();
  auto const big = relabel(scene.labels, map);
  for (bool batch : {false, true}) {
    bik::IntensityOptions reference_options;
    reference_options.schedule.shape = Shape::thread_per_object;
    auto const reference = measure_scene<Kokkos::Serial, std::int32_t>(scene.labels, scene.pixels,
                                                                       reference_options, batch);
    bik_test::for_each_space([&](auto space) {
      using Space = decltype(space);
      for (Shape shape : {Shape::thread_per_object, Shape::team_per_object})
        for (std::int64_t budget : {std::int64_t(-1), std::int64_t(0)}) {
          bik::IntensityOptions options;
          options.schedule.shape = shape;
          options.dense_label_budget = budget;
          auto const tables = measure_scene<Space, L>(big, scene.pixels, options, batch);
          REQUIRE(tables.size() == reference.size());
          for (std::size_t t = 0; t < tables.size(); ++t) {
            CHECK((tables[t].label_type() == bik::LabelType::uint64) ==
                  std::is_same<L, std::uint64_t>::value);
            check_relabelled(reference[t], tables[t], mapped_labels(reference[t], map),
                             std::string(what) + (batch ? " batch" : "") + " budget " +
                                 std::to_string(budget) + " image " + std::to_string(t));
          }
          // The small labels themselves, forced through sort-unique, equal the reference too.
          auto const small =
              measure_scene<Space, std::int32_t>(scene.labels, scene.pixels, options, batch);
          for (std::size_t t = 0; t < small.size(); ++t) {
            std::vector<std::uint64_t> same_labels;
            for (auto label : reference[t].labels())
              same_labels.push_back(static_cast<std::uint64_t>(label));
            check_relabelled(reference[t], small[t], same_labels, "small labels");
          }
        }
    });
  }
}

}  // namespace intensity_labels_test

using intensity_labels_test::check_labels_of;

#if BIK_HAS_SERIAL && defined(KOKKOS_ENABLE_SERIAL)
// The maps are increasing, so the rows keep their order.
TEST_CASE("uint64 labels up to UINT64_MAX are measured like small ones") {
  std::uint64_t const top = std::numeric_limits<std::uint64_t>::max();
  check_labels_of<std::uint64_t>({{1, 5},
                                  {2, std::uint64_t(1) << 40},
                                  {4, std::uint64_t(1) << 63},  // INT64_MAX + 1
                                  {5, top - 3},
                                  {6, top - 2},
                                  {7, top - 1},
                                  {9, top}},
                                 "uint64");
}

TEST_CASE("int64 labels near 2^63 and 2^40 are measured like small ones") {
  std::int64_t const high = std::numeric_limits<std::int64_t>::max();
  check_labels_of<std::int64_t>({{1, 1},
                                 {2, std::int64_t(1) << 40},
                                 {4, (std::int64_t(1) << 40) + 1},
                                 {5, high - 3},
                                 {6, high - 2},
                                 {7, high - 1},
                                 {9, high}},
                                "int64");
}

TEST_CASE("uint32 and int32 labels at their maxima are measured like small ones") {
  check_labels_of<std::uint32_t>({{1, 3},
                                  {2, 1u << 31},
                                  {4, 4000000000u},
                                  {5, 4294967292u},
                                  {6, 4294967293u},
                                  {7, 4294967294u},
                                  {9, 4294967295u}},
                                 "uint32");
  check_labels_of<std::int32_t>({{1, 2},
                                 {2, 1 << 24},
                                 {4, 1 << 30},
                                 {5, 2147483644},
                                 {6, 2147483645},
                                 {7, 2147483646},
                                 {9, 2147483647}},
                                "int32");
}

TEST_CASE("narrow label types (uint8, int8, int16) are measured") {
  check_labels_of<std::uint8_t>({{1, 1}, {2, 2}, {4, 100}, {5, 200}, {6, 253}, {7, 254}, {9, 255}},
                                "uint8");
  check_labels_of<std::int8_t>({{1, 1}, {2, 2}, {4, 100}, {5, 120}, {6, 125}, {7, 126}, {9, 127}},
                               "int8");
  check_labels_of<std::int16_t>(
      {{1, 1}, {2, 300}, {4, 1000}, {5, 32000}, {6, 32765}, {7, 32766}, {9, 32767}}, "int16");
}
#endif

TEST_CASE_TEMPLATE_DEFINE("measure_intensity_into writes uint64 labels exactly", Space,
                          into_uint64) {
  using Memory = typename Space::memory_space;
  std::uint64_t const top = std::numeric_limits<std::uint64_t>::max();
  auto labels = bik_test::image<Space, std::uint64_t>({top, top, 0, std::uint64_t(1) << 63}, 2, 2);
  auto pixels = bik_test::image<Space, double>({1, 2, 3, 4}, 2, 2);
  Kokkos::View<double**, Memory> features("features", 2, 21);
  Kokkos::View<std::uint64_t*, Memory> object_labels("object_labels", 2);
  std::int64_t const n =
      bik::measure_intensity_into(Space(), labels, pixels, features, object_labels);
  Kokkos::fence();
  CHECK(n == 2);
  CHECK(bik_test::to_vector(object_labels) ==
        std::vector<std::uint64_t>{std::uint64_t(1) << 63, top});
  // Object 0 is the voxel of 2^63 (value 4), object 1 the two voxels of UINT64_MAX (1, 2).
  auto const host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), features);
  CHECK(host(0, 0) == 4.0);
  CHECK(host(1, 0) == 3.0);
  CHECK(host(1, 1) == 1.5);
}
TEST_CASE_TEMPLATE_APPLY(into_uint64, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("negative labels stay an error, whatever their size", Space,
                          negative_labels) {
  auto pixels = bik_test::image<Space, double>({1, 2, 3, 4}, 2, 2);
  auto lowest = bik_test::image<Space, std::int64_t>(
      {1, std::numeric_limits<std::int64_t>::min(), 0, 2}, 2, 2);
  CHECK_THROWS_WITH_AS(bik::measure_intensity(Space(), lowest, pixels),
                       doctest::Contains("labels must be >= 0"), bik::Error);
  auto minus_one = bik_test::image<Space, std::int16_t>({1, -1, 0, 2}, 2, 2);
  CHECK_THROWS_WITH_AS(bik::measure_intensity(Space(), minus_one, pixels),
                       doctest::Contains("found -1"), bik::Error);
}
TEST_CASE_TEMPLATE_APPLY(negative_labels, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("empty extents give bik::Error", Space, empty_extents) {
  for (auto shape : {std::vector<int>{0, 3}, std::vector<int>{3, 0}, std::vector<int>{0, 0}}) {
    auto labels = bik_test::image<Space, std::uint64_t>({}, shape[0], shape[1]);
    auto pixels = bik_test::image<Space, double>({}, shape[0], shape[1]);
    CHECK_THROWS_WITH_AS(bik::measure_intensity(Space(), labels, pixels),
                         doctest::Contains("empty"), bik::Error);
  }
}
TEST_CASE_TEMPLATE_APPLY(empty_extents, BikTestSpaces);
