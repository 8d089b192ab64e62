// The last step of N4 at full resolution: the lattice's log bias field evaluated on the image
// grid (index-normalised, evaluate_lattice.hpp), corrected = input / exp(field) at every voxel,
// and the field itself on request. One read of the input and one write per output, fused: the
// Z and Y sums of the separable evaluation are collapsed first into a small (Z, Y, CX) table, so
// each voxel costs four products along X, one exp and one division.
// Precision: the field is summed in double; exp and the division are done in the image's type
// (exp_poly.hpp), so float32 images get float32 arithmetic there (a few ulp of float32 from the
// double result) and float64 images double.
#ifndef BIK_N4_APPLY_BIAS_HPP
#define BIK_N4_APPLY_BIAS_HPP

#include "bik/core/compat.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/evaluate_lattice.hpp"
#include "bik/n4/exp_poly.hpp"
#include "bik/n4/non_deduced.hpp"

#include <Kokkos_Core.hpp>

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
  bool has_bias = false;
  bool unit_stride = false;  // every volume's X stride is 1

  // input / exp(f), exp clamped to its domain or (Clamp false) known to be inside it.
  template <bool Clamp>
  KOKKOS_INLINE_FUNCTION static T divide(T in, double f) {
    Compute const e = Clamp ? math::exp_clamped(static_cast<Compute>(f))
                            : math::exp_poly(static_cast<Compute>(f));
    return static_cast<T>(static_cast<Compute>(in) / e);
  }

  // A thread per row (CPUs).
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t row) const {
    std::int64_t const z = row / field.Y, y = row % field.Y;
    auto const& bx = field.bx;
    std::int64_t const X = field.X;
    double const* w0 = bx.weight.data();
    double const* w1 = w0 + X;
    double const* w2 = w1 + X;
    double const* w3 = w2 + X;
    double const* r = field.rows.data() + row * field.CX;
    T const* in = &input(z, y, 0);
    T* out = &corrected(z, y, 0);
    T* bias = has_bias ? &log_bias(z, y, 0) : nullptr;
    double const limit = static_cast<double>(math::exp_poly_limit(Compute()));
    for (int j = 0; j < bx.spans(); ++j) {
      double const r0 = r[j], r1 = r[j + 1], r2 = r[j + 2], r3 = r[j + 3];
      std::int64_t const begin = bx.span_begin(j), end = bx.span_begin(j + 1);
      // The weights are >= 0 and sum to 1, so the field lies between the four coefficients:
      // inside exp's domain if they are, and then the loops below vectorise.
      bool const inside =
          kx::max(kx::max(kx::abs(r0), kx::abs(r1)), kx::max(kx::abs(r2), kx::abs(r3))) <= limit;
      if (unit_stride && inside && bias == nullptr) {
        for (std::int64_t x = begin; x < end; ++x)
          out[x] = divide<false>(in[x], r0 * w0[x] + r1 * w1[x] + r2 * w2[x] + r3 * w3[x]);
      } else if (unit_stride && inside) {
        for (std::int64_t x = begin; x < end; ++x) {
          double const f = r0 * w0[x] + r1 * w1[x] + r2 * w2[x] + r3 * w3[x];
          out[x] = divide<false>(in[x], f);
          bias[x] = static_cast<T>(f);
        }
      } else {
        for (std::int64_t x = begin; x < end; ++x) {
          double const f = r0 * w0[x] + r1 * w1[x] + r2 * w2[x] + r3 * w3[x];
          corrected(z, y, x) = divide<true>(input(z, y, x), f);
          if (has_bias) log_bias(z, y, x) = static_cast<T>(f);
        }
      }
    }
  }

  // A team per row, a thread per voxel (GPUs).
  KOKKOS_INLINE_FUNCTION void operator()(member_type const& team) const {
    std::int64_t const row = team.league_rank();
    std::int64_t const z = row / field.Y, y = row % field.Y;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, field.X), [&](std::int64_t x) {
      double const f = field.value(z, y, x);
      corrected(z, y, x) = divide<true>(input(z, y, x), f);
      if (has_bias) log_bias(z, y, x) = static_cast<T>(f);
    });
  }
};

}  // namespace detail

// corrected = input / exp(field) and, if `log_bias` is not empty, log_bias = field, for a field
// already collapsed over Z and Y on the image's grid (prepare_lattice_on_grid).
template <class ExecSpace, class MemorySpace, class T>
void apply_bias(ExecSpace const& space, LatticeOnGrid<MemorySpace> const& field,
                Volume<T const, MemorySpace> input, Volume<T, MemorySpace> corrected,
                Volume<T, MemorySpace> log_bias) {
  detail::ApplyBiasRows<ExecSpace, MemorySpace, T> rows{field, input, corrected, log_bias};
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
                Volume<T, MemorySpace> log_bias, Workspace<MemorySpace>* ws) {
  apply_bias(space, prepare_lattice_on_grid(space, basis, coeff, ws), input, corrected, log_bias);
}

}  // namespace bik::n4

#endif
