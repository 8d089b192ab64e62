// Writing host images to HDF5 datasets (used by `bik demo` to save the scenes it measures).
#ifndef BIK_IO_WRITE_IMAGE_HPP
#define BIK_IO_WRITE_IMAGE_HPP

#include "bik/core/host_image.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bik::io {

// One image to store: a dataset path, a C-order shape of rank 2 (Y,X) or 3 (Z,Y,X), and a
// pointer to that many contiguous int64 or float64 values owned by the caller.
struct ImageDataset {
  enum class Type { int64, float64 };
  std::string name;                 // dataset path inside the file, e.g. "/pixels"
  std::vector<std::int64_t> shape;  // extents, slowest first
  Type type = Type::float64;
  void const* data = nullptr;  // shape-product values of `type`, C order
};

// Describes a host image for write_images_hdf5; rank 2 images are stored as (Y,X). The image
// must be contiguous (bik::Error otherwise) and outlive the returned descriptor.
ImageDataset image_dataset(std::string name, HostImage<std::int64_t> const& image);
ImageDataset image_dataset(std::string name, HostImage<double> const& image);
// Describes a plain C-order host buffer of shape (Y,X) or (Z,Y,X).
ImageDataset image_dataset(std::string name, std::vector<std::int64_t> shape,
                           std::int64_t const* data);
ImageDataset image_dataset(std::string name, std::vector<std::int64_t> shape, double const* data);

// Writes the images as uncompressed, contiguous int64 / float64 datasets of a new HDF5 file at
// `path` (intermediate groups are created), replacing any existing file. The file is written
// under a temporary name in the same directory and renamed when complete; on any error the
// temporary file is removed, `path` is left untouched and bik::Error names the problem.
void write_images_hdf5(std::string const& path, std::vector<ImageDataset> const& images);

}  // namespace bik::io

#endif
