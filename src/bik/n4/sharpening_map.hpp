// N4's histogram sharpening on the host (spec n4.md §2.4, Sled's N3 step as ITK does it):
// from the linearly split histogram of the current log image over nb bins, the map from bin to
// E[u | v], the expected un-blurred log intensity given the observed one. The histogram is
// zero-padded to 2^(ceil(log2 nb) + 1) and centred, deconvolved by a Wiener filter of the
// Gaussian bias distribution (FWHM in log units), clamped at 0 on the whole padded length, and
// E[u | v] is (x U * F) / (U * F) with x the padded-axis bin centres.
#ifndef BIK_N4_SHARPENING_MAP_HPP
#define BIK_N4_SHARPENING_MAP_HPP

#include "bik/n4/fft.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <vector>

namespace bik::n4 {

// The padded length for nb bins: 2^(ceil(log2 nb) + 1) (512 for 200).
inline std::size_t padded_length(std::size_t bins) {
  std::size_t p = 1;
  while (p < bins) p <<= 1;
  return 2 * p;
}

// E[u | v] at the nb bin centres min + k * slope. `histogram` has nb >= 2 entries, slope > 0.
inline std::vector<double> sharpening_map(std::vector<double> const& histogram, double min,
                                          double slope, double fwhm, double wiener_noise) {
  using C = std::complex<double>;
  std::size_t const nb = histogram.size();
  std::size_t const P = padded_length(nb);
  std::size_t const off = (P - nb) / 2;
  std::vector<C> V(P, C(0.0, 0.0));
  for (std::size_t k = 0; k < nb; ++k) V[off + k] = histogram[k];

  // The Gaussian in bin units, wrapped around index 0, with its continuous normalisation.
  double const pi = std::acos(-1.0);
  double const ln2 = std::log(2.0);
  double const s = fwhm / slope;
  double const a = 4.0 * ln2 / (s * s);
  double const A = 2.0 * std::sqrt(ln2 / pi) / s;
  std::vector<C> F(P, C(0.0, 0.0));
  F[0] = A;
  for (std::size_t n = 1; n <= P / 2; ++n) {
    double const value = A * std::exp(-a * static_cast<double>(n * n));
    F[n] = value;
    F[P - n] = value;
  }
  std::vector<C> const Ff = fft(F);
  std::vector<C> Uf = fft(V);
  std::vector<C> power(P);  // conj(Ff) Ff
  for (std::size_t n = 0; n < P; ++n) power[n] = std::conj(Ff[n]);
  multiply_elementwise(power, Ff);
  for (std::size_t n = 0; n < P; ++n) {
    C const G = std::conj(Ff[n]) / (power[n] + wiener_noise);
    Uf[n] *= G.real();
  }
  std::vector<C> U = inverse_fft(Uf);
  std::vector<C> xU(P);
  for (std::size_t n = 0; n < P; ++n) {
    U[n] = std::max(U[n].real(), 0.0);
    double const centre = min + (static_cast<double>(n) - static_cast<double>(off)) * slope;
    xU[n] = centre * U[n].real();
  }
  std::vector<C> num = fft(xU);
  std::vector<C> den = fft(U);
  multiply_elementwise(num, Ff);
  multiply_elementwise(den, Ff);
  num = inverse_fft(num);
  den = inverse_fft(den);
  std::vector<double> E(nb);
  for (std::size_t k = 0; k < nb; ++k) {
    double const d = den[off + k].real();
    E[k] = d != 0.0 ? num[off + k].real() / d : 0.0;
  }
  return E;
}

}  // namespace bik::n4

#endif
