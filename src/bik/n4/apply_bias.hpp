// The last step of N4 at full resolution: the lattice's log bias field evaluated on the image
// grid (index-normalised, evaluate_lattice.hpp), corrected = input / exp(field) at every voxel,
// and the field itself on request. One read of the input and one write per output, fused: the
// Z and Y sums of the separable evaluation are collapsed first into a small (Z, Y, CX) table, so
// each voxel costs four products along X, one exp and one division.
// Precision: the per-voxel work is done in the image's type, float32 or float64 (the Z and Y
// sums stay in double): the four-term X sum, exp (exp_poly.hpp) and the division, so that a
// float32 loop has no conversion and twice the vector width of a double one. For float32 the
// field's error is then at most 3 R 2^-23 with R the largest |value| of the collapsed table
// (the rounding of its four values, of the weights, of four products and three sums, each
// 2^-24 relative, weighted by the weights that sum to 1), so corrected has a relative error
// of at most (3 R + 3) 2^-23 (exp_poly's 2 ulp, the division's half ulp, the output's half
// ulp): about 4 ulp for a bias within a factor e of 1, far below the parity tolerances.
// linumpy's semantics divides by max(exp(field), 1e-6) (spec n4.md §3.2 step 7): `min_bias`.
#ifndef BIK_N4_APPLY_BIAS_HPP
#define BIK_N4_APPLY_BIAS_HPP

#include "bik/core/compat.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/evaluate_lattice.hpp"
#include "bik/n4/exp_poly.hpp"
#include "bik/n4/non_deduced.hpp"
#include "bik/n4/semantics.hpp"

#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace bik::n4 {

// How apply_bias spreads its work on a space. CPUs (host-accessible memory): a thread per
// (z, y) row, looping over the X spans with their four control values fixed, so that the inner
// loop over the span's voxels has unit strides and vectorises. GPUs: a team per row and a
// thread per voxel, whose reads of the row are coalesced. Specialise for other spaces.
template <class ExecSpace>
struct ApplyBiasShape {
  static constexpr bool thread_per_row =
      Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename ExecSpace::memory_space>::accessible;
};

namespace detail {

template <class ExecSpace, class MemorySpace, class T>
struct ApplyBiasRows {
  using Compute = std::conditional_t<std::is_same<T, float>::value, float, double>;
  using member_type = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  LatticeOnGrid<MemorySpace> field;
  Volume<T const, MemorySpace> input;
  Volume<T, MemorySpace> corrected, log_bias;
  Kokkos::View<Compute const*, MemorySpace> weight;  // field.bx's (4, X) weights as Compute
  bool has_bias = false;
  bool unit_stride = false;  // every volume's X stride is 1
  Compute min_bias = 0;      // the divisor's floor (0: none)
  // Fields in [lowest, highest] need neither exp's clamp nor the floor.
  Compute lowest = 0, highest = 0;

  // The four values of row `row` for span j, in Compute.
  KOKKOS_INLINE_FUNCTION void span_values(std::int64_t row, int j, Compute r[4]) const {
    for (int k = 0; k < 4; ++k) r[k] = static_cast<Compute>(field.rows(row * field.CX + j + k));
  }

  // The field at column x of a row whose span values are r: the same sum, in the same order,
  // on every space.
  KOKKOS_INLINE_FUNCTION static Compute value(Compute const* w0, Compute const* w1,
                                              Compute const* w2, Compute const* w3,
                                              Compute const r[4], std::int64_t x) {
    return r[0] * w0[x] + r[1] * w1[x] + r[2] * w2[x] + r[3] * w3[x];
  }

  // input / max(exp(f), min_bias), exp clamped to its domain.
  KOKKOS_INLINE_FUNCTION T divide_clamped(T in, Compute f) const {
    Compute e = math::exp_clamped(f);
    if (e < min_bias) e = min_bias;
    return static_cast<T>(static_cast<Compute>(in) / e);
  }

  // A thread per row (CPUs).
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t row) const {
    std::int64_t const z = row / field.Y, y = row % field.Y;
    auto const& bx = field.bx;
    std::int64_t const X = field.X;
    Compute const* KOKKOS_RESTRICT w0 = weight.data();
    Compute const* KOKKOS_RESTRICT w1 = w0 + X;
    Compute const* KOKKOS_RESTRICT w2 = w1 + X;
    Compute const* KOKKOS_RESTRICT w3 = w2 + X;
    T const* KOKKOS_RESTRICT in = &input(z, y, 0);
    T* KOKKOS_RESTRICT out = &corrected(z, y, 0);
    T* KOKKOS_RESTRICT bias = has_bias ? &log_bias(z, y, 0) : nullptr;
    for (int j = 0; j < bx.spans(); ++j) {
      Compute r[4];
      span_values(row, j, r);
      Compute const r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3];
      std::int64_t const begin = bx.span_begin(j), end = bx.span_begin(j + 1);
      // The weights are >= 0 and sum to 1, so the field lies between the four values (up to
      // rounding, which the margins of lowest and highest cover): inside [lowest, highest] if
      // they are, and then the loops below, branch-free in the type of the image, vectorise.
      bool const inside = kx::min(kx::min(r0, r1), kx::min(r2, r3)) >= lowest &&
                          kx::max(kx::max(r0, r1), kx::max(r2, r3)) <= highest;
      if (unit_stride && inside && bias == nullptr) {
        for (std::int64_t x = begin; x < end; ++x) {
          Compute const f = r0 * w0[x] + r1 * w1[x] + r2 * w2[x] + r3 * w3[x];
          out[x] = static_cast<T>(static_cast<Compute>(in[x]) / math::exp_poly(f));
        }
      } else if (unit_stride && inside) {
        for (std::int64_t x = begin; x < end; ++x) {
          Compute const f = r0 * w0[x] + r1 * w1[x] + r2 * w2[x] + r3 * w3[x];
          out[x] = static_cast<T>(static_cast<Compute>(in[x]) / math::exp_poly(f));
          bias[x] = static_cast<T>(f);
        }
      } else {
        for (std::int64_t x = begin; x < end; ++x) {
          Compute const f = value(w0, w1, w2, w3, r, x);
          corrected(z, y, x) = divide_clamped(input(z, y, x), f);
          if (has_bias) log_bias(z, y, x) = static_cast<T>(f);
        }
      }
    }
  }

  // A team per row, a thread per voxel (GPUs).
  KOKKOS_INLINE_FUNCTION void operator()(member_type const& team) const {
    std::int64_t const row = team.league_rank();
    std::int64_t const z = row / field.Y, y = row % field.Y;
    std::int64_t const X = field.X;
    Compute const* w0 = weight.data();
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, X), [&](std::int64_t x) {
      Compute r[4];
      span_values(row, field.bx.span(x), r);
      Compute const f = value(w0, w0 + X, w0 + 2 * X, w0 + 3 * X, r, x);
      corrected(z, y, x) = divide_clamped(input(z, y, x), f);
      if (has_bias) log_bias(z, y, x) = static_cast<T>(f);
    });
  }
};

// The X weights of `bx` in the compute type: the basis's own for double, a float copy from
// `ws` for float (so that float images run the per-voxel loop in float only). The last
// argument selects the type.
template <class ExecSpace, class MemorySpace>
Kokkos::View<double const*, MemorySpace> weights_as(ExecSpace const&,
                                                    AxisBasis<MemorySpace> const& bx,
                                                    Workspace<MemorySpace>*, double*) {
  return bx.weight;
}

template <class ExecSpace, class MemorySpace>
Kokkos::View<float const*, MemorySpace> weights_as(ExecSpace const& space,
                                                   AxisBasis<MemorySpace> const& bx,
                                                   Workspace<MemorySpace>* ws, float*) {
  auto const from = bx.weight;
  auto to =
      Workspace<MemorySpace>::template get<float>(ws, "bik::n4::apply_weights", from.extent(0));
  Kokkos::parallel_for(
      "bik::n4::apply_weights",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(
          space, 0, static_cast<std::int64_t>(from.extent(0))),
      KOKKOS_LAMBDA(std::int64_t i) { to(i) = static_cast<float>(from(i)); });
  return to;
}

}  // namespace detail

// The floor on the divisor exp(field) of each semantics: none for ITK, 1e-6 for linumpy.
inline double bias_floor(Semantics semantics) {
  return semantics == Semantics::linumpy ? 1e-6 : 0.0;
}

// corrected = input / max(exp(field), floor) and, if `log_bias` is not empty, log_bias = field,
// for a field already collapsed over Z and Y on the image's grid (prepare_lattice_on_grid);
// the floor is the semantics' bias_floor.
template <class ExecSpace, class MemorySpace, class T>
void apply_bias(ExecSpace const& space, LatticeOnGrid<MemorySpace> const& field,
                Volume<T const, MemorySpace> input, Volume<T, MemorySpace> corrected,
                Volume<T, MemorySpace> log_bias, Workspace<MemorySpace>* ws = nullptr,
                Semantics semantics = Semantics::itk) {
  using Rows = detail::ApplyBiasRows<ExecSpace, MemorySpace, T>;
  using Compute = typename Rows::Compute;
  Rows rows{field, input, corrected, log_bias,
            detail::weights_as(space, field.bx, ws, static_cast<Compute*>(nullptr))};
  double const floor = bias_floor(semantics);
  rows.min_bias = static_cast<Compute>(floor);
  // exp_poly's domain, 1 short so that the sum's rounding past the four values cannot leave
  // it; above log(floor) + 0.01, exp(field) is 1% above the floor: far from rounding.
  rows.highest = math::exp_poly_limit(Compute()) - 1;
  rows.lowest = floor > 0.0 ? static_cast<Compute>(std::log(floor) + 0.01) : -rows.highest;
  rows.has_bias = log_bias.data() != nullptr;
  rows.unit_stride = input.stride_2() == 1 && corrected.stride_2() == 1 &&
                     (!rows.has_bias || log_bias.stride_2() == 1);
  std::int64_t const n_rows = shape_of(input).z * field.Y;
  if constexpr (ApplyBiasShape<ExecSpace>::thread_per_row)
    Kokkos::parallel_for(
        "bik::n4::apply_bias",
        Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, n_rows), rows);
  else
    Kokkos::parallel_for("bik::n4::apply_bias",
                         Kokkos::TeamPolicy<ExecSpace>(space, n_rows, Kokkos::AUTO), rows);
}

// The same from the lattice: `basis` is for the image's grid, `log_bias` may be empty.
template <class ExecSpace, class MemorySpace, class T>
void apply_bias(ExecSpace const& space, GridBasis<MemorySpace> const& basis,
                NonDeduced<Kokkos::View<double const*, MemorySpace>> coeff,
                Volume<T const, MemorySpace> input, Volume<T, MemorySpace> corrected,
                Volume<T, MemorySpace> log_bias, Workspace<MemorySpace>* ws,
                Semantics semantics = Semantics::itk) {
  apply_bias(space, prepare_lattice_on_grid(space, basis, coeff, ws), input, corrected, log_bias,
             ws, semantics);
}

}  // namespace bik::n4

#endif
