// Instantiates the intensity pipeline for Kokkos::Cuda.
#define BIK_ETI_CUDA_UNIT
#include "bik/measure/intensity_eti.hpp"

BIK_INTENSITY_FOR_TYPES(, Kokkos::Cuda)
