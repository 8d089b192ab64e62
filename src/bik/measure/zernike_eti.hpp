// Explicit instantiations of the Zernike pipeline compiled into libbik (backends/), declared
// here so that including bik/measure.hpp does not instantiate them again. The shape features
// use the (label, double) instantiations.
#ifndef BIK_MEASURE_ZERNIKE_ETI_HPP
#define BIK_MEASURE_ZERNIKE_ETI_HPP

#include "bik/config.hpp"
#include "bik/intensity_eti_types.hpp"
#include "bik/measure/zernike.hpp"

// One instantiation of the pipeline for execution space SPACE, labels L and pixels P.
#define BIK_ZERNIKE_INSTANTIATION(PREFIX, SPACE, L, P)                                        \
  PREFIX template ::bik::detail::ZernikeOutput<SPACE::memory_space>                           \
  bik::detail::measure_zernike_volume<SPACE, L, P, SPACE::memory_space>(                      \
      SPACE const&, ::bik::Volume<L const, SPACE::memory_space>,                              \
      ::bik::Volume<P const, SPACE::memory_space>, ::bik::Pairing const&, ::bik::ZernikeKind, \
      ::bik::ZernikeOptions const&, ::bik::Workspace<SPACE::memory_space>*);

// Every (label, pixel) pair of BIK_ETI_LABEL_TYPES x BIK_ETI_PIXEL_TYPES, for one space.
#define BIK_ZERNIKE_FOR_TYPES(PREFIX, SPACE) \
  BIK_INTENSITY_ETI_PAIRS(BIK_ZERNIKE_INSTANTIATION, PREFIX, SPACE)

#if BIK_HAS_SERIAL && defined(KOKKOS_ENABLE_SERIAL) && !defined(BIK_ETI_SERIAL_UNIT)
BIK_ZERNIKE_FOR_TYPES(extern, Kokkos::Serial)
#endif
#if BIK_HAS_OPENMP && defined(KOKKOS_ENABLE_OPENMP) && !defined(BIK_ETI_OPENMP_UNIT)
BIK_ZERNIKE_FOR_TYPES(extern, Kokkos::OpenMP)
#endif
#if BIK_HAS_CUDA && defined(KOKKOS_ENABLE_CUDA) && !defined(BIK_ETI_CUDA_UNIT)
BIK_ZERNIKE_FOR_TYPES(extern, Kokkos::Cuda)
#endif

#endif
