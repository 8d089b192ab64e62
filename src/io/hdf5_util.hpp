// Private helpers of bik::io for the HDF5 C API: owning handles, error-stack silencing, and
// dtype descriptions.
#ifndef BIK_SRC_IO_HDF5_UTIL_HPP
#define BIK_SRC_IO_HDF5_UTIL_HPP

#include <hdf5.h>

#include <string>
#include <utility>
#include <vector>

namespace bik::io::detail {

// An owning HDF5 identifier, closed with the matching H5?close function. Move-only.
class Hid {
 public:
  using Closer = herr_t (*)(hid_t);
  Hid() = default;
  Hid(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Hid(Hid&& other) noexcept : id_(std::exchange(other.id_, -1)), closer_(other.closer_) {}
  Hid& operator=(Hid&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, -1);
      closer_ = other.closer_;
    }
    return *this;
  }
  Hid(Hid const&) = delete;
  Hid& operator=(Hid const&) = delete;
  ~Hid() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Closes now; returns false if HDF5 reported an error (e.g. a failed flush on a file).
  bool close() {
    herr_t status = 0;
    if (id_ >= 0 && closer_ != nullptr) status = closer_(id_);
    id_ = -1;
    return status >= 0;
  }

 private:
  void reset() { close(); }
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

// Turns off HDF5's automatic printing of its error stack, so users see only bik's messages.
// Idempotent and cheap; every bik::io entry point calls it.
void silence_hdf5_errors();

// Description of a file datatype: "uint8".."uint64", "int8".."int64", "float32", "float64" for
// the supported ones; otherwise e.g. "float16", "string", "compound", "enum (e.g. bool)".
struct TypeDescription {
  std::string name;
  bool supported = false;
  bool is_integer = false;
  bool is_signed = false;
  std::size_t size = 0;  // bytes per element
};
TypeDescription describe_type(hid_t type);

// Creates a new HDF5 file at `path` (which must not exist). Throws bik::Error mentioning
// `target`, the name the user asked for, on failure.
Hid create_file(std::string const& path, std::string const& target);

// Writes a dataset of shape `dims` at `name` (intermediate groups created): contiguous, no
// compression, stored as `file_type`, from `data` in `memory_type`. Throws bik::Error mentioning
// `target` on failure.
void write_dataset(hid_t file, std::string const& name, hid_t file_type, hid_t memory_type,
                   std::vector<hsize_t> const& dims, void const* data, std::string const& target);

// The two halves of write_dataset, for writing a dataset in parts: create it (contiguous, no
// compression, values unset), then write the hyperslab start + count of it from `data`.
void create_dataset(hid_t file, std::string const& name, hid_t file_type,
                    std::vector<hsize_t> const& dims, std::string const& target);
void write_hyperslab(hid_t file, std::string const& name, hid_t memory_type,
                     std::vector<hsize_t> const& start, std::vector<hsize_t> const& count,
                     void const* data, std::string const& target);

// Closes a file created with create_file, reporting a failed flush as bik::Error.
void close_file(Hid& file, std::string const& target);

}  // namespace bik::io::detail

#endif
