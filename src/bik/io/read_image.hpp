// Reading 2D (Y,X) and 3D (Z,Y,X) HDF5 datasets, and 4D (B,Z,Y,X) batches of them, into host
// images for the bik kernels.
#ifndef BIK_IO_READ_IMAGE_HPP
#define BIK_IO_READ_IMAGE_HPP

#include "bik/core/host_image.hpp"
#include "bik/io/dataset_spec.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace bik::io {

// What a dataset holds, without reading its values.
struct DatasetInfo {
  std::string dtype;                // "uint8", ..., "float64"; for others a description
  bool supported = false;           // one of the ten dtypes bik reads
  bool is_integer = false;          // an integer dtype
  std::vector<std::int64_t> shape;  // extents, slowest first (C order)
};

// Describes the dataset: dtype and shape. Throws bik::Error naming the file and dataset when
// the file is missing, not HDF5 or corrupt, or the path is missing or not a dataset.
DatasetInfo inspect_dataset(DatasetSpec const& spec);

// Reads a label image: a 2D or 3D dataset of an integer dtype (uint8/16/32/64, int8/16/32/64)
// into int64, C order; rank 2 is returned with Z = 1 and rank = 2; a rank-4 (B,Z,Y,X) dataset
// is a batch of B images (images = B, rank 2 when Z = 1, else 3) stacked along Z. Throws bik::Error
// naming the file, the dataset and the problem for: a missing file, a file that is not HDF5 or is
// corrupt, a missing dataset, a group, an unsupported or float dtype, a rank other than 2, 3 or 4,
// an empty dataset, a negative label, or a uint64 label above the int64 maximum. Needs Kokkos to be
// initialised (the image is a Kokkos::View). O(voxels) time and one int64 per voxel of memory.
HostImage<std::int64_t> read_labels(DatasetSpec const& spec);

// Reads a pixel image: a 2D or 3D dataset of any of the ten supported dtypes, converted to
// float64 by HDF5 (exact except for 64-bit integers beyond 2^53). Rank 2 is returned with Z = 1
// and rank = 2. NaN and infinities are kept (the kernels drop them). Throws bik::Error as
// read_labels does for file, dataset, dtype, rank and emptiness problems. Needs Kokkos to be
// initialised.
HostImage<double> read_pixels(DatasetSpec const& spec);

// A label image in the narrowest of the types the kernels are instantiated for that holds the
// dataset's values exactly: uint8 and uint16 as uint16, uint32 as uint32, int8..int32 as int32,
// int64 as int64 and uint64 as uint64 (every value, up to 2^64 - 1).
using LabelImage =
    std::variant<HostImage<std::uint16_t>, HostImage<std::uint32_t>, HostImage<std::int32_t>,
                 HostImage<std::int64_t>, HostImage<std::uint64_t>>;
// A pixel image as stored, for the types microscopy files hold (uint8, uint16, float32), or
// converted to float64 (every other dtype); the kernels widen each value to float64 themselves.
using PixelImage = std::variant<HostImage<std::uint8_t>, HostImage<std::uint16_t>, HostImage<float>,
                                HostImage<double>>;

// As read_labels and read_pixels (same checks and errors, except that uint64 labels above the
// int64 maximum are read, not refused), without converting to int64 or float64 on the host: a
// quarter or an eighth of the memory and transfer for 16-bit data.
LabelImage read_label_image(DatasetSpec const& spec);
PixelImage read_pixel_image(DatasetSpec const& spec);

// Planes [z0, z1) of a 2D or 3D dataset (a 2D one has the single plane 0), with the checks and
// errors of read_labels / read_pixel_image plus bik::Error for a range outside the dataset or a
// 4D batch: for processing a volume larger than memory a section at a time.
HostImage<std::int64_t> read_label_planes(DatasetSpec const& spec, std::int64_t z0,
                                          std::int64_t z1);
PixelImage read_pixel_planes(DatasetSpec const& spec, std::int64_t z0, std::int64_t z1);

}  // namespace bik::io

#endif
