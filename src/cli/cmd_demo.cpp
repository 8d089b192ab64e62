// `bik demo`: synthesise two scenes, save them, measure them, save and summarise the results;
// then correct N4's bias phantom and report the error against its known bias.
#include "args.hpp"
#include "backend_registry.hpp"
#include "commands.hpp"
#include "demo_scene.hpp"
#include "stopwatch.hpp"

#include "bik/config.hpp"
#include "bik/core/error.hpp"
#include "bik/io/io.hpp"

#include <fmt/format.h>
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace bik::cli {

namespace {

// A non-owning host image over a scene buffer.
template <class T>
HostImage<T> host_image(std::vector<T> const& values, std::vector<std::int64_t> const& shape) {
  HostImage<T> image;
  image.rank = static_cast<int>(shape.size());
  std::size_t const nz = image.rank == 3 ? static_cast<std::size_t>(shape[0]) : 1;
  image.data = Kokkos::View<T const***, Kokkos::LayoutRight, Kokkos::HostSpace>(
      values.data(), nz, static_cast<std::size_t>(shape[shape.size() - 2]),
      static_cast<std::size_t>(shape.back()));
  return image;
}

std::string shape_str(std::vector<std::int64_t> const& shape) {
  std::string s;
  for (auto e : shape) s += (s.empty() ? "" : "x") + std::to_string(e);
  return s;
}

// Mean over objects of a column, ignoring NaN values.
double column_mean(FeatureTable const& table, std::string const& name) {
  double sum = 0;
  std::size_t n = 0;
  for (double v : table.column(name)) {
    if (std::isnan(v)) continue;
    sum += v;
    ++n;
  }
  return n == 0 ? std::nan("") : sum / static_cast<double>(n);
}

void print_table_summary(std::string const& title, FeatureTable const& table,
                         std::vector<std::string> const& paths) {
  std::string joined;
  for (auto const& p : paths) joined += (joined.empty() ? "" : ", ") + p;
  std::cout << fmt::format("{}: {} objects x {} features -> {}\n", title, table.rows(),
                           table.columns(), joined);
  std::cout << "  mean over objects:";
  for (char const* name :
       {"Intensity_MeanIntensity", "Intensity_IntegratedIntensity", "Intensity_StdIntensity",
        "Intensity_MedianIntensity", "Intensity_MeanIntensityEdge"})
    std::cout << fmt::format(" {}={:.6g}", std::string(name).substr(10), column_mean(table, name));
  std::cout << "\n";
  if (table.rows() > 0) {
    std::cout << fmt::format(
        "  first object: label={} MeanIntensity={:.6g} CenterMassIntensity=(x={:.2f}, y={:.2f}, "
        "z={:.2f})\n",
        table.labels()[0], table.column("Intensity_MeanIntensity")[0],
        table.column("Location_CenterMassIntensity_X")[0],
        table.column("Location_CenterMassIntensity_Y")[0],
        table.column("Location_CenterMassIntensity_Z")[0]);
  }
}

// Coefficient of variation of exp(log_bias) / bias, and the Pearson correlation of log_bias
// with log(bias), over the voxels of the mask (spec n4.md §7.2: the bias is identifiable only
// up to a scale, which neither measure sees).
std::pair<double, double> bias_errors(std::vector<double> const& log_bias,
                                      BiasPhantom const& phantom) {
  double n = 0, s = 0, q = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (std::size_t i = 0; i < log_bias.size(); ++i) {
    if (!phantom.mask[i]) continue;
    double const ratio = std::exp(log_bias[i]) / phantom.bias[i];
    double const a = log_bias[i], b = std::log(phantom.bias[i]);
    n += 1, s += ratio, q += ratio * ratio;
    sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b;
  }
  double const mean = s / n;
  double const cv = std::sqrt(std::max(q / n - mean * mean, 0.0)) / mean;
  double const cov = sab / n - (sa / n) * (sb / n);
  double const r =
      cov / std::sqrt((saa / n - (sa / n) * (sa / n)) * (sbb / n - (sb / n) * (sb / n)));
  return {cv, r};
}

}  // namespace

int run_demo(std::vector<std::string> const& args) {
  Options const options("demo", args, {{"out"}, {"backend"}});
  fs::path const dir = options.value_or("out", "bik-demo");
  std::string const backend = options.value_or("backend", default_backend());
  require_backend(backend);
  int const threads = backend_concurrency(backend);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw Error(dir.string() + ": cannot create the output directory" +
                (ec ? ": " + ec.message() : std::string()));
  auto const path = [&](char const* name) { return (dir / name).string(); };

  Stopwatch watch;
  Scene const scene2d = make_cell_scene_2d();
  Scene const scene3d = make_ball_scene_3d();
  double const synthesis_ms = watch.elapsed_ms();

  watch.restart();
  struct Named {
    char const* title;
    Scene const* scene;
    char const* file;
  };
  Named const scenes[] = {{"scene2d", &scene2d, "scene2d.h5"}, {"scene3d", &scene3d, "scene3d.h5"}};
  for (auto const& s : scenes)
    io::write_images_hdf5(path(s.file),
                          {io::image_dataset("/pixels", s.scene->shape, s.scene->pixels.data()),
                           io::image_dataset("/labels", s.scene->shape, s.scene->labels.data())});
  double const write_inputs_ms = watch.elapsed_ms();

  IntensityOptions intensity;  // edges on, legacy off
  watch.restart();
  auto measure = [&](Scene const& scene) {
    ResidentImages resident(backend, host_image(scene.labels, scene.shape),
                            host_image(scene.pixels, scene.shape));
    return std::move(resident.measure_intensity(intensity).front());
  };
  FeatureTable const table2d = measure(scene2d);
  FeatureTable const table3d = measure(scene3d);
  // Zernike shape and radial features (2D only): the shape columns, then the radial ones.
  FeatureTable zernike2d = [&] {
    ResidentImages resident(backend, host_image(scene2d.labels, scene2d.shape),
                            host_image(scene2d.pixels, scene2d.shape));
    FeatureTable table = std::move(resident.measure_zernike(ZernikeKind::shape, {}).front());
    FeatureTable const radial =
        std::move(resident.measure_zernike(ZernikeKind::radial, {}).front());
    for (std::size_t c = 0; c < radial.columns(); ++c)
      table.add_column(radial.names()[c], radial.column(c));
    return table;
  }();
  Kokkos::fence();
  double const compute_ms = watch.elapsed_ms();

  GranularityOptions const granularity;  // CellProfiler's defaults
  watch.restart();
  auto spectrum = [&](Scene const& scene) {
    ResidentImages resident(backend, host_image(scene.labels, scene.shape),
                            host_image(scene.pixels, scene.shape));
    return std::move(resident.measure_granularity(granularity).front());
  };
  FeatureTable const granularity2d = spectrum(scene2d);
  FeatureTable const granularity3d = spectrum(scene3d);
  Kokkos::fence();
  double const granularity_ms = watch.elapsed_ms();

  auto attributes = [&](char const* scene) {
    return io::Attributes{{"bik_version", BIK_VERSION_STRING},
                          {"kokkos_version", kokkos_version_string()},
                          {"backend", backend},
                          {"threads", std::to_string(threads)},
                          {"features", "intensity"},
                          {"edges", "true"},
                          {"legacy", "false"},
                          {"pixels", path(scene) + ":/pixels"},
                          {"labels", path(scene) + ":/labels"}};
  };
  watch.restart();
  io::write_table_hdf5(path("intensity2d.h5"), table2d, attributes("scene2d.h5"));
  io::write_table_csv(path("intensity2d.csv"), table2d);
  io::write_table_hdf5(path("intensity3d.h5"), table3d, attributes("scene3d.h5"));
  io::Attributes zernike_attributes = attributes("scene2d.h5");
  for (auto& attribute : zernike_attributes)
    if (attribute.first == "features") attribute.second = "zernike,radial-zernike";
  io::write_table_hdf5(path("zernike2d.h5"), zernike2d, zernike_attributes);
  auto granularity_attributes = [&](char const* scene) {
    auto a = attributes(scene);
    for (auto& [key, value] : a)
      if (key == "features") value = "granularity";
    a.emplace_back("subsample_size", "0.25");
    a.emplace_back("image_sample_size", "0.25");
    a.emplace_back("element_size", "10");
    a.emplace_back("granular_spectrum_length", "16");
    return a;
  };
  io::write_table_hdf5(path("granularity2d.h5"), granularity2d,
                       granularity_attributes("scene2d.h5"));
  io::write_table_csv(path("granularity2d.csv"), granularity2d);
  io::write_table_hdf5(path("granularity3d.h5"), granularity3d,
                       granularity_attributes("scene3d.h5"));
  double const write_outputs_ms = watch.elapsed_ms();

  std::cout << fmt::format("{} demo on backend {} ({} threads), Kokkos {}\n", version_line(),
                           backend, threads, kokkos_version_string());
  for (auto const& s : scenes)
    std::cout << fmt::format("{}: {} {}, {} objects (largest label {}), {} NaN pixels -> {}\n",
                             s.title, shape_str(s.scene->shape),
                             s.scene->shape.size() == 2 ? "pixels" : "voxels", s.scene->objects,
                             s.scene->max_label, s.scene->nan_pixels, path(s.file));
  print_table_summary("intensity2d", table2d, {path("intensity2d.h5"), path("intensity2d.csv")});
  print_table_summary("intensity3d", table3d, {path("intensity3d.h5")});
  std::cout << fmt::format("zernike2d: {} objects x {} features -> {}\n  mean over objects:",
                           zernike2d.rows(), zernike2d.columns(), path("zernike2d.h5"));
  for (char const* name : {"Zernike_0_0", "Zernike_2_0", "RadialDistribution_ZernikeMagnitude_0_0",
                           "RadialDistribution_ZernikeMagnitude_2_0"})
    std::cout << fmt::format(" {}={:.6g}", name, column_mean(zernike2d, name));
  std::cout << "\n";
  for (auto const& [title, table, file] :
       {std::make_tuple("granularity2d", &granularity2d, "granularity2d.h5"),
        std::make_tuple("granularity3d", &granularity3d, "granularity3d.h5")}) {
    std::cout << fmt::format("{}: {} objects x {} features -> {}\n  mean over objects:", title,
                             table->rows(), table->columns(), path(file));
    for (char const* name : {"Granularity_1", "Granularity_2", "Granularity_3", "Granularity_16"})
      std::cout << fmt::format(" {}={:.6g}", name, column_mean(*table, name));
    std::cout << "\n";
  }
  // N4 (ITK semantics, defaults, shrink 2) through `bik n4` on spec n4.md §7.1's phantom.
  watch.restart();
  BiasPhantom const phantom = make_bias_phantom_3d();
  io::write_images_hdf5(path("n4phantom.h5"),
                        {io::image_dataset("/image", phantom.shape, phantom.pixels.data()),
                         io::image_dataset("/mask", phantom.shape, phantom.mask.data()),
                         io::image_dataset("/bias", phantom.shape, phantom.bias.data())});
  run_n4({path("n4phantom.h5") + ":/image", "--mask", path("n4phantom.h5") + ":/mask", "--shrink",
          "2", "--out", path("n4corrected.h5") + ":/corrected", "--bias-out",
          path("n4corrected.h5") + ":/log_bias", "--backend", backend, "--quiet", "--overwrite"});
  HostImage<double> const log_bias =
      io::read_pixels(io::parse_dataset_spec(path("n4corrected.h5") + ":/log_bias"));
  auto const [cv, correlation] = bias_errors(
      std::vector<double>(log_bias.data.data(), log_bias.data.data() + log_bias.data.size()),
      phantom);
  std::vector<double> const none(phantom.bias.size(), 0.0);
  double const n4_ms = watch.elapsed_ms();
  std::cout << fmt::format(
      "n4phantom: {} voxels, bias amplitude 0.5 -> {}\n  against the known bias in the mask: "
      "CV(recovered / true) = {:.4f} (uncorrected: {:.4f}), correlation of log bias = {:.4f}; "
      "n4 ms={:.3f}\n",
      shape_str(phantom.shape), path("n4corrected.h5"), cv, bias_errors(none, phantom).first,
      correlation, n4_ms);
  std::cout << fmt::format(
      "timings (ms): synthesis={:.3f} write_inputs={:.3f} compute={:.3f} granularity={:.3f} "
      "write_outputs={:.3f} backend={} threads={}\n",
      synthesis_ms, write_inputs_ms, compute_ms, granularity_ms, write_outputs_ms, backend,
      threads);
  return 0;
}

}  // namespace bik::cli
