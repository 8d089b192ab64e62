// Order-1 resampling on a separable grid: output voxel (k, i, j) of each image reads the input
// at (cz[k], cy[i], cx[j]), as map_coordinates(order=1) on an mgrid-built coordinate array
// (spec §7). Since every coordinate depends on one index only, the neighbours and weights are
// computed once per axis (O(Z + Y + X) table, built on the host in double, like numpy) and
// reused by every voxel and every call: the bilinear gather of granularity's read-back.
#ifndef BIK_RESAMPLE_GRID_SAMPLER_HPP
#define BIK_RESAMPLE_GRID_SAMPLER_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/resample/map_coordinates.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace bik {

template <class MemorySpace>
struct GridSampler {
  Kokkos::View<std::int64_t*, MemorySpace> index;  // (i0, i1) per entry: z entries, y, x
  Kokkos::View<double*, MemorySpace> weight;       // (w0, w1) per entry
  std::int64_t out_z = 0, out_y = 0, out_x = 0;    // output extents of one image
  std::int64_t in_z = 1;                           // input planes of one image
  bool planar = true;  // 2D images: one plane in and out, the 2D sum (no z weights)

  KOKKOS_INLINE_FUNCTION AxisSample entry(std::int64_t e) const {
    AxisSample s;
    s.i0 = index(2 * e);
    s.i1 = index(2 * e + 1);
    s.w0 = weight(2 * e);
    s.w1 = weight(2 * e + 1);
    return s;
  }

  // The value at output voxel (k, i, j) of the image whose input starts at plane z_offset.
  template <class View>
  KOKKOS_INLINE_FUNCTION double operator()(View const& in, std::int64_t z_offset, std::int64_t k,
                                           std::int64_t i, std::int64_t j) const {
    AxisSample const sy = entry(out_z + i), sx = entry(out_z + out_y + j);
    if (planar) return bilinear(in, z_offset, sy, sx);
    return trilinear(in, z_offset, entry(k), sy, sx);
  }
};

// The sampler for coordinates cz, cy, cx (one per output index) on an input of extents
// (nz, ny, nx) per image. For 2D images give cz = {0} and nz = 1. Tables go to `space`'s
// memory through `workspace` buffers named after `name`.
template <class ExecSpace, class MemorySpace>
GridSampler<MemorySpace> make_grid_sampler(ExecSpace const& space, std::vector<double> const& cz,
                                           std::vector<double> const& cy,
                                           std::vector<double> const& cx, Shape3 in,
                                           Workspace<MemorySpace>* workspace,
                                           std::string const& name) {
  require(in.z >= 1 && in.y >= 1 && in.x >= 1 && !cz.empty() && !cy.empty() && !cx.empty(),
          "bik::make_grid_sampler",
          "input extents and coordinate lists must be non-empty, input " + in.str());
  GridSampler<MemorySpace> s;
  s.out_z = static_cast<std::int64_t>(cz.size());
  s.out_y = static_cast<std::int64_t>(cy.size());
  s.out_x = static_cast<std::int64_t>(cx.size());
  s.in_z = in.z;
  s.planar = in.z == 1 && s.out_z == 1 && cz[0] == 0.0;
  std::size_t const entries = cz.size() + cy.size() + cx.size();
  std::vector<std::int64_t> index(2 * entries);
  std::vector<double> weight(2 * entries);
  std::size_t e = 0;
  auto add = [&](std::vector<double> const& coords, std::int64_t n) {
    for (double c : coords) {
      AxisSample const a = axis_sample(c, n);
      index[2 * e] = a.i0;
      index[2 * e + 1] = a.i1;
      weight[2 * e] = a.w0;
      weight[2 * e + 1] = a.w1;
      ++e;
    }
  };
  add(cz, in.z);
  add(cy, in.y);
  add(cx, in.x);
  s.index =
      Workspace<MemorySpace>::template get<std::int64_t>(workspace, name + "::index", index.size());
  s.weight =
      Workspace<MemorySpace>::template get<double>(workspace, name + "::weight", weight.size());
  using Unmanaged = Kokkos::MemoryTraits<Kokkos::Unmanaged>;
  Kokkos::deep_copy(
      space, s.index,
      Kokkos::View<std::int64_t const*, Kokkos::HostSpace, Unmanaged>(index.data(), index.size()));
  Kokkos::deep_copy(
      space, s.weight,
      Kokkos::View<double const*, Kokkos::HostSpace, Unmanaged>(weight.data(), weight.size()));
  space.fence();  // the host vectors go out of scope
  return s;
}

// out (images stacked along Z, sampler.out_z planes each) = `in` (sampler.in_z planes per
// image) resampled by `sampler`, image by image. Parallel over output voxels.
template <class ExecSpace, class T, class MemorySpace>
void resample(ExecSpace const& space, GridSampler<MemorySpace> const& sampler,
              Volume<T const, MemorySpace> in, Volume<double, MemorySpace> out) {
  std::int64_t const images = static_cast<std::int64_t>(in.extent(0)) / sampler.in_z;
  require(static_cast<std::int64_t>(in.extent(0)) == images * sampler.in_z &&
              static_cast<std::int64_t>(out.extent(0)) == images * sampler.out_z &&
              static_cast<std::int64_t>(out.extent(1)) == sampler.out_y &&
              static_cast<std::int64_t>(out.extent(2)) == sampler.out_x,
          "bik::resample",
          "output " + shape_of(out).str() + " and input " + shape_of(in).str() +
              " do not fit the sampler's extents");
  std::int64_t const oz = sampler.out_z, oy = sampler.out_y, ox = sampler.out_x, iz = sampler.in_z;
  Kokkos::parallel_for(
      "bik::resample",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0,
                                                                      shape_of(out).size()),
      KOKKOS_LAMBDA(std::int64_t n) {
        std::int64_t const r = n / ox, j = n - r * ox, z = r / oy, i = r - z * oy;
        std::int64_t const b = z / oz, k = z - b * oz;
        out(z, i, j) = sampler(in, b * iz, k, i, j);
      });
}

}  // namespace bik

#endif
