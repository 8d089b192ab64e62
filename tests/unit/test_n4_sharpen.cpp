// N4's histogram sharpening (bik/n4, spec n4.md §2.4): the FFT against a naive DFT, the linear
// histogram split and the LUT interpolation on hand-made values, and the E[u|v] map against a
// naive-DFT transcription of the spec written here, plus its exact limits.
#include "bik/core/error.hpp"
#include "bik/n4/fft.hpp"
#include "bik/n4/log_histogram.hpp"
#include "bik/n4/sharpening_map.hpp"

#include "naive_dft.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>
#include <Kokkos_Core.hpp>

#include <cmath>
#include <complex>
#include <cstdint>
#include <random>
#include <vector>

namespace {

using bik_test::C;
using bik_test::naive_dft;

// Spec §2.4 steps 3-8, transcribed with naive DFTs and an explicit circular convolution.
std::vector<double> reference_map(std::vector<double> const& h, double min, double slope,
                                  double fwhm, double noise) {
  std::size_t const nb = h.size();
  std::size_t P = 1;
  while (P < nb) P *= 2;
  P *= 2;
  std::size_t const off = (P - nb) / 2;
  std::vector<C> V(P), F(P);
  for (std::size_t k = 0; k < nb; ++k) V[off + k] = h[k];
  double const s = fwhm / slope, ln2 = std::log(2.0), pi = std::acos(-1.0);
  for (std::size_t n = 0; n <= P / 2; ++n) {
    double const f = 2.0 * std::sqrt(ln2 / pi) / s * std::exp(-4.0 * ln2 / (s * s) * double(n * n));
    F[n] = f;
    F[(P - n) % P] = f;
  }
  auto const Ff = naive_dft(F, -1);
  auto Vf = naive_dft(V, -1);
  for (std::size_t n = 0; n < P; ++n) {
    C const g = std::conj(Ff[n]) / (std::conj(Ff[n]) * Ff[n] + noise);
    Vf[n] *= g.real();
  }
  auto const U = naive_dft(Vf, +1);
  std::vector<double> u(P);
  for (std::size_t n = 0; n < P; ++n) u[n] = std::max(U[n].real(), 0.0) / double(P);
  // F as a real kernel in bins: the inverse DFT of Ff / P.
  std::vector<double> E(nb);
  for (std::size_t k = 0; k < nb; ++k) {
    double num = 0.0, den = 0.0;
    for (std::size_t m = 0; m < P; ++m) {
      double const kernel = F[(off + k + P - m) % P].real();
      double const x = min + (double(m) - double(off)) * slope;
      num += x * u[m] * kernel;
      den += u[m] * kernel;
    }
    E[k] = den != 0.0 ? num / den : 0.0;
  }
  return E;
}

// The histogram of positions c, added in parallel on `space` (a named function: nvcc allows no
// extended lambda inside the generic lambda of for_each_space).
template <class Space>
std::vector<bik::n4::HistogramCount> parallel_histogram(Space const& space,
                                                        std::vector<double> const& c, int nb) {
  using Memory = typename Space::memory_space;
  Kokkos::View<double const*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged> c_host(c.data(),
                                                                                 c.size());
  auto const positions = Kokkos::create_mirror_view_and_copy(Memory(), c_host);
  Kokkos::View<bik::n4::HistogramCount*, Memory> hist("bik_test::histogram", nb);
  Kokkos::parallel_for(
      "bik_test::histogram",
      Kokkos::RangePolicy<Space, Kokkos::IndexType<std::int64_t>>(
          space, 0, static_cast<std::int64_t>(c.size())),
      KOKKOS_LAMBDA(std::int64_t i) { bik::n4::add_to_histogram(hist, positions(i), nb); });
  auto const got = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), hist);
  return std::vector<bik::n4::HistogramCount>(got.data(), got.data() + nb);
}

}  // namespace

TEST_CASE("n4 FFT: matches a naive DFT, and inverse after forward scales by n") {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (std::size_t n : {1u, 2u, 4u, 8u, 64u, 512u}) {
    std::vector<C> a(n);
    for (auto& v : a) v = C(dist(rng), dist(rng));
    auto const want = naive_dft(a, -1);
    auto const got = bik::n4::fft(a);
    auto const back = bik::n4::inverse_fft(got);
    auto const want_inverse = naive_dft(a, +1);
    auto const got_inverse = bik::n4::inverse_fft(a);
    for (std::size_t k = 0; k < n; ++k) {
      CHECK(std::abs(got[k] - want[k]) < 1e-12 * double(n));
      CHECK(std::abs(got_inverse[k] - want_inverse[k]) < 1e-12 * double(n));
      CHECK(std::abs(back[k] - double(n) * a[k]) < 1e-12 * double(n));
    }
  }
  std::vector<C> bad(6);
  CHECK_THROWS_AS(bik::n4::fft(bad), bik::Error);
}

TEST_CASE("n4 histogram: linear split, dropped past the last bin, LUT interpolation") {
  CHECK(bik::n4::padded_length(200) == 512);
  CHECK(bik::n4::padded_length(256) == 512);
  CHECK(bik::n4::padded_length(2) == 4);
  CHECK(bik::n4::padded_length(3) == 8);
  int const nb = 5;
  Kokkos::View<bik::n4::HistogramCount*, Kokkos::HostSpace> h("h", nb);
  bik::n4::add_to_histogram(h, 2.0, nb);   // whole: bin 2
  bik::n4::add_to_histogram(h, 0.25, nb);  // 0.75 to bin 0, 0.25 to bin 1
  bik::n4::add_to_histogram(h, 3.5, nb);   // 0.5 to bins 3 and 4
  bik::n4::add_to_histogram(h, 4.0, nb);   // the maximum: whole into the last bin
  bik::n4::add_to_histogram(h, 4.5, nb);   // past the last bin: dropped (as ITK)
  std::vector<double> const want{0.75, 0.25, 1.0, 0.5, 1.5};
  for (int k = 0; k < nb; ++k) CHECK(bik::n4::histogram_weight(h(k)) == want[k]);

  Kokkos::View<double*, Kokkos::HostSpace> lut("lut", nb);
  for (int k = 0; k < nb; ++k) lut(k) = 10.0 * k * k;  // 0 10 40 90 160
  CHECK(bik::n4::sharpened_value(lut, 1.5, nb) == 25.0);
  CHECK(bik::n4::sharpened_value(lut, 0.0, nb) == 0.0);
  CHECK(bik::n4::sharpened_value(lut, 3.25, nb) == 90.0 + 0.25 * 70.0);
  CHECK(bik::n4::sharpened_value(lut, 4.0, nb) == 160.0);
}

TEST_CASE("n4 histogram: the same bits on every space and thread count, whatever the order") {
  // 200 000 positions spread over 200 bins, most with a fractional part. Fixed-point weights make
  // the sum independent of the order of the adds, so every space must give exactly the
  // histogram of one sequential pass over the positions (written here on the host, in reverse
  // order to make the point), and each bin's weight is within n * 2^-31 of the exact real sum.
  int const nb = 200;
  std::int64_t const n = 200000;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> position(0.0, nb - 1.0);
  std::vector<double> c(n);
  for (auto& v : c) v = position(rng);
  c[0] = 0.0;
  c[1] = nb - 1.0;
  Kokkos::View<bik::n4::HistogramCount*, Kokkos::HostSpace> sequential("sequential", nb);
  std::vector<double> exact(nb, 0.0);  // the real-valued split, summed in double
  for (std::int64_t i = n - 1; i >= 0; --i) {
    bik::n4::add_to_histogram(sequential, c[i], nb);
    double const f = std::floor(c[i]);
    auto const k = static_cast<int>(f);
    exact[k] += k < nb - 1 ? 1.0 - (c[i] - f) : 1.0;
    if (k < nb - 1) exact[k + 1] += c[i] - f;
  }
  double total = 0.0;
  for (int k = 0; k < nb; ++k) {
    total += bik::n4::histogram_weight(sequential(k));
    CHECK(std::abs(bik::n4::histogram_weight(sequential(k)) - exact[k]) <= n * 0x1p-31);
  }
  CHECK(total == static_cast<double>(n));  // each value adds exactly one
  bik_test::for_each_space([&](auto space) {
    auto const got = parallel_histogram(space, c, nb);
    for (int k = 0; k < nb; ++k) CHECK(got[k] == sequential(k));
  });
}

TEST_CASE("n4 sharpening map: matches a naive-DFT transcription of the spec") {
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> dist(0.0, 50.0);
  for (int nb : {37, 200}) {
    std::vector<double> h(nb);
    for (auto& v : h) v = dist(rng);
    h[3] = 0.0;
    double const min = -1.7, slope = 0.013;
    auto const want = reference_map(h, min, slope, 0.15, 0.01);
    auto const got = bik::n4::sharpening_map(h, min, slope, 0.15, 0.01);
    REQUIRE(got.size() == std::size_t(nb));
    for (int k = 0; k < nb; ++k) CHECK(got[k] == doctest::Approx(want[k]).epsilon(1e-9));
  }
}

TEST_CASE("n4 sharpening map: exact limits") {
  int const nb = 21;
  double const min = 0.5, slope = 0.1;
  // A kernel far narrower than a bin is a delta: deconvolving and re-blurring change nothing,
  // so every occupied bin maps to its own centre.
  std::vector<double> h(nb, 0.0);
  h[2] = 3.0;
  h[7] = 1.0;
  h[8] = 5.0;
  h[20] = 2.0;
  auto const identity = bik::n4::sharpening_map(h, min, slope, 1e-4, 0.01);
  for (int k : {2, 7, 8, 20}) CHECK(identity[k] == doctest::Approx(min + k * slope).epsilon(1e-12));

  // A histogram symmetric about its centre bin gives a map antisymmetric about that bin's
  // centre (the Gaussian and the padding are symmetric too), and the centre maps to itself.
  std::vector<double> sym(nb, 0.0);
  for (int d = 0; d <= 10; ++d)
    sym[10 + d] = sym[10 - d] = 1.0 + std::exp(-0.1 * (d - 6) * (d - 6));
  auto const E = bik::n4::sharpening_map(sym, min, slope, 0.3, 0.01);
  double const centre = min + 10 * slope;
  CHECK(E[10] == doctest::Approx(centre).epsilon(1e-12));
  for (int d = 1; d <= 10; ++d)
    CHECK(E[10 + d] - centre == doctest::Approx(centre - E[10 - d]).epsilon(1e-9).scale(1e-9));
  // Shifting every intensity by a constant shifts the map by the same constant.
  auto const shifted = bik::n4::sharpening_map(sym, min + 2.0, slope, 0.3, 0.01);
  for (int k = 0; k < nb; ++k) CHECK(shifted[k] == doctest::Approx(E[k] + 2.0).epsilon(1e-12));
}
