#include "bik/io/write_image.hpp"

#include "bik/core/error.hpp"
#include "hdf5_util.hpp"
#include "output_file.hpp"

#include <hdf5.h>

#include <string>
#include <utility>
#include <vector>

namespace bik::io {

namespace {

template <class T>
ImageDataset describe(std::string name, HostImage<T> const& image, ImageDataset::Type type) {
  require(image.data.span_is_contiguous(), "bik::io::image_dataset",
          "image '" + name + "' is not contiguous; copy it into a LayoutRight View first");
  require(image.rank == 2 || image.rank == 3, "bik::io::image_dataset",
          "image '" + name + "' has rank " + std::to_string(image.rank) + ", expected 2 or 3");
  ImageDataset d;
  d.name = std::move(name);
  d.type = type;
  d.data = image.data.data();
  if (image.rank == 3) d.shape.push_back(static_cast<std::int64_t>(image.data.extent(0)));
  d.shape.push_back(static_cast<std::int64_t>(image.data.extent(1)));
  d.shape.push_back(static_cast<std::int64_t>(image.data.extent(2)));
  return d;
}

// The HDF5 file (little-endian) and memory types of an image's values.
struct Hdf5Types {
  hid_t file, memory;
};
Hdf5Types hdf5_types(ImageDataset::Type type) {
  switch (type) {
    case ImageDataset::Type::int64:
      return {H5T_STD_I64LE, H5T_NATIVE_INT64};
    case ImageDataset::Type::float32:
      return {H5T_IEEE_F32LE, H5T_NATIVE_FLOAT};
    default:
      return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE};
  }
}

ImageDataset describe_buffer(std::string name, std::vector<std::int64_t> shape, void const* data,
                             ImageDataset::Type type) {
  require(shape.size() == 2 || shape.size() == 3, "bik::io::image_dataset",
          "image '" + name + "' needs a (Y,X) or (Z,Y,X) shape, got " +
              std::to_string(shape.size()) + " extents");
  for (auto e : shape)
    require(e >= 0, "bik::io::image_dataset", "image '" + name + "' has a negative extent");
  return ImageDataset{std::move(name), std::move(shape), type, data};
}

}  // namespace

ImageDataset image_dataset(std::string name, HostImage<std::int64_t> const& image) {
  return describe(std::move(name), image, ImageDataset::Type::int64);
}
ImageDataset image_dataset(std::string name, HostImage<double> const& image) {
  return describe(std::move(name), image, ImageDataset::Type::float64);
}
ImageDataset image_dataset(std::string name, std::vector<std::int64_t> shape,
                           std::int64_t const* data) {
  return describe_buffer(std::move(name), std::move(shape), data, ImageDataset::Type::int64);
}
ImageDataset image_dataset(std::string name, std::vector<std::int64_t> shape, double const* data) {
  return describe_buffer(std::move(name), std::move(shape), data, ImageDataset::Type::float64);
}
ImageDataset image_dataset(std::string name, std::vector<std::int64_t> shape, float const* data) {
  return describe_buffer(std::move(name), std::move(shape), data, ImageDataset::Type::float32);
}

namespace {
void check_images(std::string const& path, std::vector<ImageDataset> const& images) {
  for (auto const& image : images) {
    require(!image.name.empty() && image.name != "/", path, "an image has an empty dataset name");
    require(image.shape.size() == 2 || image.shape.size() == 3, path,
            "image " + image.name + " must have rank 2 or 3");
    std::int64_t n = 1;
    for (auto e : image.shape) n *= e;
    require(n == 0 || image.data != nullptr, path, "image " + image.name + " has no data");
  }
}
}  // namespace

void write_images_hdf5(std::string const& path, std::vector<ImageDataset> const& images) {
  check_images(path, images);
  detail::OutputFile output(path);
  {
    detail::Hid file = detail::create_file(output.temp_path(), path);
    for (auto const& image : images) {
      std::vector<hsize_t> dims(image.shape.begin(), image.shape.end());
      auto const types = hdf5_types(image.type);
      detail::write_dataset(file.get(), image.name, types.file, types.memory, dims, image.data,
                            path);
    }
    detail::close_file(file, path);
  }
  output.commit();
}

struct ImageFileWriter::Impl {
  explicit Impl(std::string const& path) : output(path) {}
  detail::OutputFile output;
  detail::Hid file;
  std::vector<ImageDataset> images;
};

ImageFileWriter::ImageFileWriter(std::string const& path, std::vector<ImageDataset> const& images)
    : impl_(std::make_unique<Impl>(path)) {
  std::vector<ImageDataset> layout = images;
  static std::int64_t const placeholder = 0;
  for (auto& image : layout) image.data = &placeholder;  // only shapes and types are used
  check_images(path, layout);
  impl_->images = layout;
  impl_->file = detail::create_file(impl_->output.temp_path(), path);
  for (auto const& image : layout) {
    std::vector<hsize_t> dims(image.shape.begin(), image.shape.end());
    detail::create_dataset(impl_->file.get(), image.name, hdf5_types(image.type).file, dims, path);
  }
}

ImageFileWriter::~ImageFileWriter() = default;

void ImageFileWriter::write_planes(std::size_t image, std::int64_t z0, std::int64_t z1,
                                   void const* data) {
  std::string const& path = impl_->output.final_path();
  require(image < impl_->images.size(), path, "no image " + std::to_string(image));
  ImageDataset const& d = impl_->images[image];
  std::int64_t const planes = d.shape.size() == 3 ? d.shape[0] : 1;
  require(0 <= z0 && z0 < z1 && z1 <= planes, path,
          "planes [" + std::to_string(z0) + ", " + std::to_string(z1) + ") are not inside the " +
              std::to_string(planes) + " planes of " + d.name);
  std::vector<hsize_t> start(d.shape.size(), 0), count(d.shape.begin(), d.shape.end());
  if (d.shape.size() == 3) {
    start[0] = static_cast<hsize_t>(z0);
    count[0] = static_cast<hsize_t>(z1 - z0);
  }
  detail::write_hyperslab(impl_->file.get(), d.name, hdf5_types(d.type).memory, start, count, data,
                          path);
}

void ImageFileWriter::commit() {
  detail::close_file(impl_->file, impl_->output.final_path());
  impl_->output.commit();
}

}  // namespace bik::io
