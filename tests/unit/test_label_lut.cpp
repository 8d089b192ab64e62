// make_label_lut: present labels ascending -> 0..n-1, absent and 0 -> -1 (spec §2.2).
#include "bik/core/label_lut.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

TEST_CASE_TEMPLATE_DEFINE("label LUT maps present labels to ascending indices", Space, lut_basic) {
  // Labels 5 and 2 present (with a gap at 1, 3, 4); 0 is background.
  auto labels = bik_test::image<Space, std::int32_t>({0, 5, 5, 2, 0, 2}, 2, 3);
  auto lut = bik::make_label_lut(Space(), bik::as_volume(labels));
  CHECK(lut.count == 2);
  CHECK(lut.max_label == 5);
  CHECK(bik_test::to_vector(lut.index) == std::vector<std::int64_t>{-1, -1, 0, -1, -1, 1});
  CHECK(bik_test::to_vector(lut.labels) == std::vector<std::int64_t>{2, 5});
}
TEST_CASE_TEMPLATE_APPLY(lut_basic, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("label LUT of an all-background image is empty", Space, lut_empty) {
  auto labels = bik_test::volume<Space, std::int64_t>(std::vector<std::int64_t>(24, 0), 2, 3, 4);
  auto lut = bik::make_label_lut(Space(), bik::as_volume(labels));
  CHECK(lut.count == 0);
  CHECK(bik_test::to_vector(lut.index) == std::vector<std::int64_t>{-1});
}
TEST_CASE_TEMPLATE_APPLY(lut_empty, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("label LUT rejects negative and overly sparse labels", Space, lut_bad) {
  auto negative = bik_test::image<Space, std::int32_t>({0, 1, -3, 2}, 2, 2);
  CHECK_THROWS_WITH_AS(bik::make_label_lut(Space(), bik::as_volume(negative)),
                       doctest::Contains("labels must be >= 0"), bik::Error);
  std::int64_t const huge = bik::max_dense_label(4) + 1;
  auto sparse = bik_test::image<Space, std::int64_t>({0, 1, huge, 2}, 2, 2);
  CHECK_THROWS_WITH_AS(bik::make_label_lut(Space(), bik::as_volume(sparse)),
                       doctest::Contains("relabel"), bik::Error);
}
TEST_CASE_TEMPLATE_APPLY(lut_bad, BikTestSpaces);

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
    CHECK(bik_test::to_vector(a.index) == bik_test::to_vector(b.index));
    CHECK(bik_test::to_vector(a.labels) == bik_test::to_vector(b.labels));
    CHECK(bik_test::to_vector(a.images) == bik_test::to_vector(b.images));
  }
}
TEST_CASE_TEMPLATE_APPLY(lut_shapes, BikTestSpaces);
