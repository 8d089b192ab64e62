#include "hdf5_util.hpp"

#include "bik/core/error.hpp"

#include <cstddef>
#include <string>

namespace bik::io::detail {

void silence_hdf5_errors() { H5Eset_auto(H5E_DEFAULT, nullptr, nullptr); }

namespace {
// True when `type` has exactly the layout of one of `standard` (byte order, precision, bit
// offset, padding and, for floats, IEEE fields). A corrupt file can declare, say, a 4-byte
// integer with a 12-bit precision at bit offset 40; HDF5 1.10's conversion then reads outside
// the element, so such layouts are refused before any read.
template <std::size_t N>
bool is_standard(hid_t type, hid_t const (&standard)[N]) {
  for (hid_t s : standard)
    if (H5Tequal(type, s) > 0) return true;
  return false;
}

// " with a non-standard layout (12-bit precision at bit offset 40)"; without the parenthesis
// when the value bits fill the element (a swapped byte order or float fields, odd padding).
std::string layout_note(hid_t type, std::size_t size) {
  std::size_t const precision = H5Tget_precision(type);
  int const offset = H5Tget_offset(type);
  if (precision == 8 * size && offset == 0) return " with a non-standard layout";
  return " with a non-standard layout (" + std::to_string(precision) +
         "-bit precision at bit offset " + std::to_string(offset) + ")";
}
}  // namespace

TypeDescription describe_type(hid_t type) {
  TypeDescription d;
  d.size = H5Tget_size(type);
  std::string const bits = std::to_string(8 * d.size);
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: {
      d.is_integer = true;
      d.is_signed = H5Tget_sign(type) == H5T_SGN_2;
      d.name = (d.is_signed ? "int" : "uint") + bits;
      hid_t const standard[] = {H5T_STD_I8LE,  H5T_STD_I8BE,  H5T_STD_U8LE,  H5T_STD_U8BE,
                                H5T_STD_I16LE, H5T_STD_I16BE, H5T_STD_U16LE, H5T_STD_U16BE,
                                H5T_STD_I32LE, H5T_STD_I32BE, H5T_STD_U32LE, H5T_STD_U32BE,
                                H5T_STD_I64LE, H5T_STD_I64BE, H5T_STD_U64LE, H5T_STD_U64BE};
      bool const width = d.size == 1 || d.size == 2 || d.size == 4 || d.size == 8;
      d.supported = width && is_standard(type, standard);
      if (width && !d.supported) d.name += layout_note(type, d.size);
      break;
    }
    case H5T_FLOAT: {
      d.name = "float" + bits;
      hid_t const standard[] = {H5T_IEEE_F32LE, H5T_IEEE_F32BE, H5T_IEEE_F64LE, H5T_IEEE_F64BE};
      bool const width = d.size == 4 || d.size == 8;
      d.supported = width && is_standard(type, standard);
      if (width && !d.supported) d.name += layout_note(type, d.size);
      break;
    }
    case H5T_STRING:
      d.name = "string";
      break;
    case H5T_COMPOUND:
      d.name = "compound";
      break;
    case H5T_ENUM:
      d.name = "enum (e.g. bool)";
      break;
    case H5T_BITFIELD:
      d.name = "bitfield";
      break;
    case H5T_OPAQUE:
      d.name = "opaque";
      break;
    case H5T_REFERENCE:
      d.name = "reference";
      break;
    case H5T_VLEN:
      d.name = "variable-length";
      break;
    case H5T_ARRAY:
      d.name = "array";
      break;
    case H5T_TIME:
      d.name = "time";
      break;
    default:
      d.name = "unknown type";
      break;
  }
  return d;
}

Hid create_file(std::string const& path, std::string const& target) {
  silence_hdf5_errors();
  Hid file(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (!file.valid())
    throw Error(target + ": cannot create the HDF5 file (permissions or disk space?)");
  return file;
}

void write_dataset(hid_t file, std::string const& name, hid_t file_type, hid_t memory_type,
                   std::vector<hsize_t> const& dims, void const* data, std::string const& target) {
  create_dataset(file, name, file_type, dims, target);
  bool empty = false;
  for (auto d : dims) empty = empty || d == 0;
  if (!empty)
    write_hyperslab(file, name, memory_type, std::vector<hsize_t>(dims.size(), 0), dims, data,
                    target);
}

void create_dataset(hid_t file, std::string const& name, hid_t file_type,
                    std::vector<hsize_t> const& dims, std::string const& target) {
  Hid space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  Hid link_props(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  if (!space.valid() || !link_props.valid() ||
      H5Pset_create_intermediate_group(link_props.get(), 1) < 0)
    throw Error(target + ": cannot prepare dataset " + name);
  Hid dataset(H5Dcreate2(file, name.c_str(), file_type, space.get(), link_props.get(), H5P_DEFAULT,
                         H5P_DEFAULT),
              H5Dclose);
  if (!dataset.valid())
    throw Error(target + ": cannot create dataset " + name + " (invalid or duplicate name?)");
  if (!dataset.close()) throw Error(target + ": closing dataset " + name + " failed (disk full?)");
}

void write_hyperslab(hid_t file, std::string const& name, hid_t memory_type,
                     std::vector<hsize_t> const& start, std::vector<hsize_t> const& count,
                     void const* data, std::string const& target) {
  Hid dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dataset.valid()) throw Error(target + ": cannot open dataset " + name);
  Hid file_space(H5Dget_space(dataset.get()), H5Sclose);
  Hid memory_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                   H5Sclose);
  if (!file_space.valid() || !memory_space.valid() ||
      H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                          nullptr) < 0)
    throw Error(target + ": cannot select part of dataset " + name);
  if (H5Dwrite(dataset.get(), memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT,
               data) < 0)
    throw Error(target + ": writing dataset " + name + " failed (disk full?)");
  if (!dataset.close()) throw Error(target + ": closing dataset " + name + " failed (disk full?)");
}

void close_file(Hid& file, std::string const& target) {
  if (H5Fflush(file.get(), H5F_SCOPE_LOCAL) < 0 || !file.close())
    throw Error(target + ": flushing the HDF5 file failed (disk full?)");
}

}  // namespace bik::io::detail
