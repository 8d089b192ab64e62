// The N4 driver tests' scene and runner: spec n4.md §7.1's two-class phantom (1.0 inside an
// ellipsoid, 0.3 outside, mask a larger ellipsoid) times a smooth known bias, without noise;
// bik::n4::correct run on it on one space; and the check that every space agrees with the first.
#ifndef BIK_TESTS_UNIT_N4_SCENE_HPP
#define BIK_TESTS_UNIT_N4_SCENE_HPP

#include "bik/n4/correct.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <tuple>
#include <vector>

namespace bik_test {

struct N4Scene {
  bik::Shape3 shape;
  int rank = 3;
  std::vector<double> pixels;
  std::vector<std::int32_t> mask;
  std::vector<double> log_bias;  // the true one
};

// `bias(nz, ny, nx)` is the log bias at normalised coordinates in [-0.5, 0.5) (nz = 0 in 2D).
template <class Bias>
N4Scene n4_phantom(bik::Shape3 s, int rank, Bias const& bias) {
  N4Scene sc{s, rank, {}, {}, {}};
  for (std::int64_t z = 0; z < s.z; ++z)
    for (std::int64_t y = 0; y < s.y; ++y)
      for (std::int64_t x = 0; x < s.x; ++x) {
        double const nz = rank == 2 ? 0.0 : (z - s.z / 2.0) / s.z;
        double const ny = (y - s.y / 2.0) / s.y, nx = (x - s.x / 2.0) / s.x;
        double const r = std::sqrt((nz * nz + ny * ny + nx * nx) * 9.0);
        double const f = bias(nz, ny, nx);
        sc.pixels.push_back((r < 1.0 ? 1.0 : 0.3) * std::exp(f));
        sc.log_bias.push_back(f);
        sc.mask.push_back(r < 1.2 ? 1 : 0);
      }
  return sc;
}

struct N4Run {
  bik::n4::N4Report report;
  std::vector<double> corrected, log_bias;
  std::vector<std::vector<double>> values;  // convergence values per level
};

// bik::n4::correct on `Space` with T pixels, the scene's mask if `use_mask`, and `confidence`
// as the confidence image unless it is empty; the outputs as doubles.
template <class Space, class T = double>
N4Run run_n4(N4Scene const& sc, bik::n4::N4Options o, bool use_mask = true,
             std::vector<double> const& confidence = {}) {
  using MS = typename Space::memory_space;
  auto const s = sc.shape;
  std::vector<T> px(sc.pixels.begin(), sc.pixels.end());
  auto input = volume<Space, T>(px, s.z, s.y, s.x);
  auto mask = volume<Space, std::int32_t>(sc.mask, s.z, s.y, s.x);
  Kokkos::View<double***, Kokkos::LayoutRight, MS> conf;  // kept alive for the call
  Kokkos::View<T***, Kokkos::LayoutRight, MS> out("out", s.z, s.y, s.x),
      bias("bias", s.z, s.y, s.x);
  bik::n4::N4Images<T, std::int32_t, MS> images;
  images.input = bik::as_volume(input);
  images.rank = sc.rank;
  if (use_mask) images.mask = bik::as_volume(mask);
  if (!confidence.empty()) {
    conf = volume<Space, double>(confidence, s.z, s.y, s.x);
    images.confidence = bik::as_volume(conf);
  }
  images.corrected = bik::n4::as_writable_volume(out);
  images.log_bias = bik::n4::as_writable_volume(bias);
  N4Run r;
  o.progress = [&](int level, int, double value) {
    r.values.resize(level + 1);
    r.values[level].push_back(value);
  };
  bik::Workspace<MS> ws;
  r.report = bik::n4::correct(Space(), images, o, &ws);
  auto ho = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), bias);
  r.corrected.assign(ho.data(), ho.data() + s.size());
  r.log_bias.assign(hb.data(), hb.data() + s.size());
  return r;
}

// Every space against the first: only reductions (ranges, convergence sums, norms) change
// order across spaces, so doubles agree to 1e-9 relative; float32 pixels agree with the double
// run to 1e-5 (float32 storage and a float apply, apply_bias.hpp's bound).
inline void check_n4_spaces_agree(N4Scene const& sc, bik::n4::N4Options const& o) {
  using First = std::tuple_element_t<0, BikTestSpaces>;
  auto const ref = run_n4<First>(sc, o);
  for_each_space([&](auto space) {
    using Space = decltype(space);
    auto const r = run_n4<Space>(sc, o);
    for (std::size_t i = 0; i < sc.pixels.size(); ++i) {
      CHECK(r.log_bias[i] == doctest::Approx(ref.log_bias[i]).epsilon(1e-9).scale(1.0));
      CHECK(r.corrected[i] == doctest::Approx(ref.corrected[i]).epsilon(1e-9));
    }
    auto const single = run_n4<Space, float>(sc, o);
    for (std::size_t i = 0; i < sc.pixels.size(); ++i)
      CHECK(single.corrected[i] == doctest::Approx(ref.corrected[i]).epsilon(1e-5));
  });
}

}  // namespace bik_test

#endif
