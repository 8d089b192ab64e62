// A naive O(n^2) discrete Fourier transform, the independent reference the N4 sharpening tests
// (ITK and linumpy semantics) check bik's FFT-based maps against.
#ifndef BIK_TESTS_UNIT_NAIVE_DFT_HPP
#define BIK_TESTS_UNIT_NAIVE_DFT_HPP

#include <cmath>
#include <complex>
#include <cstddef>
#include <vector>

namespace bik_test {

using C = std::complex<double>;

// out[k] = sum_m a[m] exp(sign * 2 pi i k m / n), summed in order of m.
inline std::vector<C> naive_dft(std::vector<C> const& a, int sign) {
  std::size_t const n = a.size();
  double const pi = std::acos(-1.0);
  std::vector<C> out(n);
  for (std::size_t k = 0; k < n; ++k) {
    C sum(0.0, 0.0);
    for (std::size_t m = 0; m < n; ++m) {
      double const angle = sign * 2.0 * pi * double((k * m) % n) / double(n);
      sum += a[m] * C(std::cos(angle), std::sin(angle));
    }
    out[k] = sum;
  }
  return out;
}

}  // namespace bik_test

#endif
