// Writing host images to HDF5 datasets (used by `bik demo` to save the scenes it measures).
#ifndef BIK_IO_WRITE_IMAGE_HPP
#define BIK_IO_WRITE_IMAGE_HPP

#include "bik/core/host_image.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bik::io {

// One image to store: a dataset path, a C-order shape of rank 2 (Y,X) or 3 (Z,Y,X), and a
// pointer to that many contiguous int64, float64 or float32 values owned by the caller.
struct ImageDataset {
  enum class Type { int64, float64, float32 };
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
ImageDataset image_dataset(std::string name, std::vector<std::int64_t> shape, float const* data);

// Writes the images as uncompressed, contiguous int64 / float64 / float32 datasets of a new HDF5
// file at `path` (intermediate groups are created), replacing any existing file. The file is
// written under a temporary name in the same directory and renamed when complete; on any error the
// temporary file is removed, `path` is left untouched and bik::Error names the problem.
void write_images_hdf5(std::string const& path, std::vector<ImageDataset> const& images);

// write_images_hdf5 a section of planes at a time, for outputs larger than memory: the
// constructor creates the datasets (names, shapes and types of `images`; their data pointers
// are not read) in a temporary file, write_planes fills planes [z0, z1) of one of them (a 2D
// image has the single plane 0) from C-order values of its type, and commit() renames the file
// into place. Destroyed without commit(), it removes the temporary file. bik::Error as
// write_images_hdf5, and for a plane range outside the dataset.
class ImageFileWriter {
 public:
  ImageFileWriter(std::string const& path, std::vector<ImageDataset> const& images);
  ImageFileWriter(ImageFileWriter const&) = delete;
  ImageFileWriter& operator=(ImageFileWriter const&) = delete;
  ~ImageFileWriter();
  void write_planes(std::size_t image, std::int64_t z0, std::int64_t z1, void const* data);
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bik::io

#endif
