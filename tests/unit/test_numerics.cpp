// pairwise_sum on data whose sum is exact in any order (numpy's own sums are checked in
// test_pairwise_golden.cpp) and select_ranks (introselect order statistics).
#include "bik/core/pairwise_sum.hpp"
#include "bik/core/selection.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace {

// Accessors for the host data of these tests. pairwise_sum and select_ranks are
// KOKKOS_INLINE_FUNCTION templates, so what they call must be host-device callable too: nvcc
// warns (#20011-#20015) when a __host__ __device__ function instantiates a host-only lambda or
// calls std::vector's operator[]. Raw pointers and KOKKOS_INLINE_FUNCTION operators keep these
// accessors valid in every build; the tests call them on the host only.
struct Values {
  double const* p;
  KOKKOS_INLINE_FUNCTION double operator()(std::int64_t i) const { return p[i]; }
};

struct Constant {
  double value;
  KOKKOS_INLINE_FUNCTION double operator()(std::int64_t) const { return value; }
};

struct VectorAccess {
  double* p;
  explicit VectorAccess(std::vector<double>* v) : p(v->data()) {}
  KOKKOS_INLINE_FUNCTION double& operator()(std::int64_t i) const { return p[i]; }
};

}  // namespace

TEST_CASE("pairwise_sum is exact on integer-valued data and maps -0.0 to +0.0 like numpy") {
  std::vector<double> a(1000);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<double>(i % 13) - 6.0;
  double exact = 0;
  for (double x : a) exact += x;  // all partial sums are small integers: exact in any order
  CHECK(bik::pairwise_sum(Values{a.data()}, 1000) == exact);
  double const neg = bik::pairwise_sum(Constant{-0.0}, 3);
  CHECK(neg == 0.0);
  CHECK_FALSE(std::signbit(neg));
}

TEST_CASE("select_ranks places the requested order statistics like a full sort") {
  std::mt19937_64 rng(11);
  std::vector<std::vector<double>> inputs;
  for (std::size_t n : {1, 2, 3, 5, 16, 17, 33, 100, 1000, 5001}) {
    std::vector<double> random(n), ties(n), sorted(n), reversed(n), equal(n, 4.0), organ(n);
    for (std::size_t i = 0; i < n; ++i) {
      random[i] = std::uniform_real_distribution<double>(0, 1)(rng);
      ties[i] = static_cast<double>(rng() % 5);
      sorted[i] = static_cast<double>(i);
      reversed[i] = static_cast<double>(n - i);
      organ[i] = static_cast<double>(i < n / 2 ? i : n - i);
    }
    for (auto* v : {&random, &ties, &sorted, &reversed, &equal, &organ}) inputs.push_back(*v);
  }
  for (auto const& input : inputs) {
    std::int64_t const n = static_cast<std::int64_t>(input.size());
    std::vector<double> expected = input;
    std::sort(expected.begin(), expected.end());
    // The six ranks of three quartiles (with repeats at small n), ascending.
    std::vector<std::int64_t> ranks;
    for (double q : {0.25, 0.5, 0.75}) {
      std::int64_t lo = static_cast<std::int64_t>(static_cast<double>(n - 1) * q);
      ranks.push_back(lo);
      ranks.push_back(std::min(lo + 1, n - 1));
    }
    std::vector<double> work = input;
    bik::select_ranks(VectorAccess(&work), n, ranks.data(), static_cast<int>(ranks.size()));
    for (auto r : ranks)
      CHECK(work[static_cast<std::size_t>(r)] == expected[static_cast<std::size_t>(r)]);
    std::sort(work.begin(), work.end());
    CHECK(work == expected);  // a permutation of the input
  }
}
