// Greyscale reconstruction by dilation with the cross (4-connectivity per plane, 6 within
// volumes): R_mask(seed), the limit of f <- min(dilate(f), mask) from f = min(seed, mask)
// (spec §6). The result is unique and made of input values, so it equals
// skimage.morphology.reconstruction(seed, mask, footprint=disk(1) | ball(1)) bit for bit; any
// start between min(seed, mask) and the result reaches it too.
//
// Formulation (exact and parallel on every space): optionally, rounds of geodesic sweeps along
// each axis over the whole image (geodesic_sweeps.hpp; parallel over lines) carry values along
// ridges and plateaus of any length, leaving fewer phases to the tiles. Then the image is cut
// into tiles, coloured like a checkerboard so that no two tiles of one colour share a face. A
// phase runs every active tile of one colour at once, each by Vincent's hybrid algorithm
// restricted to the tile: a raster sweep, an anti-raster sweep that seeds a FIFO, then the FIFO,
// reading the face neighbours outside the tile (of the other colour, frozen during the phase)
// but writing only inside it. A tile whose border voxels rose wakes the tiles across those faces
// for the next phase; a woken tile (stable before, only its outside neighbours rose) seeds its
// queue from the border voxels those neighbours raise instead of sweeping again.
// The loop stops at the first phase with no active tile: every tile is then stable given its
// neighbours, i.e. the whole image is the fixpoint; values only rise and never pass the
// reconstruction, so that fixpoint is the reconstruction. One tile is plain Vincent.
// The kernels work on dense memory through raw pointers and 64-bit linear offsets (a strided
// mask or output goes through a dense copy). Queues hold a voxel's offsets inside its tile
// packed in 32 bits (10 bits per axis: tile extents are at most 1024, checked at compile time;
// decoded by shifts, not divisions) in a ring of tile size + 1 entries with a per-voxel in-queue
// flag, so they cannot overflow. One host synchronisation per phase (the active-tile count).
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
  // Rounds of geodesic sweeps over the whole image before the tiles (geodesic_sweeps.hpp):
  // they save phases, each a launch and a host synchronisation, which a GPU pays for; on a
  // CPU they cost more passes over the image than the queue work they save (measured on the
  // granularity scenes, 1080 x 1080 and its 270 x 270 subsample).
  static constexpr int sweep_rounds = host ? 0 : 2;
};

namespace detail {

template <class T>
struct ReconstructTiles {
  // Dense (Z,Y,X) memory: voxel (z, y, x) at (z * ny + y) * nx + x. Raw pointers so that the
  // sweeps and the queue step by linear offsets (+-1, +-nx, +-ny * nx) without index products.
  T const* mask = nullptr;
  T* out = nullptr;
  std::int32_t* queue = nullptr;   // [tiles * (cells + 1)]
  std::uint8_t* queued = nullptr;  // [voxels]: in a queue
  std::int32_t* active = nullptr;  // [tiles]
  std::int64_t nz, ny, nx, planes;
  std::int64_t tz, ty, tx;  // tile extents
  std::int64_t cz, cy, cx;  // tile counts per axis
  int colour;
  using value_type = std::int64_t;  // the reduction counts the tiles a phase ran
  // active(t), bits: woken by a neighbour (it runs; border seeding unless it sweeps), to sweep
  // (it runs, full sweeps), dormant (holds a stable start, never swept: sweeps once woken).
  // 0: idle (stable since its last run).
  static constexpr std::int32_t kWoken = 1, kSweep = 2, kDormant = 4;
  // Queue entries: offsets inside the tile, 10 bits per axis.
  static constexpr std::int32_t kY = 1 << 10, kZ = 1 << 20;

  // The face neighbours of plane z that exist (inside the image and the voxel's volume).
  KOKKOS_INLINE_FUNCTION bool has_z_below(std::int64_t z) const { return z % planes != 0; }
  KOKKOS_INLINE_FUNCTION bool has_z_above(std::int64_t z) const {
    return (z + 1) % planes != 0 && z + 1 < nz;
  }

  // One tile: where it lies and its queue.
  struct Tile {
    std::int64_t z0, y0, x0, z1, y1, x1, base;  // base: linear index of (z0, y0, x0)
    std::int32_t* ring;
    std::int64_t capacity, head = 0, tail = 0;
    unsigned faces = 0;  // bit per face whose voxels rose: z-, z+, y-, y+, x-, x+
  };

  KOKKOS_INLINE_FUNCTION void push(Tile& tile, std::int64_t i, std::int32_t local) const {
    queued[i] = 1;
    tile.ring[tile.tail] = local;
    tile.tail = tile.tail + 1 == tile.capacity ? 0 : tile.tail + 1;
  }

  // Raises voxel i (offsets `local` in the tile) to min(v, mask) if that is higher; queues it.
  KOKKOS_INLINE_FUNCTION void offer(Tile& tile, std::int64_t i, std::int32_t local, T v) const {
    T const limit = mask[i];
    T const nv = v < limit ? v : limit;
    if (out[i] < nv) {
      out[i] = nv;
      if (queued[i] == 0) push(tile, i, local);
    }
  }

  // The face bits of a row (z, y) of the tile, and of its first and last voxels.
  KOKKOS_INLINE_FUNCTION static unsigned row_faces(Tile const& tile, std::int64_t z,
                                                   std::int64_t y) {
    return (z == tile.z0 ? 1u : 0u) | (z == tile.z1 - 1 ? 2u : 0u) | (y == tile.y0 ? 4u : 0u) |
           (y == tile.y1 - 1 ? 8u : 0u);
  }

  // A woken tile (stable before; only its outside neighbours rose): raise the border voxels
  // those neighbours can raise, and queue them.
  KOKKOS_INLINE_FUNCTION void seed_border(Tile& tile) const {
    std::int64_t const sz = ny * nx;
    for (std::int64_t z = tile.z0; z < tile.z1; ++z) {
      bool const below = z == tile.z0 && has_z_below(z), above = z == tile.z1 - 1 && has_z_above(z);
      for (std::int64_t y = tile.y0; y < tile.y1; ++y) {
        bool const up = y == tile.y0 && y > 0, down = y == tile.y1 - 1 && y + 1 < ny;
        std::int64_t const row = (z * ny + y) * nx;
        std::int32_t const row_local =
            static_cast<std::int32_t>((z - tile.z0) * kZ + (y - tile.y0) * kY);
        auto const from_outside = [&](std::int64_t x) {
          std::int64_t const i = row + x;
          T m = out[i];
          if (below && out[i - sz] > m) m = out[i - sz];
          if (above && out[i + sz] > m) m = out[i + sz];
          if (up && out[i - nx] > m) m = out[i - nx];
          if (down && out[i + nx] > m) m = out[i + nx];
          if (x == tile.x0 && x > 0 && out[i - 1] > m) m = out[i - 1];
          if (x == tile.x1 - 1 && x + 1 < nx && out[i + 1] > m) m = out[i + 1];
          T const limit = mask[i];
          if (limit < m) m = limit;
          if (out[i] < m) {
            out[i] = m;
            if (queued[i] == 0) push(tile, i, row_local + static_cast<std::int32_t>(x - tile.x0));
          }
        };
        if (below || above || up || down) {
          for (std::int64_t x = tile.x0; x < tile.x1; ++x) from_outside(x);
        } else {
          from_outside(tile.x0);
          if (tile.x1 - 1 != tile.x0) from_outside(tile.x1 - 1);
        }
      }
    }
  }

  // Raster sweep (the maximum with the neighbours before, then the mask), then an anti-raster
  // sweep with the neighbours after that queues every voxel that could still raise one of them
  // inside the tile. Neighbours outside the tile are read, never written.
  KOKKOS_INLINE_FUNCTION void sweep(Tile& tile) const {
    std::int64_t const sz = ny * nx, x0 = tile.x0, x1 = tile.x1;
    for (std::int64_t z = tile.z0; z < tile.z1; ++z) {
      bool const below = has_z_below(z);
      for (std::int64_t y = tile.y0; y < tile.y1; ++y) {
        T* const o = out + (z * ny + y) * nx;
        T const* const m = mask + (z * ny + y) * nx;
        T const* const up = y > 0 ? o - nx : o;  // o itself: no change
        T const* const bl = below ? o - sz : o;
        T const first = o[x0], last = o[x1 - 1];
        bool rose = false;
        for (std::int64_t x = x0; x < x1; ++x) {
          T const v = o[x];
          T r = v;
          if (up[x] > r) r = up[x];
          if (bl[x] > r) r = bl[x];
          if (x > 0 && o[x - 1] > r) r = o[x - 1];
          if (m[x] < r) r = m[x];
          if (v < r) {
            o[x] = r;
            rose = true;
          }
        }
        if (rose) tile.faces |= row_faces(tile, z, y);
        if (o[x0] != first) tile.faces |= 16u;
        if (o[x1 - 1] != last) tile.faces |= 32u;
      }
    }
    for (std::int64_t z = tile.z1 - 1; z >= tile.z0; --z) {
      bool const above = has_z_above(z), queue_above = above && z + 1 < tile.z1;
      for (std::int64_t y = tile.y1 - 1; y >= tile.y0; --y) {
        T* const o = out + (z * ny + y) * nx;
        T const* const m = mask + (z * ny + y) * nx;
        T* const dn = y + 1 < ny ? o + nx : o;
        T* const ab = above ? o + sz : o;
        bool const queue_down = y + 1 < tile.y1;
        std::int32_t const row_local =
            static_cast<std::int32_t>((z - tile.z0) * kZ + (y - tile.y0) * kY);
        T const first = o[x0], last = o[x1 - 1];
        bool rose = false;
        for (std::int64_t x = x1 - 1; x >= x0; --x) {
          T const v = o[x];
          T r = v;
          if (ab[x] > r) r = ab[x];
          if (dn[x] > r) r = dn[x];
          if (x + 1 < nx && o[x + 1] > r) r = o[x + 1];
          if (m[x] < r) r = m[x];
          if (v < r) {
            o[x] = r;
            rose = true;
          }
          // Could r still raise a neighbour after it, inside the tile?
          bool const seed = (queue_above && ab[x] < r && ab[x] < m[x + sz]) ||
                            (queue_down && dn[x] < r && dn[x] < m[x + nx]) ||
                            (x + 1 < x1 && o[x + 1] < r && o[x + 1] < m[x + 1]);
          if (seed)
            push(tile, (z * ny + y) * nx + x, row_local + static_cast<std::int32_t>(x - x0));
        }
        if (rose) tile.faces |= row_faces(tile, z, y);
        if (o[x0] != first) tile.faces |= 16u;
        if (o[x1 - 1] != last) tile.faces |= 32u;
      }
    }
  }

  // A queue entry: its packed offsets and, unpacked, the offsets along each axis.
  struct Entry {
    std::int32_t local;
    std::int64_t z, y, x;
  };

  // Takes the queue's first voxel out (its linear index; `at`: its entry), noting the faces it
  // lies on.
  KOKKOS_INLINE_FUNCTION std::int64_t pop(Tile& tile, Entry& at) const {
    std::int32_t const local = tile.ring[tile.head];
    tile.head = tile.head + 1 == tile.capacity ? 0 : tile.head + 1;
    at = {local, local >> 20, (local >> 10) & 1023, local & 1023};
    std::int64_t const i = tile.base + at.z * ny * nx + at.y * nx + at.x;
    queued[i] = 0;
    tile.faces |= (at.z == 0 ? 1u : 0u) | (at.z == tile.z1 - tile.z0 - 1 ? 2u : 0u) |
                  (at.y == 0 ? 4u : 0u) | (at.y == tile.y1 - tile.y0 - 1 ? 8u : 0u) |
                  (at.x == 0 ? 16u : 0u) | (at.x == tile.x1 - tile.x0 - 1 ? 32u : 0u);
    return i;
  }

  // Vincent's propagation inside the tile. Every voxel raised here is queued (or already was),
  // so the faces it lies on are noted when it leaves the queue.
  KOKKOS_INLINE_FUNCTION void propagate(Tile& tile) const {
    std::int64_t const sz = ny * nx;
    std::int64_t const wz = tile.z1 - tile.z0, wy = tile.y1 - tile.y0, wx = tile.x1 - tile.x0;
    Entry at{};
    while (tile.head != tile.tail) {
      std::int64_t const i = pop(tile, at);
      std::int32_t const local = at.local;
      T const v = out[i];
      if (at.z > 0 && has_z_below(tile.z0 + at.z)) offer(tile, i - sz, local - kZ, v);
      if (at.z + 1 < wz && has_z_above(tile.z0 + at.z)) offer(tile, i + sz, local + kZ, v);
      if (at.y > 0) offer(tile, i - nx, local - kY, v);
      if (at.y + 1 < wy) offer(tile, i + nx, local + kY, v);
      if (at.x > 0) offer(tile, i - 1, local - 1, v);
      if (at.x + 1 < wx) offer(tile, i + 1, local + 1, v);
    }
  }

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t t, std::int64_t& processed) const {
    std::int64_t const bz = t / (cy * cx), by = (t / cx) % cy, bx = t % cx;
    if (((bz + by + bx) & 1) != colour || (active[t] & (kWoken | kSweep)) == 0) return;
    bool const first = (active[t] & (kSweep | kDormant)) != 0;
    active[t] = 0;
    ++processed;
    Tile tile;
    tile.z0 = bz * tz;
    tile.y0 = by * ty;
    tile.x0 = bx * tx;
    tile.z1 = kx::min(tile.z0 + tz, nz);
    tile.y1 = kx::min(tile.y0 + ty, ny);
    tile.x1 = kx::min(tile.x0 + tx, nx);
    tile.base = (tile.z0 * ny + tile.y0) * nx + tile.x0;
    tile.capacity = tz * ty * tx + 1;
    tile.ring = queue + t * tile.capacity;
    if (first) {
      sweep(tile);
    } else {
      seed_border(tile);
      // A flood entering through a long stretch of border (seeds >= half the tile's
      // perimeter): sweeping the tile costs less than the queue flooding it (granularity's
      // 1080^2 scene, Serial: 3% fewer instructions in all). The border seeds leave the queue
      // (their faces noted); the anti-raster sweep queues what is left to propagate.
      if (2 * tile.tail >= (tile.y1 - tile.y0) + (tile.x1 - tile.x0)) {
        Entry at{};
        while (tile.head != tile.tail) pop(tile, at);
        sweep(tile);
      }
    }
    propagate(tile);
    // Wake the tiles across the faces that rose (they are of the other colour).
    auto const wake = [&](std::int64_t wz, std::int64_t wy, std::int64_t wx) {
      Kokkos::atomic_fetch_or(&active[(wz * cy + wy) * cx + wx], kWoken);
    };
    unsigned const faces = tile.faces;
    if ((faces & 1u) && bz > 0) wake(bz - 1, by, bx);
    if ((faces & 2u) && bz + 1 < cz) wake(bz + 1, by, bx);
    if ((faces & 4u) && by > 0) wake(bz, by - 1, bx);
    if ((faces & 8u) && by + 1 < cy) wake(bz, by + 1, bx);
    if ((faces & 16u) && bx > 0) wake(bz, by, bx - 1);
    if ((faces & 32u) && bx + 1 < cx) wake(bz, by, bx + 1);
  }
};

// The start of a reconstruction, row by row: out = min(max(seed, floor), mask) (no floor: the
// clamped seed), the in-queue flags cleared. A floor between the seed and the result gives an
// exact start that is closer to it (granularity's spectrum from the last step). A floor that
// is itself a reconstruction under the same mask is stable, so only the tiles where the start
// rose above it, or next to such a voxel, need their sweeps: they are marked kSweep, the others
// stay dormant until a neighbour wakes them.
template <class T, class MemorySpace>
struct ReconstructStart {
  Volume<T const, MemorySpace> seed;
  T const* floor = nullptr;   // dense, as mask; null: none
  ReconstructTiles<T> tiles;  // mask, out, queued flags, tile flags and geometry
  bool dormant = false;       // tiles start dormant: mark those to sweep

  // Marks tile (bz, by, bx) to be swept.
  KOKKOS_INLINE_FUNCTION void sweep(std::int64_t bz, std::int64_t by, std::int64_t bx) const {
    Kokkos::atomic_fetch_or(&tiles.active[(bz * tiles.cy + by) * tiles.cx + bx],
                            ReconstructTiles<T>::kSweep);
  }

  // Marks the tiles holding the voxels of row (z, y) that rose above the floor, and the tiles
  // of their face neighbours. NaN counts as rising (a sweep too many is harmless).
  KOKKOS_INLINE_FUNCTION void mark(std::int64_t z, std::int64_t y, T const* o, T const* f) const {
    std::int64_t const nx = tiles.nx, tx = tiles.tx, ty = tiles.ty, tz = tiles.tz;
    std::int64_t const bz = z / tz, by = y / ty;
    for (std::int64_t bx = 0; bx < tiles.cx; ++bx) {
      std::int64_t const x0 = bx * tx, x1 = kx::min(x0 + tx, nx);
      bool rose = false;
      for (std::int64_t x = x0; x < x1; ++x) rose |= !(o[x] == f[x]);
      if (!rose) continue;
      sweep(bz, by, bx);
      if (y == by * ty && y > 0) sweep(bz, by - 1, bx);
      if (y == (by + 1) * ty - 1 && y + 1 < tiles.ny) sweep(bz, by + 1, bx);
      if (z == bz * tz && tiles.has_z_below(z)) sweep(bz - 1, by, bx);
      if (z == (bz + 1) * tz - 1 && tiles.has_z_above(z)) sweep(bz + 1, by, bx);
      if (bx > 0 && !(o[x0] == f[x0])) sweep(bz, by, bx - 1);
      if (bx + 1 < tiles.cx && !(o[x1 - 1] == f[x1 - 1])) sweep(bz, by, bx + 1);
    }
  }

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t r) const {
    std::int64_t const ny = tiles.ny, nx = tiles.nx;
    std::int64_t const z = r / ny, y = r - z * ny;
    T const* const m = tiles.mask + r * nx;
    T* const o = tiles.out + r * nx;
    std::uint8_t* const q = tiles.queued + r * nx;
    if (floor != nullptr) {
      T const* const f = floor + r * nx;
      for (std::int64_t x = 0; x < nx; ++x) {
        T s = seed(z, y, x);
        if (s < f[x]) s = f[x];
        o[x] = m[x] < s ? m[x] : s;
      }
      if (dormant) mark(z, y, o, f);
    } else {
      for (std::int64_t x = 0; x < nx; ++x) {
        T const s = seed(z, y, x);
        o[x] = m[x] < s ? m[x] : s;
      }
    }
    for (std::int64_t x = 0; x < nx; ++x) q[x] = 0;
  }
};

// Whether a Volume is dense in (Z,Y,X) order: voxel (z, y, x) at (z * ny + y) * nx + x.
template <class V>
bool is_dense(V const& v) {
  std::size_t const ny = v.extent(1), nx = v.extent(2);
  return (nx <= 1 || v.stride(2) == 1) && (ny <= 1 || v.stride(1) == nx) &&
         (v.extent(0) <= 1 || v.stride(0) == ny * nx);
}

}  // namespace detail

namespace detail {

// reconstruct_by_dilation from the start min(max(seed, floor), mask) (floor: dense memory of
// the mask's shape, or null for none). The floor must lie below the reconstruction of seed
// under mask; then the result is that reconstruction.
template <class ExecSpace, class T, class MemorySpace>
void reconstruct_from(ExecSpace const& space, Volume<T const, MemorySpace> seed, T const* floor,
                      Volume<T const, MemorySpace> mask, Volume<T, MemorySpace> out,
                      std::int64_t planes, Workspace<MemorySpace>* workspace) {
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
  std::int64_t const nz = shape.z, ny = shape.y, nx = shape.x;
  std::size_t const voxels = static_cast<std::size_t>(shape.size());
  // The kernels step through dense memory: a strided mask is copied, a strided output is
  // reconstructed in a dense buffer and copied back.
  Volume<T const, MemorySpace> dense_mask = mask;
  Kokkos::View<T*, MemorySpace> mask_owner, work_owner;
  if (!is_dense(mask)) {
    mask_owner = scratch<T>(workspace, "bik::reconstruct::mask", voxels);
    Volume<T, MemorySpace> copy = dense_volume(mask_owner, nz, ny, nx);
    Kokkos::deep_copy(space, copy, mask);
    dense_mask = copy;
  }
  Volume<T, MemorySpace> work = out;
  if (!is_dense(out)) {
    work_owner = scratch<T>(workspace, "bik::reconstruct::work", voxels);
    work = dense_volume(work_owner, nz, ny, nx);
  }
  ReconstructTiles<T> tiles;
  tiles.mask = dense_mask.data();
  tiles.out = work.data();
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
  auto const queue =
      scratch<std::int32_t>(workspace, "bik::reconstruct::queue",
                            static_cast<std::size_t>(count * (tiles.tz * tiles.ty * tiles.tx + 1)));
  auto const queued = scratch<std::uint8_t>(workspace, "bik::reconstruct::queued", voxels);
  auto const active =
      scratch<std::int32_t>(workspace, "bik::reconstruct::active", static_cast<std::size_t>(count));
  tiles.queue = queue.data();
  tiles.queued = queued.data();
  tiles.active = active.data();
  ReconstructStart<T, MemorySpace> start;
  start.seed = seed;
  start.floor = floor;
  start.tiles = tiles;
  // Geodesic sweeps would raise voxels of dormant tiles behind their back.
  start.dormant = floor != nullptr && Tiles::sweep_rounds == 0;
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  fill(space, "bik::reconstruct::activate", active, start.dormant ? tiles.kDormant : tiles.kSweep);
  Kokkos::parallel_for("bik::reconstruct::start", Policy(space, 0, nz * ny), start);
  geodesic_sweeps(space, dense_mask, work, planes, Tiles::sweep_rounds);
  for (int phase = 0;; ++phase) {
    tiles.colour = phase & 1;
    std::int64_t processed = 0;
    Kokkos::parallel_reduce("bik::reconstruct::tiles",
                            Kokkos::RangePolicy<ExecSpace, Kokkos::Schedule<Kokkos::Dynamic>,
                                                Kokkos::IndexType<std::int64_t>>(space, 0, count),
                            tiles, processed);
    // parallel_reduce into a host scalar has fenced. After the first phase, an idle phase
    // leaves nothing to wake; before it, tiles of the second colour may be waiting to sweep.
    if (processed == 0 && phase > 0) break;
  }
  if (work.data() != out.data()) Kokkos::deep_copy(space, out, work);
}

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
  detail::reconstruct_from(space, seed, static_cast<T const*>(nullptr), mask, out, planes,
                           workspace);
}

}  // namespace bik

#endif
