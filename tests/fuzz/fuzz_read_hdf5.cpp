// libFuzzer target: bik::io's HDF5 reader path on arbitrary file contents. The input is written
// to a temporary .h5 file and read through inspect_dataset, read_labels and read_pixels for a few
// dataset paths. Every malformed file must end in bik::Error, never in a crash or another
// exception. Datasets that declare more than 2^20 elements are inspected but not read: that
// bounds the harness's memory, it is no statement about bik (which reads what fits in memory).
// After each input no HDF5 object may remain open: bik must close every handle on every path.
//
// Leak detection is off for this target (cmake/check-fuzz.sh): HDF5 1.10.8 itself leaks the
// object-header cache entries of a file whose H5Fopen fails half-way (stack: H5Fopen ->
// H5F_open -> H5G_mkroot -> H5O_protect), which bik cannot release since it gets no handle.
// The open-object count below catches leaks on bik's side instead.
#include "bik/core/error.hpp"
#include "bik/io/read_image.hpp"

#include <hdf5.h>
#include <Kokkos_Core.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

std::string g_path;

template <class Read>
void try_read(Read const& read) {
  try {
    read();
  } catch (bik::Error const&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Kokkos::InitArguments args;
  args.num_threads = 1;
  args.disable_warnings = true;
  Kokkos::initialize(args);
  char const* tmp = std::getenv("TMPDIR");
  g_path = std::string(tmp && *tmp ? tmp : "/tmp") + "/bik-fuzz-read-" +
           std::to_string(::getpid()) + ".h5";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::FILE* f = std::fopen(g_path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  for (char const* name : {"/labels", "/pixels", "/data", "/g/x"}) {
    bik::io::DatasetSpec const spec{g_path, name};
    bool small = false;
    try_read([&] {
      auto const info = bik::io::inspect_dataset(spec);
      long double n = 1;
      for (auto e : info.shape) n *= static_cast<long double>(e);
      small = n <= (1 << 20);
    });
    if (!small) continue;
    try_read([&] { (void)bik::io::read_labels(spec); });
    try_read([&] { (void)bik::io::read_pixels(spec); });
  }
  std::remove(g_path.c_str());
  ssize_t const open_objects = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  if (open_objects != 0) {
    std::fprintf(stderr, "%zd HDF5 objects left open after reading\n", open_objects);
    std::abort();
  }
  return 0;
}
