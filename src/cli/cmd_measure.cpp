// `bik measure`: HDF5 inputs -> per-object features -> HDF5 or CSV table.
#include "args.hpp"
#include "commands.hpp"
#include "stopwatch.hpp"

#include "bik/backends.hpp"
#include "bik/config.hpp"
#include "bik/core/error.hpp"
#include "bik/io/io.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace bik::cli {

namespace {

std::vector<std::string> const& known_features() {
  static std::vector<std::string> const names{"intensity"};
  return names;
}

// Splits the --features list; bik::Error for an unknown or empty name. Duplicates collapse.
std::vector<std::string> parse_features(std::string const& list) {
  std::vector<std::string> features;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string const name = list.substr(start, end - start);
    auto const& known = known_features();
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw Error(fmt::format("unknown feature '{}' in --features; known features: {}", name,
                              fmt::join(known, ", ")));
    if (std::find(features.begin(), features.end(), name) == features.end())
      features.push_back(name);
    start = end + 1;
  }
  return features;
}

template <class T>
std::string shape_str(HostImage<T> const& image) {
  auto const& d = image.data;
  return image.rank == 2 ? fmt::format("({}, {})", d.extent(1), d.extent(2))
                         : fmt::format("({}, {}, {})", d.extent(0), d.extent(1), d.extent(2));
}

// Same shape, or 2D labels over a 3D stack of the same (Y,X); bik::Error naming both datasets
// otherwise.
void check_shapes(HostImage<std::int64_t> const& labels, io::DatasetSpec const& labels_spec,
                  HostImage<double> const& pixels, io::DatasetSpec const& pixels_spec) {
  auto const& l = labels.data;
  auto const& p = pixels.data;
  bool const same_plane = l.extent(1) == p.extent(1) && l.extent(2) == p.extent(2);
  bool const ok =
      same_plane && (labels.rank == 2 || (pixels.rank == 3 && l.extent(0) == p.extent(0)));
  if (!ok)
    throw Error(
        fmt::format("shape mismatch: labels {} have shape {} but pixels {} have shape {} "
                    "(labels must have the pixels' shape, or be 2D over a 3D stack)",
                    labels_spec.str(), shape_str(labels), pixels_spec.str(), shape_str(pixels)));
}

// Whether anything (file, directory, dangling symbolic link) is at `path`.
bool something_at(std::string const& path) {
  std::error_code ec;
  auto const type = std::filesystem::symlink_status(path, ec).type();
  return !ec && type != std::filesystem::file_type::not_found;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t const n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int run_measure(std::vector<std::string> const& args) {
  Options const options("measure", args,
                        {{"pixels"},
                         {"labels"},
                         {"out"},
                         {"features"},
                         {"no-edges", false},
                         {"legacy", false},
                         {"backend"},
                         {"repeat"},
                         {"overwrite", false}});
  // Everything that can be checked without reading is checked first, so mistakes fail fast and
  // nothing is written.
  auto const pixels_spec = io::parse_dataset_spec(options.required("pixels"));
  auto const labels_spec = io::parse_dataset_spec(options.required("labels"));
  std::string const out = options.required("out");
  auto const features = parse_features(options.value_or("features", "intensity"));
  std::string const backend = options.value_or("backend", default_backend());
  require_backend(backend);
  int const repeats = options.integer("repeat", 1, 1);
  io::table_format_for(out);
  io::check_output_path(out);
  // An existing output is kept unless --overwrite; checked again, atomically, at the rename.
  auto const existing = options.flag("overwrite") ? io::Existing::replace : io::Existing::keep;
  if (existing == io::Existing::keep && something_at(out))
    throw Error(out + ": already exists; pass --overwrite to replace it");
  IntensityOptions intensity;
  intensity.edges = !options.flag("no-edges");
  intensity.legacy = options.flag("legacy");
  int const threads = backend_concurrency(backend);

  Stopwatch watch;
  auto const labels = io::read_labels(labels_spec);
  auto const pixels = io::read_pixels(pixels_spec);
  double const read_ms = watch.elapsed_ms();
  check_shapes(labels, labels_spec, pixels, pixels_spec);

  FeatureTable table;
  std::vector<double> compute_ms;
  BackendWorkspaces workspaces;  // repeats reuse the buffers of the first run
  for (int r = 0; r < repeats; ++r) {
    watch.restart();
    table = measure_intensity(backend, labels, pixels, intensity, &workspaces);  // the only group
    Kokkos::fence();
    compute_ms.push_back(watch.elapsed_ms());
  }

  io::Attributes const attributes{{"bik_version", BIK_VERSION_STRING},
                                  {"kokkos_version", kokkos_version_string()},
                                  {"backend", backend},
                                  {"threads", std::to_string(threads)},
                                  {"features", fmt::format("{}", fmt::join(features, ","))},
                                  {"edges", intensity.edges ? "true" : "false"},
                                  {"legacy", intensity.legacy ? "true" : "false"},
                                  {"pixels", pixels_spec.str()},
                                  {"labels", labels_spec.str()}};
  watch.restart();
  io::write_table(out, table, attributes, existing);
  double const write_ms = watch.elapsed_ms();

  std::cout << fmt::format(
      "measured {} objects in a {} image of shape {} on {} ({} threads): {} features "
      "({}{}{})\nwrote {}\n",
      table.rows(), pixels.rank == 2 ? "2D" : "3D", shape_str(pixels), backend, threads,
      table.columns(), fmt::join(features, ","), intensity.edges ? ", edges" : ", no edges",
      intensity.legacy ? ", legacy" : "", out);
  std::cout.flush();
  std::cerr << fmt::format(
      "timing read_ms={:.3f} compute_ms_min={:.3f} compute_ms_median={:.3f} write_ms={:.3f} "
      "repeats={} backend={} threads={}\n",
      read_ms, *std::min_element(compute_ms.begin(), compute_ms.end()), median(compute_ms),
      write_ms, repeats, backend, threads);
  return 0;
}

}  // namespace bik::cli
