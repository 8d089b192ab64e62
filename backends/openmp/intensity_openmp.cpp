// Instantiates the intensity pipeline for Kokkos::OpenMP.
#define BIK_ETI_OPENMP_UNIT
#include "bik/measure/intensity_eti.hpp"

BIK_INTENSITY_FOR_TYPES(, Kokkos::OpenMP)
