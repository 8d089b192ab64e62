// radix_sort_pairs: a stable sort by (major, minor) as unsigned 64-bit values, checked against
// std::stable_sort of the same pairs.
#include "bik/core/radix_sort.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

TEST_CASE("significant_bytes counts the bytes a value needs") {
  CHECK(bik::significant_bytes(0) == 0);
  CHECK(bik::significant_bytes(1) == 1);
  CHECK(bik::significant_bytes(255) == 1);
  CHECK(bik::significant_bytes(256) == 2);
  CHECK(bik::significant_bytes(std::uint64_t(1) << 40) == 6);
  CHECK(bik::significant_bytes(std::numeric_limits<std::uint64_t>::max()) == 8);
}

TEST_CASE_TEMPLATE_DEFINE("radix sort equals std::stable_sort of (major, minor) pairs", Space,
                          radix_pairs) {
  using Memory = typename Space::memory_space;
  using Pair = std::pair<std::uint64_t, std::uint64_t>;  // (major, minor)
  std::mt19937_64 rng(11);
  for (std::size_t n : {std::size_t(1), std::size_t(7), std::size_t(1000), std::size_t(5000)}) {
    for (bool with_major : {false, true}) {
      CAPTURE(n);
      CAPTURE(with_major);
      // Minor keys over all 64 bits, many repeats (so stability and ties matter), the extremes.
      std::vector<std::uint64_t> const pool{0,
                                            1,
                                            2,
                                            255,
                                            256,
                                            1u << 31,
                                            std::uint64_t(1) << 40,
                                            std::uint64_t(1) << 63,
                                            std::numeric_limits<std::uint64_t>::max() - 1,
                                            std::numeric_limits<std::uint64_t>::max()};
      std::vector<Pair> pairs(n);
      for (auto& p : pairs)
        p = {with_major ? rng() % 300 : 0, rng() % 3 == 0 ? rng() : pool[rng() % pool.size()]};
      Kokkos::View<std::int64_t*, Kokkos::HostSpace> minor_h("minor", n), major_h("major", n);
      for (std::size_t i = 0; i < n; ++i) {
        major_h(i) = static_cast<std::int64_t>(pairs[i].first);
        minor_h(i) = static_cast<std::int64_t>(pairs[i].second);
      }
      Kokkos::View<std::int64_t*, Memory> minor("minor", n), major;
      Kokkos::deep_copy(minor, minor_h);
      if (with_major) {
        major = Kokkos::View<std::int64_t*, Memory>("major", n);
        Kokkos::deep_copy(major, major_h);
      }
      Kokkos::View<std::int64_t*, Memory> spare_minor("spare_minor", n),
          spare_major("spare_major", with_major ? n : 0);
      bik::Workspace<Memory> workspace;
      // The count is read on the device; the capacity (here a little more) only sets the chunks.
      Kokkos::View<std::int64_t*, Memory> length("length", 1);
      Kokkos::deep_copy(length, static_cast<std::int64_t>(n));
      auto const sorted =
          bik::radix_sort_pairs(Space(), static_cast<std::int64_t>(n) + 5, length, minor, major,
                                spare_minor, spare_major, 8, with_major ? 2 : 0, &workspace);
      std::stable_sort(pairs.begin(), pairs.end());
      auto const got_minor = bik_test::to_vector(sorted.first);
      REQUIRE(got_minor.size() == n);
      std::vector<std::int64_t> got_major(n, 0);
      if (with_major) got_major = bik_test::to_vector(sorted.second);
      bool same = true;
      for (std::size_t i = 0; i < n; ++i)
        same = same && static_cast<std::uint64_t>(got_minor[i]) == pairs[i].second &&
               static_cast<std::uint64_t>(got_major[i]) == pairs[i].first;
      CHECK(same);
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(radix_pairs, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("radix sort is stable: equal keys keep their order", Space,
                          radix_stable) {
  using Memory = typename Space::memory_space;
  // Keys in the low byte only; the high bytes tag the original position but are not sorted on
  // (minor_bytes = 1), so the result shows whether ties kept their order.
  std::size_t const n = 3000;
  Kokkos::View<std::int64_t*, Kokkos::HostSpace> keys_h("keys", n);
  for (std::size_t i = 0; i < n; ++i)
    keys_h(i) = static_cast<std::int64_t>((i << 8) | ((i * 37) % 5));
  Kokkos::View<std::int64_t*, Memory> keys("keys", n);
  Kokkos::deep_copy(keys, keys_h);
  Kokkos::View<std::int64_t*, Memory> spare("spare", n), none;
  Kokkos::View<std::int64_t*, Memory> length("length", 1);
  Kokkos::deep_copy(length, static_cast<std::int64_t>(n));
  auto const sorted = bik::radix_sort_pairs(Space(), static_cast<std::int64_t>(n), length, keys,
                                            none, spare, none, 1, 0);
  auto const got = bik_test::to_vector(sorted.first);
  bool ordered = true;
  for (std::size_t i = 1; i < n; ++i) {
    std::int64_t const a = got[i - 1] & 0xff, b = got[i] & 0xff;
    ordered = ordered && (a < b || (a == b && (got[i - 1] >> 8) < (got[i] >> 8)));
  }
  CHECK(ordered);
}
TEST_CASE_TEMPLATE_APPLY(radix_stable, BikTestSpaces);
