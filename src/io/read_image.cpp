#include "bik/io/read_image.hpp"

#include "bik/core/compat.hpp"
#include "bik/core/error.hpp"
#include "hdf5_util.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

namespace fs = std::filesystem;

namespace bik::io {

namespace {

using detail::Hid;

std::string shape_str(std::vector<std::int64_t> const& shape) {
  return fmt::format("({})", fmt::join(shape, ", "));
}

Hid open_file(std::string const& file) {
  detail::silence_hdf5_errors();
  std::error_code ec;
  auto const status = fs::status(file, ec);
  if (!fs::exists(status)) throw Error(file + ": no such file");
  if (fs::is_directory(status)) throw Error(file + ": is a directory, not an HDF5 file");
  if (H5Fis_hdf5(file.c_str()) <= 0)
    throw Error(file + ": not an HDF5 file (unreadable, corrupt, or another format)");
  Hid handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!handle.valid()) throw Error(file + ": cannot open the HDF5 file (corrupt or truncated?)");
  return handle;
}

// Up to 20 member names of the group at `path`, for "not found" hints.
std::string members_of(hid_t file, std::string const& path) {
  Hid group(H5Gopen2(file, path.c_str(), H5P_DEFAULT), H5Gclose);
  if (!group.valid()) return "";
  H5G_info_t info;
  if (H5Gget_info(group.get(), &info) < 0) return "";
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks && i < 20; ++i) {
    char buffer[256] = {};
    if (H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, buffer, sizeof buffer,
                           H5P_DEFAULT) >= 0)
      names.emplace_back(buffer);
  }
  if (names.empty()) return "; the group " + path + " is empty";
  return "; " + path + " holds: " + fmt::format("{}", fmt::join(names, ", ")) +
         (info.nlinks > 20 ? ", ..." : "");
}

// Opens the dataset at spec.dataset, explaining which path component is missing or what the
// object is if it is not a dataset.
Hid open_dataset(hid_t file, DatasetSpec const& spec) {
  std::string prefix;
  std::string parent = "/";
  std::size_t start = 1;
  while (start <= spec.dataset.size()) {
    std::size_t end = spec.dataset.find('/', start);
    if (end == std::string::npos) end = spec.dataset.size();
    if (end > start) {
      prefix += "/" + spec.dataset.substr(start, end - start);
      if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) {
        std::string const what = prefix == spec.dataset ? "" : " (" + prefix + " does not exist)";
        throw Error(spec.file + ": no dataset " + spec.dataset + what + members_of(file, parent));
      }
      parent = prefix;
    }
    start = end + 1;
  }
  Hid object(H5Oopen(file, spec.dataset.c_str(), H5P_DEFAULT), H5Oclose);
  if (!object.valid())
    throw Error(spec.file + ": cannot open " + spec.dataset + " (broken link or corrupt file?)");
  switch (H5Iget_type(object.get())) {
    case H5I_DATASET:
      return object;
    case H5I_GROUP:
      throw Error(spec.file + ": " + spec.dataset + " is a group, not a dataset" +
                  members_of(file, spec.dataset));
    case H5I_DATATYPE:
      throw Error(spec.file + ": " + spec.dataset + " is a named datatype, not a dataset");
    default:
      throw Error(spec.file + ": " + spec.dataset + " is not a dataset");
  }
}

struct OpenDataset {
  Hid file;
  Hid dataset;
  detail::TypeDescription type;
  std::vector<std::int64_t> shape;
  bool has_simple_space = false;
};

OpenDataset open(DatasetSpec const& spec) {
  OpenDataset d;
  d.file = open_file(spec.file);
  d.dataset = open_dataset(d.file.get(), spec);
  Hid type(H5Dget_type(d.dataset.get()), H5Tclose);
  Hid space(H5Dget_space(d.dataset.get()), H5Sclose);
  if (!type.valid() || !space.valid())
    throw Error(spec.str() + ": cannot read the dataset's type or shape (corrupt file?)");
  d.type = detail::describe_type(type.get());
  if (H5Sget_simple_extent_type(space.get()) == H5S_SIMPLE) {
    int const rank = H5Sget_simple_extent_ndims(space.get());
    std::vector<hsize_t> dims(rank > 0 ? static_cast<std::size_t>(rank) : 0);
    if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    for (auto e : dims) d.shape.push_back(static_cast<std::int64_t>(e));
    d.has_simple_space = true;
  }
  return d;
}

// Checks dtype (against `labels` rules), rank and emptiness; throws bik::Error otherwise.
void validate(OpenDataset const& d, DatasetSpec const& spec, bool labels) {
  std::string const where = spec.str();
  if (!d.type.supported)
    throw Error(where + ": unsupported data type " + d.type.name +
                "; bik reads uint8, uint16, uint32, uint64, int8, int16, int32, int64, float32 "
                "and float64");
  if (labels && !d.type.is_integer)
    throw Error(where + ": labels must be integers, dataset " + spec.dataset + " has " +
                d.type.name);
  if (!d.has_simple_space)
    throw Error(where +
                ": expected a 2D (Y,X) or 3D (Z,Y,X) dataset or a 4D (B,Z,Y,X) batch, got a "
                "scalar or empty (null) dataspace");
  if (d.shape.size() < 2 || d.shape.size() > 4)
    throw Error(
        fmt::format("{}: expected a 2D (Y,X) or 3D (Z,Y,X) dataset or a 4D (B,Z,Y,X) batch, got "
                    "rank {} with shape {}",
                    where, d.shape.size(), shape_str(d.shape)));
  for (auto e : d.shape)
    if (e == 0) throw Error(where + ": the dataset is empty, shape " + shape_str(d.shape));
}

// Planes [z0, z1) of a 3D dataset (z1 < 0: every plane of every image).
struct Planes {
  std::int64_t z0 = 0, z1 = -1;
};

template <class T>
HostImage<T> read_into(OpenDataset const& d, DatasetSpec const& spec, hid_t memory_type,
                       std::string const& label, Planes planes = {}) {
  std::size_t const rank = d.shape.size();
  std::size_t nz = 1;  // planes of all images together
  for (std::size_t axis = 0; axis + 2 < rank; ++axis) nz *= static_cast<std::size_t>(d.shape[axis]);
  std::size_t const ny = static_cast<std::size_t>(d.shape[rank - 2]);
  std::size_t const nx = static_cast<std::size_t>(d.shape[rank - 1]);
  Hid file_space(H5S_ALL, nullptr), memory_space(H5S_ALL, nullptr);
  if (planes.z1 >= 0 && rank == 3) {
    nz = static_cast<std::size_t>(planes.z1 - planes.z0);
    hsize_t const start[3] = {static_cast<hsize_t>(planes.z0), 0, 0};
    hsize_t const count[3] = {nz, ny, nx};
    file_space = Hid(H5Dget_space(d.dataset.get()), H5Sclose);
    memory_space = Hid(H5Screate_simple(3, count, nullptr), H5Sclose);
    if (!file_space.valid() || !memory_space.valid() ||
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0)
      throw Error(spec.str() + ": cannot select planes of the dataset");
  }
  Kokkos::View<T***, Kokkos::LayoutRight, Kokkos::HostSpace> view(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, label), nz, ny, nx);
  if (H5Dread(d.dataset.get(), memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT,
              view.data()) < 0)
    throw Error(spec.str() +
                ": reading the values failed (truncated or corrupt file, or a "
                "compression filter this HDF5 lacks?)");
  HostImage<T> image;
  image.data = view;
  // A (B,Z,Y,X) batch: B elements of Z planes each, 2D images when Z = 1 (cp_measure's to_bzyx).
  image.images = rank == 4 ? d.shape[0] : 1;
  image.rank = rank == 4 ? (d.shape[1] == 1 ? 2 : 3) : static_cast<int>(rank);
  return image;
}

template <class T>
std::string position_str(std::size_t i, HostImage<T> const& image) {
  std::size_t const ny = image.data.extent(1), nx = image.data.extent(2);
  std::size_t const x = i % nx, y = (i / nx) % ny, plane = i / (nx * ny);
  std::size_t const planes = static_cast<std::size_t>(image.planes());
  std::size_t const b = plane / planes, z = plane % planes;
  std::string const at = image.rank == 2 ? fmt::format("(y={}, x={})", y, x)
                                         : fmt::format("(z={}, y={}, x={})", z, y, x);
  return image.images > 1 ? fmt::format("image {} {}", b, at) : at;
}

}  // namespace

DatasetInfo inspect_dataset(DatasetSpec const& spec) {
  OpenDataset const d = open(spec);
  DatasetInfo info;
  info.dtype = d.type.name;
  info.supported = d.type.supported;
  info.is_integer = d.type.is_integer;
  info.shape = d.shape;
  return info;
}

namespace {
// Rejects negative labels, naming the first and where it is. uint64 values are read
// bit-for-bit into int64 storage, so values above the int64 maximum show up as negative too.
template <class T>
void check_labels(HostImage<T> const& image, DatasetSpec const& spec, bool wide_unsigned) {
  if constexpr (std::is_signed<T>::value) {
    T const* values = image.data.data();
    std::size_t const n = image.data.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (values[i] >= 0) continue;
      if (wide_unsigned)
        throw Error(fmt::format("{}: label {} at {} exceeds the int64 maximum {}", spec.str(),
                                static_cast<std::uint64_t>(values[i]), position_str(i, image),
                                std::numeric_limits<std::int64_t>::max()));
      throw Error(fmt::format("{}: labels must be >= 0 (0 is background), found {} at {}",
                              spec.str(), static_cast<std::int64_t>(values[i]),
                              position_str(i, image)));
    }
  }
}
}  // namespace

HostImage<std::int64_t> read_labels(DatasetSpec const& spec) {
  OpenDataset const d = open(spec);
  validate(d, spec, true);
  bool const wide_unsigned = !d.type.is_signed && d.type.size == 8;
  auto image = read_into<std::int64_t>(
      d, spec, wide_unsigned ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64, "bik::io::labels");
  check_labels(image, spec, wide_unsigned);
  return image;
}

HostImage<double> read_pixels(DatasetSpec const& spec) {
  OpenDataset const d = open(spec);
  validate(d, spec, false);
  return read_into<double>(d, spec, H5T_NATIVE_DOUBLE, "bik::io::pixels");
}

LabelImage read_label_image(DatasetSpec const& spec) {
  OpenDataset const d = open(spec);
  validate(d, spec, true);
  char const* const name = "bik::io::labels";
  if (!d.type.is_signed && d.type.size <= 2) {
    auto image = read_into<std::uint16_t>(d, spec, H5T_NATIVE_UINT16, name);
    return image;
  }
  if (!d.type.is_signed && d.type.size == 4)
    return read_into<std::uint32_t>(d, spec, H5T_NATIVE_UINT32, name);
  if (d.type.is_signed && d.type.size <= 4) {
    auto image = read_into<std::int32_t>(d, spec, H5T_NATIVE_INT32, name);
    check_labels(image, spec, false);
    return image;
  }
  if (!d.type.is_signed)  // uint64: every value is a valid label
    return read_into<std::uint64_t>(d, spec, H5T_NATIVE_UINT64, name);
  return read_labels(spec);  // int64
}

namespace {
PixelImage read_pixels_as_stored(OpenDataset const& d, DatasetSpec const& spec, Planes planes) {
  char const* const name = "bik::io::pixels";
  if (d.type.is_integer && !d.type.is_signed && d.type.size == 1)
    return read_into<std::uint8_t>(d, spec, H5T_NATIVE_UINT8, name, planes);
  if (d.type.is_integer && !d.type.is_signed && d.type.size == 2)
    return read_into<std::uint16_t>(d, spec, H5T_NATIVE_UINT16, name, planes);
  if (!d.type.is_integer && d.type.size == 4)
    return read_into<float>(d, spec, H5T_NATIVE_FLOAT, name, planes);
  return read_into<double>(d, spec, H5T_NATIVE_DOUBLE, name, planes);
}

// Checks a plane range against a 2D or 3D dataset.
Planes checked_planes(OpenDataset const& d, DatasetSpec const& spec, std::int64_t z0,
                      std::int64_t z1) {
  if (d.shape.size() == 4)
    throw Error(spec.str() + ": reading planes of a 4D (B,Z,Y,X) batch is not supported");
  std::int64_t const nz = d.shape.size() == 3 ? d.shape[0] : 1;
  if (z0 < 0 || z1 <= z0 || z1 > nz)
    throw Error(
        fmt::format("{}: planes [{}, {}) are not a non-empty range of the {} planes of "
                    "shape {}",
                    spec.str(), z0, z1, nz, shape_str(d.shape)));
  return {z0, z1};
}
}  // namespace

PixelImage read_pixel_image(DatasetSpec const& spec) {
  OpenDataset const d = open(spec);
  validate(d, spec, false);
  return read_pixels_as_stored(d, spec, {});
}

PixelImage read_pixel_planes(DatasetSpec const& spec, std::int64_t z0, std::int64_t z1) {
  OpenDataset const d = open(spec);
  validate(d, spec, false);
  return read_pixels_as_stored(d, spec, checked_planes(d, spec, z0, z1));
}

HostImage<std::int64_t> read_label_planes(DatasetSpec const& spec, std::int64_t z0,
                                          std::int64_t z1) {
  OpenDataset const d = open(spec);
  validate(d, spec, true);
  Planes const planes = checked_planes(d, spec, z0, z1);
  bool const wide_unsigned = !d.type.is_signed && d.type.size == 8;
  auto image = read_into<std::int64_t>(
      d, spec, wide_unsigned ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64, "bik::io::labels", planes);
  check_labels(image, spec, wide_unsigned);
  return image;
}

}  // namespace bik::io
