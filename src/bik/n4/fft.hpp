// A small radix-2 FFT on the host, for N4's histogram sharpening (a few hundred points per
// iteration, spec n4.md §2.4). Like vnl's, neither direction is normalised: an inverse after a
// forward transform multiplies by n.
#ifndef BIK_N4_FFT_HPP
#define BIK_N4_FFT_HPP

#include "bik/core/error.hpp"

#include <cmath>
#include <complex>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace bik::n4 {

// In-place transform of a power-of-two length: sign -1 computes X[k] = sum x[n] e^(-2 pi i kn/N)
// (forward), sign +1 the unnormalised inverse.
inline void fft_in_place(std::vector<std::complex<double>>& a, int sign) {
  std::size_t const n = a.size();
  require(n >= 1 && (n & (n - 1)) == 0, "bik::n4::fft_in_place",
          "the length must be a power of two, got " + std::to_string(n));
  // Bit-reversal permutation, then butterflies of doubling length.
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  double const pi = std::acos(-1.0);
  for (std::size_t len = 2; len <= n; len <<= 1) {
    std::size_t const half = len / 2;
    for (std::size_t start = 0; start < n; start += len) {
      for (std::size_t k = 0; k < half; ++k) {
        // Twiddles from the angle directly (not by repeated multiplication), for accuracy.
        double const angle = sign * 2.0 * pi * static_cast<double>(k) / static_cast<double>(len);
        std::complex<double> const w(std::cos(angle), std::sin(angle));
        std::complex<double> const u = a[start + k];
        std::complex<double> const v = a[start + k + half] * w;
        a[start + k] = u + v;
        a[start + k + half] = u - v;
      }
    }
  }
}

inline std::vector<std::complex<double>> fft(std::vector<std::complex<double>> a) {
  fft_in_place(a, -1);
  return a;
}

inline std::vector<std::complex<double>> inverse_fft(std::vector<std::complex<double>> a) {
  fft_in_place(a, +1);
  return a;
}

}  // namespace bik::n4

#endif
