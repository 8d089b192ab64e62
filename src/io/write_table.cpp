#include "bik/io/write_table.hpp"

#include "bik/core/error.hpp"
#include "hdf5_util.hpp"
#include "output_file.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace bik::io {

namespace {

std::string lower_extension(std::string const& path) {
  auto const slash = path.find_last_of('/');
  auto const dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot);
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

void write_string_attribute(hid_t object, std::string const& name, std::string const& value,
                            std::string const& target) {
  detail::Hid type(H5Tcopy(H5T_C_S1), H5Tclose);
  detail::Hid space(H5Screate(H5S_SCALAR), H5Sclose);
  if (!type.valid() || !space.valid() || H5Tset_size(type.get(), H5T_VARIABLE) < 0 ||
      H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0)
    throw Error(target + ": cannot prepare attribute '" + name + "'");
  detail::Hid attribute(
      H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose);
  char const* text = value.c_str();
  if (!attribute.valid() || H5Awrite(attribute.get(), type.get(), &text) < 0)
    throw Error(target + ": cannot write attribute '" + name + "' (duplicate name?)");
}

// A CSV field: quoted (RFC 4180) only if it needs to be.
std::string csv_field(std::string const& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void append_number(fmt::memory_buffer& out, double v) {
  if (std::isnan(v)) {
    fmt::format_to(std::back_inserter(out), "nan");
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);  // shortest round-trip form; "inf", "-inf"
  }
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

TableFormat table_format_for(std::string const& path) {
  std::string const ext = lower_extension(path);
  if (ext == ".h5" || ext == ".hdf5") return TableFormat::hdf5;
  if (ext == ".csv") return TableFormat::csv;
  throw Error(path + ": unknown output format '" + (ext.empty() ? "(no extension)" : ext) +
              "'; use a .h5, .hdf5 or .csv file name");
}

void write_table_hdf5(std::string const& path, FeatureTable const& table,
                      Attributes const& attributes, Existing existing) {
  for (auto const& name : table.names()) {
    require(!name.empty() && name.find('/') == std::string::npos && name != "." && name != "..",
            path, "feature name '" + name + "' cannot be an HDF5 dataset name");
    require(name != "label" && name != "image", path,
            "a feature is named '" + name + "', which holds the object labels or images");
  }
  detail::OutputFile output(path, existing);
  {
    detail::Hid file = detail::create_file(output.temp_path(), path);
    std::vector<hsize_t> const dims{static_cast<hsize_t>(table.rows())};
    if (!table.images().empty())
      detail::write_dataset(file.get(), "image", H5T_STD_I64LE, H5T_NATIVE_INT64, dims,
                            table.images().data(), path);
    // uint64 labels are written from their bit patterns, which HDF5 reads as native uint64.
    bool const unsigned_labels = table.label_type() == LabelType::uint64;
    detail::write_dataset(file.get(), "label", unsigned_labels ? H5T_STD_U64LE : H5T_STD_I64LE,
                          unsigned_labels ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64, dims,
                          table.labels().data(), path);
    for (std::size_t c = 0; c < table.columns(); ++c)
      detail::write_dataset(file.get(), table.names()[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims,
                            table.column(c).data(), path);
    {
      detail::Hid root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose);
      for (auto const& [name, value] : attributes)
        write_string_attribute(root.get(), name, value, path);
    }
    detail::close_file(file, path);
  }
  output.commit();
}

void write_table_csv(std::string const& path, FeatureTable const& table, Existing existing) {
  detail::OutputFile output(path, existing);
  {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(output.temp_path().c_str(), "wb"));
    if (!file) throw Error(path + ": cannot create the CSV file (permissions?)");
    fmt::memory_buffer buffer;
    auto flush = [&] {
      if (std::fwrite(buffer.data(), 1, buffer.size(), file.get()) != buffer.size())
        throw Error(path + ": writing the CSV file failed (disk full?)");
      buffer.clear();
    };
    bool const images = !table.images().empty();
    fmt::format_to(std::back_inserter(buffer), "{}", images ? "image,label" : "label");
    for (auto const& name : table.names())
      fmt::format_to(std::back_inserter(buffer), ",{}", csv_field(name));
    buffer.push_back('\n');
    for (std::size_t r = 0; r < table.rows(); ++r) {
      if (images) fmt::format_to(std::back_inserter(buffer), "{},", table.images()[r]);
      if (table.label_type() == LabelType::uint64) {
        fmt::format_to(std::back_inserter(buffer), "{}", table.label_bits(r));
      } else {
        fmt::format_to(std::back_inserter(buffer), "{}", table.labels()[r]);
      }
      for (std::size_t c = 0; c < table.columns(); ++c) {
        buffer.push_back(',');
        append_number(buffer, table.column(c)[r]);
      }
      buffer.push_back('\n');
      if (buffer.size() > (1u << 16)) flush();
    }
    flush();
    if (std::fclose(file.release()) != 0)
      throw Error(path + ": closing the CSV file failed (disk full?)");
  }
  output.commit();
}

void write_table(std::string const& path, FeatureTable const& table, Attributes const& attributes,
                 Existing existing) {
  switch (table_format_for(path)) {
    case TableFormat::hdf5:
      write_table_hdf5(path, table, attributes, existing);
      break;
    case TableFormat::csv:
      write_table_csv(path, table, existing);
      break;
  }
}

}  // namespace bik::io
