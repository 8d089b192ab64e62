// A small radix-2 FFT on the host, for N4's histogram sharpening (a few hundred points per
// iteration, spec n4.md §2.4). Like vnl's, neither direction is normalised: an inverse after a
// forward transform multiplies by n.
//
// Complex products are computed with their real and imaginary parts in separate loops
// (multiply_elementwise): on targets with FMA (-march=haswell and later), GCC 12 turns the two
// parts of a product computed side by side into one fused multiply-add-subtract (vfmaddsub),
// even with -ffp-contract=off, and results would then depend on the build's ISA.
#ifndef BIK_N4_FFT_HPP
#define BIK_N4_FFT_HPP

#include "bik/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace bik::n4 {

// a[i] *= b[i] for i < n, rounded as the textbook product (re = ar br - ai bi, im = ar bi + ai br),
// without fused operations on any ISA (see the top of this file). `re` is caller-owned scratch
// of n doubles, so that transforms allocate once, not per product.
inline void multiply_elementwise(std::complex<double>* a, std::complex<double> const* b,
                                 std::size_t n, double* re) {
  for (std::size_t i = 0; i < n; ++i) re[i] = a[i].real() * b[i].real() - a[i].imag() * b[i].imag();
  for (std::size_t i = 0; i < n; ++i)
    a[i].imag(a[i].real() * b[i].imag() + a[i].imag() * b[i].real());
  for (std::size_t i = 0; i < n; ++i) a[i].real(re[i]);
}

inline void multiply_elementwise(std::vector<std::complex<double>>& a,
                                 std::vector<std::complex<double>> const& b) {
  require(a.size() == b.size(), "bik::n4::multiply_elementwise", "the lengths differ");
  std::vector<double> re(a.size());
  multiply_elementwise(a.data(), b.data(), a.size(), re.data());
}

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
  // Per stage, the upper halves of all its butterflies and their twiddles side by side, so
  // that each stage is one elementwise product: n / 2 values each, allocated once.
  std::vector<std::complex<double>> twiddle(n / 2), v(n / 2);
  std::vector<double> re(n / 2);
  for (std::size_t len = 2; len <= n; len <<= 1) {
    std::size_t const half = len / 2;
    // Twiddles from the angle directly (not by repeated multiplication), for accuracy.
    for (std::size_t k = 0; k < half; ++k) {
      double const angle = sign * 2.0 * pi * static_cast<double>(k) / static_cast<double>(len);
      twiddle[k] = std::complex<double>(std::cos(angle), std::sin(angle));
    }
    for (std::size_t start = len; start < n; start += len)
      std::copy(twiddle.begin(), twiddle.begin() + half, twiddle.begin() + start / 2);
    for (std::size_t start = 0; start < n; start += len)
      std::copy(a.begin() + start + half, a.begin() + start + len, v.begin() + start / 2);
    multiply_elementwise(v.data(), twiddle.data(), n / 2, re.data());
    for (std::size_t start = 0; start < n; start += len)
      for (std::size_t k = 0; k < half; ++k) {
        std::complex<double> const u = a[start + k], t = v[start / 2 + k];
        a[start + k] = u + t;
        a[start + k + half] = u - t;
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
