// N4's full-resolution pass (bik/n4/apply_bias.hpp, exp2_poly.hpp) and its per-section split
// (sections.hpp): the vectorisable 2^x against long double's, its shortcut without range
// reduction against it bit for bit, the shift-free polynomials with any scale against long
// double's 2^x, corrected = input / exp(field) against a long double
// evaluation of the same collapsed table (whose own evaluation test_n4_bspline.cpp tests), in
// float and double, with unit and non-unit X strides, on every space and through both CPU
// entries (narrow and, where the CPU has AVX2, wide: the same bits); the clamp of the gain,
// linumpy's 1e-6 floor on the bias; and the section boundaries against Python's round.
#include "bik/n4/apply_bias.hpp"
#include "bik/n4/exp2_poly.hpp"
#include "bik/n4/sections.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

// long double is x87's 64-bit mantissa here: its exp2l is a reference for both types.
static_assert(std::numeric_limits<long double>::digits >= 64, "the references need long double");

TEST_CASE("n4 exp2_poly: within 1.6 2^-23 (float) and 2^-52 (double) of 2^x") {
  double worst_double = 0.0, worst_float = 0.0;
  for (double x = -1021.0; x <= 1021.0; x += 0.00731) {
    long double const want = std::exp2(static_cast<long double>(x));
    worst_double = std::max(
        worst_double, static_cast<double>(std::fabs(bik::n4::math::exp2_poly(x) - want) / want));
  }
  for (double x = -125.0; x <= 125.0; x += 0.0000731) {
    float const xf = static_cast<float>(x);
    long double const want = std::exp2(static_cast<long double>(xf));
    worst_float = std::max(
        worst_float, static_cast<double>(std::fabs(bik::n4::math::exp2_poly(xf) - want) / want));
  }
  INFO("worst relative errors: double " << worst_double << ", float " << worst_float);
  CHECK(worst_double <= std::ldexp(1.0, -52));
  CHECK(worst_float <= 1.6 * std::ldexp(1.0, -23));
  // Integers are exact (P(0) = 1), and so is 2^k for every k of the domain.
  for (int k = -125; k <= 125; ++k) {
    CHECK(bik::n4::math::exp2_integer<float>(k) == std::ldexp(1.0f, k));
    CHECK(bik::n4::math::exp2_integer<double>(k) == std::ldexp(1.0, k));
  }
  CHECK(bik::n4::math::exp2_poly(1021.0) == std::ldexp(1.0, 1021));
  CHECK(bik::n4::math::exp2_poly(-1021.0) == std::ldexp(1.0, -1021));
}

TEST_CASE("n4 exp2_reduced: exp2_poly(s) 2^K bit for bit for |s| < 1/2 and |K| <= 32") {
  int mismatches = 0, checked = 0;
  for (int K = -32; K <= 32; ++K) {
    float const scale_f = std::ldexp(1.0f, K);
    double const scale_d = std::ldexp(1.0, K);
    for (double s = -0.4999; s < 0.5; s += 0.000371) {
      float const sf = static_cast<float>(s);
      mismatches +=
          bik::n4::math::exp2_reduced(sf, scale_f) != bik::n4::math::exp2_poly(sf) * scale_f;
      mismatches +=
          bik::n4::math::exp2_reduced(s, scale_d) != bik::n4::math::exp2_poly(s) * scale_d;
      checked += 2;
    }
    // Tiny arguments, where the scaled products fall to subnormals first.
    for (float sf : {1e-30f, -1e-30f, 1e-38f, 1e-45f, 0.0f}) {
      mismatches +=
          bik::n4::math::exp2_reduced(sf, scale_f) != bik::n4::math::exp2_poly(sf) * scale_f;
      ++checked;
    }
  }
  INFO(mismatches << " of " << checked);
  CHECK(mismatches == 0);
}

TEST_CASE("n4 exp2_near: within 1.7 2^-24 (float) and 1.1 2^-53 (double) of 2^s, |s| <= 1/16") {
  double worst_float = 0.0, worst_double = 0.0;
  for (double s = -0.0625; s <= 0.0625; s += 1.03e-7) {
    float const sf = static_cast<float>(s);
    long double const want_f = std::exp2(static_cast<long double>(sf));
    long double const want_d = std::exp2(static_cast<long double>(s));
    worst_float = std::max(
        worst_float,
        static_cast<double>(std::fabs(bik::n4::math::exp2_near(sf, 1.0f) - want_f) / want_f));
    worst_double = std::max(
        worst_double,
        static_cast<double>(std::fabs(bik::n4::math::exp2_near(s, 1.0) - want_d) / want_d));
  }
  INFO("worst relative errors: float " << worst_float << ", double " << worst_double);
  CHECK(worst_float <= 1.7 * std::ldexp(1.0, -24));
  CHECK(worst_double <= 1.1 * std::ldexp(1.0, -53));
  CHECK(bik::n4::math::exp2_near(0.0f, 1.0f) == 1.0f);
  CHECK(bik::n4::math::exp2_near(0.0, 1.0) == 1.0);
}

// apply_bias.hpp's budget for its polynomials: 2^c P(s), the coefficients of P scaled by
// scale = exp2_poly(c) in double, rounded to the type, within 4.5 u of 2^(c + s) (u = 2^-24 or
// 2^-53), for centres c that are not integers: exp2_near for |s| <= 1/16, exp2_reduced for
// |s| <= 0.49.
TEST_CASE("n4 exp2_near, exp2_reduced: within 4.5 u of 2^(c + s) with scale 2^c, any real c") {
  double worst_near_f = 0.0, worst_reduced_f = 0.0, worst_near_d = 0.0, worst_reduced_d = 0.0;
  auto relative = [](long double got, long double want) {
    return static_cast<double>(std::fabs(got - want) / want);
  };
  for (double c = -32.0; c <= 32.0; c += 0.6180339887) {
    float const scale_f = static_cast<float>(bik::n4::math::exp2_poly(c));
    double const scale_d = bik::n4::math::exp2_poly(c);
    for (double s = -0.49; s <= 0.49; s += 0.0000917) {
      float const sf = static_cast<float>(s);
      long double const want_f = std::exp2(static_cast<long double>(c) + sf);
      long double const want_d = std::exp2(static_cast<long double>(c) + s);
      worst_reduced_f =
          std::max(worst_reduced_f, relative(bik::n4::math::exp2_reduced(sf, scale_f), want_f));
      worst_reduced_d =
          std::max(worst_reduced_d, relative(bik::n4::math::exp2_reduced(s, scale_d), want_d));
      if (std::fabs(s) <= 0.0625) {
        worst_near_f =
            std::max(worst_near_f, relative(bik::n4::math::exp2_near(sf, scale_f), want_f));
        worst_near_d =
            std::max(worst_near_d, relative(bik::n4::math::exp2_near(s, scale_d), want_d));
      }
    }
  }
  INFO("worst relative errors: float near " << worst_near_f << ", reduced " << worst_reduced_f
                                            << "; double near " << worst_near_d << ", reduced "
                                            << worst_reduced_d);
  CHECK(worst_near_f <= 4.5 * std::ldexp(1.0, -24));
  CHECK(worst_reduced_f <= 4.5 * std::ldexp(1.0, -24));
  CHECK(worst_near_d <= 4.5 * std::ldexp(1.0, -53));
  CHECK(worst_reduced_d <= 4.5 * std::ldexp(1.0, -53));
}

namespace {

// The CPU loops' width (host_vectors.hpp) set for a scope, then restored.
struct HostVectorsScope {
  bik::HostVectors const was = bik::host_vectors();
  explicit HostVectorsScope(bik::HostVectors width) { bik::host_vectors() = width; }
  ~HostVectorsScope() { bik::host_vectors() = was; }
  HostVectorsScope(HostVectorsScope const&) = delete;
  HostVectorsScope& operator=(HostVectorsScope const&) = delete;
};

// f(space) for every space, once with CPU loops narrow and once wide where this build and CPU
// run them, so that every check of apply_bias holds for both entries.
template <class F>
void for_each_space_and_width(F const& f) {
  for (auto w : {bik::HostVectors::narrow, bik::HostVectors::wide}) {
    if (w == bik::HostVectors::wide && !bik::host_runs_wide()) continue;
    HostVectorsScope const width(w);
    INFO("CPU loops " << (w == bik::HostVectors::wide ? "wide" : "narrow"));
    bik_test::for_each_space(f);
  }
}

// Lattice coefficients whose planes cz = 0, 1, 2 vary by 0.01 along X and plane 3 by 2:
// rows near their centre next to rows that are not (see the test of that name).
inline auto near_and_far(bik::n4::LatticeShape l) {
  return [l](std::int64_t c) {
    std::int64_t const cz = c / (l.y * l.x), cx = c % l.x;
    return 0.3 + (cz == 3 ? 2.0 : 0.01) * std::sin(0.7 * static_cast<double>(cx) + 0.3);
  };
}

// apply_bias on Space of the lattice `coefficient(c)` and a (Z, Y, X) volume of values
// 0.5 + (i % 13) / 7, flat: from the lattice with the log bias (corrected, log_bias) and
// without it (alone), and from its collapsed table with the log bias (table, table_bias).
template <class T>
struct ApplyOutputs {
  std::vector<T> corrected, log_bias, alone, table, table_bias;
};

template <class Space, class T, class Coefficient>
ApplyOutputs<T> apply_outputs(bik::Shape3 g, bik::n4::LatticeShape l,
                              Coefficient const& coefficient) {
  using MS = typename Space::memory_space;
  auto* none = static_cast<bik::Workspace<MS>*>(nullptr);
  auto const basis = bik::n4::make_grid_basis<MS>(g, l);
  Kokkos::View<double*, Kokkos::HostSpace> coeff_h("coeff", l.size());
  for (std::int64_t c = 0; c < l.size(); ++c) coeff_h(c) = coefficient(c);
  auto coeff = Kokkos::create_mirror_view_and_copy(MS(), coeff_h);
  std::vector<T> values(g.size());
  for (std::int64_t i = 0; i < g.size(); ++i) values[i] = static_cast<T>(0.5 + (i % 13) / 7.0);
  auto in = bik_test::volume<Space, T>(values, g.z, g.y, g.x);
  Kokkos::View<T***, Kokkos::LayoutRight, MS> out("out", g.z, g.y, g.x),
      bias("bias", g.z, g.y, g.x), alone("alone", g.z, g.y, g.x), out_t("out_t", g.z, g.y, g.x),
      bias_t("bias_t", g.z, g.y, g.x);
  bik::n4::apply_bias(Space(), basis, coeff, bik::as_volume(in), bik::as_writable_volume(out),
                      bik::as_writable_volume(bias), none);
  bik::n4::apply_bias(Space(), basis, coeff, bik::as_volume(in), bik::as_writable_volume(alone),
                      bik::Volume<T, MS>(), none);
  auto const field = bik::n4::prepare_lattice_on_grid(Space(), basis, coeff, none);
  bik::n4::apply_bias(Space(), field, bik::as_volume(in), bik::as_writable_volume(out_t),
                      bik::as_writable_volume(bias_t), none);
  auto const flat = [&](auto v) {
    return bik_test::to_vector(Kokkos::View<T*, MS>(v.data(), g.size()));
  };
  return {flat(out), flat(bias), flat(alone), flat(out_t), flat(bias_t)};
}

// The field's collapsed table (prepare_lattice_on_grid) and X basis, on the host, and from them
// the field at a voxel in long double: the value apply_bias rounds.
template <class Space>
struct HostField {
  std::int64_t CX, X;
  std::vector<double> rows, weight;
  std::vector<std::int32_t> span;

  template <class Basis, class Coeff>
  HostField(Basis const& basis, Coeff const& coeff) {
    using MS = typename Space::memory_space;
    auto const field = bik::n4::prepare_lattice_on_grid(Space(), basis, coeff,
                                                        static_cast<bik::Workspace<MS>*>(nullptr));
    CX = field.CX;
    X = field.X;
    rows = bik_test::to_vector(field.rows);
    weight = bik_test::to_vector(field.bx.weight);
    span = bik_test::to_vector(field.bx.span);
  }
  long double at(std::int64_t row, std::int64_t x) const {
    long double f = 0;
    for (int k = 0; k < 4; ++k)
      f += static_cast<long double>(weight[k * X + x]) * rows[row * CX + span[x] + k];
    return f;
  }
};

// Runs apply_bias on a (z, y, x) volume of value v(i) = 0.5 + (i % 13) / 7 stored in Layout,
// with coefficients `coefficient(c)`, and checks corrected against input / exp(field) in long
// double within `tolerance` relative, the log bias against evaluate_lattice's field within
// `bias_tolerance` (float; double: equal), and corrected without the log bias against
// corrected with it (equal).
template <class Space, class T, class Layout, class Coefficient>
void check_apply_of(bik::Shape3 g, bik::n4::LatticeShape l, double tolerance, double bias_tolerance,
                    Coefficient const& coefficient) {
  using MS = typename Space::memory_space;
  auto const basis = bik::n4::make_grid_basis<MS>(g, l);
  Kokkos::View<double*, Kokkos::HostSpace> coeff_h("coeff", l.size());
  for (std::int64_t c = 0; c < l.size(); ++c) coeff_h(c) = coefficient(c);
  auto coeff = Kokkos::create_mirror_view_and_copy(MS(), coeff_h);
  Kokkos::View<double*, MS> field("field", g.size());
  bik::n4::evaluate_lattice(Space(), basis, coeff, field,
                            static_cast<bik::Workspace<MS>*>(nullptr));
  auto const f = bik_test::to_vector(field);
  HostField<Space> const exact(basis, coeff);

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
  // Without the bias output too (the other inner loops).
  Kokkos::View<T***, Layout, MS> alone("alone", g.z, g.y, g.x);
  bik::n4::apply_bias(Space(), basis, coeff, bik::as_volume(in), bik::as_writable_volume(alone),
                      bik::Volume<T, MS>(), static_cast<bik::Workspace<MS>*>(nullptr));
  auto alone_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), alone);
  double worst = 0.0;
  for (std::int64_t z = 0; z < g.z; ++z)
    for (std::int64_t y = 0; y < g.y; ++y)
      for (std::int64_t x = 0; x < g.x; ++x) {
        double const field_here = f[(z * g.y + y) * g.x + x];
        long double const want = in_h(z, y, x) / std::exp(exact.at(z * g.y + y, x));
        worst = std::max(worst, static_cast<double>(std::fabs(out_h(z, y, x) - want) / want));
        // double: the same four-term sum in the same order, bit for bit.
        if (std::is_same<T, double>::value)
          CHECK(bias_h(z, y, x) == static_cast<T>(field_here));
        else
          CHECK(std::abs(static_cast<double>(bias_h(z, y, x)) - field_here) <= bias_tolerance);
        CHECK(alone_h(z, y, x) == out_h(z, y, x));
      }
  INFO("worst relative error " << worst);
  CHECK(worst <= tolerance);
}

// check_apply_of with coefficients offset + amplitude sin(0.7 c + 0.3). The float log bias:
// within 6 R 2^-24 of the field (apply_bias.hpp; R = |offset| + amplitude bounds every
// coefficient and so every collapsed value, a convex combination of them).
template <class Space, class T, class Layout>
void check_apply(bik::Shape3 g, bik::n4::LatticeShape l, double tolerance, double amplitude = 0.4,
                 double offset = 0.0) {
  check_apply_of<Space, T, Layout>(
      g, l, tolerance, 6 * (std::fabs(offset) + amplitude) * std::ldexp(1.0, -24),
      [=](std::int64_t c) { return offset + amplitude * std::sin(0.7 * c + 0.3); });
}

}  // namespace

TEST_CASE("n4 apply_bias: input / exp(field) in float and double, any X stride") {
  for_each_space_and_width([](auto space) {
    using Space = decltype(space);
    // (4.2 D + 0.7 Y + 5.1) u (apply_bias.hpp), u = 2^-53 or 2^-24, D the largest centred
    // value of a row: the field's values lie in [-0.4, 0.4], its log2 gains y within
    // Y = 0.4 log2(e) of 0 and of their middle, and the centre is that middle or (GPUs) within
    // 1/2 of it. (The Y term is double's; it only loosens float's bound.)
    double const Y = 0.4 * 1.4426950408889634, D = Y + 0.5, bound = 4.2 * D + 0.7 * Y + 5.1;
    double const u_d = std::ldexp(1.0, -53), u_f = std::ldexp(1.0, -24);
    for (auto [g, l] :
         std::vector<std::pair<bik::Shape3, bik::n4::LatticeShape>>{{{5, 9, 37}, {5, 4, 11}},
                                                                    {{1, 12, 20}, {1, 7, 5}},
                                                                    {{3, 4, 2}, {4, 4, 4}},
                                                                    {{2, 3, 130}, {4, 4, 70}}}) {
      check_apply<Space, double, Kokkos::LayoutRight>(g, l, bound * u_d);
      check_apply<Space, double, Kokkos::LayoutLeft>(g, l, bound * u_d);
      check_apply<Space, float, Kokkos::LayoutRight>(g, l, bound * u_f);
      check_apply<Space, float, Kokkos::LayoutLeft>(g, l, bound * u_f);
    }
  });
}

TEST_CASE("n4 apply_bias: a smooth field, every span within 1/16 of its row's centre") {
  for_each_space_and_width([](auto space) {
    using Space = decltype(space);
    // Coefficients 0.3 + 0.01 sin(.): the collapsed values, convex combinations of them, lie in
    // [0.29, 0.31], a row's log2 gains within 0.01 log2(e) = 0.0145 of their middle, the row's
    // centre on CPUs (inside the clamps): D <= 0.0145 < 1/16, exp2_near's reach, so every span
    // takes the cubic there, summed relative to q_0: (7 D + 5.1) u in float, (14 D + 0.7 Y +
    // 5.1) u in double (apply_bias.hpp). GPUs centre on an integer, D <= 0.5145, and sum the
    // four terms: (4.2 D (+ 0.7 Y) + 5.1) u. Spans of about 8, 9 and 1 voxels, rows whose
    // width is or is not a multiple of the vector width.
    bool const cpu = bik::n4::ApplyBiasShape<Space>::thread_per_row;
    double const D = cpu ? 0.01 * 1.4426950408889634 : 0.01 * 1.4426950408889634 + 0.5;
    double const per_d = cpu ? 14 : 4.2, per_f = cpu ? 7 : 4.2;
    double const Y = 0.31 * 1.4426950408889634;  // the largest |y| (double's term)
    double const u_d = std::ldexp(1.0, -53), u_f = std::ldexp(1.0, -24);
    for (auto [g, l] : std::vector<std::pair<bik::Shape3, bik::n4::LatticeShape>>{
             {{3, 5, 64}, {4, 4, 11}}, {{2, 4, 37}, {4, 5, 7}}, {{2, 3, 23}, {4, 4, 23}}}) {
      check_apply<Space, double, Kokkos::LayoutRight>(g, l, (per_d * D + 0.7 * Y + 5.1) * u_d, 0.01,
                                                      0.3);
      check_apply<Space, float, Kokkos::LayoutRight>(g, l, (per_f * D + 5.1) * u_f, 0.01, 0.3);
    }
  });
}

TEST_CASE("n4 apply_bias: rows near their centre next to rows that are not, in pairs") {
  for_each_space_and_width([](auto space) {
    using Space = decltype(space);
    // Lattice planes cz = 0, 1, 2 vary by 0.01 along X, plane 3 by 2: the first plane of rows
    // (B-spline weights 1/6, 2/3, 1/6, 0) stays within 0.01 log2(e) of its centre, every span
    // near (CPUs), the last (0, 1/6, 2/3, 1/6) varies by 1/3 along X, no row near. Odd numbers
    // of rows per plane, so that CPU pairs of rows straddle planes and mix the two kinds, and
    // rows with and without log bias (CPUs: pairs only without) must agree bit for bit. Bound
    // (4.2 D + 0.7 Y + 5.1) u with every |f| <= 2.3, Y = 2.3 log2(e), D <= Y + 1/2.
    double const Y = 2.3 * 1.4426950408889634, D = Y + 0.5;
    double const u_d = std::ldexp(1.0, -53), u_f = std::ldexp(1.0, -24);
    for (auto [g, l] : std::vector<std::pair<bik::Shape3, bik::n4::LatticeShape>>{
             {{3, 5, 64}, {4, 4, 11}}, {{4, 3, 37}, {4, 5, 7}}}) {
      auto const coefficient = near_and_far(l);
      check_apply_of<Space, double, Kokkos::LayoutRight>(g, l, (4.2 * D + 0.7 * Y + 5.1) * u_d, 0,
                                                         coefficient);
      check_apply_of<Space, float, Kokkos::LayoutRight>(g, l, (4.2 * D + 5.1) * u_f, 6 * 2.3 * u_f,
                                                        coefficient);
    }
  });
}

TEST_CASE("n4 apply_bias: from the lattice as from its collapsed table, bit for bit") {
  // CPUs collapse the lattice within the kernel, block by block of rows (one plane per block
  // where there are many planes, a few blocks per plane where there are few, odd numbers of
  // rows in a block's last pair); the table path is prepare_lattice_on_grid's. The same sums
  // in the same order: the same corrected volume and log bias.
  for_each_space_and_width([](auto space) {
    using Space = decltype(space);
    auto const run = [&](auto zero, bik::Shape3 g, bik::n4::LatticeShape l) {
      using T = decltype(zero);
      auto const o = apply_outputs<Space, T>(
          g, l, [](std::int64_t c) { return 0.3 + 0.2 * std::sin(0.7 * c); });
      CHECK(o.corrected == o.table);
      CHECK(o.log_bias == o.table_bias);
      CHECK(o.alone == o.table);
    };
    for (auto [g, l] : std::vector<std::pair<bik::Shape3, bik::n4::LatticeShape>>{
             {{3, 37, 40}, {4, 6, 9}}, {{1, 9, 33}, {1, 5, 7}}, {{140, 3, 19}, {5, 4, 6}}}) {
      run(0.0f, g, l);
      run(0.0, g, l);
    }
  });
}

TEST_CASE("n4 apply_bias: the wide CPU entry gives the narrow one's bits") {
  // The wide entry (AVX2, host_vectors.hpp) runs the same operations in chunks of twice the
  // width, so where its chunks pass a span's end and which spans run without chunks differ
  // (rows of 36, 44 and 61 voxels: a multiple of 4 but not of 8, and neither); fields with near
  // rows, rows that are not, and gains beyond the clamps (+-1000); float and double, with and
  // without the log bias: the same bits.
  if (!bik::host_runs_wide()) {
    MESSAGE("this CPU has no AVX2: no wide entry to compare");
    return;
  }
  bik_test::for_each_space([](auto space) {
    using Space = decltype(space);
    auto const run = [&](auto zero, bik::Shape3 g, bik::n4::LatticeShape l, auto coefficient,
                         bik::HostVectors width) {
      HostVectorsScope const scope(width);
      auto const o = apply_outputs<Space, decltype(zero)>(g, l, coefficient);
      return std::vector<std::vector<decltype(zero)>>{o.corrected, o.log_bias, o.alone};
    };
    for (auto const& shapes : std::vector<std::pair<bik::Shape3, bik::n4::LatticeShape>>{
             {{3, 7, 36}, {4, 4, 7}}, {{2, 5, 44}, {4, 4, 11}}, {{4, 3, 61}, {5, 4, 9}}}) {
      bik::Shape3 const g = shapes.first;  // not a structured binding: INFO captures it
      bik::n4::LatticeShape const l = shapes.second;
      auto const mixed = near_and_far(l);
      auto const clamped = [l = l](std::int64_t c) { return c % l.x < 2 ? -1000.0 : 1000.0; };
      auto const smooth = [](std::int64_t c) { return 0.3 + 0.2 * std::sin(0.7 * c); };
      for (int field = 0; field < 3; ++field) {
        auto const coefficient = [&](std::int64_t c) {
          return field == 0 ? mixed(c) : field == 1 ? clamped(c) : smooth(c);
        };
        INFO("shape " << g.z << "x" << g.y << "x" << g.x << ", field " << field);
        CHECK(run(0.0f, g, l, coefficient, bik::HostVectors::narrow) ==
              run(0.0f, g, l, coefficient, bik::HostVectors::wide));
        CHECK(run(0.0, g, l, coefficient, bik::HostVectors::narrow) ==
              run(0.0, g, l, coefficient, bik::HostVectors::wide));
      }
    }
  });
}

TEST_CASE("n4 apply_bias: no correction in place") {
  for_each_space_and_width([](auto space) {
    using Space = decltype(space);
    using MS = typename Space::memory_space;
    bik::Shape3 const g{1, 2, 9};
    bik::n4::LatticeShape const l{1, 4, 4};
    auto const basis = bik::n4::make_grid_basis<MS>(g, l);
    Kokkos::View<double*, MS> coeff("coeff", l.size());
    Kokkos::View<float***, Kokkos::LayoutRight, MS> volume("volume", g.z, g.y, g.x),
        other("other", g.z, g.y, g.x);
    auto* none = static_cast<bik::Workspace<MS>*>(nullptr);
    auto const in = bik::as_volume(volume);
    CHECK_THROWS_WITH_AS(
        bik::n4::apply_bias(Space(), basis, coeff, in, bik::as_writable_volume(volume),
                            bik::Volume<float, MS>(), none),
        doctest::Contains("must be other volumes than the input"), bik::Error);
    CHECK_THROWS_WITH_AS(
        bik::n4::apply_bias(Space(), basis, coeff, in, bik::as_writable_volume(other),
                            bik::as_writable_volume(volume), none),
        doctest::Contains("must be other volumes than the input"), bik::Error);
    bik::n4::apply_bias(Space(), basis, coeff, in, bik::as_writable_volume(other),
                        bik::Volume<float, MS>(), none);
  });
}

TEST_CASE("n4 apply_bias: gains are clamped to 2^+-93 in float, 2^+-989 in double") {
  for_each_space_and_width([](auto space) {
    using Space = decltype(space);
    using MS = typename Space::memory_space;
    bik::Shape3 const g{2, 3, 40};
    bik::n4::LatticeShape const l{4, 4, 5};
    auto const basis = bik::n4::make_grid_basis<MS>(g, l);
    // A field of -1000 on the first half of the control points along X, +1000 on the rest: the
    // gains exp(-f) are beyond both clamps there, and between them in the middle.
    Kokkos::View<double*, Kokkos::HostSpace> coeff_h("coeff", l.size());
    for (std::int64_t c = 0; c < l.size(); ++c) coeff_h(c) = c % l.x < 2 ? -1000.0 : 1000.0;
    auto coeff = Kokkos::create_mirror_view_and_copy(MS(), coeff_h);
    HostField<Space> const exact(basis, coeff);
    std::vector<float> const ones_f(g.size(), 1.0f);
    std::vector<double> const ones_d(g.size(), 1.0);
    auto in_f = bik_test::volume<Space, float>(ones_f, g.z, g.y, g.x);
    auto in_d = bik_test::volume<Space, double>(ones_d, g.z, g.y, g.x);
    Kokkos::View<float***, Kokkos::LayoutRight, MS> out_f("out_f", g.z, g.y, g.x);
    Kokkos::View<double***, Kokkos::LayoutRight, MS> out_d("out_d", g.z, g.y, g.x);
    auto* none = static_cast<bik::Workspace<MS>*>(nullptr);
    bik::n4::apply_bias(Space(), basis, coeff, bik::as_volume(in_f), bik::as_writable_volume(out_f),
                        bik::Volume<float, MS>(), none);
    bik::n4::apply_bias(Space(), basis, coeff, bik::as_volume(in_d), bik::as_writable_volume(out_d),
                        bik::Volume<double, MS>(), none);
    auto const got_f = bik_test::to_vector(Kokkos::View<float*, MS>(out_f.data(), g.size()));
    auto const got_d = bik_test::to_vector(Kokkos::View<double*, MS>(out_d.data(), g.size()));
    int clamped_high = 0, clamped_low = 0;
    for (std::int64_t i = 0; i < g.size(); ++i) {
      // log2 of the gain, -f log2(e): the clamped ones are exact powers of two.
      long double const y = -exact.at(i / g.x, i % g.x) * 1.4426950408889634L;
      if (y >= 94) {
        CHECK(got_f[i] == std::ldexp(1.0f, 93));
        ++clamped_high;
      } else if (y <= -94) {
        CHECK(got_f[i] == std::ldexp(1.0f, -93));
        ++clamped_low;
      }
      if (y >= 990) CHECK(got_d[i] == std::ldexp(1.0, 989));
      if (y <= -990) CHECK(got_d[i] == std::ldexp(1.0, -989));
      // (4.2 D + 5.1) 2^-24 (apply_bias.hpp), the centred values within 1000 log2(e) + 32.5.
      if (std::fabs(y) < 92)
        CHECK(std::fabs(got_f[i] - std::exp2(y)) <=
              (4.2 * (1000 * 1.4426950408889634 + 32.5) + 5.1) * std::ldexp(1.0, -24) *
                  std::exp2(y));
    }
    CHECK(clamped_high > 0);
    CHECK(clamped_low > 0);
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
  for_each_space_and_width([](auto space) {
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
    HostField<Space> const exact(basis, coeff);
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
      long double const e = std::exp(exact.at(i / g.x, i % g.x));
      floored += e < 1e-6L;
      long double const want_lin = 1 / std::max(e, static_cast<long double>(1e-6)),
                        want_itk = 1 / e;
      worst =
          std::max(worst, static_cast<double>(std::fabs(lin_h.data()[i] - want_lin) / want_lin));
      worst =
          std::max(worst, static_cast<double>(std::fabs(itk_h.data()[i] - want_itk) / want_itk));
    }
    INFO("voxels under the floor " << floored << ", worst relative error " << worst);
    CHECK(floored > g.size() / 4);  // both sides of the floor are exercised
    CHECK(floored < g.size() * 3 / 4);
    // (4.2 D + 0.7 Y + 5.1) 2^-53 (apply_bias.hpp): the log2 gains y span 4 log2(e) along a
    // row, so the centred values are within D = 2 log2(e) + 1/2 of 0 (the centre an integer
    // where the floor clamps, ITK's real), and |y| <= Y = 15.5 log2(e).
    double const log2e = 1.4426950408889634;
    CHECK(worst <= (4.2 * (2 * log2e + 0.5) + 0.7 * 15.5 * log2e + 5.1) * std::ldexp(1.0, -53));
  });
}
