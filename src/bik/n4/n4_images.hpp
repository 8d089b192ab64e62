// The images of one N4 correction, all (Z,Y,X) volumes of the same shape in one memory space
// (a 2D image is Z = 1 with rank 2). Optional ones are empty Views.
#ifndef BIK_N4_N4_IMAGES_HPP
#define BIK_N4_N4_IMAGES_HPP

#include "bik/core/volume.hpp"

#include <Kokkos_Core.hpp>

namespace bik::n4 {

template <class T, class M, class MemorySpace>
struct N4Images {
  Volume<T const, MemorySpace> input;            // strictly positive inside the mask
  int rank = 3;                                  // 2 or 3
  Volume<M const, MemorySpace> mask;             // optional: label or non-zero voxels
  Volume<double const, MemorySpace> confidence;  // optional: fit weights, > 0 to be included
  Volume<T, MemorySpace> corrected;              // output: input / exp(log bias)
  Volume<T, MemorySpace> log_bias;               // optional output: the log bias field
};

// Outputs are Volumes of writable elements (bik/core/volume.hpp).
using bik::as_writable_volume;

}  // namespace bik::n4

#endif
