// The last step of N4 at full resolution: the lattice's log bias field evaluated on the image
// grid (index-normalised, evaluate_lattice.hpp), corrected = input / exp(field) at every voxel,
// and the field itself on request. One read of the input and one write per output.
#ifndef BIK_N4_APPLY_BIAS_HPP
#define BIK_N4_APPLY_BIAS_HPP

#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/evaluate_lattice.hpp"
#include "bik/n4/math.hpp"
#include "bik/n4/non_deduced.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::n4 {

// `basis` is for the image's grid; `log_bias` may be empty (not written).
template <class ExecSpace, class MemorySpace, class T>
void apply_bias(ExecSpace const& space, GridBasis<MemorySpace> const& basis,
                NonDeduced<Kokkos::View<double const*, MemorySpace>> coeff,
                Volume<T const, MemorySpace> input, Volume<T, MemorySpace> corrected,
                Volume<T, MemorySpace> log_bias, Workspace<MemorySpace>* ws) {
  auto const field = prepare_lattice_on_grid(space, basis, coeff, ws);
  bool const has_bias = log_bias.data() != nullptr;
  std::int64_t const Y = basis.grid.y, X = basis.grid.x;
  // A team per (z, y) row, its threads along X: coalesced on GPUs, no index division per voxel.
  using Team = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  Kokkos::parallel_for(
      "bik::n4::apply_bias", Kokkos::TeamPolicy<ExecSpace>(space, basis.grid.z * Y, Kokkos::AUTO),
      KOKKOS_LAMBDA(Team const& team) {
        std::int64_t const z = team.league_rank() / Y, y = team.league_rank() % Y;
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, X), [&](std::int64_t x) {
          double const b = field.value(z, y, x);
          corrected(z, y, x) = static_cast<T>(static_cast<double>(input(z, y, x)) / math::exp(b));
          if (has_bias) log_bias(z, y, x) = static_cast<T>(b);
        });
      });
}

}  // namespace bik::n4

#endif
