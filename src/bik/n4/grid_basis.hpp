// The three axis bases of a (Z,Y,X) grid for one lattice shape: what the fit and the
// evaluation of the field on that grid share. 2D images (Z = 1) have a degenerate Z axis.
#ifndef BIK_N4_GRID_BASIS_HPP
#define BIK_N4_GRID_BASIS_HPP

#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/axis_basis.hpp"
#include "bik/n4/lattice.hpp"

#include <string>

namespace bik::n4 {

template <class MemorySpace>
struct GridBasis {
  Shape3 grid;
  LatticeShape lattice;
  AxisBasis<MemorySpace> z, y, x;
};

// `lattice` gives the control points per axis (spans + 3; 1 on a degenerate axis). The tables
// come from `ws` when one is given, under names starting with `name`; `semantics` chooses ITK's
// or linumpy's sample placement.
template <class MemorySpace>
GridBasis<MemorySpace> make_grid_basis(Shape3 grid, LatticeShape lattice,
                                       Workspace<MemorySpace>* ws = nullptr,
                                       std::string const& name = "bik::n4::grid",
                                       Semantics semantics = Semantics::itk) {
  auto spans = [](int controls) { return controls == 1 ? 0 : controls - 3; };
  return {grid, lattice,
          make_axis_basis<MemorySpace>(grid.z, spans(lattice.z), ws, name + ".z", semantics),
          make_axis_basis<MemorySpace>(grid.y, spans(lattice.y), ws, name + ".y", semantics),
          make_axis_basis<MemorySpace>(grid.x, spans(lattice.x), ws, name + ".x", semantics)};
}

}  // namespace bik::n4

#endif
