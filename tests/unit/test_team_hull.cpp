// The team-built convex hull (team_convex_hull.hpp) and the team Chrystal loop
// (team_chrystal_circle) against their sequential counterparts, which the golden tests hold to
// centrosome: the same vertices in the same order and the same circle bits, for every chunk
// count and team size, on every envelope of small objects (so every collinear, U-turn and
// empty-column configuration at every chunk boundary) and on large random ones.
#include "bik/core/first_min_loc.hpp"
#include "bik/measure/minimum_enclosing_circle.hpp"
#include "bik/measure/team_convex_hull.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct Envelope {
  std::int32_t start = 0;
  std::vector<std::int32_t> lower, upper;
};

// Every envelope of `width` columns with rows 0 .. rows - 1: each column empty (not the first
// or the last) or any lower <= upper.
void all_envelopes(int width, int rows, std::vector<Envelope>& out) {
  std::vector<std::pair<std::int32_t, std::int32_t>> ends;
  for (int lo = 0; lo < rows; ++lo)
    for (int up = lo; up < rows; ++up) ends.emplace_back(lo, up);
  int const inner = static_cast<int>(ends.size()) + 1;  // the last option is an empty column
  std::vector<int> choice(static_cast<std::size_t>(width), 0);
  for (;;) {
    Envelope e;
    e.start = 3;
    bool valid = true;
    for (int c = 0; c < width; ++c) {
      int const o = choice[static_cast<std::size_t>(c)];
      if (o == inner - 1) {
        valid = valid && c != 0 && c != width - 1;
        e.lower.push_back(bik::kEnvelopeNoLower);
        e.upper.push_back(bik::kEnvelopeNoUpper);
      } else {
        e.lower.push_back(ends[static_cast<std::size_t>(o)].first);
        e.upper.push_back(ends[static_cast<std::size_t>(o)].second);
      }
    }
    if (valid) out.push_back(std::move(e));
    int c = 0;
    while (c < width && ++choice[static_cast<std::size_t>(c)] == inner)
      choice[static_cast<std::size_t>(c++)] = 0;
    if (c == width) return;
  }
}

// Large envelopes: random walks (rough, or with long straight runs), with empty columns or not,
// and a diamond (long collinear edges), widths 128 to 1000.
std::vector<Envelope> large_envelopes() {
  std::mt19937 rng(20261129);
  std::vector<Envelope> out;
  for (int e = 0; e < 40; ++e) {
    int const width = 128 + static_cast<int>(rng() % 873);
    bool const straight = e % 2 == 1, gaps = e % 4 >= 2;
    Envelope env;
    env.start = static_cast<std::int32_t>(rng() % 50);
    std::int32_t lo = 500, thick = 1 + static_cast<std::int32_t>(rng() % 40);
    int step = 0, run = 0;
    for (int c = 0; c < width; ++c) {
      if (run-- <= 0) {
        step = static_cast<int>(rng() % 7) - 3;
        run = straight ? static_cast<int>(rng() % 60) : 0;
      }
      lo += step;
      thick = std::max<std::int32_t>(0, thick + static_cast<int>(rng() % 5) - 2);
      bool const empty = gaps && c != 0 && c != width - 1 && rng() % 3 == 0;
      env.lower.push_back(empty ? bik::kEnvelopeNoLower : lo);
      env.upper.push_back(empty ? bik::kEnvelopeNoUpper : lo + thick);
    }
    out.push_back(std::move(env));
  }
  Envelope diamond;
  for (std::int32_t c = 0; c <= 600; ++c) {
    std::int32_t const half = 300 - std::abs(c - 300);
    diamond.lower.push_back(300 - half);
    diamond.upper.push_back(300 + half);
  }
  out.push_back(std::move(diamond));
  return out;
}

std::vector<Envelope> small_envelopes() {
  std::vector<Envelope> out;
  for (int width = 1; width <= 5; ++width) all_envelopes(width, 3, out);
  for (int width = 6; width <= 7; ++width) all_envelopes(width, 2, out);
  return out;
}

// The envelopes packed for a kernel.
template <class MemorySpace>
struct PackedViews {
  Kokkos::View<std::int32_t*, MemorySpace> lower, upper, start, width;
  Kokkos::View<std::int64_t*, MemorySpace> column_offset, hull_offset;
};

// ... and their sequential hulls.
template <class MemorySpace>
struct Packed {
  PackedViews<MemorySpace> views;
  std::vector<std::vector<std::int32_t>> want_i, want_j;
  std::int64_t hull_room = 0;
};

template <class View, class T>
View device(std::vector<T> const& values, char const* name) {
  View v(std::string(name), values.size());
  auto h = Kokkos::create_mirror_view(v);
  for (std::size_t i = 0; i < values.size(); ++i) h(i) = values[i];
  Kokkos::deep_copy(v, h);
  return v;
}

template <class MemorySpace>
Packed<MemorySpace> pack(std::vector<Envelope> const& envelopes) {
  Packed<MemorySpace> p;
  std::vector<std::int32_t> lower, upper, start, width;
  std::vector<std::int64_t> column_offset, hull_offset;
  for (auto const& e : envelopes) {
    auto const w = static_cast<std::int32_t>(e.lower.size());
    column_offset.push_back(static_cast<std::int64_t>(lower.size()));
    hull_offset.push_back(p.hull_room);
    p.hull_room += 2 * w + 1;
    lower.insert(lower.end(), e.lower.begin(), e.lower.end());
    upper.insert(upper.end(), e.upper.begin(), e.upper.end());
    start.push_back(e.start);
    width.push_back(w);
    std::vector<std::int32_t> hi(static_cast<std::size_t>(2 * w + 1)), hj(hi.size());
    int const n =
        bik::object_convex_hull(e.lower.data(), e.upper.data(), e.start, w, hi.data(), hj.data());
    hi.resize(static_cast<std::size_t>(n));
    hj.resize(static_cast<std::size_t>(n));
    p.want_i.push_back(hi);
    p.want_j.push_back(hj);
  }
  using I32 = Kokkos::View<std::int32_t*, MemorySpace>;
  using I64 = Kokkos::View<std::int64_t*, MemorySpace>;
  p.views.lower = device<I32>(lower, "lower");
  p.views.upper = device<I32>(upper, "upper");
  p.views.start = device<I32>(start, "start");
  p.views.width = device<I32>(width, "width");
  p.views.column_offset = device<I64>(column_offset, "column_offset");
  p.views.hull_offset = device<I64>(hull_offset, "hull_offset");
  return p;
}

// One team per envelope: its team hull with `chunks` chunks per pass, then the team Chrystal
// loop on that hull.
template <class Space>
struct TeamHulls {
  using Member = typename Kokkos::TeamPolicy<Space>::member_type;
  using Memory = typename Space::memory_space;
  using Counts = Kokkos::View<std::int32_t*, typename Space::scratch_memory_space,
                              Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  PackedViews<Memory> in;
  Kokkos::View<std::int32_t*, Memory> hi, hj, count;
  Kokkos::View<double*, Memory> ci, cj, r;
  int chunks = 1;

  KOKKOS_INLINE_FUNCTION void operator()(Member const& member) const {
    int const k = member.league_rank();
    Counts const counts(member.team_scratch(0), 2 * bik::kMaxHullChunks);
    std::int32_t* const h_i = hi.data() + in.hull_offset(k);
    std::int32_t* const h_j = hj.data() + in.hull_offset(k);
    int const n = bik::team_convex_hull(member, in.lower.data() + in.column_offset(k),
                                        in.upper.data() + in.column_offset(k), in.start(k),
                                        in.width(k), chunks, counts.data(), h_i, h_j);
    member.team_barrier();
    double c_i = 0.0, c_j = 0.0, radius = 0.0;
    bik::team_chrystal_circle(member, h_i, h_j, n, 0.0, c_i, c_j, radius);
    Kokkos::single(Kokkos::PerTeam(member), [&]() {
      count(k) = n;
      ci(k) = c_i;
      cj(k) = c_j;
      r(k) = radius;
    });
  }
};

std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

template <class Space>
void check_team_hulls(std::vector<Envelope> const& envelopes, std::string const& what,
                      std::vector<int> const& team_sizes) {
  using Memory = typename Space::memory_space;
  Packed<Memory> const packed = pack<Memory>(envelopes);
  auto const league = static_cast<int>(envelopes.size());
  for (int chunks : {1, 2, 3, 4, 5, 8, 16, bik::kMaxHullChunks}) {
    for (int team_size : team_sizes) {
      TeamHulls<Space> f;
      f.in = packed.views;
      f.chunks = chunks;
      f.hi = Kokkos::View<std::int32_t*, Memory>("hi", packed.hull_room);
      f.hj = Kokkos::View<std::int32_t*, Memory>("hj", packed.hull_room);
      f.count = Kokkos::View<std::int32_t*, Memory>("count", league);
      f.ci = Kokkos::View<double*, Memory>("ci", league);
      f.cj = Kokkos::View<double*, Memory>("cj", league);
      f.r = Kokkos::View<double*, Memory>("r", league);
      Kokkos::TeamPolicy<Space> const probe(Space(), league, 1);
      int const most = probe.team_size_max(f, Kokkos::ParallelForTag());
      Kokkos::TeamPolicy<Space> policy(Space(), league, std::min(team_size, most));
      policy.set_scratch_size(
          0, Kokkos::PerTeam(TeamHulls<Space>::Counts::shmem_size(2 * bik::kMaxHullChunks)));
      Kokkos::parallel_for("test::team_hulls", policy, f);
      auto const hi = bik_test::to_vector(f.hi);
      auto const hj = bik_test::to_vector(f.hj);
      auto const count = bik_test::to_vector(f.count);
      auto const ci = bik_test::to_vector(f.ci);
      auto const cj = bik_test::to_vector(f.cj);
      auto const r = bik_test::to_vector(f.r);
      auto const offsets = bik_test::to_vector(packed.views.hull_offset);
      int hull_mismatches = 0, circle_mismatches = 0;
      for (int k = 0; k < league; ++k) {
        auto const& want_i = packed.want_i[static_cast<std::size_t>(k)];
        auto const& want_j = packed.want_j[static_cast<std::size_t>(k)];
        bool same = static_cast<std::size_t>(count[static_cast<std::size_t>(k)]) == want_i.size();
        for (std::size_t v = 0; same && v < want_i.size(); ++v) {
          auto const at = static_cast<std::size_t>(offsets[static_cast<std::size_t>(k)]) + v;
          same = hi[at] == want_i[v] && hj[at] == want_j[v];
        }
        if (!same) {
          ++hull_mismatches;
          continue;
        }
        double want_ci = 0.0, want_cj = 0.0, want_r = 0.0;
        bik::chrystal_circle(want_i.data(), want_j.data(), static_cast<int>(want_i.size()), 0.0,
                             want_ci, want_cj, want_r);
        auto const kk = static_cast<std::size_t>(k);
        if (bits(ci[kk]) != bits(want_ci) || bits(cj[kk]) != bits(want_cj) ||
            bits(r[kk]) != bits(want_r))
          ++circle_mismatches;
      }
      CHECK_MESSAGE(hull_mismatches == 0, what << ", " << chunks << " chunks, team size "
                                               << team_size << ": " << hull_mismatches
                                               << " hulls differ from the sequential chain");
      CHECK_MESSAGE(circle_mismatches == 0, what << ", " << chunks << " chunks, team size "
                                                 << team_size << ": " << circle_mismatches
                                                 << " circles differ from the sequential loop");
    }
  }
}

}  // namespace

TEST_CASE("the small envelopes are all there is, and the large ones are large") {
  // Widths 1..5 over 3 rows: 6 (lower, upper) pairs per end column, 7 choices (6 or empty)
  // inside: 6 + 36 + 6*7*6 + 6*49*6 + 6*343*6; widths 6, 7 over 2 rows: 3*4^4*3 + 3*4^5*3.
  CHECK(small_envelopes().size() == 6 + 36 + 252 + 1764 + 12348 + 2304 + 9216);
  for (auto const& e : large_envelopes()) {
    CHECK(e.lower.size() >= 128);
    CHECK(e.lower.size() <= 1000);
  }
}

TEST_CASE_TEMPLATE_DEFINE("team hulls and team Chrystal loops are the sequential ones", Space,
                          team_hull) {
  // Every small envelope by teams of one thread (the chunking is what decides the hull); a
  // sample of them, and the large ones, by larger teams (where the threads could race), up to
  // what the space offers. Host teams spin at barriers, so a few thousand teams suffice.
  auto const small = small_envelopes();
  check_team_hulls<Space>(small, "every small envelope", {1});
  std::vector<Envelope> sample;
  for (std::size_t e = 0; e < small.size(); e += 37) sample.push_back(small[e]);
  check_team_hulls<Space>(sample, "small envelopes", {2, 4, 8});
  check_team_hulls<Space>(large_envelopes(), "large envelopes", {1, 2, 4, 8});
}
TEST_CASE_TEMPLATE_APPLY(team_hull, BikTestSpaces);

TEST_CASE("hull chunks cover each pass exactly once, in order") {
  for (std::int32_t width : {1, 2, 31, 32, 33, 128, 1000, 5000}) {
    int const chunks = bik::hull_chunks(width);
    CHECK(chunks >= 1);
    CHECK(chunks <= bik::kMaxHullChunks);
    std::int64_t next = 0;
    for (int t = 0; t < 2 * chunks; ++t) {
      std::int64_t begin = 0, end = 0;
      bik::detail::hull_chunk_range(width, chunks, t, begin, end);
      CHECK(begin == next);
      CHECK(end >= begin);
      if (t == chunks - 1) CHECK(end == width);  // the lower pass ends where the upper starts
      next = end;
    }
    CHECK(next == 2 * std::int64_t(width) - 1);
  }
}

namespace {
// Per team t: the first smallest of the values (v + shift) % period, v in [0, n), period =
// 2 + t % 7, shift = 1 + 5t % period, by a team reduction with FirstMinLoc.
template <class Space>
struct FirstMins {
  using Member = typename Kokkos::TeamPolicy<Space>::member_type;
  Kokkos::View<double*, typename Space::memory_space> value;
  Kokkos::View<int*, typename Space::memory_space> index;
  int n = 0;
  KOKKOS_INLINE_FUNCTION void operator()(Member const& member) const {
    int const t = member.league_rank();
    int const period = 2 + t % 7, shift = 1 + (5 * t) % period;
    typename bik::FirstMinLoc<>::value_type least;
    Kokkos::parallel_reduce(
        Kokkos::TeamThreadRange(member, n),
        [&](int v, typename bik::FirstMinLoc<>::value_type& acc) {
          double const x = static_cast<double>((v + shift) % period);
          if (bik::FirstMinLoc<>::precedes(x, v, acc.val, acc.loc)) {
            acc.val = x;
            acc.loc = v;
          }
        },
        bik::FirstMinLoc<>(least));
    Kokkos::single(Kokkos::PerTeam(member), [&]() {
      value(member.league_rank()) = least.val;
      index(member.league_rank()) = least.loc;
    });
  }
};
}  // namespace

TEST_CASE_TEMPLATE_DEFINE("FirstMinLoc finds the first smallest value for any team size", Space,
                          first_min) {
  // The smallest value is 0, first at v = period - shift (in [0, period)), tied again every
  // period values after it.
  int const teams = 30, n = 840;
  for (int team_size : {1, 2, 3, 4, 8}) {
    FirstMins<Space> f;
    f.n = n;
    f.value = Kokkos::View<double*, typename Space::memory_space>("value", teams);
    f.index = Kokkos::View<int*, typename Space::memory_space>("index", teams);
    Kokkos::TeamPolicy<Space> const probe(Space(), teams, 1);
    int const most = probe.team_size_max(f, Kokkos::ParallelForTag());
    Kokkos::parallel_for("test::first_min",
                         Kokkos::TeamPolicy<Space>(Space(), teams, std::min(team_size, most)), f);
    auto const value = bik_test::to_vector(f.value);
    auto const index = bik_test::to_vector(f.index);
    for (int t = 0; t < teams; ++t) {
      int const period = 2 + t % 7, shift = 1 + (5 * t) % period;
      CHECK(value[static_cast<std::size_t>(t)] == 0.0);
      CHECK_MESSAGE(index[static_cast<std::size_t>(t)] == period - shift,
                    "team size " << team_size << ", team " << t);
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(first_min, BikTestSpaces);
