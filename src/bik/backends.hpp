// Run-time choice of execution space, for programs (like the bik CLI) that take host data and
// let the user pick a backend by name. Names are the lower-case Kokkos space names this build
// instantiated: "serial", "openmp", "cuda". Data is copied to the space's memory if needed.
#ifndef BIK_BACKENDS_HPP
#define BIK_BACKENDS_HPP

#include "bik/config.hpp"
#include "bik/core/feature_table.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/intensity.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace bik {

// A host image of rank 2 (stored with Z = 1) or 3.
template <class T>
struct HostImage {
  Kokkos::View<T const***, Kokkos::LayoutRight, Kokkos::HostSpace> data;
  int rank = 3;
};

// Buffers kept between calls, one workspace per memory space of the compiled backends: pass
// the same object to every call of a loop over images (or of a repeated measurement).
struct BackendWorkspaces {
  Workspace<Kokkos::HostSpace> host;
#if BIK_HAS_CUDA
  Workspace<Kokkos::CudaSpace> cuda;
#endif
  template <class MemorySpace>
  Workspace<MemorySpace>* of() {
#if BIK_HAS_CUDA
    if constexpr (std::is_same<MemorySpace, Kokkos::CudaSpace>::value) return &cuda;
#endif
    if constexpr (std::is_same<MemorySpace, Kokkos::HostSpace>::value) return &host;
    return nullptr;
  }
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

// bik::measure_intensity on the named backend, optionally reusing `workspaces`.
FeatureTable measure_intensity(std::string const& backend, HostImage<std::int32_t> const& labels,
                               HostImage<double> const& pixels, IntensityOptions const& options,
                               BackendWorkspaces* workspaces = nullptr);
FeatureTable measure_intensity(std::string const& backend, HostImage<std::int64_t> const& labels,
                               HostImage<double> const& pixels, IntensityOptions const& options,
                               BackendWorkspaces* workspaces = nullptr);
FeatureTable measure_intensity(std::string const& backend, HostImage<std::int32_t> const& labels,
                               HostImage<float> const& pixels, IntensityOptions const& options,
                               BackendWorkspaces* workspaces = nullptr);
FeatureTable measure_intensity(std::string const& backend, HostImage<std::int64_t> const& labels,
                               HostImage<float> const& pixels, IntensityOptions const& options,
                               BackendWorkspaces* workspaces = nullptr);

}  // namespace bik

#endif
