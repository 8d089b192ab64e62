// flatten_labeled (spec §2.3): kept voxels grouped by object, raster order within an object,
// edge flags.
#include "bik/core/flatten.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace {
// LUT + flatten of a label/pixel View pair of rank `rank` (2 or 3), as the pipeline runs them.
template <class Space, class LabelView, class PixelView>
auto flatten(LabelView const& labels, PixelView const& pixels, int rank, bool edges) {
  auto lv = bik::as_volume(labels);
  auto pv = bik::as_volume(pixels);
  auto pairing =
      bik::pair_labels_with_pixels(bik::shape_of(lv), rank, bik::shape_of(pv), rank, "test");
  auto lut = bik::make_label_lut(Space(), lv);
  bik::FlattenOptions options;
  options.edge_flags = edges;
  return bik::flatten_labeled(Space(), lv, pv, lut, pairing, options);
}

double const kNaN = std::numeric_limits<double>::quiet_NaN();
double const kInf = std::numeric_limits<double>::infinity();

// nz planes of ny x nx: runs of labels 1..6 along the rows, cut by background on every fourth
// diagonal band, each plane's labels shifted by `plane_shift * z`; NaN on every 17th pixel.
struct RunsScene {
  std::vector<std::int32_t> labels;
  std::vector<double> pixels;
};
RunsScene runs_scene(int nz, int ny, int nx, int plane_shift) {
  RunsScene scene{std::vector<std::int32_t>(static_cast<std::size_t>(nz) * ny * nx), {}};
  scene.pixels.resize(scene.labels.size());
  for (std::size_t i = 0; i < scene.labels.size(); ++i) {
    int const x = static_cast<int>(i % nx), y = static_cast<int>((i / nx) % ny);
    int const z = static_cast<int>(i / (static_cast<std::size_t>(nx) * ny));
    scene.labels[i] = (x / 3 + y) % 4 == 0 ? 0 : 1 + (x / 5 + 3 * (y / 4) + plane_shift * z) % 6;
    scene.pixels[i] = i % 17 == 0 ? kNaN : static_cast<double>(i % 101);
  }
  return scene;
}

// Two flatten results hold the same segments, field by field.
template <class Segments>
void check_same_segments(Segments const& got, Segments const& want) {
  REQUIRE(got.size == want.size);
  CHECK(bik_test::to_vector(got.offsets) == bik_test::to_vector(want.offsets));
  CHECK(bik_test::to_vector(got.values) == bik_test::to_vector(want.values));
  CHECK(bik_test::to_vector(got.x) == bik_test::to_vector(want.x));
  CHECK(bik_test::to_vector(got.y) == bik_test::to_vector(want.y));
  CHECK(bik_test::to_vector(got.z) == bik_test::to_vector(want.z));
  CHECK(bik_test::to_vector(got.edge) == bik_test::to_vector(want.edge));
}
}  // namespace

TEST_CASE_TEMPLATE_DEFINE("flatten keeps labelled finite voxels, by object, in raster order", Space,
                          flat) {
  // 3x4 image; label 0 is background, NaN/kInf pixels are dropped.
  auto labels = bik_test::image<Space, std::int32_t>({2, 2, 0, 1,  //
                                                      1, 0, 1, 1,  //
                                                      2, 2, 2, 0},
                                                     3, 4);
  auto pixels = bik_test::image<Space, double>({1, kNaN, 9, 2,  //
                                                3, 9, 4, kInf,  //
                                                5, 6, -kInf, 9},
                                               3, 4);
  auto s = flatten<Space>(labels, pixels, 2, true);
  // Kept: (y,x) = (0,0) label 2 value 1; (0,3) 1 2; (1,0) 1 3; (1,2) 1 4; (2,0) 2 5; (2,1) 2 6.
  // Label 1 is object 0, label 2 object 1.
  REQUIRE(s.size == 6);
  CHECK(s.objects == 2);
  CHECK(bik_test::to_vector(s.offsets) == std::vector<std::int64_t>{0, 3, 6});
  CHECK(bik_test::to_vector(s.values) == std::vector<double>{2, 3, 4, 1, 5, 6});
  CHECK(bik_test::to_vector(s.x) == std::vector<std::int32_t>{3, 0, 2, 0, 0, 1});
  CHECK(bik_test::to_vector(s.y) == std::vector<std::int32_t>{0, 1, 1, 0, 2, 2});
  CHECK(bik_test::to_vector(s.z) == std::vector<std::int32_t>{0, 0, 0, 0, 0, 0});
  // Edge: some in-bounds 4-neighbour has another label. (0,0)=2 has (1,0)=1 below -> edge;
  // (2,1)=2 has (1,1)=0 above -> edge; every kept voxel here touches another label.
  CHECK(bik_test::to_vector(s.edge) == std::vector<std::uint8_t>{1, 1, 1, 1, 1, 1});
}
TEST_CASE_TEMPLATE_APPLY(flat, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("edge flags ignore out-of-bounds neighbours, use 6 faces in 3D", Space,
                          flat_edges) {
  // A 3x3x3 cube of label 1 filling the volume: no in-bounds neighbour differs -> no edges.
  auto full = bik_test::volume<Space, std::int32_t>(std::vector<std::int32_t>(27, 1), 3, 3, 3);
  auto px = bik_test::volume<Space, double>(std::vector<double>(27, 1.0), 3, 3, 3);
  auto s = flatten<Space>(full, px, 3, true);
  for (auto e : bik_test::to_vector(s.edge)) CHECK(e == 0);

  // Put background in the centre voxel: exactly its 6 face neighbours become edges.
  std::vector<std::int32_t> holed(27, 1);
  holed[13] = 0;
  auto hl = bik_test::volume<Space, std::int32_t>(holed, 3, 3, 3);
  auto hs = flatten<Space>(hl, px, 3, true);
  REQUIRE(hs.size == 26);
  auto edge = bik_test::to_vector(hs.edge);
  auto xs = bik_test::to_vector(hs.x), ys = bik_test::to_vector(hs.y),
       zs = bik_test::to_vector(hs.z);
  int edges = 0;
  for (std::size_t i = 0; i < edge.size(); ++i) {
    int const d = std::abs(xs[i] - 1) + std::abs(ys[i] - 1) + std::abs(zs[i] - 1);
    CHECK(edge[i] == (d == 1 ? 1 : 0));
    edges += edge[i];
  }
  CHECK(edges == 6);
}
TEST_CASE_TEMPLATE_APPLY(flat_edges, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("flatten keeps raster order within objects for many objects and chunks",
                          Space, grp) {
  // Labels cycle through 1..97 along the raster: every object's voxels interleave with all
  // others' across every row chunk.
  int const ny = 40, nx = 5000;
  std::vector<std::int32_t> lab(static_cast<std::size_t>(ny) * nx);
  std::vector<double> pix(lab.size());
  for (std::size_t i = 0; i < lab.size(); ++i) {
    lab[i] = static_cast<std::int32_t>(i % 97) + 1;
    pix[i] = static_cast<double>(i);
  }
  auto labels = bik_test::image<Space, std::int32_t>(lab, ny, nx);
  auto pixels = bik_test::image<Space, double>(pix, ny, nx);
  auto s = flatten<Space>(labels, pixels, 2, false);
  auto offsets = bik_test::to_vector(s.offsets);
  auto values = bik_test::to_vector(s.values);
  REQUIRE(offsets.size() == 98);
  for (int k = 0; k < 97; ++k) {
    // Object k holds raster indices k, k+97, k+194, ... in increasing order.
    std::int64_t expected = k;
    bool ok = true;
    for (std::int64_t i = offsets[k]; i < offsets[k + 1]; ++i, expected += 97)
      ok = ok && values[static_cast<std::size_t>(i)] == static_cast<double>(expected);
    CHECK(ok);
  }
}
TEST_CASE_TEMPLATE_APPLY(grp, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("the team shape builds the same segments as row chunks, any team size",
                          Space, flat_teams) {
  // 3 planes of 13 x 37: runs of labels interrupted by background and other labels, NaNs, and
  // rows wider than any team (several units per row).
  int const nz = 3, ny = 13, nx = 37;
  auto const [lab, px] = runs_scene(nz, ny, nx, 0);
  auto labels = bik_test::volume<Space, std::int32_t>(lab, nz, ny, nx);
  auto pixels = bik_test::volume<Space, double>(px, nz, ny, nx);
  auto lv = bik::as_volume(labels);
  auto pv = bik::as_volume(pixels);
  auto pairing = bik::pair_labels_with_pixels(bik::shape_of(lv), 3, bik::shape_of(pv), 3, "test");
  auto lut = bik::make_label_lut(Space(), lv);
  bik::FlattenOptions options;
  options.edge_flags = true;
  options.schedule.shape = bik::ObjectSchedule::Shape::thread_per_object;
  auto const want = bik::flatten_labeled(Space(), lv, pv, lut, pairing, options);
  REQUIRE(want.size > 100);
  options.schedule.shape = bik::ObjectSchedule::Shape::team_per_object;
  for (int team = 1; team <= 4; ++team) {
    if (team > bik::kx::concurrency(Space())) break;
    options.schedule.team_size = team;
    check_same_segments(bik::flatten_labeled(Space(), lv, pv, lut, pairing, options), want);
  }
}
TEST_CASE_TEMPLATE_APPLY(flat_teams, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("a LUT left unmarked for flatten gives the same objects and segments",
                          Space, flat_deferred) {
  // A batch of 3 images of 26 x 37, labels 1..6 in runs with NaN pixels between, and label 9
  // on NaN pixels only (an object without kept voxels) in image 1.
  int const nz = 3, ny = 26, nx = 37;
  auto [lab, px] = runs_scene(nz, ny, nx, 1);
  for (int x = 0; x < 4; ++x) {
    std::size_t const i = (static_cast<std::size_t>(1) * ny + 20) * nx + x;  // z 1, y 20
    lab[i] = 9;
    px[i] = kNaN;
  }
  auto labels = bik_test::volume<Space, std::int32_t>(lab, nz, ny, nx);
  auto pixels = bik_test::volume<Space, double>(px, nz, ny, nx);
  auto lv = bik::as_volume(labels);
  auto pv = bik::as_volume(pixels);
  auto pairing = bik::pair_labels_with_pixels(bik::shape_of(lv), 3, bik::shape_of(pv), 3, "test");
  pairing.images = nz;
  bik::Workspace<typename Space::memory_space>* const none = nullptr;
  bik::FlattenOptions options;
  options.edge_flags = true;
  options.schedule.shape = bik::ObjectSchedule::Shape::thread_per_object;
  auto const lut = bik::make_label_lut(Space(), lv, none, nz, options.schedule);
  auto const want = bik::flatten_labeled(Space(), lv, pv, lut, pairing, options);
  REQUIRE(lut.count == 3 * 6 + 1);
  auto deferred = bik::make_label_lut(Space(), lv, none, nz, options.schedule, -1, true);
  REQUIRE_FALSE(deferred.marked);
  auto const got = bik::flatten_labeled(Space(), lv, pv, deferred, pairing, options);
  CHECK(deferred.marked);
  CHECK(deferred.count == lut.count);
  CHECK(bik_test::to_vector(deferred.labels) == bik_test::to_vector(lut.labels));
  CHECK(bik_test::to_vector(deferred.images) == bik_test::to_vector(lut.images));
  check_same_segments(got, want);
  // An unmarked LUT cannot be passed as const (nothing would complete it).
  auto const unmarked = bik::make_label_lut(Space(), lv, none, nz, options.schedule, -1, true);
  CHECK_THROWS_AS(bik::flatten_labeled(Space(), lv, pv, unmarked, pairing, options), bik::Error);
}
TEST_CASE_TEMPLATE_APPLY(flat_deferred, BikTestSpaces);
