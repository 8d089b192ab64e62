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

void write_images_hdf5(std::string const& path, std::vector<ImageDataset> const& images) {
  for (auto const& image : images) {
    require(!image.name.empty() && image.name != "/", path, "an image has an empty dataset name");
    require(image.shape.size() == 2 || image.shape.size() == 3, path,
            "image " + image.name + " must have rank 2 or 3");
    std::int64_t n = 1;
    for (auto e : image.shape) n *= e;
    require(n == 0 || image.data != nullptr, path, "image " + image.name + " has no data");
  }
  detail::OutputFile output(path);
  {
    detail::Hid file = detail::create_file(output.temp_path(), path);
    for (auto const& image : images) {
      bool const is_int = image.type == ImageDataset::Type::int64;
      std::vector<hsize_t> dims(image.shape.begin(), image.shape.end());
      detail::write_dataset(file.get(), image.name, is_int ? H5T_STD_I64LE : H5T_IEEE_F64LE,
                            is_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, dims, image.data, path);
    }
    detail::close_file(file, path);
  }
  output.commit();
}

}  // namespace bik::io
