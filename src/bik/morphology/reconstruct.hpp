// Greyscale reconstruction by dilation with the cross (4-connectivity per plane, 6 within
// volumes): R_mask(seed), the limit of f <- min(dilate(f), mask) from f = min(seed, mask)
// (spec §6). The result is unique and made of input values, so it equals
// skimage.morphology.reconstruction(seed, mask, footprint=disk(1) | ball(1)) bit for bit.
//
// Formulation (exact and parallel on every space): first, rounds of geodesic sweeps along each
// axis over the whole image (geodesic_sweeps.hpp; parallel over lines) carry values along
// ridges and plateaus of any length, leaving less to the tiles. Then the image is cut into tiles,
// coloured like a checkerboard so that no two tiles of one colour share a face. A phase runs every
// active tile of one colour at once, each by Vincent's hybrid algorithm restricted to the tile: a
// raster sweep, an anti-raster sweep that seeds a FIFO, then the FIFO, reading the face neighbours
// outside the tile (of the other colour, frozen during the phase) but writing only inside it.
// A tile whose border voxels rose wakes the tiles across those faces for the next phase; a woken
// tile (stable before, only its outside neighbours rose) seeds its queue from the border voxels
// those neighbours raise instead of sweeping again.
// The loop stops at the first phase with no active tile: every tile is then stable given its
// neighbours, i.e. the whole image is the fixpoint; values only rise and never pass the
// reconstruction, so that fixpoint is the reconstruction. One tile is plain Vincent (after the
// sweeps).
// Queues hold a voxel's offsets inside its tile packed in 32 bits (10 bits per axis: tile extents
// are at most 1024, checked at compile time; decoded by shifts, not divisions) in a ring of
// tile size + 1 entries with a per-voxel in-queue flag, so they cannot overflow; global indices
// are 64-bit. One host synchronisation per phase (the active-tile count).
#ifndef BIK_MORPHOLOGY_RECONSTRUCT_HPP
#define BIK_MORPHOLOGY_RECONSTRUCT_HPP

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/morphology/geodesic_sweeps.hpp"
#include "bik/morphology/scratch.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>

namespace bik {

// Tile extents (z, y, x) of the reconstruction on a space. Host spaces take large tiles (a
// thread each, working from cache); spaces that cannot reach host memory (GPUs) small ones, for
// many more tiles per phase. Specialise to tune a space.
template <class ExecSpace>
struct ReconstructionTiles {
  static constexpr bool host = Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible;
  static constexpr int plane_y = host ? 64 : 16, plane_x = host ? 64 : 32;  // per-plane images
  static constexpr int volume_z = host ? 16 : 4, volume_y = host ? 16 : 8,
                       volume_x = host ? 32 : 16;
  // Rounds of geodesic sweeps over the whole image before the tiles (geodesic_sweeps.hpp).
  static constexpr int sweep_rounds = 2;
};

namespace detail {

template <class T, class MemorySpace>
struct ReconstructTiles {
  Volume<T const, MemorySpace> mask;
  Volume<T, MemorySpace> out;
  Kokkos::View<std::int32_t*, MemorySpace> queue;   // [tiles * (cells + 1)]
  Kokkos::View<std::uint8_t*, MemorySpace> queued;  // [voxels]: in a queue
  Kokkos::View<std::int32_t*, MemorySpace> active;  // [tiles]
  std::int64_t nz, ny, nx, planes;
  std::int64_t tz, ty, tx;  // tile extents
  std::int64_t cz, cy, cx;  // tile counts per axis
  int colour;
  using value_type = std::int64_t;  // the reduction counts the tiles a phase ran
  // active(t): 0 idle, 1 woken by a neighbour (border seeding), kFirstRun (full sweeps).
  static constexpr std::int32_t kFirstRun = 2;

  // The face neighbours of (z, y, x) that exist (inside the image and the voxel's volume).
  KOKKOS_INLINE_FUNCTION bool has_z_below(std::int64_t z) const { return z % planes != 0; }
  KOKKOS_INLINE_FUNCTION bool has_z_above(std::int64_t z) const {
    return (z + 1) % planes != 0 && z + 1 < nz;
  }

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t t, std::int64_t& processed) const {
    std::int64_t const bz = t / (cy * cx), by = (t / cx) % cy, bx = t % cx;
    if (((bz + by + bx) & 1) != colour || active(t) == 0) return;
    bool const first = active(t) == kFirstRun;
    active(t) = 0;
    ++processed;
    std::int64_t const z0 = bz * tz, y0 = by * ty, x0 = bx * tx;
    std::int64_t const z1 = kx::min(z0 + tz, nz), y1 = kx::min(y0 + ty, ny),
                       x1 = kx::min(x0 + tx, nx);
    std::int64_t const capacity = tz * ty * tx + 1;
    std::int32_t* const ring = queue.data() + t * capacity;
    std::int64_t head = 0, tail = 0;
    unsigned faces = 0;  // bit per face of the tile whose voxels rose: z-, z+, y-, y+, x-, x+
    auto const raise = [&](std::int64_t z, std::int64_t y, std::int64_t x, T v) {
      out(z, y, x) = v;
      faces |= (z == z0 ? 1u : 0u) | (z == z1 - 1 ? 2u : 0u) | (y == y0 ? 4u : 0u) |
               (y == y1 - 1 ? 8u : 0u) | (x == x0 ? 16u : 0u) | (x == x1 - 1 ? 32u : 0u);
    };
    auto const flag = [&](std::int64_t z, std::int64_t y, std::int64_t x) -> std::uint8_t& {
      return queued((z * ny + y) * nx + x);
    };
    auto const push = [&](std::int64_t z, std::int64_t y, std::int64_t x) {
      flag(z, y, x) = 1;
      ring[tail] = static_cast<std::int32_t>(((z - z0) << 20) | ((y - y0) << 10) | (x - x0));
      tail = tail + 1 == capacity ? 0 : tail + 1;
    };
    if (!first) {
      // Woken: the tile was stable and only its outside neighbours rose, so seed the queue
      // with the border voxels they raise, and propagate.
      auto const from_outside = [&](std::int64_t z, std::int64_t y, std::int64_t x) {
        T const v = out(z, y, x);
        T m = v;
        if (z == z0 && has_z_below(z) && out(z - 1, y, x) > m) m = out(z - 1, y, x);
        if (z == z1 - 1 && has_z_above(z) && out(z + 1, y, x) > m) m = out(z + 1, y, x);
        if (y == y0 && y > 0 && out(z, y - 1, x) > m) m = out(z, y - 1, x);
        if (y == y1 - 1 && y + 1 < ny && out(z, y + 1, x) > m) m = out(z, y + 1, x);
        if (x == x0 && x > 0 && out(z, y, x - 1) > m) m = out(z, y, x - 1);
        if (x == x1 - 1 && x + 1 < nx && out(z, y, x + 1) > m) m = out(z, y, x + 1);
        T const limit = mask(z, y, x);
        if (limit < m) m = limit;
        if (v < m) {
          raise(z, y, x, m);
          if (flag(z, y, x) == 0) push(z, y, x);
        }
      };
      for (std::int64_t z = z0; z < z1; ++z) {
        bool const z_face = (z == z0 && has_z_below(z)) || (z == z1 - 1 && has_z_above(z));
        for (std::int64_t y = y0; y < y1; ++y) {
          if (z_face || y == y0 || y == y1 - 1) {
            for (std::int64_t x = x0; x < x1; ++x) from_outside(z, y, x);
          } else {
            from_outside(z, y, x0);
            if (x1 - 1 != x0) from_outside(z, y, x1 - 1);
          }
        }
      }
    }
    if (first) {
      // Raster sweep: take the max with the neighbours before (z-1, y-1, x-1), then clamp.
      for (std::int64_t z = z0; z < z1; ++z) {
        bool const below = has_z_below(z);
        for (std::int64_t y = y0; y < y1; ++y)
          for (std::int64_t x = x0; x < x1; ++x) {
            T const v = out(z, y, x);
            T m = v;
            if (below && out(z - 1, y, x) > m) m = out(z - 1, y, x);
            if (y > 0 && out(z, y - 1, x) > m) m = out(z, y - 1, x);
            if (x > 0 && out(z, y, x - 1) > m) m = out(z, y, x - 1);
            T const limit = mask(z, y, x);
            if (limit < m) m = limit;
            if (v < m) raise(z, y, x, m);
          }
      }
      // Anti-raster sweep with the neighbours after; a voxel that could still raise one of them
      // (inside the tile) seeds the queue.
      for (std::int64_t z = z1 - 1; z >= z0; --z) {
        bool const above = has_z_above(z);
        for (std::int64_t y = y1 - 1; y >= y0; --y)
          for (std::int64_t x = x1 - 1; x >= x0; --x) {
            T const v = out(z, y, x);
            T m = v;
            if (above && out(z + 1, y, x) > m) m = out(z + 1, y, x);
            if (y + 1 < ny && out(z, y + 1, x) > m) m = out(z, y + 1, x);
            if (x + 1 < nx && out(z, y, x + 1) > m) m = out(z, y, x + 1);
            T const limit = mask(z, y, x);
            if (limit < m) m = limit;
            if (v < m) raise(z, y, x, m);
            auto const can_raise = [&](std::int64_t qz, std::int64_t qy, std::int64_t qx) {
              T const q = out(qz, qy, qx);
              return q < m && q < mask(qz, qy, qx);
            };
            if ((above && z + 1 < z1 && can_raise(z + 1, y, x)) ||
                (y + 1 < y1 && can_raise(z, y + 1, x)) || (x + 1 < x1 && can_raise(z, y, x + 1)))
              push(z, y, x);
          }
      }
    }
    // Propagation inside the tile.
    while (head != tail) {
      std::int64_t const local = ring[head];
      head = head + 1 == capacity ? 0 : head + 1;
      std::int64_t const z = z0 + (local >> 20), y = y0 + ((local >> 10) & 1023),
                         x = x0 + (local & 1023);
      flag(z, y, x) = 0;
      T const v = out(z, y, x);
      auto const visit = [&](std::int64_t qz, std::int64_t qy, std::int64_t qx) {
        T const limit = mask(qz, qy, qx);
        T const nv = v < limit ? v : limit;
        if (out(qz, qy, qx) < nv) {
          raise(qz, qy, qx, nv);
          if (flag(qz, qy, qx) == 0) push(qz, qy, qx);
        }
      };
      if (z > z0 && has_z_below(z)) visit(z - 1, y, x);
      if (z + 1 < z1 && has_z_above(z)) visit(z + 1, y, x);
      if (y > y0) visit(z, y - 1, x);
      if (y + 1 < y1) visit(z, y + 1, x);
      if (x > x0) visit(z, y, x - 1);
      if (x + 1 < x1) visit(z, y, x + 1);
    }
    // Wake the tiles across the faces that rose (they are of the other colour).
    auto const wake = [&](std::int64_t wz, std::int64_t wy, std::int64_t wx) {
      // A tile that has not had its first run keeps kFirstRun.
      Kokkos::atomic_fetch_max(&active((wz * cy + wy) * cx + wx), std::int32_t(1));
    };
    if ((faces & 1u) && bz > 0) wake(bz - 1, by, bx);
    if ((faces & 2u) && bz + 1 < cz) wake(bz + 1, by, bx);
    if ((faces & 4u) && by > 0) wake(bz, by - 1, bx);
    if ((faces & 8u) && by + 1 < cy) wake(bz, by + 1, bx);
    if ((faces & 16u) && bx > 0) wake(bz, by, bx - 1);
    if ((faces & 32u) && bx + 1 < cx) wake(bz, by, bx + 1);
  }
};

}  // namespace detail

// out = the reconstruction by dilation of `seed` under `mask` with the cross footprint, per
// plane (planes = 1: disk(1), 4-connectivity) or within volumes `planes` planes deep (ball(1),
// 6-connectivity). Seeds above the mask are clamped to it (skimage raises instead). All three
// have one shape; out may be seed's memory, not mask's. O(voxels) per tile activation;
// parallel over tiles (ReconstructionTiles<ExecSpace>); temporaries from `workspace`.
template <class ExecSpace, class T, class MemorySpace>
void reconstruct_by_dilation(ExecSpace const& space, Volume<T const, MemorySpace> seed,
                             Volume<T const, MemorySpace> mask, Volume<T, MemorySpace> out,
                             std::int64_t planes = 1, Workspace<MemorySpace>* workspace = nullptr) {
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, MemorySpace>::accessible,
                "bik::reconstruct_by_dilation: views must be accessible from the execution space");
  char const* const where = "bik::reconstruct_by_dilation";
  Shape3 const shape = shape_of(mask);
  auto same = [&](Shape3 s) { return s.z == shape.z && s.y == shape.y && s.x == shape.x; };
  require(same(shape_of(seed)), where,
          "seed shape " + shape_of(seed).str() + " differs from mask shape " + shape.str());
  require(same(shape_of(out)), where,
          "output shape " + shape_of(out).str() + " differs from mask shape " + shape.str());
  require(planes >= 1 && shape.z % planes == 0, where,
          "planes per image must be >= 1 and divide the depth " + std::to_string(shape.z) +
              ", got " + std::to_string(planes));
  if (shape.size() == 0) return;
  kx::ScopedRegion region(where);
  using Tiles = ReconstructionTiles<ExecSpace>;
  static_assert(Tiles::plane_y <= 1024 && Tiles::plane_x <= 1024 && Tiles::volume_z <= 1024 &&
                    Tiles::volume_y <= 1024 && Tiles::volume_x <= 1024,
                "bik::ReconstructionTiles: queue entries pack tile offsets in 10 bits per axis");
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  std::int64_t const nz = shape.z, ny = shape.y, nx = shape.x;
  Kokkos::parallel_for(
      "bik::reconstruct::clamp", Policy(space, 0, shape.size()), KOKKOS_LAMBDA(std::int64_t i) {
        std::int64_t const r = i / nx, x = i - r * nx, z = r / ny, y = r - z * ny;
        T const s = seed(z, y, x), m = mask(z, y, x);
        out(z, y, x) = m < s ? m : s;
      });
  detail::geodesic_sweeps(space, mask, out, planes, Tiles::sweep_rounds);
  detail::ReconstructTiles<T, MemorySpace> tiles;
  tiles.mask = mask;
  tiles.out = out;
  tiles.nz = nz;
  tiles.ny = ny;
  tiles.nx = nx;
  tiles.planes = planes;
  bool const volumetric = planes > 1;
  tiles.tz = volumetric ? kx::min<std::int64_t>(Tiles::volume_z, planes) : 1;
  tiles.ty = volumetric ? Tiles::volume_y : Tiles::plane_y;
  tiles.tx = volumetric ? Tiles::volume_x : Tiles::plane_x;
  tiles.cz = (nz + tiles.tz - 1) / tiles.tz;
  tiles.cy = (ny + tiles.ty - 1) / tiles.ty;
  tiles.cx = (nx + tiles.tx - 1) / tiles.tx;
  std::int64_t const count = tiles.cz * tiles.cy * tiles.cx;
  tiles.queue = detail::scratch<std::int32_t>(
      workspace, "bik::reconstruct::queue",
      static_cast<std::size_t>(count * (tiles.tz * tiles.ty * tiles.tx + 1)));
  tiles.queued = detail::scratch<std::uint8_t>(workspace, "bik::reconstruct::queued",
                                               static_cast<std::size_t>(shape.size()));
  tiles.active = detail::scratch<std::int32_t>(workspace, "bik::reconstruct::active",
                                               static_cast<std::size_t>(count));
  fill(space, "bik::reconstruct::clear", tiles.queued, std::uint8_t(0));
  fill(space, "bik::reconstruct::activate", tiles.active, tiles.kFirstRun);
  for (int colour = 0;; colour ^= 1) {
    tiles.colour = colour;
    std::int64_t processed = 0;
    Kokkos::parallel_reduce("bik::reconstruct::tiles",
                            Kokkos::RangePolicy<ExecSpace, Kokkos::Schedule<Kokkos::Dynamic>,
                                                Kokkos::IndexType<std::int64_t>>(space, 0, count),
                            tiles, processed);
    if (processed == 0) break;  // parallel_reduce into a host scalar has fenced
  }
}

}  // namespace bik

#endif
