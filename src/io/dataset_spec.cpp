#include "bik/io/dataset_spec.hpp"

#include "bik/core/error.hpp"

namespace bik::io {

DatasetSpec parse_dataset_spec(std::string const& spec) {
  auto const colon = spec.rfind(':');
  if (colon == std::string::npos)
    throw Error("'" + spec + "': expected FILE.h5:/path/to/dataset (no ':' before the dataset)");
  DatasetSpec result{spec.substr(0, colon), spec.substr(colon + 1)};
  if (result.file.empty()) throw Error("'" + spec + "': the file name before ':' is empty");
  if (result.dataset.empty() || result.dataset == "/")
    throw Error("'" + spec + "': the dataset path after ':' is empty");
  if (result.dataset.front() != '/') result.dataset.insert(0, "/");
  return result;
}

}  // namespace bik::io
