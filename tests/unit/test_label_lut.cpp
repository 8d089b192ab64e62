// make_label_lut: present labels ascending -> 0..n-1, absent and 0 -> -1 (spec §2.2).
#include "bik/core/label_lut.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

TEST_CASE_TEMPLATE_DEFINE("label LUT maps present labels to ascending indices", Space, lut_basic) {
  // Labels 5 and 2 present (with a gap at 1, 3, 4); 0 is background.
  auto labels = bik_test::image<Space, std::int32_t>({0, 5, 5, 2, 0, 2}, 2, 3);
  auto lut = bik::make_label_lut(Space(), bik::as_volume(labels));
  CHECK(lut.count == 2);
  CHECK(lut.max_label == 5u);
  CHECK(lut.dense);
  CHECK_FALSE(lut.unsigned_labels);
  CHECK(bik_test::to_vector(lut.table) == std::vector<std::int32_t>{-1, -1, 0, -1, -1, 1});
  CHECK(bik_test::to_vector(lut.labels) == std::vector<std::int64_t>{2, 5});
}
TEST_CASE_TEMPLATE_APPLY(lut_basic, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("label LUT of an all-background image is empty", Space, lut_empty) {
  auto labels = bik_test::volume<Space, std::int64_t>(std::vector<std::int64_t>(24, 0), 2, 3, 4);
  auto lut = bik::make_label_lut(Space(), bik::as_volume(labels));
  CHECK(lut.count == 0);
  CHECK(bik_test::to_vector(lut.table) == std::vector<std::int32_t>{-1});
}
TEST_CASE_TEMPLATE_APPLY(lut_empty, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("label LUT rejects negative labels, as cp_measure does", Space, lut_bad) {
  auto negative = bik_test::image<Space, std::int32_t>({0, 1, -3, 2}, 2, 2);
  CHECK_THROWS_WITH_AS(bik::make_label_lut(Space(), bik::as_volume(negative)),
                       doctest::Contains("labels must be >= 0 (0 is background), found -3"),
                       bik::Error);
  std::int64_t const lowest = std::numeric_limits<std::int64_t>::min();  // -2^63
  auto most_negative = bik_test::image<Space, std::int64_t>({0, 1, lowest, 2}, 2, 2);
  CHECK_THROWS_WITH_AS(bik::make_label_lut(Space(), bik::as_volume(most_negative)),
                       doctest::Contains("found -9223372036854775808"), bik::Error);
  auto tiny = bik_test::image<Space, std::int8_t>({0, -128, 3, 2}, 2, 2);
  CHECK_THROWS_WITH_AS(bik::make_label_lut(Space(), bik::as_volume(tiny)),
                       doctest::Contains("found -128"), bik::Error);
}
TEST_CASE_TEMPLATE_APPLY(lut_bad, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE(
    "label LUT range: the largest label of any type, negatives anywhere, "
    "by rows and by voxel, contiguous or strided rows",
    Space, lut_range) {
  // The range pass reads a row as a max and an OR of the label bits (a negative label sets the
  // sign bit); the team shape reads voxels. Rows of 11 labels: beyond one block of 8.
  bik::ObjectSchedule rows, voxels;
  rows.shape = bik::ObjectSchedule::Shape::thread_per_object;
  voxels.shape = bik::ObjectSchedule::Shape::team_per_object;
  bik::Workspace<typename Space::memory_space>* none = nullptr;
  std::int32_t const top = std::numeric_limits<std::int32_t>::max();
  for (auto const& schedule : {rows, voxels}) {
    // The largest int32 label, written in the second row, is the maximum (2^31 - 1).
    auto high = bik_test::image<Space, std::int32_t>(
        {0, 7, 7, 0, 3, 3, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, top, 0}, 2, 11);
    auto lut = bik::make_label_lut(Space(), bik::as_volume(high), none, 1, schedule);
    CHECK(lut.max_label == 2147483647u);
    CHECK(lut.count == 4);
    // uint32 labels above INT32_MAX are labels, not negatives: 2^32 - 1 is the maximum.
    auto unsigned_high = bik_test::image<Space, std::uint32_t>({0, 4294967295u, 1, 0}, 1, 4);
    auto unsigned_lut =
        bik::make_label_lut(Space(), bik::as_volume(unsigned_high), none, 1, schedule);
    CHECK(unsigned_lut.max_label == 4294967295u);
    CHECK(unsigned_lut.count == 2);
    // One negative label, last in a row of large ones: rejected, named.
    auto negative = bik_test::image<Space, std::int32_t>(
        {5, top, 9, 9, 9, 9, 9, 9, 9, 9, -2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 2, 11);
    CHECK_THROWS_WITH_AS(bik::make_label_lut(Space(), bik::as_volume(negative), none, 1, schedule),
                         doctest::Contains("labels must be >= 0 (0 is background), found -2"),
                         bik::Error);
  }
  // Rows whose labels are not adjacent in memory (a column-major image): x stride 3.
  Kokkos::View<std::int32_t**, Kokkos::LayoutLeft, typename Space::memory_space> strided("strided",
                                                                                         3, 11);
  auto host = Kokkos::create_mirror_view(strided);
  Kokkos::deep_copy(host, 4);
  host(1, 9) = -6;
  host(2, 3) = 12;
  Kokkos::deep_copy(strided, host);
  REQUIRE(bik::as_volume(strided).stride(2) == 3);
  CHECK_THROWS_WITH_AS(bik::make_label_lut(Space(), bik::as_volume(strided)),
                       doctest::Contains("found -6"), bik::Error);
  host(1, 9) = 0;
  Kokkos::deep_copy(strided, host);
  auto lut = bik::make_label_lut(Space(), bik::as_volume(strided));
  CHECK(lut.max_label == 12u);
  CHECK(bik_test::to_vector(lut.labels) == std::vector<std::int64_t>{4, 12});
}
TEST_CASE_TEMPLATE_APPLY(lut_range, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("label LUT rejects empty extents", Space, lut_extents) {
  for (auto shape :
       {std::vector<int>{1, 0, 4}, std::vector<int>{1, 3, 0}, std::vector<int>{0, 3, 4}}) {
    auto empty = bik_test::volume<Space, std::int32_t>({}, shape[0], shape[1], shape[2]);
    CHECK_THROWS_WITH_AS(bik::make_label_lut(Space(), bik::as_volume(empty)),
                         doctest::Contains("labels are empty"), bik::Error);
  }
}
TEST_CASE_TEMPLATE_APPLY(lut_extents, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("label LUT by voxel (the team shape) equals the LUT by rows", Space,
                          lut_shapes) {
  // Two images of two 5x7 planes each, labels with gaps, runs and repeats across images.
  std::vector<std::int32_t> values(2 * 2 * 5 * 7);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] =
        static_cast<std::int32_t>((i * 7 + i / 9) % 11 < 4 ? 0 : (i / 3) % 13 + (i >= 70 ? 20 : 0));
  auto labels = bik_test::volume<Space, std::int32_t>(values, 4, 5, 7);
  bik::ObjectSchedule rows, voxels;
  rows.shape = bik::ObjectSchedule::Shape::thread_per_object;
  voxels.shape = bik::ObjectSchedule::Shape::team_per_object;
  bik::Workspace<typename Space::memory_space>* none = nullptr;
  for (std::int64_t images : {1, 2}) {
    auto a = bik::make_label_lut(Space(), bik::as_volume(labels), none, images, rows);
    auto b = bik::make_label_lut(Space(), bik::as_volume(labels), none, images, voxels);
    REQUIRE(a.count == b.count);
    CHECK(a.count > 5);
    CHECK(bik_test::to_vector(a.table) == bik_test::to_vector(b.table));
    CHECK(bik_test::to_vector(a.labels) == bik_test::to_vector(b.labels));
    CHECK(bik_test::to_vector(a.images) == bik_test::to_vector(b.images));
  }
}
TEST_CASE_TEMPLATE_APPLY(lut_shapes, BikTestSpaces);

// (A named namespace, for nvcc's extended-lambda rules.)
namespace lut_test {
// The present (image, label) pairs of `values` (images of `per_image` voxels), ascending by
// image then label: what make_label_lut must list, by std::set.
template <class L>
std::vector<std::pair<std::int64_t, std::uint64_t>> present_objects(std::vector<L> const& values,
                                                                    std::size_t per_image) {
  std::set<std::pair<std::int64_t, std::uint64_t>> objects;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i] != 0)
      objects.insert(
          {static_cast<std::int64_t>(i / per_image), static_cast<std::uint64_t>(values[i])});
  return {objects.begin(), objects.end()};
}

template <class MemorySpace>
std::vector<std::pair<std::int64_t, std::uint64_t>> listed_objects(
    bik::LabelLut<MemorySpace> const& lut) {
  auto const labels = bik_test::to_vector(lut.labels);
  auto const images = bik_test::to_vector(lut.images);
  std::vector<std::pair<std::int64_t, std::uint64_t>> objects;
  for (std::size_t k = 0; k < labels.size(); ++k)
    objects.push_back({images[k], static_cast<std::uint64_t>(labels[k])});
  return objects;
}

// Every combination the lookups can take: rows or voxels, dense or sort-unique, 1 or 2 images.
template <class Space, class L>
void check_all_paths(std::vector<L> const& values, int nz, int ny, int nx, bool dense_by_default) {
  auto const labels = bik_test::volume<Space, L>(values, nz, ny, nx);
  bik::ObjectSchedule rows, voxels;
  rows.shape = bik::ObjectSchedule::Shape::thread_per_object;
  voxels.shape = bik::ObjectSchedule::Shape::team_per_object;
  bik::Workspace<typename Space::memory_space> workspace;
  for (std::int64_t images : {1, 2}) {
    if (nz % images != 0) continue;
    auto const expected = present_objects(values, values.size() / static_cast<std::size_t>(images));
    for (auto const& schedule : {rows, voxels})
      for (std::int64_t budget : {std::int64_t(-1), std::int64_t(0)}) {
        CAPTURE(images);
        CAPTURE(budget);
        auto const lut = bik::make_label_lut(Space(), bik::as_volume(labels), &workspace, images,
                                             schedule, budget);
        CHECK(lut.dense == (budget < 0 && dense_by_default));
        CHECK(lut.unsigned_labels == std::is_same<L, std::uint64_t>::value);
        CHECK(lut.count == static_cast<std::int64_t>(expected.size()));
        CHECK(listed_objects(lut) == expected);
        // Every present pair finds its own object; absent labels find none.
        auto const lookup = lut.lookup();
        std::vector<std::pair<std::int64_t, std::uint64_t>> const queries(expected);
        Kokkos::View<std::int64_t*, typename Space::memory_space> found("found",
                                                                        expected.size() + 1);
        Kokkos::View<std::int64_t*, Kokkos::HostSpace> image_of("image_of", expected.size() + 1);
        Kokkos::View<std::uint64_t*, Kokkos::HostSpace> key_of("key_of", expected.size() + 1);
        for (std::size_t q = 0; q < queries.size(); ++q) {
          image_of(q) = queries[q].first;
          key_of(q) = queries[q].second;
        }
        // The last query: a label that is absent (one above the first present one, unless
        // that one is present too; then the pair is skipped).
        std::uint64_t const absent = queries.empty() ? 1 : queries.front().second + 1;
        bool const check_absent =
            absent != 0 &&
            std::find(queries.begin(), queries.end(), std::make_pair(std::int64_t(0), absent)) ==
                queries.end() &&
            (!lut.dense || absent <= lut.max_label);
        image_of(queries.size()) = 0;
        key_of(queries.size()) = absent;
        auto const device_images =
            Kokkos::create_mirror_view_and_copy(typename Space::memory_space(), image_of);
        auto const device_keys =
            Kokkos::create_mirror_view_and_copy(typename Space::memory_space(), key_of);
        std::int64_t const n = check_absent ? static_cast<std::int64_t>(queries.size()) + 1
                                            : static_cast<std::int64_t>(queries.size());
        Kokkos::parallel_for(
            "lookups", Kokkos::RangePolicy<Space>(0, n),
            KOKKOS_LAMBDA(int q) { found(q) = lookup(device_images(q), device_keys(q)); });
        auto const result = bik_test::to_vector(found);
        for (std::size_t q = 0; q < queries.size(); ++q) CHECK(result[q] == std::int64_t(q));
        if (check_absent) CHECK(result[queries.size()] == -1);
      }
  }
}
}  // namespace lut_test

using lut_test::check_all_paths;

TEST_CASE_TEMPLATE_DEFINE("label LUT measures labels of any value and type", Space, lut_any) {
  using u64 = std::uint64_t;
  u64 const top = std::numeric_limits<u64>::max();
  u64 const above = u64(1) << 63;  // INT64_MAX + 1
  // uint64 above INT64_MAX, up to UINT64_MAX, beside small labels: sort-unique by default.
  check_all_paths<Space, u64>({0, top, top, 1, above, 0, top - 1, 1, 7, above + 5, 0, top}, 2, 2, 3,
                              false);
  // int64 near +2^63, and sparse 2^40 on a small image.
  std::int64_t const high = std::numeric_limits<std::int64_t>::max();
  check_all_paths<Space, std::int64_t>({high, 0, high - 1, std::int64_t(1) << 40, 3, high, 0, 3}, 2,
                                       2, 2, false);
  check_all_paths<Space, std::int32_t>({0, 2147483647, 5, 0, 5, 1 << 30}, 2, 1, 3, false);
  // Narrow types: always dense under the default budget (at most 65536 entries).
  check_all_paths<Space, std::uint8_t>({0, 255, 1, 255, 0, 17, 17, 2}, 2, 2, 2, true);
  check_all_paths<Space, std::int8_t>({0, 127, 1, 127, 0, 17, 17, 2}, 2, 2, 2, true);
  check_all_paths<Space, std::int16_t>({0, 32767, 1, 0, 300, 300}, 2, 3, 1, true);
  check_all_paths<Space, std::uint16_t>({65535, 65535, 0, 1, 40000, 2}, 2, 1, 3, true);
  check_all_paths<Space, std::uint32_t>({4294967295u, 0, 9, 9, 1, 0}, 2, 3, 1, false);
  // All background: no objects on either path.
  check_all_paths<Space, u64>(std::vector<u64>(12, 0), 2, 2, 3, true);
}
TEST_CASE_TEMPLATE_APPLY(lut_any, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("label LUT budget: dense up to the budget, sort-unique beyond", Space,
                          lut_budget) {
  using Memory = typename Space::memory_space;
  bik::Workspace<Memory>* none = nullptr;
  // Labels up to 99 need 100 int32 entries: 400 bytes.
  auto labels = bik_test::image<Space, std::int32_t>({0, 99, 4, 99}, 2, 2);
  CHECK(bik::make_label_lut(Space(), bik::as_volume(labels), none, 1, {}, 400).dense);
  CHECK_FALSE(bik::make_label_lut(Space(), bik::as_volume(labels), none, 1, {}, 399).dense);
  // Two images: 200 entries.
  auto pair = bik_test::volume<Space, std::int32_t>({0, 99, 4, 99}, 2, 1, 2);
  CHECK(bik::make_label_lut(Space(), bik::as_volume(pair), none, 2, {}, 800).dense);
  CHECK_FALSE(bik::make_label_lut(Space(), bik::as_volume(pair), none, 2, {}, 799).dense);
  // The default: 8 bytes per voxel, at least 4 MiB (2^20 entries), so one voxel labelled
  // 2^20 - 1 gets a table and one labelled 2^20 does not.
  CHECK(bik::default_dense_lut_budget(1) == (std::int64_t(1) << 22));
  CHECK(bik::default_dense_lut_budget(std::int64_t(1) << 20) == (std::int64_t(1) << 23));
  auto edge = bik_test::image<Space, std::int64_t>({(std::int64_t(1) << 20) - 1}, 1, 1);
  auto beyond = bik_test::image<Space, std::int64_t>({std::int64_t(1) << 20}, 1, 1);
  CHECK(bik::make_label_lut(Space(), bik::as_volume(edge)).dense);
  auto const sparse = bik::make_label_lut(Space(), bik::as_volume(beyond));
  CHECK_FALSE(sparse.dense);
  CHECK(bik_test::to_vector(sparse.labels) == std::vector<std::int64_t>{std::int64_t(1) << 20});
  // Object indices must fit int32, whatever the budget.
  CHECK_FALSE(bik::fits_dense_lut(std::uint64_t(1) << 31, 1, 1, std::int64_t(1) << 40));
  CHECK_FALSE(bik::fits_dense_lut(std::numeric_limits<std::uint64_t>::max(), 1, 1,
                                  std::numeric_limits<std::int64_t>::max()));
}
TEST_CASE_TEMPLATE_APPLY(lut_budget, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("label LUT: both paths agree on a random batch", Space, lut_random) {
  // Three images of 2 planes of 9x13, labels drawn from a few small values and a few huge ones,
  // with long runs: the dense path (after mapping each huge label to a small stand-in) and the
  // sort-unique path must list the same objects in the same order.
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> const pool{0, 0, 0, 1, 2, 3, 0x100, 0xffff, 0x10000};
  std::vector<std::uint64_t> values(3 * 2 * 9 * 13);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = (i % 4 == 0 || i == 0) ? pool[rng() % pool.size()] : values[i - 1];
  check_all_paths<Space, std::uint64_t>(values, 6, 9, 13, true);
  std::vector<std::uint64_t> shifted(values);
  for (auto& v : shifted)
    if (v > 3) v += std::uint64_t(1) << 62;  // beyond any table
  check_all_paths<Space, std::uint64_t>(shifted, 6, 9, 13, false);
}
TEST_CASE_TEMPLATE_APPLY(lut_random, BikTestSpaces);
