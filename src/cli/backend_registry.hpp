// The run-time choice of execution space behind `bik --backend`: names are the lower-case
// Kokkos space names this build instantiated ("serial", "openmp", "cuda"). Host images are
// copied to the chosen space once and stay there, so repeated measurements time the kernels
// alone; each resident input has its own workspace, so no two backends share buffers.
#ifndef BIK_CLI_BACKEND_REGISTRY_HPP
#define BIK_CLI_BACKEND_REGISTRY_HPP

#include "bik/core/feature_table.hpp"
#include "bik/core/host_image.hpp"
#include "bik/io/read_image.hpp"
#include "bik/measure/granularity.hpp"
#include "bik/measure/intensity.hpp"
#include "bik/measure/zernike.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bik::cli {

// Backends compiled into this build, in the order serial, openmp, cuda.
std::vector<std::string> backend_names();
// The fastest compiled backend: cuda, else openmp, else serial.
std::string default_backend();
// Throws bik::Error naming the unknown or not-compiled backend and listing the available ones.
void require_backend(std::string const& name);
// Concurrency (threads or device lanes) of a backend's default instance (Kokkos initialised).
int backend_concurrency(std::string const& name);

// Labels and pixels resident on one backend. Shapes must pair as bik::measure_intensity and
// bik::measure_intensity_batch require (bik::Error otherwise, when measuring).
class ResidentImages {
 public:
  // Copies the images, in their own element types, to the backend's memory (nothing is copied
  // on a host backend).
  ResidentImages(std::string const& backend, io::LabelImage const& labels,
                 io::PixelImage const& pixels);
  ~ResidentImages();
  ResidentImages(ResidentImages const&) = delete;
  ResidentImages& operator=(ResidentImages const&) = delete;

  // The intensity features, one table per image of the batch (one for a single image). Only
  // kernels and the copy of the results to the host run here.
  std::vector<FeatureTable> measure_intensity(IntensityOptions const& options);
  // The granularity spectrum, likewise (labels must have the pixels' shape).
  std::vector<FeatureTable> measure_granularity(GranularityOptions const& options);

  // The Zernike shape or radial features, one table per image; bik::Error for 3D images.
  std::vector<FeatureTable> measure_zernike(ZernikeKind kind, ZernikeOptions const& options);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bik::cli

#endif
