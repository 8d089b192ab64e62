// The three axis bases of a (Z,Y,X) grid for one lattice shape: what the fit and the
// evaluation of the field on that grid share. 2D images (Z = 1) have a degenerate Z axis.
// A Z window restricts the grid to some of its planes (a section of a volume) while the
// lattice still spans the whole grid.
#ifndef BIK_N4_GRID_BASIS_HPP
#define BIK_N4_GRID_BASIS_HPP

#include "bik/core/error.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/axis_basis.hpp"
#include "bik/n4/lattice.hpp"

#include <cstdint>
#include <string>

namespace bik::n4 {

// Planes [begin, end) of a grid's Z axis; end <= begin means all of them.
struct ZWindow {
  std::int64_t begin = 0, end = 0;
};

template <class MemorySpace>
struct GridBasis {
  Shape3 grid;  // the grid's shape, or the window's: (end - begin, Y, X)
  LatticeShape lattice;
  AxisBasis<MemorySpace> z, y, x;
};

// `lattice` gives the control points per axis (spans + 3; 1 on a degenerate axis). The tables
// come from `ws` when one is given, under names starting with `name`; `semantics` chooses ITK's
// or linumpy's sample placement; `window` the planes of the grid to sample.
template <class MemorySpace>
GridBasis<MemorySpace> make_grid_basis(Shape3 grid, LatticeShape lattice,
                                       Workspace<MemorySpace>* ws = nullptr,
                                       std::string const& name = "bik::n4::grid",
                                       Semantics semantics = Semantics::itk, ZWindow window = {}) {
  auto spans = [](int controls) { return controls == 1 ? 0 : controls - 3; };
  if (window.end <= window.begin) window = {0, grid.z};
  require(window.begin >= 0 && window.end <= grid.z, "bik::n4::make_grid_basis",
          "planes [" + std::to_string(window.begin) + ", " + std::to_string(window.end) +
              ") are not inside a grid of " + std::to_string(grid.z) + " planes");
  return {{window.end - window.begin, grid.y, grid.x},
          lattice,
          make_axis_basis<MemorySpace>(grid.z, spans(lattice.z), ws, name + ".z", semantics,
                                       window.begin, window.end),
          make_axis_basis<MemorySpace>(grid.y, spans(lattice.y), ws, name + ".y", semantics),
          make_axis_basis<MemorySpace>(grid.x, spans(lattice.x), ws, name + ".x", semantics)};
}

}  // namespace bik::n4

#endif
