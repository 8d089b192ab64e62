// measure_granularity on scenes whose spectrum follows from the definition (spec §4), under
// every space: a bright plateau survives as many cross erosions as its half-size and then
// vanishes at once; the collapse guard; bad options; batches equal single calls; spaces agree.
#include "bik/measure.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace {

bik::GranularityOptions full_resolution(int element_size, int length) {
  bik::GranularityOptions o;
  o.subsample_size = 1.0;
  o.image_sample_size = 1.0;
  o.element_size = element_size;
  o.granular_spectrum_length = length;
  return o;
}

}  // namespace

TEST_CASE("granularity feature names are cp_measure's keys") {
  auto const names = bik::granularity_feature_names(16);
  REQUIRE(names.size() == 16);
  CHECK(names.front() == "Granularity_1");
  CHECK(names.back() == "Granularity_16");
}

TEST_CASE("granularity of a 3x3 plateau: 0 at step 1, all of it at step 2") {
  // 8x8 image, one object covering it, a 3x3 plateau of 4 in the middle, 0 elsewhere. The
  // background opening by disk(2) (5 wide) removes the plateau, so the tophat is the plateau.
  // Step 1: the cross erosion keeps the plateau's centre, whose reconstruction under the
  // plateau is the whole plateau: mean unchanged, Granularity_1 = 0. Step 2: nothing is left,
  // mean 0: Granularity_2 = (36/64 - 0) * 100 / (36/64) = 100 exactly (0.5625 * 100 = 56.25).
  // Later steps lose nothing: 0.
  std::vector<std::int32_t> labels(64, 1);
  std::vector<double> pixels(64, 0.0);
  for (int y = 3; y < 6; ++y)
    for (int x = 3; x < 6; ++x) pixels[y * 8 + x] = 4.0;
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    auto const t =
        bik::measure_granularity(Space(), bik_test::image<Space>(labels, 8, 8),
                                 bik_test::image<Space>(pixels, 8, 8), full_resolution(2, 4));
    REQUIRE(t.rows() == 1);
    CHECK(t.column("Granularity_1")[0] == 0.0);
    CHECK(t.column("Granularity_2")[0] == 100.0);
    CHECK(t.column("Granularity_3")[0] == 0.0);
    CHECK(t.column("Granularity_4")[0] == 0.0);
  });
}

TEST_CASE("granularity of a 3x3x3 cube in a volume follows the same steps with ball(1)") {
  // 7x7x7 volume, a 3x3x3 cube of 2 in the middle; ball(2) opening removes it. Step 1 keeps
  // the centre voxel (all 6 neighbours inside), reconstructed to the cube: 0. Step 2: 100.
  std::vector<std::int32_t> labels(343, 1);
  std::vector<double> pixels(343, 0.0);
  for (int z = 2; z < 5; ++z)
    for (int y = 2; y < 5; ++y)
      for (int x = 2; x < 5; ++x) pixels[(z * 7 + y) * 7 + x] = 2.0;
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    auto const t =
        bik::measure_granularity(Space(), bik_test::volume<Space>(labels, 7, 7, 7),
                                 bik_test::volume<Space>(pixels, 7, 7, 7), full_resolution(2, 3));
    REQUIRE(t.rows() == 1);
    CHECK(t.column("Granularity_1")[0] == 0.0);
    CHECK(t.column("Granularity_2")[0] == doctest::Approx(100.0).epsilon(1e-14));
    CHECK(t.column("Granularity_3")[0] == 0.0);
  });
}

TEST_CASE("granularity: a collapsed axis gives NaN, absent labels get no row") {
  // 7 rows at 0.25: trunc(1.75) = 1 < 2 samples (cp_measure #91).
  std::vector<std::int32_t> labels(7 * 17, 0);
  labels[2 * 17 + 3] = 1;
  labels[4 * 17 + 9] = 3;  // label 2 absent
  std::vector<double> pixels(7 * 17, 1.0);
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    auto const t = bik::measure_granularity(Space(), bik_test::image<Space>(labels, 7, 17),
                                            bik_test::image<Space>(pixels, 7, 17));
    CHECK(t.labels() == std::vector<std::int64_t>{1, 3});
    CHECK(t.columns() == 16);
    for (std::size_t c = 0; c < t.columns(); ++c)
      for (double v : t.column(c)) CHECK(std::isnan(v));
  });
}

TEST_CASE("granularity rejects bad options and shapes before running") {
  using Space = Kokkos::DefaultHostExecutionSpace;
  auto const labels = bik_test::image<Space>(std::vector<std::int32_t>(64, 1), 8, 8);
  auto const pixels = bik_test::image<Space>(std::vector<double>(64, 1.0), 8, 8);
  auto const other = bik_test::image<Space>(std::vector<double>(72, 1.0), 8, 9);
  auto bad = [&](auto change, char const* text) {
    bik::GranularityOptions o;
    change(o);
    CHECK_THROWS_WITH_AS(bik::measure_granularity(Space(), labels, pixels, o),
                         doctest::Contains(text), bik::Error);
  };
  bad([](auto& o) { o.subsample_size = 0.0; }, "subsample_size");
  bad([](auto& o) { o.subsample_size = 1.5; }, "subsample_size");
  bad([](auto& o) { o.subsample_size = std::nan(""); }, "subsample_size");
  bad([](auto& o) { o.image_sample_size = -0.25; }, "image_sample_size");
  bad([](auto& o) { o.image_sample_size = 0.0; }, "image_sample_size");
  bad([](auto& o) { o.image_sample_size = 1.0000001; }, "image_sample_size");
  bad([](auto& o) { o.image_sample_size = std::nan(""); }, "image_sample_size");
  bad([](auto& o) { o.element_size = -1; }, "element_size");
  bad([](auto& o) { o.granular_spectrum_length = 0; }, "granular_spectrum_length");
  CHECK_THROWS_WITH_AS(bik::measure_granularity(Space(), labels, other), doctest::Contains("shape"),
                       bik::Error);
}

TEST_CASE("granularity: a batch equals one call per image, on every space, and spaces agree") {
  int const ny = 48, nx = 40, images = 3;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<std::int32_t> labels(images * ny * nx);
  std::vector<double> pixels(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    std::size_t const y = (i / nx) % ny, x = i % nx, b = i / (ny * nx);
    labels[i] = static_cast<std::int32_t>(1 + (y / 16) * 3 + (x / 14) + b);
    pixels[i] = uniform(rng) + 0.5 * std::sin(static_cast<double>(x) / 5.0);
  }
  std::vector<std::vector<double>> first;
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    using Memory = typename Space::memory_space;
    Kokkos::View<std::int32_t****, Kokkos::LayoutRight, Kokkos::HostSpace> lh("l", images, 1, ny,
                                                                              nx);
    Kokkos::View<double****, Kokkos::LayoutRight, Kokkos::HostSpace> ph("p", images, 1, ny, nx);
    for (std::size_t i = 0; i < labels.size(); ++i) {
      lh.data()[i] = labels[i];
      ph.data()[i] = pixels[i];
    }
    auto const l4 = Kokkos::create_mirror_view_and_copy(Memory(), lh);
    auto const p4 = Kokkos::create_mirror_view_and_copy(Memory(), ph);
    bik::GranularityOptions options;
    options.subsample_size = 0.5;
    auto const batch = bik::measure_granularity_batch(Space(), l4, p4, options);
    REQUIRE(batch.size() == images);
    // The same images as a list of 2D Views (one shape: one stacked run), and a list of two
    // shapes (pair after pair).
    using L2 = Kokkos::View<std::int32_t**, Kokkos::LayoutStride, Memory>;
    using P2 = Kokkos::View<double**, Kokkos::LayoutStride, Memory>;
    std::vector<L2> label_list;
    std::vector<P2> pixel_list;
    for (int b = 0; b < images; ++b) {
      label_list.push_back(Kokkos::subview(l4, b, 0, Kokkos::ALL, Kokkos::ALL));
      pixel_list.push_back(Kokkos::subview(p4, b, 0, Kokkos::ALL, Kokkos::ALL));
    }
    auto const listed = bik::measure_granularity_batch(Space(), label_list, pixel_list, options);
    REQUIRE(listed.size() == images);
    auto const cut = std::make_pair(0, ny - 5);
    std::vector<L2> mixed_labels{label_list[0], Kokkos::subview(l4, 1, 0, cut, Kokkos::ALL)};
    std::vector<P2> mixed_pixels{pixel_list[0], Kokkos::subview(p4, 1, 0, cut, Kokkos::ALL)};
    auto const mixed = bik::measure_granularity_batch(Space(), mixed_labels, mixed_pixels, options);
    REQUIRE(mixed.size() == 2);
    for (int b = 0; b < 2; ++b) {
      auto const single =
          bik::measure_granularity(Space(), mixed_labels[b], mixed_pixels[b], options);
      CHECK(mixed[b].labels() == single.labels());
      for (std::size_t c = 0; c < single.columns(); ++c)
        CHECK(mixed[b].column(c) == single.column(c));
    }
    for (int b = 0; b < images; ++b) {
      auto const single =
          bik::measure_granularity(Space(), Kokkos::subview(l4, b, 0, Kokkos::ALL, Kokkos::ALL),
                                   Kokkos::subview(p4, b, 0, Kokkos::ALL, Kokkos::ALL), options);
      CHECK(batch[b].labels() == single.labels());
      CHECK(listed[b].labels() == single.labels());
      for (std::size_t c = 0; c < single.columns(); ++c) {
        CHECK(batch[b].column(c) == single.column(c));
        CHECK(listed[b].column(c) == single.column(c));
        if (b == 0 && first.size() < single.columns())
          first.push_back(single.column(c));
        else if (b == 0)
          CHECK(single.column(c) == first[c]);  // bit-identical across spaces
      }
    }
  });
}

TEST_CASE("granularity read-back: per-object cell weights give the gather's means") {
  // The gather (map_coordinates at every original voxel, checked against cp_measure by the
  // parity suite) and the weights of the subsampled cells are two summation orders of one sum,
  // so the spectra agree within rounding: in 2D at a size whose last row and column overshoot
  // the grid (160 at 0.4, spec §4.3), in 3D, with the team shape, and with a NaN pixel (its
  // object reads NaN from the step where the NaN reaches a cell it reads; the other objects
  // stay finite in both).
  using ReadBack = bik::GranularityOptions::ReadBack;
  auto const compare = [](bik::FeatureTable const& a, bik::FeatureTable const& b) {
    REQUIRE(a.labels() == b.labels());
    REQUIRE(a.columns() == b.columns());
    int nan = 0;
    for (std::size_t c = 0; c < a.columns(); ++c)
      for (std::size_t k = 0; k < a.rows(); ++k) {
        double const x = a.column(c)[k], y = b.column(c)[k];
        CHECK(std::isnan(x) == std::isnan(y));
        nan += std::isnan(x) ? 1 : 0;
        // A feature is a difference of two means times 100 / start, so the rounding of the
        // means (~1e-16 of values near 1) shows as an absolute error near 1e-14.
        if (!std::isnan(x)) CHECK(std::abs(x - y) <= 1e-12 + 1e-11 * std::abs(y));
      }
    return nan;
  };
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  auto scene = [&](int nz, int ny, int nx, std::vector<std::int32_t>& labels,
                   std::vector<double>& pixels) {
    labels.assign(static_cast<std::size_t>(nz * ny * nx), 0);
    pixels.assign(labels.size(), 0.0);
    for (std::size_t i = 0; i < labels.size(); ++i) {
      std::size_t const z = i / (ny * nx), y = (i / nx) % ny, x = i % nx;
      labels[i] = static_cast<std::int32_t>(1 + (y / 23) * 7 + (x / 29) + 3 * (z / 5));
      pixels[i] = uniform(rng) + std::sin(static_cast<double>(x + 2 * y) / 9.0);
    }
  };
  std::vector<std::int32_t> labels;
  std::vector<double> pixels;
  scene(1, 160, 160, labels, pixels);
  std::vector<double> with_nan = pixels;
  with_nan[(80 * 160) + 40] = std::nan("");
  std::vector<std::int32_t> labels3;
  std::vector<double> pixels3;
  scene(20, 24, 28, labels3, pixels3);
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    for (auto shape : {bik::ObjectSchedule::Shape::thread_per_object,
                       bik::ObjectSchedule::Shape::team_per_object}) {
      bik::GranularityOptions gather, weights;
      gather.subsample_size = weights.subsample_size = 0.4;
      gather.read_back = ReadBack::gather;
      weights.read_back = ReadBack::weights;
      gather.schedule.shape = weights.schedule.shape = shape;
      auto const l = bik_test::image<Space>(labels, 160, 160);
      CHECK(compare(bik::measure_granularity(Space(), l, bik_test::image<Space>(pixels, 160, 160),
                                             weights),
                    bik::measure_granularity(Space(), l, bik_test::image<Space>(pixels, 160, 160),
                                             gather)) == 0);
      auto const nan_table =
          bik::measure_granularity(Space(), l, bik_test::image<Space>(with_nan, 160, 160), weights);
      int const nan = compare(
          nan_table,
          bik::measure_granularity(Space(), l, bik_test::image<Space>(with_nan, 160, 160), gather));
      CHECK(nan > 0);
      CHECK(nan < static_cast<int>(nan_table.rows() * nan_table.columns()));
      gather.subsample_size = weights.subsample_size = 0.5;
      auto const l3 = bik_test::volume<Space>(labels3, 20, 24, 28);
      auto const p3 = bik_test::volume<Space>(pixels3, 20, 24, 28);
      CHECK(compare(bik::measure_granularity(Space(), l3, p3, weights),
                    bik::measure_granularity(Space(), l3, p3, gather)) == 0);
    }
  });
}

// The spectrum with every erosion kept (from the last step) and with none (in order), bit for
// bit, on an image and a volume; `kept` asks for 12 steps.
template <class Space, class L, class P, class L3, class P3>
void check_last_to_first_equals_in_order(L const& l, P const& p, L3 const& l3, P3 const& p3,
                                         bik::GranularityOptions const& kept) {
  bik::GranularityOptions in_order = kept;
  in_order.spectrum_memory = 0;
  auto const a = bik::measure_granularity(Space(), l, p, kept);
  auto const b = bik::measure_granularity(Space(), l, p, in_order);
  REQUIRE(a.columns() == 12);
  for (std::size_t c = 0; c < a.columns(); ++c) CHECK(a.column(c) == b.column(c));
  auto const a3 = bik::measure_granularity(Space(), l3, p3, kept);
  auto const b3 = bik::measure_granularity(Space(), l3, p3, in_order);
  for (std::size_t c = 0; c < a3.columns(); ++c) CHECK(a3.column(c) == b3.column(c));
}

TEST_CASE("granularity: the spectrum from the last step (erosions kept) equals it in order") {
  // Reconstruction has one result whatever exact start it takes (spec §6), and both orders turn
  // the same means into features by the same arithmetic, so the tables are bit-identical: with
  // every erosion kept (steps from the last to the first, each starting from the next one's
  // result, only the tiles where that start rose swept at first) and with no memory for them
  // (steps in order). Small scenes (one reconstruction tile) and scenes of several tiles per
  // axis on every space (host tiles: 64 x 64 per plane, 16 x 16 x 32 in volumes).
  int const ny = 61, nx = 53;
  std::mt19937 rng(23);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<std::int32_t> labels(ny * nx);
  std::vector<double> pixels(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    std::size_t const y = i / nx, x = i % nx;
    labels[i] = static_cast<std::int32_t>(1 + (y / 13) * 5 + (x / 11));
    pixels[i] = uniform(rng) + 0.7 * std::sin(static_cast<double>(x) / 4.0) *
                                   std::cos(static_cast<double>(y) / 6.0);
  }
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    auto const l = bik_test::image<Space>(labels, ny, nx);
    auto const p = bik_test::image<Space>(pixels, ny, nx);
    // A volume of 7 planes of 23 x 19 from the same values (ball(1) steps).
    std::vector<std::int32_t> labels3(labels.begin(), labels.begin() + 7 * 23 * 19);
    std::vector<double> pixels3(pixels.begin(), pixels.begin() + 7 * 23 * 19);
    auto const l3 = bik_test::volume<Space>(labels3, 7, 23, 19);
    auto const p3 = bik_test::volume<Space>(pixels3, 7, 23, 19);
    for (double sampling : {1.0, 0.5}) {
      bik::GranularityOptions kept = full_resolution(3, 12);
      kept.subsample_size = sampling;
      check_last_to_first_equals_in_order<Space>(l, p, l3, p3, kept);
    }
  });
  // Several tiles: 3 x 3 per plane, 2 x 3 x 3 in the volume; peaks of several sizes so that
  // later steps rise in a few tiles only and the others wait to be woken.
  int const my = 150, mx = 170, vz = 20, vy = 40, vx = 70;
  std::vector<std::int32_t> big_labels(my * mx), labels3(vz * vy * vx);
  std::vector<double> big_pixels(big_labels.size()), pixels3(labels3.size());
  auto value = [&](double y, double x) {
    return 0.3 * uniform(rng) + std::sin(x / 7.0) * std::cos(y / 11.0) +
           (std::abs(y - 100.0) + std::abs(x - 40.0) < 9.0 ? 2.0 : 0.0);
  };
  for (std::size_t i = 0; i < big_labels.size(); ++i) {
    std::size_t const y = i / mx, x = i % mx;
    big_labels[i] = static_cast<std::int32_t>(1 + (y / 37) * 5 + (x / 41));
    big_pixels[i] = value(static_cast<double>(y), static_cast<double>(x));
  }
  for (std::size_t i = 0; i < labels3.size(); ++i) {
    std::size_t const z = i / (vy * vx), y = (i / vx) % vy, x = i % vx;
    labels3[i] = static_cast<std::int32_t>(1 + (z / 7) * 6 + (y / 14) * 2 + (x / 36));
    pixels3[i] = value(static_cast<double>(y + 3 * z), static_cast<double>(x));
  }
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    auto const l = bik_test::image<Space>(big_labels, my, mx);
    auto const p = bik_test::image<Space>(big_pixels, my, mx);
    auto const l3 = bik_test::volume<Space>(labels3, vz, vy, vx);
    auto const p3 = bik_test::volume<Space>(pixels3, vz, vy, vx);
    check_last_to_first_equals_in_order<Space>(l, p, l3, p3, full_resolution(3, 12));
  });
}
