// libFuzzer target: the CLI's option parser (src/cli/args.*) and the io argument parsers it
// feeds (FILE.h5:/dataset specs, output extensions). Input: NUL-separated arguments. Invalid
// arguments must end in bik::cli::UsageError or bik::Error, never anything else.
#include "args.hpp"

#include "bik/core/error.hpp"
#include "bik/io/dataset_spec.hpp"
#include "bik/io/write_table.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

std::vector<bik::cli::OptionSpec> const kMeasure{
    {"pixels"},        {"labels"},  {"out"},    {"features"},        {"no-edges", false},
    {"legacy", false}, {"backend"}, {"repeat"}, {"overwrite", false}};

void use(bik::cli::Options const& options) {
  for (auto const& spec : kMeasure) {
    if (!spec.takes_value) {
      (void)options.flag(spec.name);
      continue;
    }
    try {
      (void)options.required(spec.name);
    } catch (bik::cli::UsageError const&) {
    }
    (void)options.value_or(spec.name, "x");
  }
  try {
    (void)options.integer("repeat", 1, 1);
  } catch (bik::cli::UsageError const&) {
  }
  for (char const* name : {"pixels", "labels"}) {
    if (auto v = options.value(name)) {
      try {
        auto const spec = bik::io::parse_dataset_spec(*v);
        if (spec.dataset.empty() || spec.dataset[0] != '/') std::abort();  // documented promise
      } catch (bik::Error const&) {
      }
    }
  }
  if (auto out = options.value("out")) {
    try {
      (void)bik::io::table_format_for(*out);
    } catch (bik::Error const&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::vector<std::string> args;
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  if (!current.empty()) args.push_back(current);
  try {
    bik::cli::Options const options("measure", args, kMeasure);
    use(options);
  } catch (bik::cli::UsageError const&) {
  }
  try {
    bik::cli::Options const none("info", args, {});
    (void)none.help();
  } catch (bik::cli::UsageError const&) {
  }
  return 0;
}
