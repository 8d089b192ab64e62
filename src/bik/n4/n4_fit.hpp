// What N4's fit leaves (bik::n4::fit, correct.hpp): the final control lattice of the log bias
// field, with the semantics that places it on a grid, and the report of the run. The field is
// index-normalised, so the same lattice evaluates on the working grid, at full resolution, or
// on a window of planes of the full-resolution grid (apply_fit).
#ifndef BIK_N4_N4_FIT_HPP
#define BIK_N4_N4_FIT_HPP

#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/apply_bias.hpp"
#include "bik/n4/grid_basis.hpp"
#include "bik/n4/lattice.hpp"
#include "bik/n4/n4_options.hpp"
#include "bik/n4/semantics.hpp"

#include <Kokkos_Core.hpp>

namespace bik::n4 {

template <class MemorySpace>
struct N4Fit {
  N4Report report;
  Semantics semantics = Semantics::itk;
  // The lattice's coefficients live in the workspace given to fit() (if any), until its next
  // use: copy them to keep them.
  Lattice<MemorySpace> lattice;
};

// The basis of `fit`'s lattice on planes [z0, z1) of a `full`-shaped grid (all planes when
// z1 <= z0); buffers named after `name`.
template <class MemorySpace>
GridBasis<MemorySpace> fit_basis(N4Fit<MemorySpace> const& fit, Shape3 full,
                                 Workspace<MemorySpace>* ws, std::string const& name,
                                 std::int64_t z0 = 0, std::int64_t z1 = 0) {
  return make_grid_basis<MemorySpace>(full, fit.lattice.shape, ws, name, fit.semantics,
                                      ZWindow{z0, z1});
}

// corrected = input / exp(field) and, if `log_bias` is not empty, log_bias = field, on the
// input's whole grid.
template <class ExecSpace, class MemorySpace, class T>
void apply_fit(ExecSpace const& space, N4Fit<MemorySpace> const& fit,
               Volume<T const, MemorySpace> input, Volume<T, MemorySpace> corrected,
               Volume<T, MemorySpace> log_bias, Workspace<MemorySpace>* ws) {
  apply_bias(space, fit_basis(fit, shape_of(input), ws, "bik::n4::full"), fit.lattice.coeff, input,
             corrected, log_bias, ws, fit.semantics);
}

}  // namespace bik::n4

#endif
