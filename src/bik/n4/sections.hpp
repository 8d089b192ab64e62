// Per-section N4 (spec n4.md §6.1): a volume cut along Z into n sections, each corrected
// independently (serial sections of a microscopy volume have their own attenuation). The
// boundaries are linumpy's: section i holds planes [round(i Z / n), round((i + 1) Z / n)), with
// halves rounded to even as Python's round does.
#ifndef BIK_N4_SECTIONS_HPP
#define BIK_N4_SECTIONS_HPP

#include "bik/core/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bik::n4 {

// The n + 1 boundaries of n sections of `planes` planes: 0 = b[0] < b[1] < ... < b[n] = planes.
// bik::Error unless 1 <= n <= planes (every section needs a plane).
inline std::vector<std::int64_t> section_bounds(std::int64_t planes, std::int64_t sections) {
  require(sections >= 1 && sections <= planes, "bik::n4::section_bounds",
          "the number of sections must be between 1 and the " + std::to_string(planes) +
              " planes along Z, got " + std::to_string(sections));
  std::vector<std::int64_t> bounds;
  for (std::int64_t i = 0; i <= sections; ++i) {
    std::int64_t const q = i * planes / sections, twice_r = 2 * (i * planes % sections);
    bool const up = twice_r > sections || (twice_r == sections && q % 2 == 1);
    bounds.push_back(q + (up ? 1 : 0));
  }
  return bounds;
}

}  // namespace bik::n4

#endif
