// N4's full-resolution pass (bik/n4/apply_bias.hpp, exp_poly.hpp) and its per-section split
// (sections.hpp): the vectorisable exp against the C library's, corrected = input / exp(field)
// against the C library's exp of the separately tested lattice evaluation (test_n4_bspline.cpp),
// in float and double, with unit and non-unit X strides, on every space; linumpy's 1e-6 floor
// on the bias; and the section boundaries against Python's round.
#include "bik/n4/apply_bias.hpp"
#include "bik/n4/exp_poly.hpp"
#include "bik/n4/sections.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

TEST_CASE("n4 exp_poly: within 1 ulp (double) and 2 ulp (float) of the C library's exp") {
  double worst_double = 0.0, worst_float = 0.0;
  for (double x = -700.0; x < 700.0; x += 0.0137) {
    double const want = std::exp(x);
    worst_double = std::max(worst_double, std::abs(bik::n4::math::exp_poly(x) - want) / want);
  }
  for (double x = -80.0; x < 80.0; x += 0.000731) {
    float const xf = static_cast<float>(x);
    double const want = std::exp(static_cast<double>(xf));  // exact to double precision
    worst_float = std::max(
        worst_float, std::abs(static_cast<double>(bik::n4::math::exp_poly(xf)) - want) / want);
  }
  // One ulp relative is 2^-52 (double), 2^-23 (float) at worst.
  CHECK(worst_double <= std::ldexp(1.0, -52));
  CHECK(worst_float <= 2.0 * std::ldexp(1.0, -23));
  CHECK(bik::n4::math::exp_poly(0.0) == 1.0);
  CHECK(bik::n4::math::exp_poly(0.0f) == 1.0f);
  // exp_clamped: exp_poly on the argument clamped to its domain.
  CHECK(bik::n4::math::exp_clamped(1000.0) == bik::n4::math::exp_poly(708.0));
  CHECK(bik::n4::math::exp_clamped(-1000.0f) == bik::n4::math::exp_poly(-87.0f));
  CHECK(bik::n4::math::exp_clamped(0.5) == bik::n4::math::exp_poly(0.5));
}

namespace {

// Runs apply_bias on a (z, y, x) volume of value v(i) = 0.5 + (i % 13) / 7 stored in Layout, and
// checks it against input / std::exp(evaluate_lattice's field), within `tolerance` relative.
template <class Space, class T, class Layout>
void check_apply(bik::Shape3 g, bik::n4::LatticeShape l, double tolerance) {
  using MS = typename Space::memory_space;
  auto const basis = bik::n4::make_grid_basis<MS>(g, l);
  Kokkos::View<double*, Kokkos::HostSpace> coeff_h("coeff", l.size());
  for (std::int64_t c = 0; c < l.size(); ++c) coeff_h(c) = 0.4 * std::sin(0.7 * c + 0.3);
  auto coeff = Kokkos::create_mirror_view_and_copy(MS(), coeff_h);
  Kokkos::View<double*, MS> field("field", g.size());
  bik::n4::evaluate_lattice(Space(), basis, coeff, field,
                            static_cast<bik::Workspace<MS>*>(nullptr));
  auto const f = bik_test::to_vector(field);

  Kokkos::View<T***, Layout, Kokkos::HostSpace> in_h("in", g.z, g.y, g.x);
  for (std::int64_t z = 0; z < g.z; ++z)
    for (std::int64_t y = 0; y < g.y; ++y)
      for (std::int64_t x = 0; x < g.x; ++x)
        in_h(z, y, x) =
            static_cast<T>(0.5 + static_cast<double>(((z * g.y + y) * g.x + x) % 13) / 7);
  auto in = Kokkos::create_mirror_view_and_copy(MS(), in_h);
  Kokkos::View<T***, Layout, MS> out("out", g.z, g.y, g.x), bias("bias", g.z, g.y, g.x);
  bik::n4::apply_bias(Space(), basis, coeff, bik::as_volume(in), bik::as_writable_volume(out),
                      bik::as_writable_volume(bias), static_cast<bik::Workspace<MS>*>(nullptr));
  auto out_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  auto bias_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), bias);
  // Without the bias output too (the other inner loop).
  Kokkos::View<T***, Layout, MS> alone("alone", g.z, g.y, g.x);
  bik::n4::apply_bias(Space(), basis, coeff, bik::as_volume(in), bik::as_writable_volume(alone),
                      bik::Volume<T, MS>(), static_cast<bik::Workspace<MS>*>(nullptr));
  auto alone_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), alone);
  double worst = 0.0;
  for (std::int64_t z = 0; z < g.z; ++z)
    for (std::int64_t y = 0; y < g.y; ++y)
      for (std::int64_t x = 0; x < g.x; ++x) {
        double const field_here = f[(z * g.y + y) * g.x + x];
        double const want = static_cast<double>(in_h(z, y, x)) / std::exp(field_here);
        worst = std::max(worst, std::abs(static_cast<double>(out_h(z, y, x)) - want) / want);
        // double: the same four-term sum in the same order, bit for bit. float: the sum in
        // float, within 3 R 2^-23 of it (apply_bias.hpp; R = 0.4 bounds every coefficient and
        // so every collapsed value, a convex combination of them).
        if (std::is_same<T, double>::value)
          CHECK(bias_h(z, y, x) == static_cast<T>(field_here));
        else
          CHECK(std::abs(static_cast<double>(bias_h(z, y, x)) - field_here) <=
                3 * 0.4 * std::ldexp(1.0, -23));
        CHECK(alone_h(z, y, x) == out_h(z, y, x));
      }
  INFO("worst relative error " << worst);
  CHECK(worst <= tolerance);
}

}  // namespace

TEST_CASE("n4 apply_bias: input / exp(field) in float and double, any X stride") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    double const ulp_d = std::ldexp(1.0, -52), ulp_f = std::ldexp(1.0, -23);
    for (auto [g, l] : std::vector<std::pair<bik::Shape3, bik::n4::LatticeShape>>{
             {{5, 9, 37}, {5, 4, 11}}, {{1, 12, 20}, {1, 7, 5}}, {{3, 4, 2}, {4, 4, 4}}}) {
      // exp_poly's ulp, the division's half ulp, and for double the C library exp's own error.
      check_apply<Space, double, Kokkos::LayoutRight>(g, l, 3 * ulp_d);
      check_apply<Space, double, Kokkos::LayoutLeft>(g, l, 3 * ulp_d);
      // float: (3 R + 3) ulp with R = 0.4 (apply_bias.hpp): the field summed in float (3 R),
      // exp_poly's 2 ulp, the division's half ulp and the output's half ulp.
      check_apply<Space, float, Kokkos::LayoutRight>(g, l, 6 * ulp_f);
      check_apply<Space, float, Kokkos::LayoutLeft>(g, l, 6 * ulp_f);
    }
  });
}

TEST_CASE("n4 sections: linumpy's boundaries, round(i Z / n) with halves to even") {
  using V = std::vector<std::int64_t>;
  // Python: [round(i * Z / n) for i in range(n + 1)]
  CHECK(bik::n4::section_bounds(10, 4) == V{0, 2, 5, 8, 10});
  CHECK(bik::n4::section_bounds(7, 2) == V{0, 4, 7});
  CHECK(bik::n4::section_bounds(5, 5) == V{0, 1, 2, 3, 4, 5});
  CHECK(bik::n4::section_bounds(9, 6) == V{0, 2, 3, 4, 6, 8, 9});
  CHECK(bik::n4::section_bounds(256, 3) == V{0, 85, 171, 256});
  CHECK(bik::n4::section_bounds(1, 1) == V{0, 1});
  CHECK_THROWS_WITH_AS(bik::n4::section_bounds(10, 0),
                       doctest::Contains("between 1 and the 10 planes along Z, got 0"), bik::Error);
  CHECK_THROWS_WITH_AS(bik::n4::section_bounds(10, 11),
                       doctest::Contains("between 1 and the 10 planes along Z, got 11"),
                       bik::Error);
}

TEST_CASE("n4 apply_bias: linumpy semantics floors the bias at 1e-6, ITK does not") {
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    using MS = typename Space::memory_space;
    bik::Shape3 const g{3, 5, 40};
    bik::n4::LatticeShape const l{4, 4, 9};
    auto const basis =
        bik::n4::make_grid_basis<MS>(g, l, nullptr, "floor", bik::n4::Semantics::linumpy);
    // Log biases from -15.5 to -11.5 along X: exp is below 1e-6 (log -13.8155) on half of it.
    Kokkos::View<double*, Kokkos::HostSpace> coeff_h("coeff", l.size());
    for (std::int64_t c = 0; c < l.size(); ++c) coeff_h(c) = -15.5 + 0.5 * (c % l.x);
    auto coeff = Kokkos::create_mirror_view_and_copy(MS(), coeff_h);
    Kokkos::View<double*, MS> field("field", g.size());
    bik::n4::evaluate_lattice(Space(), basis, coeff, field,
                              static_cast<bik::Workspace<MS>*>(nullptr));
    auto const f = bik_test::to_vector(field);
    std::vector<double> const ones(g.size(), 1.0);
    auto in = bik_test::volume<Space, double>(ones, g.z, g.y, g.x);
    Kokkos::View<double***, Kokkos::LayoutRight, MS> lin("lin", g.z, g.y, g.x),
        itk("itk", g.z, g.y, g.x);
    bik::n4::apply_bias(Space(), basis, coeff, bik::as_volume(in), bik::as_writable_volume(lin),
                        bik::Volume<double, MS>(), static_cast<bik::Workspace<MS>*>(nullptr),
                        bik::n4::Semantics::linumpy);
    bik::n4::apply_bias(Space(), basis, coeff, bik::as_volume(in), bik::as_writable_volume(itk),
                        bik::Volume<double, MS>(), static_cast<bik::Workspace<MS>*>(nullptr),
                        bik::n4::Semantics::itk);
    auto lin_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), lin);
    auto itk_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), itk);
    int floored = 0;
    double worst = 0.0;
    for (std::int64_t i = 0; i < g.size(); ++i) {
      double const e = std::exp(f[i]);
      floored += e < 1e-6;
      double const want_lin = 1.0 / std::max(e, 1e-6), want_itk = 1.0 / e;
      worst = std::max(worst, std::abs(lin_h.data()[i] - want_lin) / want_lin);
      worst = std::max(worst, std::abs(itk_h.data()[i] - want_itk) / want_itk);
    }
    INFO("voxels under the floor " << floored << ", worst relative error " << worst);
    CHECK(floored > g.size() / 4);  // both sides of the floor are exercised
    CHECK(floored < g.size() * 3 / 4);
    CHECK(worst <= 3 * std::ldexp(1.0, -52));
  });
}
