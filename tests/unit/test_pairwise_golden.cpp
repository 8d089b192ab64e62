// pairwise_sum and pairwise_sums against numpy's own float64 sums (tests/data/pairwise_golden.txt,
// written by tests/data/make_pairwise_golden.py with np.add.reduce), bit for bit, computed inside
// a kernel on every enabled execution space.
#include "bik/core/pairwise_sum.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#ifndef BIK_TEST_DATA_DIR
#error "BIK_TEST_DATA_DIR must name tests/data"
#endif

namespace {

struct GoldenCase {
  std::string kind;
  std::int64_t n = 0;
  double sum = 0;
  std::vector<double> values;
};

double parse_hex(std::string const& text) {
  char* end = nullptr;
  double const v = std::strtod(text.c_str(), &end);
  REQUIRE_MESSAGE(*end == '\0', "not a number: " << text);
  return v;
}

std::vector<GoldenCase> const& golden_cases() {
  static std::vector<GoldenCase> const cases = [] {
    std::vector<GoldenCase> out;
    std::ifstream in(BIK_TEST_DATA_DIR "/pairwise_golden.txt");
    REQUIRE_MESSAGE(in.good(), "cannot open " BIK_TEST_DATA_DIR "/pairwise_golden.txt");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      GoldenCase c;
      std::string sum;
      fields >> c.kind >> c.n >> sum;
      c.sum = parse_hex(sum);
      std::string v;
      while (fields >> v) c.values.push_back(parse_hex(v));
      REQUIRE_MESSAGE(static_cast<std::int64_t>(c.values.size()) == c.n, line.substr(0, 40));
      out.push_back(std::move(c));
    }
    return out;
  }();
  return cases;
}

std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

template <class Space>
Kokkos::View<double*, typename Space::memory_space> on_space(std::vector<double> const& v) {
  Kokkos::View<double*, Kokkos::HostSpace> host("bik_test::golden_host", v.size());
  for (std::size_t i = 0; i < v.size(); ++i) host(i) = v[i];
  return Kokkos::create_mirror_view_and_copy(typename Space::memory_space(), host);
}

}  // namespace

TEST_CASE("the golden file covers the sizes and kinds it should") {
  auto const& cases = golden_cases();
  std::map<std::string, int> per_kind;
  for (auto const& c : cases) ++per_kind[c.kind];
  CHECK(per_kind["mixed"] >= 25);
  CHECK(per_kind["cancel"] >= 25);
  CHECK(per_kind["uniform"] >= 8);
  CHECK(per_kind["negzero"] >= 8);
}

TEST_CASE_TEMPLATE_DEFINE("pairwise_sum equals numpy's np.add.reduce bit for bit", Space,
                          pairwise_golden) {
  for (auto const& c : golden_cases()) {
    auto const values = on_space<Space>(c.values);
    Kokkos::View<double*, typename Space::memory_space> out("bik_test::golden_out", 1);
    std::int64_t const n = c.n;
    Kokkos::parallel_for(
        "bik_test::pairwise_golden", Kokkos::RangePolicy<Space>(Space(), 0, 1), KOKKOS_LAMBDA(int) {
          out(0) = bik::pairwise_sum([&](std::int64_t i) { return values(i); }, n);
        });
    auto const got = bik_test::to_vector(out)[0];
    CHECK_MESSAGE(bits(got) == bits(c.sum),
                  c.kind << " n=" << c.n << ": got " << got << ", numpy " << c.sum);
  }
}
TEST_CASE_TEMPLATE_APPLY(pairwise_golden, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("pairwise_sums sums each lane as numpy sums that array", Space,
                          pairwise_lanes_golden) {
  // Lanes: the mixed and cancel arrays of one size, and the mixed array again (lanes must not
  // influence each other).
  std::map<std::int64_t, GoldenCase const*> mixed, cancel;
  for (auto const& c : golden_cases()) {
    if (c.kind == "mixed") mixed[c.n] = &c;
    if (c.kind == "cancel") cancel[c.n] = &c;
  }
  int compared = 0;
  for (auto const& entry : mixed) {
    // Named copies, not structured bindings: doctest's messages capture them in lambdas, which
    // C++17 (and nvcc) does not allow for structured bindings.
    std::int64_t const n = entry.first;
    GoldenCase const* const m = entry.second;
    auto const it = cancel.find(n);
    if (it == cancel.end()) continue;
    auto const a = on_space<Space>(m->values);
    auto const b = on_space<Space>(it->second->values);
    Kokkos::View<double*, typename Space::memory_space> out("bik_test::golden_lanes", 3);
    std::int64_t const count = n;
    Kokkos::parallel_for(
        "bik_test::pairwise_lanes_golden", Kokkos::RangePolicy<Space>(Space(), 0, 1),
        KOKKOS_LAMBDA(int) {
          auto const s = bik::pairwise_sums<3>(
              [&](std::int64_t i) {
                return bik::Lanes<3>{{a(i), b(i), a(i)}};
              },
              count);
          for (int j = 0; j < 3; ++j) out(j) = s[j];
        });
    auto const got = bik_test::to_vector(out);
    CHECK_MESSAGE(bits(got[0]) == bits(m->sum), "mixed lane, n=" << n);
    CHECK_MESSAGE(bits(got[1]) == bits(it->second->sum), "cancel lane, n=" << n);
    CHECK_MESSAGE(bits(got[2]) == bits(m->sum), "repeated mixed lane, n=" << n);
    ++compared;
  }
  CHECK(compared >= 25);
}
TEST_CASE_TEMPLATE_APPLY(pairwise_lanes_golden, BikTestSpaces);
