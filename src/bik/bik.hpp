// Everything in bik::bik: core building blocks and measurements.
#ifndef BIK_BIK_HPP
#define BIK_BIK_HPP

#include "bik/config.hpp"
#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/flatten.hpp"
#include "bik/core/label_lut.hpp"
#include "bik/core/volume.hpp"
#include "bik/measure.hpp"

#endif
