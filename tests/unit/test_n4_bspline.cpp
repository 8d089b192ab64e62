// N4's cubic B-spline lattice (bik/n4): the basis against the textbook B-spline identities,
// the separable MBA contraction and the separable evaluation against direct per-voxel sums
// written here from the spec's formulas (n4.md §2.5, §2.5.1), exact refinement, and the
// residual iteration recovering a field that is itself a lattice spline. Every space.
#include "bik/n4/contract_to_lattice.hpp"
#include "bik/n4/cubic_bspline.hpp"
#include "bik/n4/evaluate_lattice.hpp"
#include "bik/n4/fit_steps.hpp"
#include "bik/n4/grid_basis.hpp"
#include "bik/n4/refine_lattice.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace {

using bik::Shape3;
using bik::n4::LatticeShape;

// The centred cubic B-spline, from its piecewise definition (not from the library).
double beta3(double x) {
  double const a = std::abs(x);
  if (a < 1.0) return 2.0 / 3.0 - a * a + a * a * a / 2.0;
  if (a < 2.0) return (2.0 - a) * (2.0 - a) * (2.0 - a) / 6.0;
  return 0.0;
}

// ITK's index-normalised parametric position with its end clamp (spec §2.5).
double position(std::int64_t i, std::int64_t n, int controls) {
  if (controls == 1) return 0.0;
  int const spans = controls - 3;
  double const u = double(spans) * double(i) / double(n - 1);
  double const eps = double(spans) / double(n - 1) * 1e-3;
  return std::abs(u - spans) <= eps ? spans - eps : u;
}

// Weight of control point c for sample i: control c is centred at parametric c - 1 (ITK's
// columns j..j+3 for span j); a degenerate axis has weight 1.
double axis_weight(std::int64_t i, std::int64_t n, int controls, int c) {
  if (controls == 1) return 1.0;
  double const u = position(i, n, controls);
  // Only the four control points of u's span count (beta3 is 0 outside anyway, except at the
  // span's exact left edge where the fifth one, c = j + 4, gets beta3(-2) = 0).
  return beta3(u - (c - 1));
}

std::vector<double> random_values(std::size_t n, unsigned seed, double lo, double hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

template <class Space>
Kokkos::View<double*, typename Space::memory_space> to_device(std::vector<double> const& v) {
  Kokkos::View<double*, Kokkos::HostSpace> h("host", v.size());
  for (std::size_t i = 0; i < v.size(); ++i) h(i) = v[i];
  return Kokkos::create_mirror_view_and_copy(typename Space::memory_space(), h);
}

// Field of a lattice at every voxel, by the direct 64-term sum.
std::vector<double> direct_field(std::vector<double> const& coeff, LatticeShape l, Shape3 g) {
  std::vector<double> out(g.size(), 0.0);
  for (std::int64_t z = 0; z < g.z; ++z)
    for (std::int64_t y = 0; y < g.y; ++y)
      for (std::int64_t x = 0; x < g.x; ++x) {
        double sum = 0.0;
        for (int cz = 0; cz < l.z; ++cz)
          for (int cy = 0; cy < l.y; ++cy)
            for (int cx = 0; cx < l.x; ++cx)
              sum += coeff[(std::int64_t(cz) * l.y + cy) * l.x + cx] *
                     axis_weight(z, g.z, l.z, cz) * axis_weight(y, g.y, l.y, cy) *
                     axis_weight(x, g.x, l.x, cx);
        out[(z * g.y + y) * g.x + x] = sum;
      }
  return out;
}

template <class Space>
std::vector<double> library_field(std::vector<double> const& coeff, LatticeShape l, Shape3 g) {
  using MS = typename Space::memory_space;
  auto const basis = bik::n4::make_grid_basis<MS>(g, l);
  auto c = to_device<Space>(coeff);
  Kokkos::View<double*, MS> out("out", g.size());
  bik::n4::evaluate_lattice(Space(), basis, c, out, static_cast<bik::Workspace<MS>*>(nullptr));
  return bik_test::to_vector(out);
}

// Fields of values of order 1 that agree to rounding: relative 1e-12, absolute 1e-12 near 0.
void check_same_field(std::vector<double> const& got, std::vector<double> const& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-12).scale(1.0));
}

}  // namespace

TEST_CASE("n4 cubic B-spline: partition of unity and exact cubic reproduction") {
  // Marsden's identities for the centred cubic B-spline with control c at c - 1 (k = c - 1):
  // sum w = 1, sum w k = u, sum w (k^2 - 1/3) = u^2, sum w (k^3 - k) = u^3.
  for (int step = 0; step <= 64; ++step) {
    double const t = step / 64.0 * 0.999;
    double w[4];
    bik::n4::cubic_bspline_weights(t, w);
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int c = 0; c < 4; ++c) {
      double const k = c - 1;
      CHECK(w[c] >= 0.0);
      CHECK(w[c] == doctest::Approx(beta3(t - k)).epsilon(1e-14));
      s0 += w[c];
      s1 += w[c] * k;
      s2 += w[c] * (k * k - 1.0 / 3.0);
      s3 += w[c] * (k * k * k - k);
    }
    CHECK(s0 == doctest::Approx(1.0).epsilon(1e-14));
    CHECK(s1 == doctest::Approx(t).epsilon(1e-14));
    CHECK(s2 == doctest::Approx(t * t).epsilon(1e-14));
    CHECK(s3 == doctest::Approx(t * t * t).epsilon(1e-14));
  }
  // Through the per-axis tables: a lattice with coefficients (c-1)^3 - (c-1) reproduces u^3 at
  // every sample, the last one included (at its clamped position).
  for (auto [n, spans] : std::vector<std::pair<int, int>>{{9, 3}, {2, 1}, {17, 8}, {5, 6}}) {
    auto const b = bik::n4::make_axis_basis<Kokkos::HostSpace>(n, spans);
    REQUIRE(b.controls == spans + 3);
    for (int i = 0; i < n; ++i) {
      double const u = position(i, n, spans + 3);
      double cubic = 0.0, one = 0.0;
      for (int k = 0; k < 4; ++k) {
        double const kk = b.span(i) + k - 1;
        cubic += b.w(i, k) * (kk * kk * kk - kk);
        one += b.w(i, k);
      }
      CHECK(cubic == doctest::Approx(u * u * u).epsilon(1e-12));
      CHECK(one == doctest::Approx(1.0).epsilon(1e-14));
    }
    // The last sample lies just inside the last span (ITK's epsilon clamp).
    CHECK(b.span(n - 1) == spans - 1);
  }
}

TEST_CASE("n4 B-spline: separable evaluation equals the direct 64-term sum") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    for (auto [g, l] : std::vector<std::pair<Shape3, LatticeShape>>{
             {{6, 7, 9}, {5, 4, 6}}, {{1, 11, 8}, {1, 6, 5}}, {{3, 2, 2}, {4, 4, 4}}}) {
      auto const coeff = random_values(l.size(), 7, -1.0, 1.0);
      auto const want = direct_field(coeff, l, g);
      check_same_field(library_field<Space>(coeff, l, g), want);
    }
  });
}

TEST_CASE("n4 B-spline: the separable MBA contraction equals ITK's per-point scatter") {
  // ITK's single-level MBA (spec §2.5): per voxel p with weight g and value v, w_c the
  // tensor-product weight of each of its 64 control points and W2 = sum_c w_c^2:
  // omega[c] += g w_c^2, delta[c] += g v w_c^3 / W2.
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    using MS = typename Space::memory_space;
    for (auto [g, l] : std::vector<std::pair<Shape3, LatticeShape>>{{{5, 7, 9}, {5, 6, 4}},
                                                                    {{1, 9, 12}, {1, 5, 7}}}) {
      auto const values = random_values(g.size(), 11, -2.0, 2.0);
      auto weights = random_values(g.size(), 12, 0.0, 1.0);
      for (std::size_t i = 0; i < weights.size(); i += 3) weights[i] = 0.0;  // excluded voxels
      std::vector<double> omega(l.size(), 0.0), delta(l.size(), 0.0), psi(g.size(), 0.0);
      for (std::int64_t z = 0; z < g.z; ++z)
        for (std::int64_t y = 0; y < g.y; ++y)
          for (std::int64_t x = 0; x < g.x; ++x) {
            std::int64_t const p = (z * g.y + y) * g.x + x;
            std::vector<double> w(l.size());
            double w2 = 0.0;
            for (int cz = 0; cz < l.z; ++cz)
              for (int cy = 0; cy < l.y; ++cy)
                for (int cx = 0; cx < l.x; ++cx) {
                  std::int64_t const c = (std::int64_t(cz) * l.y + cy) * l.x + cx;
                  w[c] = axis_weight(z, g.z, l.z, cz) * axis_weight(y, g.y, l.y, cy) *
                         axis_weight(x, g.x, l.x, cx);
                  w2 += w[c] * w[c];
                }
            for (std::int64_t c = 0; c < l.size(); ++c) {
              omega[c] += weights[p] * w[c] * w[c];
              delta[c] += weights[p] * values[p] * w[c] * w[c] * w[c] / w2;
            }
            psi[p] = weights[p] * values[p] / w2;
          }
      auto const basis = bik::n4::make_grid_basis<MS>(g, l);
      Kokkos::View<double*, MS> den("den", l.size()), num("num", l.size());
      bik::Workspace<MS> ws;
      bik::n4::contract_to_lattice(Space(), basis, to_device<Space>(weights), 2, den, &ws);
      bik::n4::contract_to_lattice(Space(), basis, to_device<Space>(psi), 3, num, &ws);
      auto const d = bik_test::to_vector(den);
      auto const nu = bik_test::to_vector(num);
      for (std::int64_t c = 0; c < l.size(); ++c) {
        CHECK(d[c] == doctest::Approx(omega[c]).epsilon(1e-12).scale(1e-3));
        CHECK(nu[c] == doctest::Approx(delta[c]).epsilon(1e-12).scale(1e-3));
      }
    }
  });
}

TEST_CASE("n4 B-spline: refinement leaves the field unchanged") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    using MS = typename Space::memory_space;
    for (auto [g, l] : std::vector<std::pair<Shape3, LatticeShape>>{{{9, 11, 13}, {4, 5, 6}},
                                                                    {{1, 10, 7}, {1, 7, 4}}}) {
      auto const coeff = random_values(l.size(), 5, -1.0, 1.0);
      bik::n4::Lattice<MS> from{l, to_device<Space>(coeff)};
      LatticeShape const r = bik::n4::refined_shape(l);
      CHECK(r.x == 2 * (l.x - 3) + 3);
      CHECK(r.z == (l.z == 1 ? 1 : 2 * (l.z - 3) + 3));
      bik::n4::Lattice<MS> to{r, Kokkos::View<double*, MS>("refined", r.size())};
      bik::n4::refine_lattice(Space(), from, to);
      auto const before = direct_field(coeff, l, g);
      check_same_field(library_field<Space>(bik_test::to_vector(to.coeff), r, g), before);
    }
  });
}

TEST_CASE("n4 B-spline: one MBA pass interpolates isolated samples exactly") {
  // Lee-Wolberg-Shin: for one sample, phi_c = w_c v / sum w^2 is the minimum-norm solution, so
  // the field at the sample is v exactly; samples whose 4x4x4 control sets are disjoint do not
  // interact. Here: 11 control points (8 spans) per axis, samples 6 spans apart along X.
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    using MS = typename Space::memory_space;
    Shape3 const g{17, 17, 33};
    LatticeShape const l{11, 11, 11};
    std::vector<double> weights(g.size(), 0.0), psi(g.size(), 0.0);
    struct Sample {
      std::int64_t z, y, x;
      double v;
    };
    // X positions 2 and 26 of 33 are at u = 0.5 and 6.5 (spans 0 and 6: controls 0-3, 6-9).
    std::vector<Sample> const samples{{3, 5, 2, 0.7}, {9, 12, 26, -1.3}};
    for (auto const& s : samples) {
      std::int64_t const p = (s.z * g.y + s.y) * g.x + s.x;
      double w2 = 1.0;
      std::int64_t const index[3] = {s.z, s.y, s.x}, extent[3] = {g.z, g.y, g.x};
      for (int axis = 0; axis < 3; ++axis) {
        double sum = 0.0;
        for (int c = 0; c < 11; ++c)
          sum += std::pow(axis_weight(index[axis], extent[axis], 11, c), 2);
        w2 *= sum;
      }
      weights[p] = 1.0;
      psi[p] = s.v / w2;
    }
    auto const basis = bik::n4::make_grid_basis<MS>(g, l);
    Kokkos::View<double*, MS> den("den", l.size()), num("num", l.size());
    bik::Workspace<MS> ws;
    bik::n4::contract_to_lattice(Space(), basis, to_device<Space>(weights), 2, den, &ws);
    bik::n4::contract_to_lattice(Space(), basis, to_device<Space>(psi), 3, num, &ws);
    auto const d = bik_test::to_vector(den);
    auto const nu = bik_test::to_vector(num);
    std::vector<double> phi(l.size(), 0.0);
    for (std::int64_t c = 0; c < l.size(); ++c) phi[c] = d[c] > 0.0 ? nu[c] / d[c] : 0.0;
    auto const field = library_field<Space>(phi, l, g);
    for (auto const& s : samples)
      CHECK(field[(s.z * g.y + s.y) * g.x + s.x] == doctest::Approx(s.v).epsilon(1e-12));
  });
}

TEST_CASE("n4 B-spline: iterating the MBA fit on the residual converges to a lattice spline") {
  // One MBA pass is not an interpolant of dense data (it overshoots, spec §4.5), but N4's
  // residual iteration phi += fit(f - field(phi)) converges towards a field that is itself a
  // spline on the same lattice: the error falls at every step. It falls slowly in the modes of
  // weakly supported corner control points, hence a loose final bound. Each step is the
  // library's own (detail::add_update, as N4's loop runs it: the contraction, ITK's quotient,
  // the lattice and its field on the grid updated); the numerator's field psi = residual / S
  // comes from this test's own weights.
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    using MS = typename Space::memory_space;
    Shape3 const g{8, 10, 12};
    LatticeShape const l{4, 5, 6};
    auto const truth = random_values(l.size(), 3, -1.0, 1.0);
    auto const f = direct_field(truth, l, g);
    auto const basis = bik::n4::make_grid_basis<MS>(g, l);
    // psi = residual / W2, W2 the product of per-axis sums of squared weights.
    std::vector<double> w2(g.size());
    for (std::int64_t z = 0; z < g.z; ++z)
      for (std::int64_t y = 0; y < g.y; ++y)
        for (std::int64_t x = 0; x < g.x; ++x) {
          double sz = 0, sy = 0, sx = 0;
          for (int c = 0; c < l.z; ++c) sz += std::pow(axis_weight(z, g.z, l.z, c), 2);
          for (int c = 0; c < l.y; ++c) sy += std::pow(axis_weight(y, g.y, l.y, c), 2);
          for (int c = 0; c < l.x; ++c) sx += std::pow(axis_weight(x, g.x, l.x, c), 2);
          w2[(z * g.y + y) * g.x + x] = sz * sy * sx;
        }
    bik::Workspace<MS> ws;
    Kokkos::View<double*, MS> den("den", l.size()), phi("phi", l.size()), coeff("coeff", l.size());
    bik::n4::detail::WorkingGrid<MS> grid{g,
                                          g.size(),
                                          Kokkos::View<double*, MS>("log_in", g.size()),
                                          to_device<Space>(std::vector<double>(g.size(), 1.0)),
                                          Kokkos::View<double*, MS>("log_bias", g.size()),
                                          Kokkos::View<double*, MS>("scratch", g.size())};
    bik::n4::contract_to_lattice(Space(), basis, grid.weight, 2, den, &ws);
    std::vector<double> current(g.size(), 0.0);
    auto rms_error = [&] {
      double sum = 0.0;
      for (std::size_t i = 0; i < f.size(); ++i) sum += (current[i] - f[i]) * (current[i] - f[i]);
      return std::sqrt(sum / double(f.size()));
    };
    double const initial = rms_error();
    double previous = initial;
    for (int it = 0; it < 400; ++it) {
      std::vector<double> psi(g.size());
      for (std::size_t i = 0; i < psi.size(); ++i) psi[i] = (f[i] - current[i]) / w2[i];
      Kokkos::deep_copy(grid.scratch, to_device<Space>(psi));
      bik::n4::detail::add_update(Space(), basis, grid, den, phi, coeff, bik::n4::Semantics::itk,
                                  &ws);
      current = bik_test::to_vector(grid.log_bias);
      double const error = rms_error();
      CHECK(error < previous);
      previous = error;
    }
    CHECK(previous < 0.02 * initial);  // about 1.4% after 400 steps
    // The lattice it accumulated has the field it accumulated.
    check_same_field(library_field<Space>(bik_test::to_vector(coeff), l, g), current);
  });
}
