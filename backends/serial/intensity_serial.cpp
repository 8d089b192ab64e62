// Instantiates the intensity pipeline for Kokkos::Serial.
#define BIK_ETI_SERIAL_UNIT
#include "bik/measure/intensity_eti.hpp"

BIK_INTENSITY_FOR_TYPES(, Kokkos::Serial)
