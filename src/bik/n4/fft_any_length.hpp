// A DFT of any length on the host, by Bluestein's chirp-z identity over the radix-2 FFT of
// fft.hpp: the linumpy sharpening pads its histogram to 2 * bins (400 for 200 bins), which is
// not a power of two. Unnormalised in both directions, as fft.hpp.
#ifndef BIK_N4_FFT_ANY_LENGTH_HPP
#define BIK_N4_FFT_ANY_LENGTH_HPP

#include "bik/n4/fft.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <vector>

namespace bik::n4 {

// sign -1: X[k] = sum x[n] e^(-2 pi i kn/N); sign +1: the unnormalised inverse. With
// nk = (n^2 + k^2 - (k - n)^2) / 2, the transform is a convolution with the chirp
// e^(-sign i pi m^2 / N), done by power-of-two FFTs of length >= 2N - 1.
inline std::vector<std::complex<double>> dft(std::vector<std::complex<double>> const& a, int sign) {
  using C = std::complex<double>;
  std::size_t const n = a.size();
  if (n == 0) return {};
  if ((n & (n - 1)) == 0) {
    std::vector<C> out = a;
    fft_in_place(out, sign);
    return out;
  }
  double const pi = std::acos(-1.0);
  // chirp[m] = e^(sign i pi m^2 / N); m^2 is reduced mod 2N so the angle stays small.
  std::vector<C> chirp(n);
  for (std::size_t m = 0; m < n; ++m) {
    double const angle =
        sign * pi * static_cast<double>((m * m) % (2 * n)) / static_cast<double>(n);
    chirp[m] = C(std::cos(angle), std::sin(angle));
  }
  std::size_t length = 1;
  while (length < 2 * n - 1) length <<= 1;
  std::vector<C> u(length, C(0.0, 0.0)), v(length, C(0.0, 0.0));
  std::copy(a.begin(), a.end(), u.begin());
  std::vector<double> re(n);
  multiply_elementwise(u.data(), chirp.data(), n, re.data());
  v[0] = std::conj(chirp[0]);
  for (std::size_t m = 1; m < n; ++m) v[m] = v[length - m] = std::conj(chirp[m]);
  fft_in_place(u, -1);
  fft_in_place(v, -1);
  multiply_elementwise(u, v);
  fft_in_place(u, +1);
  std::vector<C> out(u.begin(), u.begin() + static_cast<std::ptrdiff_t>(n));
  multiply_elementwise(out, chirp);
  for (std::size_t k = 0; k < n; ++k) out[k] /= static_cast<double>(length);
  return out;
}

}  // namespace bik::n4

#endif
