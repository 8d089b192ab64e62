// Disk/ball erosion and dilation and reconstruction by dilation against brute-force versions of
// their definitions (spec §5, §6), written out here independently: erosion takes the min over
// the offsets with dz^2 + dy^2 + dx^2 <= r^2 that fall inside the image; reconstruction iterates
// f <- min(max over the cross, mask) from min(seed, mask) until nothing changes. Min and max
// select input values, so every comparison is exact. Every space; the tests run at 1-4 threads.
#include "bik/morphology/erode_dilate.hpp"
#include "bik/morphology/footprint.hpp"
#include "bik/morphology/reconstruct.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace {

struct Img {
  int nz, ny, nx;
  std::vector<double> v;
  double& at(int z, int y, int x) { return v[(std::size_t(z) * ny + y) * nx + x]; }
  double at(int z, int y, int x) const { return v[(std::size_t(z) * ny + y) * nx + x]; }
};

// Brute force: min (max) over the footprint inside the image; planes = 1 means a disk per plane.
Img brute_morphology(Img const& in, int r, bool volumetric, bool max) {
  Img out = in;
  for (int z = 0; z < in.nz; ++z)
    for (int y = 0; y < in.ny; ++y)
      for (int x = 0; x < in.nx; ++x) {
        double acc = in.at(z, y, x);
        int const rz = volumetric ? r : 0;
        for (int dz = -rz; dz <= rz; ++dz)
          for (int dy = -r; dy <= r; ++dy)
            for (int dx = -r; dx <= r; ++dx) {
              if (dz * dz + dy * dy + dx * dx > r * r) continue;
              int const zz = z + dz, yy = y + dy, xx = x + dx;
              if (zz < 0 || zz >= in.nz || yy < 0 || yy >= in.ny || xx < 0 || xx >= in.nx) continue;
              double const v = in.at(zz, yy, xx);
              acc = max ? std::max(acc, v) : std::min(acc, v);
            }
        out.at(z, y, x) = acc;
      }
  return out;
}

Img brute_reconstruct(Img const& seed, Img const& mask, bool volumetric) {
  Img f = seed;
  for (std::size_t i = 0; i < f.v.size(); ++i) f.v[i] = std::min(seed.v[i], mask.v[i]);
  for (bool changed = true; changed;) {
    changed = false;
    Img const g = brute_morphology(f, 1, volumetric, true);
    for (std::size_t i = 0; i < f.v.size(); ++i) {
      double const nv = std::min(g.v[i], mask.v[i]);
      if (nv != f.v[i]) {
        f.v[i] = nv;
        changed = true;
      }
    }
  }
  return f;
}

// Test images of the kinds the spec lists: random, integer ties, gradient, hot border, spike.
Img make_image(int kind, int nz, int ny, int nx, unsigned seed) {
  Img img{nz, ny, nx, std::vector<double>(std::size_t(nz) * ny * nx, 0.0)};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int z = 0; z < nz; ++z)
    for (int y = 0; y < ny; ++y)
      for (int x = 0; x < nx; ++x) {
        double& v = img.at(z, y, x);
        switch (kind) {
          case 0:
            v = uniform(rng);
            break;
          case 1:
            v = static_cast<double>(rng() % 5);
            break;
          case 2:
            v = z + y + x;
            break;
          case 3:
            v = (z == 0 || y == 0 || x == 0 || y == ny - 1 || x == nx - 1) ? 7.0 : uniform(rng);
            break;
          default:
            v = (z == nz / 2 && y == ny / 2 && x == nx / 2) ? 9.0 : 1.0;
            break;
        }
      }
  return img;
}

template <class Space>
Img run_morphology(Img const& in, int r, bool volumetric, bool max) {
  auto const dev = bik_test::volume<Space>(in.v, in.nz, in.ny, in.nx);
  Kokkos::View<double***, Kokkos::LayoutRight, typename Space::memory_space> out("out", in.nz,
                                                                                 in.ny, in.nx);
  bik::Workspace<typename Space::memory_space> ws;
  auto const src = bik::as_volume(dev);
  bik::Volume<double, typename Space::memory_space> dst(
      out.data(), Kokkos::LayoutStride(in.nz, in.ny * in.nx, in.ny, in.nx, in.nx, 1));
  std::int64_t const planes = volumetric ? in.nz : 1;
  if (max)
    bik::dilate(Space(), src, dst, r, planes, &ws);
  else
    bik::erode(Space(), src, dst, r, planes, &ws);
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  return Img{in.nz, in.ny, in.nx, std::vector<double>(host.data(), host.data() + host.size())};
}

template <class Space>
Img run_reconstruct(Img const& seed, Img const& mask, std::int64_t planes) {
  auto const s = bik_test::volume<Space>(seed.v, seed.nz, seed.ny, seed.nx);
  auto const m = bik_test::volume<Space>(mask.v, mask.nz, mask.ny, mask.nx);
  Kokkos::View<double***, Kokkos::LayoutRight, typename Space::memory_space> out("out", seed.nz,
                                                                                 seed.ny, seed.nx);
  bik::Workspace<typename Space::memory_space> ws;
  bik::reconstruct_by_dilation(Space(), bik::as_volume(s), bik::as_volume(m),
                               bik::Volume<double, typename Space::memory_space>(
                                   out.data(), Kokkos::LayoutStride(seed.nz, seed.ny * seed.nx,
                                                                    seed.ny, seed.nx, seed.nx, 1)),
                               planes, &ws);
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  return Img{seed.nz, seed.ny, seed.nx,
             std::vector<double>(host.data(), host.data() + host.size())};
}

}  // namespace

TEST_CASE("footprint rows are skimage's disk and ball half-widths") {
  // disk(3): rows dy = 0, +-1, +-2, +-3 with floor(sqrt(9 - dy^2)) = 3, 2, 2, 0 (spec §5).
  auto const d3 = bik::footprint_lines(3, false);
  CHECK(d3.lines.size() == 7);
  std::vector<int> widths = d3.widths;
  std::sort(widths.begin(), widths.end());
  CHECK(widths == std::vector<int>{0, 2, 3});
  CHECK(d3.widths.front() == 3);  // the centre row's width comes first
  // disk(10): 21 rows over the half-widths 10, 9, 8, 7, 6, 4, 0; 317 pixels in all.
  auto const d10 = bik::footprint_lines(10, false);
  CHECK(d10.lines.size() == 21);
  int pixels = 0;
  for (auto const& l : d10.lines) pixels += 2 * d10.widths[l.width] + 1;
  CHECK(pixels == 317);
  // ball(1): 5 rows (centre, 4 with width 0) = the 7-voxel cross.
  auto const b1 = bik::footprint_lines(1, true);
  CHECK(b1.lines.size() == 5);
  CHECK_THROWS_AS(bik::footprint_lines(-1, false), bik::Error);
}

TEST_CASE("disk erosion and dilation equal the brute-force footprint min and max") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    int const shapes[][2] = {{23, 19}, {1, 17}, {13, 1}, {8, 8}};
    for (auto const& shape : shapes)
      for (int kind = 0; kind < 5; ++kind)
        for (int r : {0, 1, 2, 3, 5, 7, 10})
          for (bool max : {false, true}) {
            Img const in = make_image(kind, 1, shape[0], shape[1], 7u * kind + r);
            Img const got = run_morphology<Space>(in, r, false, max);
            Img const want = brute_morphology(in, r, false, max);
            CHECK_MESSAGE(got.v == want.v, Space::name() << " shape " << shape[0] << "x" << shape[1]
                                                         << " kind " << kind << " r " << r
                                                         << (max ? " dilate" : " erode"));
          }
  });
}

TEST_CASE("disk morphology treats every plane of a stack as its own image") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    Img const in = make_image(0, 3, 11, 9, 5u);
    Img const got = run_morphology<Space>(in, 2, false, false);
    for (int z = 0; z < 3; ++z) {
      Img plane{1, 11, 9, std::vector<double>(in.v.begin() + z * 99, in.v.begin() + (z + 1) * 99)};
      Img const want = brute_morphology(plane, 2, false, false);
      CHECK(std::vector<double>(got.v.begin() + z * 99, got.v.begin() + (z + 1) * 99) == want.v);
    }
  });
}

TEST_CASE("ball erosion and dilation equal the brute-force footprint min and max") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    for (int kind = 0; kind < 5; ++kind)
      for (int r : {1, 2, 3})
        for (bool max : {false, true}) {
          Img const in = make_image(kind, 7, 9, 8, 11u * kind + r);
          Img const got = run_morphology<Space>(in, r, true, max);
          Img const want = brute_morphology(in, r, true, max);
          CHECK_MESSAGE(got.v == want.v, Space::name() << " kind " << kind << " r " << r);
        }
  });
}

TEST_CASE("morphology rejects a negative radius and mismatched shapes") {
  using Space = Kokkos::DefaultHostExecutionSpace;
  Kokkos::View<double***, Kokkos::LayoutRight, Kokkos::HostSpace> a("a", 1, 4, 4), b("b", 1, 4, 5);
  auto const in = bik::as_volume(a);
  bik::Volume<double, Kokkos::HostSpace> same(a.data(), Kokkos::LayoutStride(1, 16, 4, 4, 4, 1));
  bik::Volume<double, Kokkos::HostSpace> other(b.data(), Kokkos::LayoutStride(1, 20, 4, 5, 5, 1));
  CHECK_THROWS_WITH_AS(bik::erode(Space(), in, same, -1), doctest::Contains("radius"), bik::Error);
  CHECK_THROWS_WITH_AS(bik::dilate(Space(), in, other, 2), doctest::Contains("shape"), bik::Error);
  CHECK_THROWS_AS(bik::reconstruct_by_dilation(Space(), in, bik::as_volume(b), same), bik::Error);
}

TEST_CASE("reconstruction by dilation equals the iterated definition") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    int const shapes[][2] = {{23, 19}, {1, 40}, {40, 1}, {150, 131}};
    for (auto const& shape : shapes)
      for (int kind = 0; kind < 5; ++kind) {
        Img const mask = make_image(kind, 1, shape[0], shape[1], 3u * kind + 1);
        // The granularity seed: the cross erosion of the mask, and a random seed (clamped).
        Img const eroded = brute_morphology(mask, 1, false, false);
        Img const random = make_image(0, 1, shape[0], shape[1], 99u + kind);
        for (Img const* seed : {&eroded, &random}) {
          Img const got = run_reconstruct<Space>(*seed, mask, 1);
          CHECK_MESSAGE(got.v == brute_reconstruct(*seed, mask, false).v,
                        Space::name()
                            << " kind " << kind << " shape " << shape[0] << "x" << shape[1]);
        }
      }
  });
}

TEST_CASE("reconstruction reads and writes strided views through dense copies") {
  // A mask and an output that are not dense (X,Y transposed in memory) give the definition's
  // result, as the dense views do.
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    using Memory = typename Space::memory_space;
    int const ny = 37, nx = 29;
    Img const mask = make_image(0, 1, ny, nx, 41u);
    Img const seed = brute_morphology(mask, 1, false, false);
    Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace> mh("mask", ny, nx);
    for (int y = 0; y < ny; ++y)
      for (int x = 0; x < nx; ++x) mh(y, x) = mask.at(0, y, x);
    auto const m = Kokkos::create_mirror_view_and_copy(Memory(), mh);
    auto const s = bik_test::volume<Space>(seed.v, 1, ny, nx);
    Kokkos::View<double**, Kokkos::LayoutLeft, Memory> out("out", ny, nx);
    bik::reconstruct_by_dilation(Space(), bik::as_volume(s), bik::as_volume(m),
                                 bik::as_writable_volume(out));
    auto const host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    Img const want = brute_reconstruct(seed, mask, false);
    bool same = true;
    for (int y = 0; y < ny; ++y)
      for (int x = 0; x < nx; ++x) same = same && host(y, x) == want.at(0, y, x);
    CHECK_MESSAGE(same, Space::name());
  });
}

TEST_CASE("geodesic sweeps only raise towards the reconstruction, and finish it on ridges") {
  // The sweeps (the GPU's first stage) on every space: from min(seed, mask) they give values
  // between that start and the reconstruction; a seed at one end of a corridor with one turn
  // fills it in two rounds; and the tiles finish from the swept start to the definition's result.
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    int const ny = 45, nx = 38;
    Img const mask = make_image(0, 1, ny, nx, 7u);
    Img const seed = brute_morphology(brute_morphology(mask, 1, false, false), 1, false, false);
    Img const want = brute_reconstruct(seed, mask, false);
    Img start = seed;
    for (std::size_t i = 0; i < start.v.size(); ++i) start.v[i] = std::min(seed.v[i], mask.v[i]);
    auto const m = bik_test::volume<Space>(mask.v, 1, ny, nx);
    auto const f = bik_test::volume<Space>(start.v, 1, ny, nx);
    bik::detail::geodesic_sweeps(Space(), bik::as_volume(m), bik::as_writable_volume(f), 1, 2);
    auto const swept = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), f);
    bool between = true, rose = false;
    for (std::size_t i = 0; i < start.v.size(); ++i) {
      between = between && start.v[i] <= swept.data()[i] && swept.data()[i] <= want.v[i];
      rose = rose || start.v[i] < swept.data()[i];
    }
    CHECK_MESSAGE(between, Space::name());
    CHECK(rose);
    Img from_sweeps = start;
    from_sweeps.v.assign(swept.data(), swept.data() + swept.size());
    CHECK(run_reconstruct<Space>(from_sweeps, mask, 1).v == want.v);
    // A corridor along X, then down along Y (a row and a column of 5 in zeros), the seed 3 at
    // the row's left end: a round sweeps Y then X, so the first round fills the row and the
    // second the column, whatever their lengths.
    Img corridor{1, ny, nx, std::vector<double>(std::size_t(ny) * nx, 0.0)};
    for (int x = 0; x < nx; ++x) corridor.at(0, 10, x) = 5.0;
    for (int y = 10; y < ny; ++y) corridor.at(0, y, nx - 1) = 5.0;
    Img lit{1, ny, nx, std::vector<double>(corridor.v.size(), 0.0)};
    lit.at(0, 10, 0) = 3.0;
    auto const cm = bik_test::volume<Space>(corridor.v, 1, ny, nx);
    auto const cf = bik_test::volume<Space>(lit.v, 1, ny, nx);
    bik::detail::geodesic_sweeps(Space(), bik::as_volume(cm), bik::as_writable_volume(cf), 1, 2);
    auto const filled = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), cf);
    bool all = true;
    for (std::size_t i = 0; i < corridor.v.size(); ++i)
      all = all && filled.data()[i] == (corridor.v[i] > 0 ? 3.0 : 0.0);
    CHECK(all);
  });
}

TEST_CASE("reconstruction follows a serpentine maze across many tiles") {
  // A 1-pixel corridor snaking through a 199 x 203 image: a value at its start must travel
  // the whole (about 20000-pixel) geodesic, through every tile, back and forth.
  int const ny = 199, nx = 203;
  Img mask{1, ny, nx, std::vector<double>(std::size_t(ny) * nx, 0.0)};
  for (int y = 0; y < ny; y += 2)
    for (int x = 0; x < nx; ++x) mask.at(0, y, x) = 5.0;
  for (int y = 1; y < ny; y += 2) mask.at(0, y, (y / 2) % 2 == 0 ? nx - 1 : 0) = 5.0;
  Img seed{1, ny, nx, std::vector<double>(mask.v.size(), 0.0)};
  seed.at(0, 0, 0) = 3.0;
  // The corridor is connected, so all of it rises to min(3, 5) = 3; the walls stay 0.
  Img want = mask;
  for (double& v : want.v) v = v > 0 ? 3.0 : 0.0;
  bik_test::for_each_space([&](auto space) {
    using Space = decltype(space);
    CHECK(run_reconstruct<Space>(seed, mask, 1).v == want.v);
  });
}

TEST_CASE("reconstruction in volumes uses 6-connectivity and stays inside each volume") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    for (int kind = 0; kind < 5; ++kind) {
      Img const mask = make_image(kind, 20, 21, 37, 5u * kind + 2);
      Img const seed = brute_morphology(mask, 1, true, false);
      CHECK(run_reconstruct<Space>(seed, mask, 20).v == brute_reconstruct(seed, mask, true).v);
    }
    // Two volumes of 10 planes stacked: nothing flows from one to the other.
    Img mask{20, 6, 6, std::vector<double>(720, 4.0)};
    Img seed{20, 6, 6, std::vector<double>(720, 0.0)};
    seed.at(9, 3, 3) = 2.0;  // last plane of the first volume
    Img const got = run_reconstruct<Space>(seed, mask, 10);
    for (int z = 0; z < 20; ++z) CHECK(got.at(z, 0, 0) == (z < 10 ? 2.0 : 0.0));
  });
}

TEST_CASE("cascaded granularity steps: erosion then reconstruction, 5 times") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    Img const mask = make_image(0, 1, 37, 41, 17u);
    Img ero = mask;
    for (int step = 0; step < 5; ++step) {
      Img const next = run_morphology<Space>(ero, 1, false, false);
      CHECK(next.v == brute_morphology(ero, 1, false, false).v);
      ero = next;
      CHECK(run_reconstruct<Space>(ero, mask, 1).v == brute_reconstruct(ero, mask, false).v);
    }
  });
}

TEST_CASE("reconstruction from a floor: a start raised at a tile's edge crosses into the next") {
  // detail::reconstruct_from, as granularity's spectrum uses it: the floor (here 0, the
  // reconstruction of a zero seed) is stable, so only the tiles where the start rises above it,
  // and their face neighbours, are swept at first. One voxel v = 5 on the last column (2D) or
  // plane (3D) of a tile whose mask is 0 elsewhere, so that nothing rises inside that tile; the
  // mask is 10 everywhere else. By the definition, v keeps 5, the rest of its tile stays 0 and
  // every other voxel (connected to v through mask 10) rises to min(5, 10) = 5. Host tiles are
  // 64 columns wide and 16 planes deep, GPU tiles 32 and 4: x = 63 and z = 15 end a tile on both.
  auto check = [](int nz, int ny, int nx, int vz, int vy, int vx, bool in_tile(int, int, int),
                  std::int64_t planes) {
    Img seed{nz, ny, nx, std::vector<double>(std::size_t(nz) * ny * nx, 0.0)};
    Img mask = seed, floor = seed, want = seed;
    for (int z = 0; z < nz; ++z)
      for (int y = 0; y < ny; ++y)
        for (int x = 0; x < nx; ++x) {
          bool const inside = in_tile(z, y, x), v = z == vz && y == vy && x == vx;
          mask.at(z, y, x) = inside && !v ? 0.0 : 10.0;
          want.at(z, y, x) = inside && !v ? 0.0 : 5.0;
        }
    seed.at(vz, vy, vx) = 5.0;
    bik_test::for_each_space([&](auto space) {
      using Space = decltype(space);
      using Memory = typename Space::memory_space;
      auto const s = bik_test::volume<Space>(seed.v, nz, ny, nx);
      auto const m = bik_test::volume<Space>(mask.v, nz, ny, nx);
      auto const f = bik_test::volume<Space>(floor.v, nz, ny, nx);
      Kokkos::View<double***, Kokkos::LayoutRight, Memory> out("out", nz, ny, nx);
      bik::Workspace<Memory> ws;
      bik::detail::reconstruct_from(
          Space(), bik::as_volume(s), static_cast<double const*>(f.data()), bik::as_volume(m),
          bik::Volume<double, Memory>(out.data(), Kokkos::LayoutStride(nz, ny * nx, ny, nx, nx, 1)),
          planes, &ws);
      auto const host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
      CHECK(std::vector<double>(host.data(), host.data() + host.size()) == want.v);
    });
  };
  check(
      1, 80, 128, 0, 10, 63, [](int, int y, int x) { return y < 64 && x < 64; }, 1);
  check(
      32, 8, 8, 15, 3, 4, [](int z, int, int) { return z < 16; }, 32);
}
