// Everything in bik::io: dataset specs, HDF5 image readers, and image and table writers.
#ifndef BIK_IO_IO_HPP
#define BIK_IO_IO_HPP

#include "bik/io/dataset_spec.hpp"
#include "bik/io/read_image.hpp"
#include "bik/io/write_image.hpp"
#include "bik/io/write_table.hpp"

#endif
