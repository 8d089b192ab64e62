// Zernike index set and radial lookup table (spec §8.1-8.2), as centrosome's
// get_zernike_indexes(degree + 1) and construct_zernike_lookuptable build them, and the
// feature names cp_measure gives them.
#ifndef BIK_MEASURE_ZERNIKE_INDICES_HPP
#define BIK_MEASURE_ZERNIKE_INDICES_HPP

#include "bik/core/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bik {

// Largest supported degree: NumPy raises complex numbers to integer powers below 100 by
// repeated squaring (what bik reproduces, zernike_basis.hpp) and switches to exp/log above.
constexpr int kMaxZernikeDegree = 99;

struct ZernikeIndex {
  int n = 0, m = 0;
};

// Throws bik::Error naming `where` unless 0 <= degree <= kMaxZernikeDegree.
inline void check_zernike_degree(int degree, std::string const& where) {
  require(degree >= 0 && degree <= kMaxZernikeDegree, where,
          "the Zernike degree must be in [0, " + std::to_string(kMaxZernikeDegree) + "], got " +
              std::to_string(degree));
}

// The pairs (n, m), n = 0..degree, m = n mod 2, n mod 2 + 2, ..., n, ordered by n then m:
// (degree + 2)^2 / 4 of them, rounded down (30 for the default degree 9).
inline std::vector<ZernikeIndex> zernike_indices(int degree) {
  check_zernike_degree(degree, "bik::zernike_indices");
  std::vector<ZernikeIndex> pairs;
  for (int n = 0; n <= degree; ++n)
    for (int m = n % 2; m <= n; m += 2) pairs.push_back({n, m});
  return pairs;
}

// Row width of the radial table: n_max / 2 + 1 coefficients.
inline int zernike_lut_width(std::vector<ZernikeIndex> const& pairs) {
  int n_max = 0;
  for (auto const& p : pairs) n_max = p.n > n_max ? p.n : n_max;
  return n_max / 2 + 1;
}

// Row-major (pairs x width) table: entry k of row (n, m) is the coefficient of r^(n - 2k) in
// R_nm, (-1)^k (n-k)! / (k! ((n+m)/2 - k)! ((n-m)/2 - k)!), with factorials as float64
// running products and centrosome's evaluation order: (+-1 * (n-k)!) / ((k! * a!) * b!).
// Unused trailing entries are 0. Horner over r^2 with (n - m)/2 + 1 terms gives R_nm(r) / r^m.
inline std::vector<double> zernike_radial_lut(std::vector<ZernikeIndex> const& pairs) {
  int n_max = 0;
  for (auto const& p : pairs) n_max = p.n > n_max ? p.n : n_max;
  std::vector<double> factorial(static_cast<std::size_t>(n_max) + 1, 1.0);
  for (int i = 1; i <= n_max; ++i)
    factorial[static_cast<std::size_t>(i)] =
        factorial[static_cast<std::size_t>(i) - 1] * static_cast<double>(i);
  int const width = zernike_lut_width(pairs);
  std::vector<double> lut(pairs.size() * static_cast<std::size_t>(width), 0.0);
  for (std::size_t idx = 0; idx < pairs.size(); ++idx) {
    int const n = pairs[idx].n, m = pairs[idx].m;
    int const half_sum = (n + m) / 2, half_diff = (n - m) / 2;
    double alt = 1.0;
    for (int k = 0; k <= half_diff; ++k) {
      auto const f = [&](int i) { return factorial[static_cast<std::size_t>(i)]; };
      lut[idx * static_cast<std::size_t>(width) + static_cast<std::size_t>(k)] =
          alt * f(n - k) / (f(k) * f(half_sum - k) * f(half_diff - k));
      alt = -alt;
    }
  }
  return lut;
}

// cp_measure's keys: get_zernike's "Zernike_n_m", one per pair; get_radial_zernikes'
// "RadialDistribution_ZernikeMagnitude_n_m" then "..._ZernikePhase_n_m", interleaved per pair.
inline std::vector<std::string> zernike_feature_names(int degree) {
  std::vector<std::string> names;
  for (auto const& p : zernike_indices(degree))
    names.push_back("Zernike_" + std::to_string(p.n) + "_" + std::to_string(p.m));
  return names;
}
inline std::vector<std::string> radial_zernike_feature_names(int degree) {
  std::vector<std::string> names;
  for (auto const& p : zernike_indices(degree)) {
    std::string const nm = std::to_string(p.n) + "_" + std::to_string(p.m);
    names.push_back("RadialDistribution_ZernikeMagnitude_" + nm);
    names.push_back("RadialDistribution_ZernikePhase_" + nm);
  }
  return names;
}

}  // namespace bik

#endif
