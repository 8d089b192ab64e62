// Per-section N4 (spec n4.md §6.1, deliverable 4 of issue 11): a volume cut along Z into
// sections (section_bounds) that are corrected independently, optionally followed by a global
// pass: N4 on the whole volume after the per-section correction, whose field multiplies the
// sections' (the log biases add), as linumpy's two-pass script does (§6.2).
// The planes stream through two callbacks, so that memory holds one section at a time:
//  - read(z0, z1) returns SectionPlanes (the input's planes [z0, z1) and the mask's, if any);
//  - write(z0, z1, corrected, log_bias) receives the outputs of those planes (log_bias empty
//    unless want_bias).
// Without the global pass every section is read, fitted, corrected and written in turn. With
// it: (1) each section is read and fitted, and its corrected planes are sampled onto the whole
// volume's shrunk grid (the semantics' placement over the whole volume: ITK's
// ShrinkImageFilter, or linumpy's every s-th voxel from 0) - only the sections' lattices and
// that shrunk volume are kept; (2) N4 is fitted on the shrunk volume (shrink 1 on it is the fit
// with shrink s on the whole volume; linumpy's mesh is taken from the whole volume's extent,
// with the global pass's own spline distance); (3) each section is read again and divided.
// ITK semantics divides by exp(its field + the global field on its planes), evaluated together
// in one pass. linumpy semantics divides twice, as linumpy's script does (its global pass
// corrects the float32 section-corrected volume): by max(exp(section field), 1e-6), the
// quotient rounded to the image's type, then by max(exp(global field), 1e-6), a window of
// planes at a time; so the output is bit for bit the two passes run by hand, and the two
// lattices need not have the same width (add_fields' condition), which linumpy's meshes of two
// spline distances do not.
#ifndef BIK_N4_CORRECT_SECTIONS_HPP
#define BIK_N4_CORRECT_SECTIONS_HPP

#include "bik/core/error.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/correct.hpp"
#include "bik/n4/sections.hpp"
#include "bik/n4/shrink.hpp"

#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace bik::n4 {

// What read(z0, z1) returns: planes [z0, z1) of the input and of the mask (empty: no mask).
template <class T, class M, class MemorySpace>
struct SectionPlanes {
  Kokkos::View<T const***, Kokkos::LayoutRight, MemorySpace> input;
  Kokkos::View<M const***, Kokkos::LayoutRight, MemorySpace> mask;
};

struct SectionsReport {
  std::vector<std::int64_t> bounds;  // sections + 1 plane indices
  std::vector<N4Report> sections;
  bool has_global = false;
  N4Report global;  // the global pass's, if any
};

struct SectionsOptions {
  std::int64_t sections = 1;
  bool global_pass = false;
  // linumpy semantics: the global pass's spline distance (the default of linumpy's script for
  // its global pass; options.spline_distance_mm is the sections'). Not used by ITK semantics,
  // whose global pass has options.control_points.
  double global_spline_distance_mm = 10.0;
  bool want_bias = false;
  // Called on the host before each fit: the section's index, or `sections` for the global pass.
  std::function<void(std::int64_t)> on_fit;
};

namespace detail {

template <class MemorySpace>
Lattice<MemorySpace> keep_lattice(Lattice<MemorySpace> const& lattice, std::string const& name) {
  Lattice<MemorySpace> kept{
      lattice.shape,
      Kokkos::View<double*, MemorySpace>(Kokkos::view_alloc(Kokkos::WithoutInitializing, name),
                                         lattice.coeff.extent(0))};
  Kokkos::deep_copy(kept.coeff, lattice.coeff);
  return kept;
}

// Planes of a section that linumpy's two divisions take at a time: about 2^20 voxels, so
// that the first quotient needs a small buffer of its own (and a GPU still gets a thousand
// rows or more per pass).
inline std::int64_t division_window(Shape3 section) {
  std::int64_t const planes = (std::int64_t(1) << 20) / (section.y * section.x);
  return planes < 1 ? 1 : (planes > section.z ? section.z : planes);
}

// linumpy's two divisions of the section of planes [z0, z0 + input's planes) of a `whole`
// volume (see the top of this file): corrected = (input / max(exp(section), 1e-6)) /
// max(exp(global), 1e-6), the first quotient in the image's type, and log_bias = section +
// global when log_bias is not empty; `window` planes at a time (division_window), the fields
// evaluated on each window (the same values as on the whole grid). (A function of its own for
// nvcc, as sample_section.)
template <class ExecSpace, class T, class MemorySpace>
void divide_twice(ExecSpace const& space, Lattice<MemorySpace> const& section,
                  Lattice<MemorySpace> const& global, Shape3 whole, std::int64_t z0,
                  Kokkos::View<T const***, Kokkos::LayoutRight, MemorySpace> const& input,
                  Kokkos::View<T***, Kokkos::LayoutRight, MemorySpace> const& corrected,
                  Kokkos::View<T***, Kokkos::LayoutRight, MemorySpace> const& log_bias,
                  std::int64_t window, Workspace<MemorySpace>* ws) {
  using Volume3 = Kokkos::View<T***, Kokkos::LayoutRight, MemorySpace>;
  using Planes = std::pair<std::int64_t, std::int64_t>;
  Shape3 const grid = shape_of(input);
  // From the workspace: the same memory for every section.
  auto const buffer = Workspace<MemorySpace>::template get<T>(ws, "bik::n4::first_quotient",
                                                              window * grid.y * grid.x);
  Volume3 const quotient(buffer.data(), window, grid.y, grid.x);
  bool const has_bias = log_bias.data() != nullptr;
  for (std::int64_t p0 = 0; p0 < grid.z; p0 += window) {
    std::int64_t const p1 = p0 + window < grid.z ? p0 + window : grid.z;
    auto const a = prepare_lattice_on_grid(
        space,
        make_grid_basis<MemorySpace>(grid, section.shape, ws, "bik::n4::section_basis",
                                     Semantics::linumpy, ZWindow{p0, p1}),
        section.coeff, ws, "bik::n4::eval_section");
    auto const b = prepare_lattice_on_grid(
        space,
        make_grid_basis<MemorySpace>(whole, global.shape, ws, "bik::n4::global_basis",
                                     Semantics::linumpy, ZWindow{z0 + p0, z0 + p1}),
        global.coeff, ws, "bik::n4::eval_global");
    auto const first = Kokkos::subview(quotient, Planes(0, p1 - p0), Kokkos::ALL, Kokkos::ALL);
    apply_bias(space, a,
               as_volume(Kokkos::subview(input, Planes(p0, p1), Kokkos::ALL, Kokkos::ALL)),
               as_writable_volume(first), Volume<T, MemorySpace>(), ws, Semantics::linumpy);
    apply_bias(
        space, b, as_volume(first),
        as_writable_volume(Kokkos::subview(corrected, Planes(p0, p1), Kokkos::ALL, Kokkos::ALL)),
        Volume<T, MemorySpace>(), ws, Semantics::linumpy);
    if (!has_bias) continue;
    std::int64_t const Y = grid.y;
    Kokkos::parallel_for(
        "bik::n4::sum_fields",
        Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>, Kokkos::IndexType<std::int64_t>>(
            space, {0, 0}, {(p1 - p0) * Y, grid.x}),
        KOKKOS_LAMBDA(std::int64_t row, std::int64_t x) {
          log_bias(p0 + row / Y, row % Y, x) =
              static_cast<T>(a.value_in_row(row, x) + b.value_in_row(row, x));
        });
  }
}

// Writes the planes of the shrunk grid `s` that fall in a section starting at plane z0 (a
// full-resolution plane k * factor + offset in [z0, z0 + planes)): `corrected` into `shrunk`
// and, if given, `mask` into `shrunk_mask`. (A function of its own: nvcc refuses device lambdas
// in a function template instantiated with local lambda types, as correct_sections is.)
template <class ExecSpace, class T, class M, class MemorySpace>
void sample_section(ExecSpace const& space,
                    Kokkos::View<T***, Kokkos::LayoutRight, MemorySpace> const& corrected,
                    Kokkos::View<M const***, Kokkos::LayoutRight, MemorySpace> const& mask,
                    std::int64_t z0, ShrinkAxes const& s,
                    Kokkos::View<T***, Kokkos::LayoutRight, MemorySpace> const& shrunk,
                    Kokkos::View<M***, Kokkos::LayoutRight, MemorySpace> const& shrunk_mask) {
  std::int64_t const z1 = z0 + static_cast<std::int64_t>(corrected.extent(0));
  ShrinkAxis const sz = s.z, sy = s.y, sx = s.x;
  std::int64_t const k0 = z0 <= sz.offset ? 0 : (z0 - sz.offset + sz.factor - 1) / sz.factor;
  std::int64_t k1 = z1 <= sz.offset ? 0 : (z1 - 1 - sz.offset) / sz.factor + 1;
  if (k1 > sz.size) k1 = sz.size;
  if (k1 <= k0) return;
  bool const has_mask = mask.data() != nullptr;
  std::int64_t const ny = sy.size, nx = sx.size;
  Kokkos::parallel_for(
      "bik::n4::sample_global",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0,
                                                                      (k1 - k0) * ny * nx),
      KOKKOS_LAMBDA(std::int64_t j) {
        std::int64_t const x = j % nx, y = (j / nx) % ny, k = k0 + j / (nx * ny);
        std::int64_t const fz = k * sz.factor + sz.offset - z0, fy = y * sy.factor + sy.offset,
                           fx = x * sx.factor + sx.offset;
        shrunk(k, y, x) = corrected(fz, fy, fx);
        if (has_mask) shrunk_mask(k, y, x) = mask(fz, fy, fx);
      });
}

}  // namespace detail

// `shape` is the whole volume's (Z, Y, X), `rank` 2 or 3 (a 2D image has one section).
template <class T, class M, class ExecSpace, class Read, class Write>
SectionsReport correct_sections(ExecSpace const& space, Shape3 shape, int rank,
                                N4Options const& options, SectionsOptions const& how, Read&& read,
                                Write&& write,
                                Workspace<typename ExecSpace::memory_space>* ws = nullptr) {
  using MS = typename ExecSpace::memory_space;
  using Volume3 = Kokkos::View<T***, Kokkos::LayoutRight, MS>;
  char const* where = "bik::n4::correct_sections";
  typename Workspace<MS>::Lease lease(ws, where);
  SectionsReport report;
  report.bounds = section_bounds(shape.z, how.sections);
  auto const& bounds = report.bounds;
  std::int64_t const Y = shape.y, X = shape.x;
  auto images_of = [&](SectionPlanes<T, M, MS> const& planes, std::int64_t z0, std::int64_t z1) {
    require(static_cast<std::int64_t>(planes.input.extent(0)) == z1 - z0 &&
                static_cast<std::int64_t>(planes.input.extent(1)) == Y &&
                static_cast<std::int64_t>(planes.input.extent(2)) == X,
            where,
            "read(" + std::to_string(z0) + ", " + std::to_string(z1) +
                ") returned planes of the wrong shape");
    N4Images<T, M, MS> images;
    images.input = as_volume(planes.input);
    images.rank = rank;
    if (planes.mask.data() != nullptr) images.mask = as_volume(planes.mask);
    return images;
  };
  auto fit_section = [&](N4Images<T, M, MS> const& images, std::int64_t i) {
    if (how.on_fit) how.on_fit(i);
    auto f = detail::fit_any(space, images, options, ws);
    report.sections.push_back(f.report);
    return f;
  };
  auto outputs = [&](std::int64_t planes) {
    std::pair<Volume3, Volume3> out{
        Volume3(Kokkos::view_alloc(Kokkos::WithoutInitializing, "bik::n4::section_corrected"),
                planes, Y, X),
        Volume3()};
    if (how.want_bias)
      out.second = Volume3(Kokkos::view_alloc(Kokkos::WithoutInitializing, "bik::n4::section_bias"),
                           planes, Y, X);
    return out;
  };
  auto bias_volume = [](Volume3 const& v) {
    return v.data() == nullptr ? Volume<T, MS>() : as_writable_volume(v);
  };

  if (!how.global_pass) {
    for (std::int64_t i = 0; i < how.sections; ++i) {
      std::int64_t const z0 = bounds[i], z1 = bounds[i + 1];
      auto const planes = read(z0, z1);
      auto const images = images_of(planes, z0, z1);
      auto const f = fit_section(images, i);
      auto const [corrected, bias] = outputs(z1 - z0);
      apply_fit(space, f, images.input, as_writable_volume(corrected), bias_volume(bias), ws);
      space.fence();
      write(z0, z1, corrected, bias);
    }
    return report;
  }

  bool const linumpy = options.semantics == Semantics::linumpy;
  require(!linumpy ||
              (std::isfinite(how.global_spline_distance_mm) && how.global_spline_distance_mm > 0),
          where, "the global pass's spline distance must be finite and > 0");
  ShrinkAxes const axes =
      working_axes(shape, rank, options.shrink, options.semantics, where,
                   "the volume of shape " + shape.str() + " for the global pass");
  Shape3 const work = axes.shape();

  // (1) Per-section fits; their corrected planes sampled onto the whole volume's shrunk grid.
  Volume3 shrunk("bik::n4::global_input", work.z, work.y, work.x);
  Kokkos::View<M***, Kokkos::LayoutRight, MS> shrunk_mask;
  std::vector<Lattice<MS>> lattices;
  for (std::int64_t i = 0; i < how.sections; ++i) {
    std::int64_t const z0 = bounds[i], z1 = bounds[i + 1];
    auto const planes = read(z0, z1);
    auto const images = images_of(planes, z0, z1);
    bool const has_mask = planes.mask.data() != nullptr;
    require(i == 0 || has_mask == (shrunk_mask.data() != nullptr), where,
            "read() returned a mask for some sections only");
    if (i == 0 && has_mask)
      shrunk_mask = decltype(shrunk_mask)("bik::n4::global_mask", work.z, work.y, work.x);
    auto const f = fit_section(images, i);
    lattices.push_back(detail::keep_lattice(f.lattice, "bik::n4::section_lattice"));
    auto const corrected = outputs(z1 - z0).first;
    apply_fit(space, f, images.input, as_writable_volume(corrected), Volume<T, MS>(), ws);
    detail::sample_section(space, corrected, planes.mask, z0, axes, shrunk, shrunk_mask);
    space.fence();
  }

  // (2) The global fit on the shrunk volume.
  N4Images<T, M, MS> global_images;
  global_images.input = as_volume(shrunk);
  global_images.rank = rank;
  if (shrunk_mask.data() != nullptr) global_images.mask = as_volume(shrunk_mask);
  N4Options global_options = options;
  global_options.shrink = 1;
  global_options.spline_distance_mm = how.global_spline_distance_mm;
  if (how.on_fit) how.on_fit(how.sections);
  auto const global_fit = linumpy
                              ? detail::fit_linumpy(space, global_images, global_options, ws, shape)
                              : detail::fit_any(space, global_images, global_options, ws);
  report.has_global = true;
  report.global = global_fit.report;
  auto const global = detail::keep_lattice(global_fit.lattice, "bik::n4::global_lattice");
  shrunk = Volume3();  // its memory is not needed any more
  shrunk_mask = decltype(shrunk_mask)();

  // (3) Each section divided by its field and the global field on its planes.
  for (std::int64_t i = 0; i < how.sections; ++i) {
    std::int64_t const z0 = bounds[i], z1 = bounds[i + 1];
    auto const planes = read(z0, z1);
    auto const images = images_of(planes, z0, z1);
    auto const [corrected, bias] = outputs(z1 - z0);
    if (linumpy) {
      detail::divide_twice(space, lattices[i], global, shape, z0, planes.input, corrected, bias,
                           detail::division_window(shape_of(planes.input)), ws);
    } else {
      auto const section_basis = make_grid_basis<MS>(shape_of(images.input), lattices[i].shape, ws,
                                                     "bik::n4::section_basis");
      auto const global_basis = make_grid_basis<MS>(
          shape, global.shape, ws, "bik::n4::global_basis", Semantics::itk, ZWindow{z0, z1});
      auto const field = add_fields(
          space,
          prepare_lattice_on_grid(space, section_basis, lattices[i].coeff, ws,
                                  "bik::n4::eval_section"),
          prepare_lattice_on_grid(space, global_basis, global.coeff, ws, "bik::n4::eval_global"));
      apply_bias(space, field, images.input, as_writable_volume(corrected), bias_volume(bias), ws);
    }
    space.fence();
    write(z0, z1, corrected, bias);
  }
  return report;
}

}  // namespace bik::n4

#endif
