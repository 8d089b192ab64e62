// Shared helpers of the bik::io tests: a scratch directory and tiny HDF5 C API writers for
// building input files of any dtype.
#ifndef BIK_TESTS_IO_HELPERS_HPP
#define BIK_TESTS_IO_HELPERS_HPP

#include "bik/core/error.hpp"

#include <doctest/doctest.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

namespace bik_io_test {

namespace fs = std::filesystem;

// A fresh empty directory, removed with its contents at scope exit.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("bik_io_tests_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(std::string const& name) const { return (path_ / name).string(); }
  // Names of the entries in the directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (auto const& e : fs::directory_iterator(path_))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path path_;
};

// Creates (or opens) `file` and writes a dataset of `file_type` from `memory_type` values.
inline void write_h5(std::string const& file, std::string const& name, hid_t file_type,
                     hid_t memory_type, std::vector<hsize_t> const& dims, void const* data) {
  H5Eset_auto(H5E_DEFAULT, nullptr, nullptr);
  hid_t f = fs::exists(file) ? H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)
                             : H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(f >= 0);
  hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t link = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(link, 1);
  hid_t d = H5Dcreate2(f, name.c_str(), file_type, space, link, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(d >= 0);
  bool empty = false;
  for (auto e : dims) empty = empty || e == 0;
  if (!empty) REQUIRE(H5Dwrite(d, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
  H5Dclose(d);
  H5Pclose(link);
  H5Sclose(space);
  H5Fclose(f);
}

// Creates an empty group in `file`.
inline void write_group(std::string const& file, std::string const& name) {
  hid_t f = fs::exists(file) ? H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)
                             : H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(f >= 0);
  hid_t g = H5Gcreate2(f, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(g >= 0);
  H5Gclose(g);
  H5Fclose(f);
}

// Reads a whole 1-D dataset as `memory_type` values of T.
template <class T>
std::vector<T> read_h5_1d(std::string const& file, std::string const& name, hid_t memory_type) {
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
  REQUIRE(d >= 0);
  hid_t space = H5Dget_space(d);
  REQUIRE(H5Sget_simple_extent_ndims(space) == 1);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  std::vector<T> values(n);
  if (n > 0) REQUIRE(H5Dread(d, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
  return values;
}

// Checks that `expression` throws bik::Error whose message contains every one of `parts`.
#define BIK_CHECK_ERROR(expression, ...)                                              \
  do {                                                                                \
    std::string message_;                                                             \
    try {                                                                             \
      (void)(expression);                                                             \
    } catch (bik::Error const& e) {                                                   \
      message_ = e.what();                                                            \
    }                                                                                 \
    INFO("message: " << message_);                                                    \
    CHECK_FALSE(message_.empty());                                                    \
    for (std::string const& part_ : std::vector<std::string>{__VA_ARGS__})            \
      CHECK_MESSAGE(message_.find(part_) != std::string::npos, "missing: " << part_); \
  } while (0)

}  // namespace bik_io_test

#endif
