// pairwise_sum (numpy's summation tree) and select_ranks (introselect order statistics).
#include "bik/core/pairwise_sum.hpp"
#include "bik/core/selection.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace {

// numpy's pairwise sum written the obvious recursive way, from its documented rules: fewer
// than 8 values summed in order from -0.0; up to 128 in 8 interleaved accumulators combined as
// ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) plus the tail in order; above that, split at n/2 rounded
// down to a multiple of 8. The reduction adds the result to the identity 0.0.
double reference_leaf(std::vector<double> const& a, std::size_t b, std::size_t n) {
  if (n < 8) {
    double s = -0.0;
    for (std::size_t i = 0; i < n; ++i) s += a[b + i];
    return s;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[b + j];
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[b + i + j];
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += a[b + i];
    return s;
  }
  std::size_t h = n / 2;
  h -= h % 8;
  return reference_leaf(a, b, h) + reference_leaf(a, b + h, n - h);
}

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

TEST_CASE("pairwise_sum follows numpy's summation tree bit for bit") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-300.0, 700.0);
  for (std::size_t n : {0,   1,   7,   8,   9,   15,   16,   127,  128,   129,
                        135, 136, 255, 256, 257, 1000, 4097, 8193, 65537, 100003}) {
    std::vector<double> a(n);
    for (auto& x : a) x = u(rng);
    double const got = bik::pairwise_sum(Values{a.data()}, static_cast<std::int64_t>(n));
    double const want = 0.0 + reference_leaf(a, 0, n);
    CHECK_MESSAGE(got == want, "n = " << n);
  }
}

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
