// Run-time choice of execution space, for programs (like the bik CLI) that take host data and
// let the user pick a backend by name. Names are the lower-case Kokkos space names this build
// instantiated: "serial", "openmp", "cuda". Data is copied to the space's memory if needed.
#ifndef BIK_BACKENDS_HPP
#define BIK_BACKENDS_HPP

#include "bik/core/feature_table.hpp"
#include "bik/measure/intensity.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace bik {

// A host image of rank 2 (stored with Z = 1) or 3.
template <class T>
struct HostImage {
  Kokkos::View<T const***, Kokkos::LayoutRight, Kokkos::HostSpace> data;
  int rank = 3;
};

// Backends compiled into this build, in the order serial, openmp, cuda.
std::vector<std::string> backend_names();
// The fastest compiled backend: cuda, else openmp, else serial.
std::string default_backend();
// Throws bik::Error naming the unknown or not-compiled backend and listing the available ones.
void require_backend(std::string const& name);
// Concurrency (threads or device lanes) of a backend's default instance. Kokkos must be
// initialised.
int backend_concurrency(std::string const& name);

// bik::measure_intensity on the named backend.
FeatureTable measure_intensity(std::string const& backend, HostImage<std::int32_t> const& labels,
                               HostImage<double> const& pixels, IntensityOptions const& options);
FeatureTable measure_intensity(std::string const& backend, HostImage<std::int64_t> const& labels,
                               HostImage<double> const& pixels, IntensityOptions const& options);
FeatureTable measure_intensity(std::string const& backend, HostImage<std::int32_t> const& labels,
                               HostImage<float> const& pixels, IntensityOptions const& options);
FeatureTable measure_intensity(std::string const& backend, HostImage<std::int64_t> const& labels,
                               HostImage<float> const& pixels, IntensityOptions const& options);

}  // namespace bik

#endif
