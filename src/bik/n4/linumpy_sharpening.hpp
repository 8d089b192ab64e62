// N4's histogram sharpening as linumpy's GPU port does it (spec n4.md §3.3): nearest-bin
// histogram of the masked log intensities over nb bins spanning their [min, max] (the range
// clamped at 1e-6), zero-padded to 2 nb with the data left-aligned, Wiener-deconvolved by a
// unit-sum Gaussian sampled over +-nb/2 bins, truncated back to nb bins and clamped at 0, and
// E[u | v] = (c U * G) / max(U * G, 1e-12) at the nb bin centres c, looked up by nearest bin.
// Device side: the bin of a value. Host side: the map (a few hundred points per iteration).
#ifndef BIK_N4_LINUMPY_SHARPENING_HPP
#define BIK_N4_LINUMPY_SHARPENING_HPP

#include "bik/n4/fft_any_length.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <vector>

namespace bik::n4 {

// Bin width for nb bins over [min, max]: max(max - min, 1e-6) / (nb - 1).
inline double linumpy_bin_width(double min, double max, int nb) {
  return std::max(max - min, 1e-6) / (nb - 1);
}

// Nearest bin of value u: trunc((u - min) / width + 0.5) clipped to [0, nb - 1] (clipped
// before the conversion, so far-off values outside the mask stay defined).
KOKKOS_INLINE_FUNCTION int linumpy_bin(double u, double min, double width, int nb) {
  double const c = (u - min) / width + 0.5;
  if (!(c >= 1.0)) return 0;
  if (c >= nb - 1) return nb - 1;
  return static_cast<int>(c);
}

// E[u | v] at the nb bin centres min + k * width, from the nearest-bin histogram (nb >= 2).
inline std::vector<double> linumpy_sharpening_map(std::vector<double> const& histogram, double min,
                                                  double width, double fwhm, double wiener_noise) {
  using C = std::complex<double>;
  std::size_t const nb = histogram.size();
  std::size_t const P = 2 * nb;
  std::size_t const half = nb / 2;
  // The Gaussian at offsets -half .. nb - half - 1 bins, unit sum, offset d at index d mod P.
  double const sigma = fwhm / 2.3548200450309493;
  std::vector<double> g(nb);
  double total = 0.0;
  for (std::size_t k = 0; k < nb; ++k) {
    double const x = (static_cast<double>(k) - static_cast<double>(half)) * width;
    g[k] = std::exp(-x * x / (2.0 * sigma * sigma));
    total += g[k];
  }
  std::vector<C> G(P, C(0.0, 0.0)), H(P, C(0.0, 0.0));
  for (std::size_t k = 0; k < nb; ++k) G[(k + P - half) % P] = g[k] / total;
  for (std::size_t k = 0; k < nb; ++k) H[k] = histogram[k];
  std::vector<C> const Gf = dft(G, -1);
  std::vector<C> Hf = dft(H, -1);
  std::vector<C> filter(P);
  for (std::size_t n = 0; n < P; ++n)
    filter[n] = std::conj(Gf[n]) / (std::norm(Gf[n]) + wiener_noise);
  multiply_elementwise(Hf, filter);
  std::vector<C> const sharp = dft(Hf, +1);
  // Truncated to the nb bins, clamped at 0 (the inverse is unnormalised: divide by P).
  std::vector<C> U(P, C(0.0, 0.0)), cU(P, C(0.0, 0.0));
  for (std::size_t k = 0; k < nb; ++k) {
    double const u = std::max(sharp[k].real() / static_cast<double>(P), 0.0);
    U[k] = u;
    cU[k] = (min + static_cast<double>(k) * width) * u;
  }
  std::vector<C> num = dft(cU, -1), den = dft(U, -1);
  multiply_elementwise(num, Gf);
  multiply_elementwise(den, Gf);
  num = dft(num, +1);
  den = dft(den, +1);
  std::vector<double> E(nb);
  for (std::size_t k = 0; k < nb; ++k)
    E[k] = (num[k].real() / static_cast<double>(P)) /
           std::max(den[k].real() / static_cast<double>(P), 1e-12);
  return E;
}

}  // namespace bik::n4

#endif
