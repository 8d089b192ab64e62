// Explicit instantiations of the granularity pipeline compiled into libbik (backends/), for
// the same (label, pixel) type pairs as intensity, declared here so that including
// bik/measure.hpp does not instantiate them again.
#ifndef BIK_MEASURE_GRANULARITY_ETI_HPP
#define BIK_MEASURE_GRANULARITY_ETI_HPP

#include "bik/config.hpp"
#include "bik/intensity_eti_types.hpp"
#include "bik/measure/granularity.hpp"

#include <cstdint>

// One instantiation of the pipeline for execution space SPACE, labels L and pixels P.
#define BIK_GRANULARITY_INSTANTIATION(PREFIX, SPACE, L, P)                   \
  PREFIX template ::bik::detail::GranularityOutput<SPACE::memory_space>      \
  bik::detail::measure_granularity_volume<SPACE, L, P, SPACE::memory_space>( \
      SPACE const&, ::bik::Volume<L const, SPACE::memory_space>,             \
      ::bik::Volume<P const, SPACE::memory_space>, std::int64_t, int,        \
      ::bik::GranularityOptions const&, ::bik::Workspace<SPACE::memory_space>*);

#define BIK_GRANULARITY_FOR_TYPES(PREFIX, SPACE) \
  BIK_INTENSITY_ETI_PAIRS(BIK_GRANULARITY_INSTANTIATION, PREFIX, SPACE)

#if BIK_HAS_SERIAL && defined(KOKKOS_ENABLE_SERIAL) && !defined(BIK_ETI_SERIAL_UNIT)
BIK_GRANULARITY_FOR_TYPES(extern, Kokkos::Serial)
#endif
#if BIK_HAS_OPENMP && defined(KOKKOS_ENABLE_OPENMP) && !defined(BIK_ETI_OPENMP_UNIT)
BIK_GRANULARITY_FOR_TYPES(extern, Kokkos::OpenMP)
#endif
#if BIK_HAS_CUDA && defined(KOKKOS_ENABLE_CUDA) && !defined(BIK_ETI_CUDA_UNIT)
BIK_GRANULARITY_FOR_TYPES(extern, Kokkos::Cuda)
#endif

#endif
