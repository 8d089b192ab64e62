// The row-streaming disk morphology (disk_plan.hpp, disk_rows.hpp). The plan is checked
// symbolically: every table it builds must cover one contiguous window (an exact min), and the
// terms of an output pixel must cover exactly the offsets dx^2 + dy^2 <= r^2 of skimage's
// disk(r). The kernel is checked against a brute-force min (max) over those offsets inside the
// image, on images that span several tiles and strips of the kernel (a last tile one column
// wide, interior tiles read in place, rows split between threads), strided views, and
// infinities next to the out-of-image identity.
#include "bik/morphology/disk_plan.hpp"
#include "bik/morphology/erode_dilate.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

// Offsets (dy, dx) of disk(r): dx^2 + dy^2 <= r^2, written out from the definition.
std::set<std::pair<int, int>> disk_offsets(int r) {
  std::set<std::pair<int, int>> d;
  for (int dy = -r; dy <= r; ++dy)
    for (int dx = -r; dx <= r; ++dx)
      if (dx * dx + dy * dy <= r * r) d.insert({dy, dx});
  return d;
}

// What each row of a plan holds, for the row of input row s: the min over input rows
// s + rows.first .. s + rows.second and padded columns i + 0 .. i + length - 1.
struct Cover {
  std::pair<int, int> rows{0, 0};
  int length = 1;
};

// Replays the plan on covers; fails the test if an op's two operands leave a gap or overshoot.
std::set<std::pair<int, int>> plan_offsets(bik::detail::DiskPlan const& plan) {
  std::map<int, Cover> cover{{0, Cover{}}};
  for (auto const& h : plan.horizontal) {
    Cover const a = cover.at(h.a), b = cover.at(h.b);
    CHECK(a.rows == b.rows);
    // a spans [0, a.length), b shifted spans [shift, shift + b.length): contiguous, length
    // h.length.
    CHECK(h.shift <= a.length);
    CHECK(std::max(a.length, h.shift + b.length) == h.length);
    cover[h.dst] = Cover{a.rows, h.length};
  }
  for (auto const& v : plan.vertical) {
    Cover const a = cover.at(v.a), b = cover.at(v.b);
    CHECK(a.length == b.length);
    CHECK(a.length == v.length);
    // a spans rows [a.first, 0]; b at s - back spans [b.first - back, -back].
    CHECK(a.rows.second == 0);
    CHECK(v.back <= 1 - a.rows.first);
    int const first = std::min(a.rows.first, b.rows.first - v.back);
    CHECK(-first + 1 == v.rows);
    cover[v.dst] = Cover{{first, 0}, a.length};
  }
  std::set<std::pair<int, int>> offsets;
  for (auto const& t : plan.terms) {
    Cover const c = cover.at(t.row);
    // Term of output row y at column x: input rows y + key + rows, padded columns
    // x + offset + [0, length), i.e. dx = offset - r + [0, length).
    for (int dy = t.key + c.rows.first; dy <= t.key + c.rows.second; ++dy)
      for (int j = 0; j < c.length; ++j) offsets.insert({dy, t.offset - plan.radius + j});
  }
  return offsets;
}

struct Img {
  int ny, nx;
  std::vector<double> v;
  double at(int y, int x) const { return v[std::size_t(y) * nx + x]; }
};

Img brute_disk(Img const& in, int r, bool max) {
  Img out = in;
  auto const offsets = disk_offsets(r);
  for (int y = 0; y < in.ny; ++y)
    for (int x = 0; x < in.nx; ++x) {
      double acc = in.at(y, x);
      for (auto const& [dy, dx] : offsets) {
        int const yy = y + dy, xx = x + dx;
        if (yy < 0 || yy >= in.ny || xx < 0 || xx >= in.nx) continue;
        acc = max ? std::max(acc, in.at(yy, xx)) : std::min(acc, in.at(yy, xx));
      }
      out.v[std::size_t(y) * in.nx + x] = acc;
    }
  return out;
}

Img random_image(int ny, int nx, bool ties, unsigned seed) {
  Img img{ny, nx, std::vector<double>(std::size_t(ny) * nx)};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (double& v : img.v) v = ties ? static_cast<double>(rng() % 4) : uniform(rng);
  return img;
}

// Runs erode/dilate on Space; `stride` > 1 places the pixels (input and output) every `stride`
// elements along X, so the kernel reads and writes through non-unit strides.
template <class Space>
Img run(Img const& in, int r, bool max, int stride = 1) {
  using Memory = typename Space::memory_space;
  int const wide = in.nx * stride;
  std::vector<double> spread(std::size_t(in.ny) * wide, -1.0);
  for (int y = 0; y < in.ny; ++y)
    for (int x = 0; x < in.nx; ++x) spread[std::size_t(y) * wide + x * stride] = in.at(y, x);
  auto const src = bik_test::volume<Space>(spread, 1, in.ny, wide);
  Kokkos::View<double***, Kokkos::LayoutRight, Memory> dst("dst", 1, in.ny, wide);
  auto const layout = Kokkos::LayoutStride(1, std::size_t(in.ny) * wide, in.ny, wide, in.nx,
                                           static_cast<std::size_t>(stride));
  bik::Volume<double const, Memory> const src_volume(src.data(), layout);
  bik::Volume<double, Memory> const dst_volume(dst.data(), layout);
  bik::Workspace<Memory> ws;
  if (max)
    bik::dilate(Space(), src_volume, dst_volume, r, 1, &ws);
  else
    bik::erode(Space(), src_volume, dst_volume, r, 1, &ws);
  auto const host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), dst);
  Img out{in.ny, in.nx, std::vector<double>(std::size_t(in.ny) * in.nx)};
  for (int y = 0; y < in.ny; ++y)
    for (int x = 0; x < in.nx; ++x) out.v[std::size_t(y) * in.nx + x] = host(0, y, x * stride);
  return out;
}

}  // namespace

TEST_CASE("disk plans cover exactly skimage's disk(r) with exact windows") {
  for (int r = 0; r <= 40; ++r) {
    auto const plan = bik::detail::disk_plan(r);
    CHECK_MESSAGE(plan_offsets(plan) == disk_offsets(r), "r " << r);
  }
  CHECK_THROWS_AS(bik::detail::disk_plan(-1), bik::Error);
}

TEST_CASE("the disk(10) plan: 9 horizontal steps, 3 run tables, 13 terms") {
  // disk(10)'s half-widths by |dy| are 10, 9, 9, 9, 9, 8, 8, 7, 6, 4, 0 (spec §5): windows of
  // 21, 19, 17, 15, 13 and 9 values. Doubling 1 -> 2 -> 4 -> 8 (3 steps), then each window is
  // two overlapping copies of 8 or of the previous window (6 steps). Runs among dy = 1..10: four
  // rows of width 9 (tables of 2 and 4 rows) and two of width 8 (one table of 2 rows); the rest
  // are single rows. Terms: the centre row, and per side 6 runs (9, 8, 7, 6, 4, 0).
  auto const plan = bik::detail::disk_plan(10);
  CHECK(plan.horizontal.size() == 9);
  CHECK(plan.vertical.size() == 3);
  CHECK(plan.terms.size() == 13);
  CHECK(plan.temp_rows == 3);  // windows of 2, 4 and 8 values
}

TEST_CASE("disk morphology across tiles and strips equals the brute-force min and max") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    // 2c + 18 columns: tiles of c, c and 18 columns, the middle one read in place; c + 1: a last
    // tile of one column; 150 and 131 rows: split between threads when there are several.
    int const c = static_cast<int>(bik::detail::DiskRowStrips<Space>::columns);
    int const shapes[][2] = {{150, 2 * c + 18}, {131, c + 1}, {2, c + 200}, {700, 3}};
    for (auto const& shape : shapes)
      for (int r : {2, 5, 10, 13})
        for (bool max : {false, true}) {
          Img const in = random_image(shape[0], shape[1], r % 2 == 0, 31u * r + shape[1]);
          CHECK_MESSAGE(run<Space>(in, r, max).v == brute_disk(in, r, max).v,
                        Space::name() << " " << shape[0] << "x" << shape[1] << " r " << r
                                      << (max ? " dilate" : " erode"));
        }
  });
}

TEST_CASE("disk morphology for every radius from 2 to 24 equals the brute-force min and max") {
  // Radii 2..24 have 5 to 31 terms (the centre row and pairs of rows above and below it), so
  // output rows are picked in chunks of 8 terms and a rest of every odd size, 1 to 7, with and
  // without an accumulator folded in.
  std::set<std::size_t> rests;
  for (int r = 2; r <= 24; ++r) {
    std::size_t const terms = bik::detail::disk_plan(r).terms.size();
    CHECK(terms % 2 == 1);
    rests.insert(terms % 8);
  }
  CHECK(rests == std::set<std::size_t>{1, 3, 5, 7});
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    for (int r = 2; r <= 24; ++r)
      for (bool max : {false, true}) {
        Img const in = random_image(53, 71, r % 3 == 0, 101u + r);
        CHECK_MESSAGE(run<Space>(in, r, max).v == brute_disk(in, r, max).v,
                      Space::name() << " r " << r << (max ? " dilate" : " erode"));
      }
  });
}

TEST_CASE("disk morphology reads and writes strided views") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    for (int r : {3, 10})
      for (bool max : {false, true}) {
        Img const in = random_image(40, 300, false, 7u + r);
        CHECK_MESSAGE(run<Space>(in, r, max, 2).v == brute_disk(in, r, max).v,
                      Space::name() << " r " << r << (max ? " dilate" : " erode"));
      }
  });
}

TEST_CASE("disk morphology keeps infinities: out-of-image rows are neutral, not infinite values") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    double const inf = std::numeric_limits<double>::infinity();
    for (bool max : {false, true}) {
      // Mostly the value the out-of-image rows stand for, with a few finite pixels and the
      // opposite infinity; near the border the result must still come from the image alone.
      Img in = random_image(37, 290, false, 3u);
      for (std::size_t i = 0; i < in.v.size(); ++i)
        in.v[i] = i % 97 == 0 ? in.v[i] : i % 89 == 0 ? (max ? inf : -inf) : (max ? -inf : inf);
      for (int r : {2, 10}) {
        CHECK_MESSAGE(run<Space>(in, r, max).v == brute_disk(in, r, max).v,
                      Space::name() << " r " << r << (max ? " dilate" : " erode"));
      }
    }
  });
}

TEST_CASE("disk morphology of a stack of planes writes nothing outside its output") {
  // Stacks of 3 planes, each eroded (dilated) on its own, as granularity's batches do with its
  // background, at radii 2..13 (5 to 23 terms: chunks of 8 and every odd rest) and sizes from
  // smaller than the radius (the disk(10) background of a 48x40 image at 0.5 and 0.25 is 6x5)
  // to several tiles. Input and output sit inside larger buffers whose guard values around them
  // must survive, and one workspace serves every call, so its buffers hold a previous call's
  // values: any read of an unwritten ring entry or write past a row, a chunk or a plane shows.
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    using Memory = typename Space::memory_space;
    int const c = static_cast<int>(bik::detail::DiskRowStrips<Space>::columns);
    int const shapes[][2] = {{6, 5}, {1, 9}, {9, 1}, {24, 20}, {67, c + 3}};
    std::size_t const guard = 4096;
    double const sentinel = -7.25;
    bik::Workspace<Memory> ws;
    for (auto const& shape : shapes)
      for (int r = 2; r <= 13; ++r)
        for (bool max : {false, true}) {
          int const nz = 3, ny = shape[0], nx = shape[1];
          std::size_t const n = std::size_t(nz) * ny * nx;
          std::vector<Img> planes;
          std::vector<double> host_in(n + 2 * guard, sentinel);
          for (int z = 0; z < nz; ++z) {
            planes.push_back(random_image(ny, nx, (r + z) % 2 == 0, 977u * r + 13u * z + nx));
            std::copy(planes.back().v.begin(), planes.back().v.end(),
                      host_in.begin() + guard + std::size_t(z) * ny * nx);
          }
          Kokkos::View<double*, Memory> in_buffer("in", host_in.size());
          Kokkos::View<double*, Memory> out_buffer("out", host_in.size());
          Kokkos::deep_copy(in_buffer, Kokkos::View<double const*, Kokkos::HostSpace,
                                                    Kokkos::MemoryTraits<Kokkos::Unmanaged>>(
                                           host_in.data(), host_in.size()));
          Kokkos::deep_copy(out_buffer, sentinel);
          auto const layout = Kokkos::LayoutStride(nz, std::size_t(ny) * nx, ny, nx, nx, 1);
          bik::Volume<double const, Memory> const src(in_buffer.data() + guard, layout);
          bik::Volume<double, Memory> const dst(out_buffer.data() + guard, layout);
          if (max)
            bik::dilate(Space(), src, dst, r, 1, &ws);
          else
            bik::erode(Space(), src, dst, r, 1, &ws);
          auto const got = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out_buffer);
          auto const kept = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), in_buffer);
          std::size_t overrun = 0, changed = 0;
          for (std::size_t i = 0; i < guard; ++i) {
            overrun += got(i) != sentinel;
            overrun += got(guard + n + i) != sentinel;
          }
          for (std::size_t i = 0; i < host_in.size(); ++i) changed += kept(i) != host_in[i];
          std::vector<double> expected;
          for (Img const& plane : planes) {
            Img const want = brute_disk(plane, r, max);
            expected.insert(expected.end(), want.v.begin(), want.v.end());
          }
          std::vector<double> const result(got.data() + guard, got.data() + guard + n);
          std::string const what = std::string(Space::name()) + " " + std::to_string(ny) + "x" +
                                   std::to_string(nx) + " r " + std::to_string(r) +
                                   (max ? " dilate" : " erode");
          CHECK_MESSAGE(overrun == 0, what);
          CHECK_MESSAGE(changed == 0, what);
          CHECK_MESSAGE(result == expected, what);
        }
  });
}
