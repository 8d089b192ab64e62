// `bik n4`: N4 bias-field correction of an HDF5 image (ITK semantics, bik/n4/correct.hpp), with
// progress on stderr and a summary on stdout; writes the corrected image and, on request, the
// log bias field, as float32 datasets for float32 input and float64 ones otherwise.
#include "args.hpp"
#include "backend_registry.hpp"
#include "commands.hpp"
#include "peak_memory.hpp"
#include "stopwatch.hpp"

#include "bik/config.hpp"
#include "bik/core/error.hpp"
#include "bik/io/io.hpp"
#include "bik/n4/correct.hpp"
#include "bik/n4/correct_sections.hpp"
#include "bik/n4/sections.hpp"

#include <fmt/format.h>
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace bik::cli {

namespace {

// "50x50x50x50" -> {50, 50, 50, 50}; bik::Error for anything else.
std::vector<int> parse_iterations(std::string const& text) {
  std::vector<int> counts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('x', start);
    if (end == std::string::npos) end = text.size();
    std::string const item = text.substr(start, end - start);
    if (item.empty() || item.size() > 6 ||
        item.find_first_not_of("0123456789") != std::string::npos || std::stoi(item) < 1)
      throw Error("--iterations must be counts >= 1 joined by 'x' (e.g. 50x50x50x50), got '" +
                  text + "'");
    counts.push_back(std::stoi(item));
    start = end + 1;
  }
  return counts;
}

double parse_real(std::string const& name, std::string const& text) {
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (std::exception const&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw Error("--" + name + " must be a number, got '" + text + "'");
  return value;
}

// "1" -> {1, 1, 1}; "z,y,x" -> {z, y, x}; positive numbers.
void parse_voxel_size(std::string const& text, double (&size)[3]) {
  std::vector<double> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    values.push_back(parse_real("voxel-size-mm", text.substr(start, end - start)));
    start = end + 1;
  }
  if (values.size() != 1 && values.size() != 3)
    throw Error("--voxel-size-mm takes one size or three (z,y,x), got '" + text + "'");
  for (int d = 0; d < 3; ++d) size[d] = values[values.size() == 1 ? 0 : d];
}

bool something_at(std::string const& path) {
  std::error_code ec;
  auto const type = std::filesystem::symlink_status(path, ec).type();
  return !ec && type != std::filesystem::file_type::not_found;
}

// The outputs in host memory, in the input's element type (C order).
template <class T>
struct Result {
  n4::N4Report report;
  Kokkos::View<T***, Kokkos::LayoutRight, Kokkos::HostSpace> corrected, log_bias;
};

// Runs N4 on `space` with the image and mask in host memory.
template <class Space, class T>
Result<T> run_on(Space const& space, HostImage<T> const& image,
                 std::optional<HostImage<std::int64_t>> const& mask, bool want_bias,
                 n4::N4Options const& options) {
  using MS = typename Space::memory_space;
  auto const& h = image.data;
  auto input = Kokkos::create_mirror_view_and_copy(MS(), h);
  Kokkos::View<T***, Kokkos::LayoutRight, MS> out("bik::n4::corrected", h.extent(0), h.extent(1),
                                                  h.extent(2));
  Kokkos::View<T***, Kokkos::LayoutRight, MS> bias;
  if (want_bias) bias = decltype(bias)("bik::n4::log_bias", h.extent(0), h.extent(1), h.extent(2));
  n4::N4Images<T, std::int64_t, MS> images;
  images.input = as_volume(input);
  images.rank = image.rank;
  Kokkos::View<std::int64_t const***, Kokkos::LayoutRight, MS> mask_view;
  if (mask) {
    mask_view = Kokkos::create_mirror_view_and_copy(MS(), mask->data);
    images.mask = as_volume(mask_view);
  }
  images.corrected = n4::as_writable_volume(out);
  if (want_bias) images.log_bias = n4::as_writable_volume(bias);
  Workspace<MS> ws;
  Result<T> r;
  r.report = n4::correct(space, images, options, &ws);
  // No copy on host spaces: the mirror is the View itself.
  r.corrected = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  if (want_bias) r.log_bias = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), bias);
  return r;
}

template <class T>
Result<T> run_backend(std::string const& backend, HostImage<T> const& image,
                      std::optional<HostImage<std::int64_t>> const& mask, bool want_bias,
                      n4::N4Options const& options) {
#if BIK_HAS_CUDA
  if (backend == "cuda") return run_on(Kokkos::Cuda(), image, mask, want_bias, options);
#endif
#if BIK_HAS_OPENMP
  if (backend == "openmp") return run_on(Kokkos::OpenMP(), image, mask, want_bias, options);
#endif
#if BIK_HAS_SERIAL
  if (backend == "serial") return run_on(Kokkos::Serial(), image, mask, want_bias, options);
#endif
  throw Error("backend '" + backend + "' is not compiled in");
}

// The input as float or double (other element types are read as double).
using N4Input = std::variant<HostImage<float>, HostImage<double>>;

N4Input read_input(io::DatasetSpec const& spec) {
  auto info = io::inspect_dataset(spec);
  if (info.dtype == "float32") return std::get<HostImage<float>>(io::read_pixel_image(spec));
  return io::read_pixels(spec);
}

// A section's planes as T (float32 as stored, any other type as float64).
template <class T>
HostImage<T> read_section(io::DatasetSpec const& spec, std::int64_t z0, std::int64_t z1) {
  return std::visit(
      [](auto const& image) {
        using Stored = typename std::decay_t<decltype(image.data)>::non_const_value_type;
        if constexpr (std::is_same<Stored, T>::value) {
          return image;
        } else {
          Kokkos::View<T***, Kokkos::LayoutRight, Kokkos::HostSpace> converted(
              Kokkos::view_alloc(Kokkos::WithoutInitializing, "bik::n4::section"),
              image.data.extent(0), image.data.extent(1), image.data.extent(2));
          for (std::size_t i = 0; i < converted.size(); ++i)
            converted.data()[i] = static_cast<T>(image.data.data()[i]);
          return HostImage<T>{converted, image.rank, image.images};
        }
      },
      io::read_pixel_planes(spec, z0, z1));
}

struct SectionsRun {
  io::DatasetSpec in, out;
  std::optional<io::DatasetSpec> mask, bias;
  std::vector<std::int64_t> shape;  // (Z, Y, X); Z = 1 for 2D
  int rank = 3;
  std::int64_t sections = 1;
  bool global_pass = false;
  std::string backend;
  bool quiet = false;
  double global_spline_distance_mm = n4::SectionsOptions().global_spline_distance_mm;
};

// Where the sections' outputs go, and the time spent reading and writing them.
struct SectionFiles {
  io::ImageFileWriter* out = nullptr;
  io::ImageFileWriter* bias = nullptr;  // the writer of the bias dataset (may be `out`)
  std::size_t bias_index = 0;           // its index in that writer
  double read_ms = 0.0, write_ms = 0.0;
};

// The per-section driver (bik/n4/correct_sections.hpp) on `space`, planes read from and
// written to the HDF5 files.
template <class Space, class T>
n4::SectionsReport sections_on(Space const& space, SectionsRun const& run,
                               n4::N4Options const& options, n4::SectionsOptions const& how,
                               SectionFiles& files) {
  using MS = typename Space::memory_space;
  using Planes = n4::SectionPlanes<T, std::int64_t, MS>;
  Stopwatch watch;
  auto read = [&](std::int64_t z0, std::int64_t z1) {
    watch.restart();
    HostImage<T> const image = read_section<T>(run.in, z0, z1);
    Planes planes;
    planes.input = Kokkos::create_mirror_view_and_copy(MS(), image.data);
    if (run.mask)
      planes.mask =
          Kokkos::create_mirror_view_and_copy(MS(), io::read_label_planes(*run.mask, z0, z1).data);
    files.read_ms += watch.elapsed_ms();
    return planes;
  };
  auto write = [&](std::int64_t z0, std::int64_t z1, auto const& corrected, auto const& bias) {
    watch.restart();
    // No copy on host spaces: the mirror is the View itself.
    files.out->write_planes(
        0, z0, z1, Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), corrected).data());
    if (files.bias)
      files.bias->write_planes(
          files.bias_index, z0, z1,
          Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), bias).data());
    files.write_ms += watch.elapsed_ms();
  };
  Workspace<MS> ws;
  Shape3 const shape{run.shape[0], run.shape[1], run.shape[2]};
  return n4::correct_sections<T, std::int64_t>(space, shape, run.rank, options, how, read, write,
                                               &ws);
}

template <class T>
n4::SectionsReport sections_backend(SectionsRun const& run, n4::N4Options const& options,
                                    n4::SectionsOptions const& how, SectionFiles& files) {
#if BIK_HAS_CUDA
  if (run.backend == "cuda") return sections_on<Kokkos::Cuda, T>({}, run, options, how, files);
#endif
#if BIK_HAS_OPENMP
  if (run.backend == "openmp") return sections_on<Kokkos::OpenMP, T>({}, run, options, how, files);
#endif
#if BIK_HAS_SERIAL
  if (run.backend == "serial") return sections_on<Kokkos::Serial, T>({}, run, options, how, files);
#endif
  throw Error("backend '" + run.backend + "' is not compiled in");
}

// `bik n4 --sections N [--sections-global]`: each section of planes is read, corrected
// independently and written before the next is read (HDF5 hyperslabs), so memory holds one
// section's input, outputs and working grid, never the whole volume. With --sections-global,
// the sections are read twice: once to fit them (their corrected planes sampled onto the whole
// volume's shrunk grid, for the global fit), once to divide them by both fields.
template <class T>
int run_sections(SectionsRun const& run, n4::N4Options options) {
  std::int64_t const n = run.sections;
  std::int64_t stage = 0;
  int const levels = static_cast<int>(options.iterations.size());
  if (!run.quiet)
    options.progress = [&](int level, int iteration, double convergence) {
      std::string const what =
          stage == n ? std::string("global pass") : fmt::format("section {}/{}", stage + 1, n);
      std::cerr << fmt::format("n4: {} level {}/{} iteration {}/{} convergence {:.9g}\n", what,
                               level + 1, levels, iteration, options.iterations[level],
                               convergence);
    };
  n4::SectionsOptions how;
  how.sections = n;
  how.global_pass = run.global_pass;
  how.global_spline_distance_mm = run.global_spline_distance_mm;
  how.want_bias = run.bias.has_value();
  how.on_fit = [&](std::int64_t i) { stage = i; };
  auto const type = std::is_same<T, float>::value ? io::ImageDataset::Type::float32
                                                  : io::ImageDataset::Type::float64;
  std::vector<std::int64_t> const out_shape =
      run.rank == 2 ? std::vector<std::int64_t>{run.shape[1], run.shape[2]} : run.shape;
  auto layout = [&](std::string const& name) {
    return io::ImageDataset{name, out_shape, type, nullptr};
  };
  bool const bias_apart = run.bias && run.bias->file != run.out.file;
  std::vector<io::ImageDataset> main{layout(run.out.dataset)};
  if (run.bias && !bias_apart) main.push_back(layout(run.bias->dataset));
  io::ImageFileWriter out(run.out.file, main);
  std::optional<io::ImageFileWriter> bias_out;
  if (bias_apart)
    bias_out.emplace(run.bias->file, std::vector<io::ImageDataset>{layout(run.bias->dataset)});
  SectionFiles files;
  files.out = &out;
  if (run.bias) {
    files.bias = bias_apart ? &*bias_out : &out;
    files.bias_index = bias_apart ? 0 : 1;
  }

  Stopwatch watch;
  auto const report = sections_backend<T>(run, options, how, files);
  double compute_ms = watch.elapsed_ms() - files.read_ms - files.write_ms;
  watch.restart();
  out.commit();
  if (bias_out) bias_out->commit();
  files.write_ms += watch.elapsed_ms();

  auto levels_run = [](n4::N4Report const& r) {
    std::string text;
    for (auto const& level : r.levels)
      text += fmt::format("{}{}", text.empty() ? "" : "x", level.iterations);
    return text;
  };
  std::string per_section;
  std::int64_t included = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    per_section += fmt::format("{}[{}, {}) {}", per_section.empty() ? "" : ", ", report.bounds[i],
                               report.bounds[i + 1], levels_run(report.sections[i]));
    included += report.sections[i].included;
  }
  std::string global;
  if (report.has_global) {
    auto const& w = report.global.working;
    global = fmt::format(
        "; then a global pass on the working grid ({}, {}, {}) with {} voxels in the mask, "
        "iterations per level {}, final convergence {:.9g}, its field multiplied with the "
        "sections'",
        w.z, w.y, w.x, report.global.included, levels_run(report.global),
        report.global.levels.back().convergence);
  }
  std::cout << fmt::format(
      "n4: corrected a {}D image {} on {} ({} threads) in {} sections along Z, each "
      "independently, with {} voxels of the working grids in the mask; planes and iterations "
      "per level: {}{}\nwrote {}{}\n",
      run.rank, run.in.str(), run.backend, backend_concurrency(run.backend), n, included,
      per_section, global, run.out.str(), run.bias ? " and " + run.bias->str() : std::string());
  std::cout.flush();
  std::cerr << fmt::format(
      "timing read_ms={:.3f} compute_ms={:.3f} write_ms={:.3f} backend={} peak_rss_mib={:.1f}\n",
      files.read_ms, compute_ms, files.write_ms, run.backend, peak_rss_mib());
  return 0;
}

// The shape (Z, Y, X) and rank of a 2D or 3D dataset, without reading it.
std::pair<std::vector<std::int64_t>, int> image_shape(io::DatasetSpec const& spec) {
  auto const info = io::inspect_dataset(spec);
  if (info.shape.size() == 2) return {{1, info.shape[0], info.shape[1]}, 2};
  if (info.shape.size() == 3) return {info.shape, 3};
  throw Error(spec.str() + ": bik n4 corrects one 2D or 3D image, got a dataset of rank " +
              std::to_string(info.shape.size()));
}

}  // namespace

int run_n4(std::vector<std::string> const& args) {
  // The input image comes first; Options takes the rest (it accepts no positional arguments).
  if (args.empty() || args.front().rfind("--", 0) == 0)
    throw UsageError("missing the input image IN.h5:/dataset (first argument)", "n4");
  std::vector<std::string> const rest(args.begin() + 1, args.end());
  Options const parsed("n4", rest,
                       {{"mask"},
                        {"mask-label"},
                        {"shrink"},
                        {"iterations"},
                        {"convergence"},
                        {"control-points"},
                        {"fwhm"},
                        {"wiener-noise"},
                        {"bins"},
                        {"semantics"},
                        {"spline-distance-mm"},
                        {"voxel-size-mm"},
                        {"bias-out"},
                        {"sections"},
                        {"sections-global", false},
                        {"global-spline-distance-mm"},
                        {"out"},
                        {"backend"},
                        {"quiet", false},
                        {"overwrite", false}});
  io::DatasetSpec const in_spec = io::parse_dataset_spec(args.front());
  io::DatasetSpec const out_spec = io::parse_dataset_spec(parsed.required("out"));
  std::optional<io::DatasetSpec> bias_spec;
  if (auto b = parsed.value("bias-out")) bias_spec = io::parse_dataset_spec(*b);
  std::optional<io::DatasetSpec> mask_spec;
  if (auto m = parsed.value("mask")) mask_spec = io::parse_dataset_spec(*m);

  // --semantics linumpy starts from linumpy's defaults (25x25x25, shrink 4, any non-zero mask
  // voxel) and takes its mesh from the spline distance and voxel size.
  std::string const semantics = parsed.value_or("semantics", "itk");
  if (semantics != "itk" && semantics != "linumpy")
    throw Error("--semantics must be 'itk' or 'linumpy', got '" + semantics + "'");
  bool const linumpy = semantics == "linumpy";
  n4::N4Options o = linumpy ? n4::linumpy_options() : n4::N4Options{};
  for (char const* name : {"spline-distance-mm", "voxel-size-mm"})
    if (!linumpy && parsed.value(name))
      throw Error(std::string("--") + name + " applies to --semantics linumpy only");
  if (linumpy && parsed.value("control-points"))
    throw Error(
        "--control-points applies to --semantics itk; linumpy's mesh comes from "
        "--spline-distance-mm and --voxel-size-mm");
  if (auto d = parsed.value("spline-distance-mm"))
    o.spline_distance_mm = parse_real("spline-distance-mm", *d);
  if (auto v = parsed.value("voxel-size-mm")) parse_voxel_size(*v, o.voxel_size_mm);
  if (auto it = parsed.value("iterations")) o.iterations = parse_iterations(*it);
  o.shrink = parsed.integer("shrink", o.shrink, 1);
  int const cp = parsed.integer("control-points", 4, 4);
  o.control_points[0] = o.control_points[1] = o.control_points[2] = cp;
  o.histogram_bins = parsed.integer("bins", 200, 2);
  if (auto c = parsed.value("convergence")) o.convergence_threshold = parse_real("convergence", *c);
  if (auto f = parsed.value("fwhm")) o.fwhm = parse_real("fwhm", *f);
  if (auto w = parsed.value("wiener-noise")) o.wiener_noise = parse_real("wiener-noise", *w);
  if (auto label = parsed.value("mask-label")) {
    // 'nonzero' selects every non-zero mask voxel (ITK's UseMaskLabel off).
    if (*label == "nonzero") {
      o.use_mask_label = false;
    } else {
      o.use_mask_label = true;
      o.mask_label = parsed.integer("mask-label", 1, 0);
    }
  }
  std::string const backend = parsed.value_or("backend", default_backend());
  require_backend(backend);
  bool const quiet = parsed.flag("quiet");

  // Outputs are checked before the (long) computation.
  bool const overwrite = parsed.flag("overwrite");
  std::vector<std::string> files{out_spec.file};
  if (bias_spec && bias_spec->file != out_spec.file) files.push_back(bias_spec->file);
  if (bias_spec && bias_spec->file == out_spec.file && bias_spec->dataset == out_spec.dataset)
    throw Error("--bias-out and --out name the same dataset " + out_spec.str());
  for (auto const& f : files) {
    io::check_output_path(f);
    if (!overwrite && something_at(f))
      throw Error(f + ": already exists; pass --overwrite to replace it");
  }

  bool const sections_global = parsed.flag("sections-global");
  if (sections_global && !parsed.value("sections"))
    throw Error("--sections-global needs --sections N (the global pass follows the sections)");
  auto const global_spline = parsed.value("global-spline-distance-mm");
  if (global_spline && !(sections_global && linumpy))
    throw Error(
        "--global-spline-distance-mm applies to --sections-global with --semantics linumpy");
  if (parsed.value("sections")) {
    SectionsRun run{in_spec, out_spec, mask_spec,       bias_spec, {},
                    3,       0,        sections_global, backend,   quiet};
    std::tie(run.shape, run.rank) = image_shape(in_spec);
    run.sections = parsed.integer("sections", 1, 1);
    if (global_spline)
      run.global_spline_distance_mm = parse_real("global-spline-distance-mm", *global_spline);
    if (mask_spec && image_shape(*mask_spec) != std::make_pair(run.shape, run.rank))
      throw Error(fmt::format("shape mismatch: mask {} does not have the shape of the image {}",
                              mask_spec->str(), in_spec.str()));
    if (io::inspect_dataset(in_spec).dtype == "float32") return run_sections<float>(run, o);
    return run_sections<double>(run, o);
  }

  Stopwatch watch;
  N4Input const input = read_input(in_spec);
  std::optional<HostImage<std::int64_t>> mask;
  if (mask_spec) mask = io::read_labels(*mask_spec);
  double const read_ms = watch.elapsed_ms();
  auto shape_of_image = [](auto const& image) {
    auto const& d = image.data;
    return std::vector<std::int64_t>{static_cast<std::int64_t>(d.extent(0)),
                                     static_cast<std::int64_t>(d.extent(1)),
                                     static_cast<std::int64_t>(d.extent(2))};
  };
  auto const shape = std::visit(shape_of_image, input);
  int const rank = std::visit([](auto const& image) { return image.rank; }, input);
  bool const batch = std::visit([](auto const& image) { return image.images != 1; }, input);
  if (batch) throw Error(in_spec.str() + ": bik n4 corrects one 2D or 3D image, not a batch");
  if (mask && (shape_of_image(*mask) != shape || (mask->rank == 3) != (rank == 3)))
    throw Error(fmt::format("shape mismatch: mask {} does not have the shape of the image {}",
                            mask_spec->str(), in_spec.str()));

  int const levels = static_cast<int>(o.iterations.size());
  if (!quiet) {
    o.progress = [&](int level, int iteration, double convergence) {
      std::cerr << fmt::format("n4: level {}/{} iteration {}/{} convergence {:.9g}\n", level + 1,
                               levels, iteration, o.iterations[level], convergence);
    };
  }
  std::vector<std::int64_t> const out_shape =
      rank == 2 ? std::vector<std::int64_t>{shape[1], shape[2]} : shape;
  double compute_ms = 0.0, write_ms = 0.0;
  // Outputs in the input's element type: float32 stays float32 end to end.
  n4::N4Report const report = std::visit(
      [&](auto const& image) {
        watch.restart();
        auto const result = run_backend(backend, image, mask, bias_spec.has_value(), o);
        compute_ms = watch.elapsed_ms();
        watch.restart();
        std::vector<io::ImageDataset> main{
            io::image_dataset(out_spec.dataset, out_shape, result.corrected.data())};
        if (bias_spec && bias_spec->file == out_spec.file)
          main.push_back(io::image_dataset(bias_spec->dataset, out_shape, result.log_bias.data()));
        io::write_images_hdf5(out_spec.file, main);
        if (bias_spec && bias_spec->file != out_spec.file)
          io::write_images_hdf5(bias_spec->file,
                                std::vector<io::ImageDataset>{io::image_dataset(
                                    bias_spec->dataset, out_shape, result.log_bias.data())});
        write_ms = watch.elapsed_ms();
        return result.report;
      },
      input);

  auto const& w = report.working;
  std::string per_level;
  for (auto const& level : report.levels)
    per_level += fmt::format("{}{}", per_level.empty() ? "" : "x", level.iterations);
  std::cout << fmt::format(
      "n4: corrected a {}D image {} ({} semantics) on {} ({} threads): working grid ({}, {}, {}) "
      "with {} "
      "voxels in the mask, iterations per level {}, final convergence {:.9g}\nwrote {}{}\n",
      rank, in_spec.str(), semantics, backend, backend_concurrency(backend), w.z, w.y, w.x,
      report.included, per_level, report.levels.back().convergence, out_spec.str(),
      bias_spec ? " and " + bias_spec->str() : std::string());
  std::cout.flush();
  std::cerr << fmt::format(
      "timing read_ms={:.3f} compute_ms={:.3f} write_ms={:.3f} backend={} peak_rss_mib={:.1f}\n",
      read_ms, compute_ms, write_ms, backend, peak_rss_mib());
  return 0;
}

}  // namespace bik::cli
