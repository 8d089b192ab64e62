// Per-object measurements (with the instantiations libbik already holds).
#ifndef BIK_MEASURE_HPP
#define BIK_MEASURE_HPP

#include "bik/measure/granularity.hpp"
#include "bik/measure/granularity_batch.hpp"
#include "bik/measure/granularity_eti.hpp"
#include "bik/measure/intensity.hpp"
#include "bik/measure/intensity_batch.hpp"
#include "bik/measure/intensity_eti.hpp"
#include "bik/measure/zernike.hpp"
#include "bik/measure/zernike_batch.hpp"
#include "bik/measure/zernike_eti.hpp"

#endif
