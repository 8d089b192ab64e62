// `bik measure`: HDF5 inputs -> per-object features -> HDF5 or CSV table.
#include "args.hpp"
#include "backend_registry.hpp"
#include "commands.hpp"
#include "stopwatch.hpp"

#include "bik/config.hpp"
#include "bik/core/error.hpp"
#include "bik/io/io.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace bik::cli {

namespace {

std::vector<std::string> const& known_features() {
  static std::vector<std::string> const names{"intensity", "granularity", "zernike",
                                              "radial-zernike", "all"};
  return names;
}

// Splits the --features list; bik::Error for an unknown or empty name. Duplicates collapse;
// `all` stays a name of its own until the inputs are read (see expand_all).
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

// `all` replaced by every feature set, in the order of known_features(), except the 2D-only
// Zernike sets when an input is 3D (as cp_measure's featurizer skips them); sets named
// explicitly stay (and a 3D input then gets their "2D only" error).
std::vector<std::string> expand_all(std::vector<std::string> const& features, bool three_d) {
  std::vector<std::string> out;
  auto add = [&out](std::string const& name) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  };
  for (std::string const& name : features) {
    if (name != "all") {
      add(name);
      continue;
    }
    for (std::string const& one : known_features()) {
      bool const two_d_only = one == "zernike" || one == "radial-zernike";
      if (one != "all" && !(three_d && two_d_only)) add(one);
    }
  }
  return out;
}

bool wants(std::vector<std::string> const& features, char const* name) {
  return std::find(features.begin(), features.end(), name) != features.end();
}

// A sampling factor option in (0, 1]; UsageError naming the option otherwise.
double sampling_factor(Options const& options, std::string const& name, double fallback) {
  auto const text = options.value(name);
  if (!text) return fallback;
  char* end = nullptr;
  double const v = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || !(v > 0.0 && v <= 1.0))
    throw UsageError("option '--" + name + "' expects a number in (0, 1], got '" + *text + "'",
                     "measure");
  return v;
}

// The shape of a host image of any element type.
struct Layout {
  std::int64_t planes_total, y, x;  // all planes of all images, rows, columns
  int rank;                         // of one image: 2 or 3
  std::int64_t images;
  std::int64_t planes() const { return planes_total / images; }
};

template <class Image>
Layout layout_of(Image const& any) {
  return std::visit(
      [](auto const& image) {
        auto const& d = image.data;
        return Layout{static_cast<std::int64_t>(d.extent(0)),
                      static_cast<std::int64_t>(d.extent(1)),
                      static_cast<std::int64_t>(d.extent(2)), image.rank, image.images};
      },
      any);
}

std::string shape_str(Layout const& l) {
  std::string const element = l.rank == 2 ? fmt::format("({}, {})", l.y, l.x)
                                          : fmt::format("({}, {}, {})", l.planes(), l.y, l.x);
  return l.images > 1 ? fmt::format("{} x {}", l.images, element) : element;
}

// Same shape, or 2D labels over a 3D stack of the same (Y,X); a batch pairs with a batch of the
// same size and element shape. bik::Error naming both datasets otherwise.
void check_shapes(Layout const& l, io::DatasetSpec const& labels_spec, Layout const& p,
                  io::DatasetSpec const& pixels_spec) {
  bool const same_plane = l.y == p.y && l.x == p.x;
  bool const ok = l.images == p.images && same_plane &&
                  (l.images > 1 ? l.planes_total == p.planes_total
                                : l.rank == 2 || (p.rank == 3 && l.planes_total == p.planes_total));
  if (!ok)
    throw Error(
        fmt::format("shape mismatch: labels {} have shape {} but pixels {} have shape {} "
                    "(labels must have the pixels' shape, or be 2D over a 3D stack)",
                    labels_spec.str(), shape_str(l), pixels_spec.str(), shape_str(p)));
}

// One image pair of the input.
struct Input {
  io::DatasetSpec pixels_spec, labels_spec;
  io::LabelImage labels;
  io::PixelImage pixels;
};

// The pairs named by a --list file: one "PIXELS.h5:/ds LABELS.h5:/ds" pair per line; blank
// lines and lines starting with '#' are skipped. bik::Error naming the file and line otherwise.
std::vector<std::pair<io::DatasetSpec, io::DatasetSpec>> read_list(std::string const& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("{}: cannot open the --list file", path));
  std::vector<std::pair<io::DatasetSpec, io::DatasetSpec>> pairs;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream words(line);
    std::string pixels, labels, extra;
    if (!(words >> pixels) || pixels[0] == '#') continue;
    if (!(words >> labels) || (words >> extra))
      throw Error(fmt::format("{}:{}: expected 'PIXELS.h5:/dataset LABELS.h5:/dataset', got '{}'",
                              path, number, line));
    pairs.emplace_back(io::parse_dataset_spec(pixels), io::parse_dataset_spec(labels));
  }
  if (pairs.empty()) throw Error(fmt::format("{}: the --list file names no image pairs", path));
  return pairs;
}

// The images of `all` (same element type and shape) one after another along Z, as a batch.
template <class T, class Any>
HostImage<T> stack_images(std::vector<Any const*> const& all) {
  auto const& first = std::get<HostImage<T>>(*all.front()).data;
  std::size_t const voxels = first.size();
  Kokkos::View<T***, Kokkos::LayoutRight, Kokkos::HostSpace> stacked(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("bik::cli::batch")),
      first.extent(0) * all.size(), first.extent(1), first.extent(2));
  for (std::size_t b = 0; b < all.size(); ++b)
    std::memcpy(stacked.data() + b * voxels, std::get<HostImage<T>>(*all[b]).data.data(),
                voxels * sizeof(T));
  HostImage<T> batch;
  batch.data = stacked;
  batch.rank = std::get<HostImage<T>>(*all.front()).rank;
  batch.images = static_cast<std::int64_t>(all.size());
  return batch;
}

template <class Any>
Any stack_any(std::vector<Any const*> const& all) {
  return std::visit(
      [&](auto const& first) -> Any {
        using T = typename std::decay_t<decltype(first.data)>::non_const_value_type;
        return stack_images<T>(all);
      },
      *all.front());
}

// Single images of one shape and element types become one batch (one kernel sequence for all
// of them); nullptr if the inputs are not such images.
std::unique_ptr<Input> as_batch(std::vector<Input> const& inputs) {
  if (inputs.size() < 2) return nullptr;
  Input const& first = inputs.front();
  Layout const shape = layout_of(first.pixels);
  std::vector<io::LabelImage const*> labels;
  std::vector<io::PixelImage const*> pixels;
  for (auto const& in : inputs) {
    Layout const l = layout_of(in.labels), p = layout_of(in.pixels);
    if (p.images != 1 || l.rank != p.rank || p.rank != shape.rank ||
        p.planes_total != shape.planes_total || l.planes_total != p.planes_total ||
        p.y != shape.y || p.x != shape.x || in.labels.index() != first.labels.index() ||
        in.pixels.index() != first.pixels.index())
      return nullptr;
    labels.push_back(&in.labels);
    pixels.push_back(&in.pixels);
  }
  return std::make_unique<Input>(
      Input{first.pixels_spec, first.labels_spec, stack_any(labels), stack_any(pixels)});
}

// A ragged list of single images, measured for intensity only, as one batch: the images padded
// to their largest extents and stacked, as bik::measure_intensity_batch does with a list of
// Views (padding repeats the nearest label and has NaN pixels, so every image keeps its own
// objects, values and edge voxels); pixels become float64, as the kernels read them anyway.
// nullptr when that does not apply: other features, mixed ranks or label types, 2D labels over
// 3D pixels, or 3D images all one plane deep (a (B,1,Y,X) batch is measured as 2D).
std::unique_ptr<Input> as_padded_batch(std::vector<Input> const& inputs,
                                       std::vector<std::string> const& features) {
  if (inputs.size() < 2 || features != std::vector<std::string>{"intensity"}) return nullptr;
  Input const& first = inputs.front();
  int const rank = layout_of(first.pixels).rank;
  std::int64_t nz = 0, ny = 0, nx = 0;
  for (auto const& in : inputs) {
    Layout const l = layout_of(in.labels), p = layout_of(in.pixels);
    if (p.images != 1 || l.images != 1 || l.rank != p.rank || p.rank != rank ||
        l.planes_total != p.planes_total || in.labels.index() != first.labels.index())
      return nullptr;
    nz = std::max(nz, p.planes_total);
    ny = std::max(ny, p.y);
    nx = std::max(nx, p.x);
  }
  if (rank == 3 && nz == 1) return nullptr;
  auto const images = static_cast<std::int64_t>(inputs.size());
  Kokkos::View<double***, Kokkos::LayoutRight, Kokkos::HostSpace> pixels(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("bik::cli::ragged_pixels")),
      images * nz, ny, nx);
  auto const near = [](std::int64_t i, std::size_t extent) {
    return std::min(i, static_cast<std::int64_t>(extent) - 1);
  };
  io::LabelImage labels = std::visit(
      [&](auto const& first_labels) -> io::LabelImage {
        using T = typename std::decay_t<decltype(first_labels.data)>::non_const_value_type;
        Kokkos::View<T***, Kokkos::LayoutRight, Kokkos::HostSpace> stacked(
            Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("bik::cli::ragged_labels")),
            images * nz, ny, nx);
        for (std::int64_t b = 0; b < images; ++b) {
          auto const& d = std::get<HostImage<T>>(inputs[b].labels).data;
          for (std::int64_t z = 0; z < nz; ++z)
            for (std::int64_t y = 0; y < ny; ++y)
              for (std::int64_t x = 0; x < nx; ++x)
                stacked(b * nz + z, y, x) =
                    d(near(z, d.extent(0)), near(y, d.extent(1)), near(x, d.extent(2)));
        }
        HostImage<T> batch;
        batch.data = stacked;
        batch.rank = rank;
        batch.images = images;
        return batch;
      },
      first.labels);
  for (std::int64_t b = 0; b < images; ++b)
    std::visit(
        [&](auto const& image) {
          auto const& d = image.data;
          std::int64_t const dz = d.extent(0), dy = d.extent(1), dx = d.extent(2);
          for (std::int64_t z = 0; z < nz; ++z)
            for (std::int64_t y = 0; y < ny; ++y)
              for (std::int64_t x = 0; x < nx; ++x)
                pixels(b * nz + z, y, x) = z < dz && y < dy && x < dx
                                               ? static_cast<double>(d(z, y, x))
                                               : std::numeric_limits<double>::quiet_NaN();
        },
        inputs[b].pixels);
  HostImage<double> pixel_batch;
  pixel_batch.data = pixels;
  pixel_batch.rank = rank;
  pixel_batch.images = images;
  return std::make_unique<Input>(
      Input{first.pixels_spec, first.labels_spec, std::move(labels), std::move(pixel_batch)});
}

// --schedule thread | team | team:N (a team of N threads per object); empty: the default.
ObjectSchedule parse_schedule(std::string const& text) {
  ObjectSchedule schedule;
  if (text.empty()) return schedule;
  if (text == "thread") {
    schedule.shape = ObjectSchedule::Shape::thread_per_object;
    return schedule;
  }
  if (text.rfind("team", 0) == 0) {
    schedule.shape = ObjectSchedule::Shape::team_per_object;
    if (text.size() == 4) return schedule;
    std::string const size = text.substr(4);
    if (size.size() >= 2 && size[0] == ':' &&
        size.find_first_not_of("0123456789", 1) == std::string::npos && size.size() <= 5 &&
        std::stoi(size.substr(1)) >= 1) {
      schedule.team_size = std::stoi(size.substr(1));
      return schedule;
    }
  }
  throw Error(
      fmt::format("--schedule must be 'thread', 'team' or 'team:N' with N >= 1, got '{}'", text));
}

// Whether anything (file, directory, dangling symbolic link) is at `path`.
bool something_at(std::string const& path) {
  std::error_code ec;
  auto const type = std::filesystem::symlink_status(path, ec).type();
  return !ec && type != std::filesystem::file_type::not_found;
}

// Appends the columns of `more` to `table`; both describe the same objects (one row per
// present label, ascending), which every feature set guarantees.
void join_columns(FeatureTable& table, FeatureTable const& more) {
  require(table.labels() == more.labels(), "bik measure",
          "feature sets disagree on the objects of an image");
  for (std::size_t c = 0; c < more.columns(); ++c)
    table.add_column(more.names()[c], more.column(c));
}

// One table per image with the columns of every feature set in `features`, in that order.
std::vector<FeatureTable> measure_features(ResidentImages& images,
                                           std::vector<std::string> const& features,
                                           IntensityOptions const& intensity,
                                           GranularityOptions const& granularity,
                                           ZernikeOptions const& zernike) {
  std::vector<FeatureTable> tables;
  for (auto const& feature : features) {
    std::vector<FeatureTable> part =
        feature == "intensity"     ? images.measure_intensity(intensity)
        : feature == "granularity" ? images.measure_granularity(granularity)
        : feature == "zernike"     ? images.measure_zernike(ZernikeKind::shape, zernike)
                                   : images.measure_zernike(ZernikeKind::radial, zernike);
    if (tables.empty()) {
      tables = std::move(part);
      continue;
    }
    for (std::size_t i = 0; i < tables.size(); ++i) join_columns(tables[i], part.at(i));
  }
  return tables;
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
                         {"list"},
                         {"out"},
                         {"features"},
                         {"no-edges", false},
                         {"legacy", false},
                         {"backend"},
                         {"schedule"},
                         {"repeat"},
                         {"zernike-degree"},
                         {"overwrite", false},
                         {"subsample-size"},
                         {"image-sample-size"},
                         {"element-size"},
                         {"granular-spectrum-length"},
                         {"cp-measure-3d-background", false}});
  // Everything that can be checked without reading is checked first, so mistakes fail fast and
  // nothing is written.
  std::vector<std::pair<io::DatasetSpec, io::DatasetSpec>> specs;
  if (auto const list = options.value("list")) {
    if (options.value("pixels") || options.value("labels"))
      throw UsageError("--list replaces --pixels and --labels; give one or the other", "measure");
    specs = read_list(*list);
  } else {
    specs.emplace_back(io::parse_dataset_spec(options.required("pixels")),
                       io::parse_dataset_spec(options.required("labels")));
  }
  std::string const out = options.required("out");
  auto const requested = parse_features(options.value_or("features", "intensity"));
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
  intensity.schedule = parse_schedule(options.value_or("schedule", ""));
  ZernikeOptions zernike;
  zernike.degree = options.integer("zernike-degree", 9, 0);
  zernike.schedule = intensity.schedule;
  check_zernike_degree(zernike.degree, "--zernike-degree");
  GranularityOptions granularity;
  granularity.subsample_size = sampling_factor(options, "subsample-size", 0.25);
  granularity.image_sample_size = sampling_factor(options, "image-sample-size", 0.25);
  granularity.element_size = options.integer("element-size", 10, 0);
  granularity.granular_spectrum_length = options.integer("granular-spectrum-length", 16, 1);
  granularity.cp_measure_3d_background = options.flag("cp-measure-3d-background");
  granularity.schedule = intensity.schedule;
  int const threads = backend_concurrency(backend);

  Stopwatch watch;
  std::vector<Input> inputs;
  for (auto const& [pixels_spec, labels_spec] : specs) {
    Input in{pixels_spec, labels_spec, io::read_label_image(labels_spec),
             io::read_pixel_image(pixels_spec)};
    check_shapes(layout_of(in.labels), labels_spec, layout_of(in.pixels), pixels_spec);
    inputs.push_back(std::move(in));
  }
  double const read_ms = watch.elapsed_ms();
  bool const three_d = std::any_of(inputs.begin(), inputs.end(),
                                   [](Input const& in) { return layout_of(in.pixels).rank == 3; });
  auto const features = expand_all(requested, three_d);

  // Inputs go to the backend once (a list of same-shape images as one batch, a ragged list for
  // intensity padded into one); repeats time the computation alone.
  watch.restart();
  std::unique_ptr<Input> batch = as_batch(inputs);
  if (!batch) batch = as_padded_batch(inputs, features);
  std::vector<std::unique_ptr<ResidentImages>> resident;
  if (batch) {
    resident.push_back(std::make_unique<ResidentImages>(backend, batch->labels, batch->pixels));
  } else {
    for (auto const& in : inputs)
      resident.push_back(std::make_unique<ResidentImages>(backend, in.labels, in.pixels));
  }
  Kokkos::fence();
  double const transfer_ms = watch.elapsed_ms();

  std::vector<FeatureTable> tables;
  std::vector<double> compute_ms;
  for (int r = 0; r < repeats; ++r) {
    watch.restart();
    tables.clear();
    for (auto const& images : resident)
      for (auto& table : measure_features(*images, features, intensity, granularity, zernike))
        tables.push_back(std::move(table));
    Kokkos::fence();
    compute_ms.push_back(watch.elapsed_ms());
  }
  Layout const first = layout_of(inputs.front().pixels);
  bool const stacked = tables.size() > 1 || inputs.size() > 1 || first.images > 1;
  FeatureTable const table = stacked ? FeatureTable::stack(tables) : std::move(tables.front());

  std::string inputs_attribute;
  for (auto const& in : inputs)
    inputs_attribute +=
        (inputs_attribute.empty() ? "" : ";") + in.pixels_spec.str() + " " + in.labels_spec.str();
  io::Attributes attributes{{"bik_version", BIK_VERSION_STRING},
                            {"kokkos_version", kokkos_version_string()},
                            {"backend", backend},
                            {"threads", std::to_string(threads)},
                            {"features", fmt::format("{}", fmt::join(features, ","))},
                            {"edges", intensity.edges ? "true" : "false"},
                            {"legacy", intensity.legacy ? "true" : "false"},
                            {"pixels", inputs.front().pixels_spec.str()},
                            {"labels", inputs.front().labels_spec.str()},
                            {"inputs", inputs_attribute}};
  if (wants(features, "zernike") || wants(features, "radial-zernike"))
    attributes.emplace_back("zernike_degree", std::to_string(zernike.degree));
  if (wants(features, "granularity")) {
    attributes.emplace_back("subsample_size", fmt::format("{}", granularity.subsample_size));
    attributes.emplace_back("image_sample_size", fmt::format("{}", granularity.image_sample_size));
    attributes.emplace_back("element_size", std::to_string(granularity.element_size));
    attributes.emplace_back("granular_spectrum_length",
                            std::to_string(granularity.granular_spectrum_length));
    if (granularity.cp_measure_3d_background)
      attributes.emplace_back("cp_measure_3d_background", "true");
  }
  watch.restart();
  io::write_table(out, table, attributes, existing);
  double const write_ms = watch.elapsed_ms();

  std::string const what = stacked ? fmt::format("{} images", tables.size())
                                   : fmt::format("a {} image of shape {}",
                                                 first.rank == 2 ? "2D" : "3D", shape_str(first));
  std::cout << fmt::format(
      "measured {} objects in {} on {} ({} threads): {} features ({}{}{})\nwrote {}\n",
      table.rows(), what, backend, threads, table.columns(), fmt::join(features, ","),
      intensity.edges ? ", edges" : ", no edges", intensity.legacy ? ", legacy" : "", out);
  std::cout.flush();
  std::cerr << fmt::format(
      "timing read_ms={:.3f} transfer_ms={:.3f} compute_ms_min={:.3f} compute_ms_median={:.3f} "
      "write_ms={:.3f} repeats={} images={} backend={} threads={}\n",
      read_ms, transfer_ms, *std::min_element(compute_ms.begin(), compute_ms.end()),
      median(compute_ms), write_ms, repeats, tables.size(), backend, threads);
  return 0;
}

}  // namespace bik::cli
