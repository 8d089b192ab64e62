// Convex hulls, minimum enclosing circles and Zernike basis values against centrosome's own
// (tests/data/zernike_golden.txt, written by tests/data/make_zernike_golden.py), bit for bit,
// computed by bik's kernels on every enabled execution space and in both object schedules.
#include "bik/core/flatten.hpp"
#include "bik/core/label_lut.hpp"
#include "bik/measure/minimum_enclosing_circle.hpp"
#include "bik/measure/zernike_basis.hpp"
#include "bik/measure/zernike_moments.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef BIK_TEST_DATA_DIR
#error "BIK_TEST_DATA_DIR must name tests/data"
#endif

namespace {

struct GoldenCircle {
  double ci = 0, cj = 0, r = 0;
  std::vector<std::int32_t> hull_i, hull_j;
};

struct GoldenImage {
  std::string name;
  int ny = 0, nx = 0;
  std::vector<std::int32_t> labels;
  std::vector<GoldenCircle> circles;  // labels 1..max
  bool large = false;                 // drawn from a `shapes` record
};

struct GoldenBasis {
  double x = 0, y = 0;
  std::vector<double> re, im;  // per pair
};

struct Golden {
  std::vector<GoldenImage> images;
  int basis_degree = 0;
  std::vector<GoldenBasis> basis;
};

// Draws a `shapes` record's primitive into labels exactly as make_zernike_golden.py's draw().
void draw(GoldenImage& image, std::string const& kind, std::int32_t label, std::int64_t a,
          std::int64_t b, std::int64_t c, std::int64_t d) {
  auto const at = [&](std::int64_t y, std::int64_t x) -> std::int32_t& {
    return image.labels[static_cast<std::size_t>(y * image.nx + x)];
  };
  if (kind == "pixel") {
    REQUIRE((a >= 0 && a < image.ny && b >= 0 && b < image.nx));
    at(a, b) = label;
    return;
  }
  REQUIRE_MESSAGE((kind == "ellipse" || kind == "rect" || kind == "diamond"),
                  "unknown primitive " << kind);
  for (std::int64_t y = 0; y < image.ny; ++y)
    for (std::int64_t x = 0; x < image.nx; ++x) {
      bool inside = false;
      if (kind == "ellipse") {
        std::int64_t const dy = (2 * y - a) * d, dx = (2 * x - b) * c;
        inside = dy * dy + dx * dx <= (c * d) * (c * d);
      } else if (kind == "rect") {
        inside = y >= a && y < a + c && x >= b && x < b + d;
      } else {
        inside = std::abs(y - a) + std::abs(x - b) <= c;
      }
      if (inside) at(y, x) = label;
    }
}

double parse_hex(std::string const& text) {
  char* end = nullptr;
  double const v = std::strtod(text.c_str(), &end);
  REQUIRE_MESSAGE(*end == '\0', "not a number: " << text);
  return v;
}

Golden const& golden() {
  static Golden const data = [] {
    Golden g;
    std::ifstream in(BIK_TEST_DATA_DIR "/zernike_golden.txt");
    REQUIRE_MESSAGE(in.good(), "cannot open " BIK_TEST_DATA_DIR "/zernike_golden.txt");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream words(line);
      std::string kind;
      words >> kind;
      if (kind == "image") {
        GoldenImage image;
        words >> image.name >> image.ny >> image.nx;
        image.labels.resize(static_cast<std::size_t>(image.ny) * image.nx);
        for (auto& v : image.labels) words >> v;
        g.images.push_back(std::move(image));
      } else if (kind == "shapes") {
        GoldenImage image;
        int count = 0;
        words >> image.name >> image.ny >> image.nx >> count;
        image.labels.assign(static_cast<std::size_t>(image.ny) * image.nx, 0);
        image.large = true;
        for (int p = 0; p < count; ++p) {
          std::string primitive;
          std::int32_t label = 0;
          std::int64_t a = 0, b = 0, c = 0, d = 0;
          words >> primitive >> label >> a >> b >> c >> d;
          draw(image, primitive, label, a, b, c, d);
        }
        REQUIRE_MESSAGE(!words.fail(), "bad shapes record " << image.name);
        g.images.push_back(std::move(image));
      } else if (kind == "circle") {
        GoldenCircle c;
        std::string label, ci, cj, r;
        int n = 0;
        words >> label >> ci >> cj >> r >> n;
        c.ci = parse_hex(ci);
        c.cj = parse_hex(cj);
        c.r = parse_hex(r);
        for (int v = 0; v < n; ++v) {
          std::int32_t i = 0, j = 0;
          words >> i >> j;
          c.hull_i.push_back(i);
          c.hull_j.push_back(j);
        }
        REQUIRE(!g.images.empty());
        g.images.back().circles.push_back(std::move(c));
      } else if (kind == "basis") {
        GoldenBasis b;
        std::string x, y, re, im;
        words >> g.basis_degree >> x >> y;
        b.x = parse_hex(x);
        b.y = parse_hex(y);
        while (words >> re >> im) {
          b.re.push_back(parse_hex(re));
          b.im.push_back(parse_hex(im));
        }
        g.basis.push_back(std::move(b));
      }
    }
    return g;
  }();
  return data;
}

std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// Equal bits, or both zeros: NumPy's complex products give either sign of zero (1 * x - 0 * y).
bool same(double a, double b) { return bits(a) == bits(b) || (a == 0.0 && b == 0.0); }

template <class Space>
void check_circles(GoldenImage const& image, bik::ObjectSchedule const& schedule) {
  Space const space;
  auto const labels = bik_test::image<Space>(image.labels, image.ny, image.nx);
  auto const volume = bik::as_volume(labels);
  auto const lut = bik::make_label_lut(space, volume);
  bik::Pairing const pairing =
      bik::pair_labels_with_pixels(bik::shape_of(volume), 2, bik::shape_of(volume), 2, "test");
  auto const seg = bik::flatten_labeled(space, volume, volume, lut, pairing);
  auto const circles = bik::minimum_enclosing_circles(space, seg, schedule);
  auto const ci = bik_test::to_vector(circles.center_y);
  auto const cj = bik_test::to_vector(circles.center_x);
  auto const r = bik_test::to_vector(circles.radius);
  auto const count = bik_test::to_vector(circles.hull_count);
  auto const offset = bik_test::to_vector(circles.hull_offset);
  auto const hi = bik_test::to_vector(circles.hull_i);
  auto const hj = bik_test::to_vector(circles.hull_j);
  auto const present = bik_test::to_vector(lut.labels);
  for (std::size_t k = 0; k < present.size(); ++k) {
    auto const& want = image.circles.at(static_cast<std::size_t>(present[k] - 1));
    std::string const where = image.name + " label " + std::to_string(present[k]);
    REQUIRE_MESSAGE(
        static_cast<std::size_t>(count[k]) == want.hull_i.size(),
        where << ": hull of " << count[k] << " vertices, centrosome " << want.hull_i.size());
    for (std::size_t v = 0; v < want.hull_i.size(); ++v) {
      std::size_t const at = static_cast<std::size_t>(offset[k]) + v;
      CHECK_MESSAGE((hi[at] == want.hull_i[v] && hj[at] == want.hull_j[v]),
                    where << ": hull vertex " << v << " is (" << hi[at] << ", " << hj[at]
                          << "), centrosome (" << want.hull_i[v] << ", " << want.hull_j[v] << ")");
    }
    CHECK_MESSAGE((bits(ci[k]) == bits(want.ci) && bits(cj[k]) == bits(want.cj) &&
                   bits(r[k]) == bits(want.r)),
                  where << ": circle (" << ci[k] << ", " << cj[k] << ") r " << r[k]
                        << ", centrosome (" << want.ci << ", " << want.cj << ") r " << want.r);
  }
}

}  // namespace

TEST_CASE("the Zernike golden file covers the shapes it should") {
  auto const& g = golden();
  int named = 0, random_objects = 0, large = 0, widest = 0;
  for (auto const& image : g.images) {
    REQUIRE(image.labels.size() == static_cast<std::size_t>(image.ny) * image.nx);
    if (image.large) {
      ++large;
      widest = std::max(widest, image.nx);
    } else if (image.name.rfind("random_blobs", 0) == 0)
      random_objects += static_cast<int>(image.circles.size());
    else
      ++named;
  }
  CHECK(named >= 40);
  CHECK(large >= 15);
  CHECK(widest >= 1000);
  CHECK(random_objects >= 1000);
  CHECK(g.basis_degree == 12);
  CHECK(g.basis.size() >= 100);
  for (auto const& b : g.basis) CHECK(b.re.size() == bik::zernike_indices(12).size());
}

TEST_CASE_TEMPLATE_DEFINE("hulls and enclosing circles equal centrosome's bit for bit", Space,
                          mec_golden) {
  bik::ObjectSchedule threads, teams, pairs;
  threads.shape = bik::ObjectSchedule::Shape::thread_per_object;
  teams.shape = bik::ObjectSchedule::Shape::team_per_object;
  pairs.shape = bik::ObjectSchedule::Shape::team_per_object;
  pairs.team_size = 2;
  for (auto const& image : golden().images) {
    if (image.large) continue;  // the next test
    check_circles<Space>(image, threads);
    check_circles<Space>(image, teams);
    check_circles<Space>(image, pairs);
  }
}
TEST_CASE_TEMPLATE_APPLY(mec_golden, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("large objects' hulls and circles, built by teams, are centrosome's",
                          Space, mec_golden_large) {
  // Objects 200 to 1000 columns wide take the team hull (and, with 32 or more hull vertices,
  // the team Chrystal loop) in the team_per_object shape, whatever the team size (Kokkos caps
  // it at what the space offers); a thread per object takes the sequential path.
  bik::ObjectSchedule threads;
  threads.shape = bik::ObjectSchedule::Shape::thread_per_object;
  std::vector<bik::ObjectSchedule> schedules{threads};
  for (int team_size : {0, 1, 2, 4, 8}) {
    bik::ObjectSchedule teams;
    teams.shape = bik::ObjectSchedule::Shape::team_per_object;
    teams.team_size = team_size;
    schedules.push_back(teams);
  }
  int large = 0;
  for (auto const& image : golden().images) {
    if (!image.large) continue;
    ++large;
    for (auto const& schedule : schedules) check_circles<Space>(image, schedule);
  }
  CHECK(large >= 15);
}
TEST_CASE_TEMPLATE_APPLY(mec_golden_large, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("basis values equal centrosome's construct_zernike_polynomials", Space,
                          basis_golden) {
  auto const& g = golden();
  Space const space;
  auto const tables = bik::make_zernike_tables(space, g.basis_degree);
  int const pairs = tables.pairs;
  int const points = static_cast<int>(g.basis.size());
  std::vector<double> xy;
  for (auto const& b : g.basis) {
    xy.push_back(b.x);
    xy.push_back(b.y);
  }
  Kokkos::View<double*, Kokkos::HostSpace> host("bik_test::points", xy.size());
  for (std::size_t i = 0; i < xy.size(); ++i) host(i) = xy[i];
  auto const in = Kokkos::create_mirror_view_and_copy(typename Space::memory_space(), host);
  Kokkos::View<double*, typename Space::memory_space> out("bik_test::basis", 2 * points * pairs);
  Kokkos::parallel_for(
      "bik_test::basis_golden", Kokkos::RangePolicy<Space>(space, 0, points), KOKKOS_LAMBDA(int p) {
        double const x = in(2 * p), y = in(2 * p + 1);
        double const r2 = x * x + y * y;
        for (int q = 0; q < pairs; ++q) {
          bik::Complex const v = bik::zernike_basis_value(tables, q, r2, x, y);
          out(2 * (p * pairs + q)) = v.re;
          out(2 * (p * pairs + q) + 1) = v.im;
        }
      });
  auto const got = bik_test::to_vector(out);
  auto const indices = bik::zernike_indices(g.basis_degree);
  int mismatches = 0;
  for (int p = 0; p < points; ++p)
    for (int q = 0; q < pairs; ++q) {
      double const re = got[static_cast<std::size_t>(2 * (p * pairs + q))];
      double const im = got[static_cast<std::size_t>(2 * (p * pairs + q) + 1)];
      auto const& want = g.basis[static_cast<std::size_t>(p)];
      bool const ok = same(re, want.re[static_cast<std::size_t>(q)]) &&
                      same(im, want.im[static_cast<std::size_t>(q)]);
      if (!ok && ++mismatches <= 10)
        FAIL_CHECK("point " << p << " (x " << want.x << ", y " << want.y << ") pair ("
                            << indices[static_cast<std::size_t>(q)].n << ", "
                            << indices[static_cast<std::size_t>(q)].m << "): got " << re << " + "
                            << im << "i, centrosome " << want.re[static_cast<std::size_t>(q)]
                            << " + " << want.im[static_cast<std::size_t>(q)] << "i");
    }
  CHECK(mismatches == 0);
}
TEST_CASE_TEMPLATE_APPLY(basis_golden, BikTestSpaces);

TEST_CASE("the monomial expansion of every basis function matches centrosome's values") {
  // zernike_moments.hpp sums w V_nm as sum C_nm,ab G_ab, with V_nm = sum C_nm,ab x^a y^b: at
  // centrosome's points (inside and on the unit circle), the expansion must give centrosome's
  // basis values up to the round-off of summing its terms: a few ulps of sum |C x^a y^b|.
  auto const& g = golden();
  int const degree = g.basis_degree;
  auto const expansion = bik::zernike_expansion(degree);
  std::vector<int> a_of(static_cast<std::size_t>(bik::zernike_monomials(degree)));
  std::vector<int> b_of(a_of.size());
  for (int b = 0; b <= degree; ++b)
    for (int a = 0; a + b <= degree; ++a) {
      a_of[static_cast<std::size_t>(bik::zernike_monomial(a, b, degree))] = a;
      b_of[static_cast<std::size_t>(bik::zernike_monomial(a, b, degree))] = b;
    }
  REQUIRE(expansion.size() == bik::zernike_indices(degree).size());
  int checked = 0, mismatches = 0;
  bool odd_is_imaginary = true;
  for (auto const& point : g.basis) {
    if (point.x * point.x + point.y * point.y > 1.0) continue;  // centrosome's 0 is the cutoff
    for (std::size_t q = 0; q < expansion.size(); ++q) {
      double re = 0.0, im = 0.0, size = 0.0;
      for (auto const& t : expansion[q]) {
        std::size_t const i = static_cast<std::size_t>(t.monomial);
        double const term = t.coefficient * std::pow(point.x, a_of[i]) * std::pow(point.y, b_of[i]);
        (t.imaginary ? im : re) += term;
        size += std::abs(term);
        odd_is_imaginary &= t.imaginary == (a_of[i] % 2 == 1);  // i^a, a the power of x
      }
      bool const ok =
          std::abs(re - point.re[q]) <= 1e-14 * size && std::abs(im - point.im[q]) <= 1e-14 * size;
      if (!ok && ++mismatches <= 10)
        FAIL_CHECK("point (x " << point.x << ", y " << point.y << ") pair " << q << ": " << re
                               << " + " << im << "i, centrosome " << point.re[q] << " + "
                               << point.im[q] << "i");
      ++checked;
    }
  }
  CHECK(mismatches == 0);
  CHECK(odd_is_imaginary);
  CHECK(checked >= 50 * static_cast<int>(expansion.size()));
  // By hand: V_11 = z = y + i x; V_20 = 2 r^2 - 1 = 2 x^2 + 2 y^2 - 1 (pairs 1 and 2).
  auto const term = [&](std::size_t q, std::size_t t) {
    auto const& e = expansion[q][t];
    return std::vector<double>{static_cast<double>(a_of[static_cast<std::size_t>(e.monomial)]),
                               static_cast<double>(b_of[static_cast<std::size_t>(e.monomial)]),
                               e.imaginary ? 1.0 : 0.0, e.coefficient};
  };
  REQUIRE(expansion[1].size() == 2);
  CHECK(term(1, 0) == std::vector<double>{1, 0, 1, 1});  // x, imaginary
  CHECK(term(1, 1) == std::vector<double>{0, 1, 0, 1});  // y, real
  REQUIRE(expansion[2].size() == 3);
  CHECK(term(2, 0) == std::vector<double>{0, 0, 0, -1});
  CHECK(term(2, 1) == std::vector<double>{2, 0, 0, 2});
  CHECK(term(2, 2) == std::vector<double>{0, 2, 0, 2});
}
