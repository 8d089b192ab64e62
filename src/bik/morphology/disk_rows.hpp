// Erosion (dilation) by disk(r) of every plane, one input row at a time, following a DiskPlan:
// a team per tile (a strip of output rows by a band of columns) streams the input rows the tile
// needs through a ring of 2r + 1 slots, each slot holding that row's horizontal and vertical
// tables, and picks every output row from the plan's terms. All passes run along X over
// contiguous memory (a CPU team is one thread with plain vectorisable loops; a GPU team spreads
// X over its threads); the ring of a tile stays in cache, the input is read once per tile (plus
// r columns and rows of halo on each side) and the output written once.
#ifndef BIK_MORPHOLOGY_DISK_ROWS_HPP
#define BIK_MORPHOLOGY_DISK_ROWS_HPP

#include "bik/core/compat.hpp"
#include "bik/core/volume.hpp"
#include "bik/core/workspace.hpp"
#include "bik/morphology/disk_plan.hpp"
#include "bik/morphology/row_team.hpp"
#include "bik/morphology/scratch.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <limits>
#include <vector>

namespace bik::detail {

// Tiles of output per team on a space: `columns` wide, so that a ring ((2r + 1) slots of 10 rows
// of columns + 2r values for disk(10): 0.9 MB) stays in a CPU core's L2 cache. A host team is one
// thread: strips as tall as the plane allows (every strip re-reads 2r rows of halo), as many as
// there are threads. A GPU gets short strips, hence many teams. Specialise to tune.
template <class ExecSpace>
struct DiskRowStrips {
  static constexpr bool host = RowTeam<ExecSpace>::serial;
  static constexpr std::int64_t columns = 512;
  static std::int64_t strips_per_plane(ExecSpace const& space, std::int64_t ny, std::int64_t nz) {
    if (!host) return (ny + 15) / 16;
    std::int64_t const threads = space.concurrency();
    return kx::max<std::int64_t>(1, kx::min<std::int64_t>((threads + nz - 1) / nz, ny / 64));
  }
};

template <class T, bool Max, class ExecSpace, class MemorySpace>
struct DiskRows {
  using member_type = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  using Strips = DiskRowStrips<ExecSpace>;
  using Team = RowTeam<ExecSpace>;
  static constexpr int max_chunk = 8;
  Volume<T const, MemorySpace> in;
  Volume<T, MemorySpace> out;
  Kokkos::View<T*, MemorySpace> rings;               // per team: team_rows() rows of span
  Kokkos::View<std::int32_t*, MemorySpace> program;  // horizontal, vertical, terms (5, 6, 3 ints)
  std::int64_t horizontal = 0, vertical = 0, terms = 0, slot_rows = 1, temp_rows = 0, ny = 0,
               nx = 0, radius = 0, span = 0, strips_per_plane = 1, strip_rows = 1, tiles = 1;
  T identity{};  // pick(identity, v) = v: rows outside the image

  // The ring of 2r + 1 slots, the temporaries and the accumulator.
  KOKKOS_INLINE_FUNCTION std::int64_t team_rows() const {
    return (2 * radius + 1) * slot_rows + temp_rows + 1;
  }

  // dst[x] = pick over the K rows q at x, folded with prev[x] unless prev is null.
  template <int K>
  KOKKOS_INLINE_FUNCTION static void pick_rows(member_type const& team, std::int64_t n,
                                               T const* const* q, T const* prev, T* dst) {
    T const* r[K];
    for (int k = 0; k < K; ++k) r[k] = q[k];
    if (prev == nullptr) {
      Team::along(team, n, [&](std::int64_t x) {
        T v = r[0][x];
        for (int k = 1; k < K; ++k) v = pick<Max>(v, r[k][x]);
        dst[x] = v;
      });
    } else {
      Team::along(team, n, [&](std::int64_t x) {
        T v = r[0][x];
        for (int k = 1; k < K; ++k) v = pick<Max>(v, r[k][x]);
        dst[x] = pick<Max>(prev[x], v);
      });
    }
  }

  // k rows at once: 8, or the odd rest of a disk's odd number of terms (the centre and pairs).
  KOKKOS_INLINE_FUNCTION static void pick_chunk(member_type const& team, int k, std::int64_t n,
                                                T const* const* q, T const* prev, T* dst) {
    switch (k) {
      case 8:
        pick_rows<8>(team, n, q, prev, dst);
        break;
      case 7:
        pick_rows<7>(team, n, q, prev, dst);
        break;
      case 5:
        pick_rows<5>(team, n, q, prev, dst);
        break;
      case 3:
        pick_rows<3>(team, n, q, prev, dst);
        break;
      default:
        pick_rows<1>(team, n, q, prev, dst);
        break;
    }
  }

  KOKKOS_INLINE_FUNCTION void operator()(member_type const& team) const {
    std::int64_t const t = team.league_rank();
    std::int64_t const strip = t / tiles, z = strip / strips_per_plane;
    std::int64_t const y0 = (strip - z * strips_per_plane) * strip_rows;
    std::int64_t const y1 = kx::min<std::int64_t>(y0 + strip_rows, ny);
    std::int64_t const x0 = (t - strip * tiles) * Strips::columns;
    std::int64_t const cols = kx::min<std::int64_t>(std::int64_t{Strips::columns}, nx - x0);
    std::int64_t const period = 2 * radius + 1, r = radius, used = cols + 2 * r;
    T* const base = rings.data() + t * team_rows() * span;
    T* const acc = base + (team_rows() - 1) * span;
    std::int32_t const* const h_ops = program.data();
    std::int32_t const* const v_ops = h_ops + 5 * horizontal;
    std::int32_t const* const t_ops = v_ops + 6 * vertical;
    std::int64_t const sx = static_cast<std::int64_t>(in.stride(2));
    // Row `id` of input row s (ring slot) or of the current row (temporaries).
    auto const cell = [&](std::int64_t s, std::int64_t id) {
      return id < slot_rows ? base + ((s + period) % period * slot_rows + id) * span
                            : base + (period * slot_rows + (id - slot_rows)) * span;
    };
    // A tile whose halo lies inside contiguous image rows reads row 0 (the input) in place.
    bool const direct = sx == 1 && x0 >= r && x0 + cols + r <= nx;
    auto const row = [&](std::int64_t s, std::int64_t id) -> T const* {
      return id == 0 && direct && s >= 0 && s < ny ? &in(z, s, x0 - r) : cell(s, id);
    };
    for (std::int64_t s = y0 - r; s < y1 + r; ++s) {
      if (s < 0 || s >= ny) {  // outside the image: every table of the row is the identity
        T* const slot = cell(s, 0);
        T const none = identity;
        for (std::int64_t j = 0; j < slot_rows; ++j)
          Team::along(team, used, [&](std::int64_t i) { slot[j * span + i] = none; });
      } else if (!direct) {
        // p0[p] = in(x0 - r + p), edge-padded (exact, spec §5): head, body, tail.
        T* const p0 = cell(s, 0);
        std::int64_t const head = kx::max<std::int64_t>(0, r - x0),
                           tail = kx::max<std::int64_t>(0, x0 + cols + r - nx);
        T const* const src = &in(z, s, x0 - r + head);
        T const left = in(z, s, 0), right = in(z, s, nx - 1);
        Team::along(team, head, [&](std::int64_t p) { p0[p] = left; });
        if (sx == 1)
          Team::along(team, used - head - tail, [&](std::int64_t p) { p0[head + p] = src[p]; });
        else
          Team::along(team, used - head - tail,
                      [&](std::int64_t p) { p0[head + p] = src[p * sx]; });
        Team::along(team, tail, [&](std::int64_t p) { p0[used - tail + p] = right; });
      }
      if (s >= 0 && s < ny) {
        for (std::int64_t i = 0; i < horizontal; ++i) {
          Team::barrier(team);
          std::int32_t const* const op = h_ops + 5 * i;
          T* const dst = cell(s, op[0]);
          T const* const a = row(s, op[1]);
          T const* const b = row(s, op[2]) + op[3];
          Team::along(team, used - op[4] + 1,
                      [&](std::int64_t p) { dst[p] = pick<Max>(a[p], b[p]); });
        }
      }
      for (std::int64_t i = 0; i < vertical; ++i) {  // runs ending at row s, once all streamed
        Team::barrier(team);
        std::int32_t const* const op = v_ops + 6 * i;
        if (s - op[5] + 1 < y0 - r) continue;
        T* const dst = cell(s, op[0]);
        T const* const a = row(s, op[1]);
        T const* const b = row(s - op[3], op[2]);
        Team::along(team, used - op[4] + 1,
                    [&](std::int64_t p) { dst[p] = pick<Max>(a[p], b[p]); });
      }
      Team::barrier(team);
      std::int64_t const y = s - r;
      if (y < y0) continue;
      T* const o = &out(z, y, x0);
      std::int64_t const ox = static_cast<std::int64_t>(out.stride(2));
      // Chunks of up to 8 terms (a CPU thread keeps 8 row pointers in registers), folded through
      // the accumulator; the last writes the output row in place when it is contiguous (a
      // vectorised store), else the accumulator, copied out with the output's stride.
      T* const last = ox == 1 ? o : acc;
      T const* q[max_chunk];
      for (std::int64_t done = 0; done < terms;) {
        int const k = static_cast<int>(kx::min<std::int64_t>(max_chunk, terms - done));
        for (int j = 0; j < k; ++j) {
          std::int32_t const* const op = t_ops + 3 * (done + j);
          q[j] = row(y + op[1], op[0]) + op[2];
        }
        T const* const prev = done == 0 ? nullptr : acc;
        done += k;
        pick_chunk(team, k, cols, q, prev, done >= terms ? last : acc);
        Team::barrier(team);
      }
      if (ox != 1) {
        Team::along(team, cols, [&](std::int64_t x) { o[x * ox] = acc[x]; });
        Team::barrier(team);
      }
    }
  }
};

template <bool Max, class ExecSpace, class T, class MemorySpace>
void disk_rows(char const* where, ExecSpace const& space, Volume<T const, MemorySpace> in,
               Volume<T, MemorySpace> out, int radius, Workspace<MemorySpace>* workspace) {
  DiskPlan const plan = disk_plan(radius);
  require(plan.terms.size() % 2 == 1, where, "a disk plan has the centre term and pairs of terms");
  std::vector<std::int32_t> program;
  for (auto const& h : plan.horizontal)
    program.insert(program.end(), {h.dst, h.a, h.b, h.shift, h.length});
  for (auto const& v : plan.vertical)
    program.insert(program.end(), {v.dst, v.a, v.b, v.back, v.length, v.rows});
  for (auto const& term : plan.terms)
    program.insert(program.end(), {term.row, term.key, term.offset});
  using Strips = DiskRowStrips<ExecSpace>;
  Shape3 const shape = shape_of(in);
  DiskRows<T, Max, ExecSpace, MemorySpace> kernel;
  kernel.in = in;
  kernel.out = out;
  kernel.program = scratch<std::int32_t>(workspace, "bik::morphology::disk_plan", program.size());
  Kokkos::deep_copy(
      space, kernel.program,
      Kokkos::View<std::int32_t const*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>(
          program.data(), program.size()));
  kernel.horizontal = static_cast<std::int64_t>(plan.horizontal.size());
  kernel.vertical = static_cast<std::int64_t>(plan.vertical.size());
  kernel.terms = static_cast<std::int64_t>(plan.terms.size());
  kernel.slot_rows = plan.slot_rows;
  kernel.temp_rows = plan.temp_rows;
  kernel.ny = shape.y;
  kernel.nx = shape.x;
  kernel.radius = radius;
  kernel.tiles = (shape.x + Strips::columns - 1) / Strips::columns;
  kernel.span = kx::min<std::int64_t>(std::int64_t{Strips::columns}, shape.x) + 2 * radius;
  kernel.strips_per_plane = Strips::strips_per_plane(space, shape.y, shape.z);
  kernel.strip_rows = (shape.y + kernel.strips_per_plane - 1) / kernel.strips_per_plane;
  kernel.strips_per_plane = (shape.y + kernel.strip_rows - 1) / kernel.strip_rows;
  if constexpr (std::numeric_limits<T>::has_infinity)
    kernel.identity =
        Max ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
  else
    kernel.identity = Max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  std::int64_t const teams = shape.z * kernel.strips_per_plane * kernel.tiles;
  kernel.rings = scratch<T>(workspace, "bik::morphology::rings",
                            static_cast<std::size_t>(teams * kernel.team_rows() * kernel.span));
  Kokkos::parallel_for(where, RowTeam<ExecSpace>::policy(space, teams), kernel);
  space.fence();  // `program` lives on the host stack
}

}  // namespace bik::detail

#endif
