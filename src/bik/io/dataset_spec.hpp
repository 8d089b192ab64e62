// "FILE.h5:/path/to/dataset" specifications, as the bik CLI takes them on its command line.
#ifndef BIK_IO_DATASET_SPEC_HPP
#define BIK_IO_DATASET_SPEC_HPP

#include <string>

namespace bik::io {

// One dataset inside one HDF5 file.
struct DatasetSpec {
  std::string file;     // path of the HDF5 file
  std::string dataset;  // absolute path of the dataset inside it, always starting with '/'

  // "FILE:/dataset", the form parse_dataset_spec reads.
  std::string str() const { return file + ":" + dataset; }
};

// Splits "FILE.h5:/path/to/dataset" at its last ':' and makes the dataset path absolute
// ("FILE.h5:pixels" names "/pixels"). Throws bik::Error, quoting the spec, if there is no ':',
// or if the file or dataset part is empty. Does not touch the file system.
DatasetSpec parse_dataset_spec(std::string const& spec);

}  // namespace bik::io

#endif
