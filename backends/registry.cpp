// The run-time backend registry: maps a backend name to the execution space instantiated for
// it in backends/<name>/.
#include "bik/backends.hpp"

#include "bik/config.hpp"
#include "bik/core/error.hpp"
#include "bik/measure.hpp"

#include <Kokkos_Core.hpp>

namespace bik {

namespace {

template <class Space>
constexpr char const* name_of();
#if BIK_HAS_SERIAL
template <>
constexpr char const* name_of<Kokkos::Serial>() { return "serial"; }
#endif
#if BIK_HAS_OPENMP
template <>
constexpr char const* name_of<Kokkos::OpenMP>() { return "openmp"; }
#endif
#if BIK_HAS_CUDA
template <>
constexpr char const* name_of<Kokkos::Cuda>() { return "cuda"; }
#endif

// Calls f(Space{}) for the space named `name`.
template <class F>
auto with_space(std::string const& name, F&& f) {
  require_backend(name);
#if BIK_HAS_CUDA
  if (name == "cuda") return f(Kokkos::Cuda());
#endif
#if BIK_HAS_OPENMP
  if (name == "openmp") return f(Kokkos::OpenMP());
#endif
#if BIK_HAS_SERIAL
  if (name == "serial") return f(Kokkos::Serial());
#endif
  throw Error("bik: backend '" + name + "' is not compiled in");  // unreachable after require
}

template <class Space, class T>
auto to_space(HostImage<T> const& image) {
  return Kokkos::create_mirror_view_and_copy(typename Space::memory_space(), image.data);
}

template <class L, class P>
FeatureTable intensity_on(std::string const& backend, HostImage<L> const& labels,
                          HostImage<P> const& pixels, IntensityOptions const& options,
                          BackendWorkspaces* workspaces) {
  return with_space(backend, [&](auto space) {
    using Space = decltype(space);
    auto* ws = workspaces ? workspaces->template of<typename Space::memory_space>() : nullptr;
    auto l = to_space<Space>(labels);
    auto p = to_space<Space>(pixels);
    auto l2 = Kokkos::subview(l, 0, Kokkos::ALL, Kokkos::ALL);
    auto p2 = Kokkos::subview(p, 0, Kokkos::ALL, Kokkos::ALL);
    if (pixels.rank == 2) {
      require(labels.rank == 2, "bik::measure_intensity", "3D labels cannot describe 2D pixels");
      return bik::measure_intensity(space, l2, p2, options, ws);
    }
    if (labels.rank == 2) return bik::measure_intensity(space, l2, p, options, ws);
    return bik::measure_intensity(space, l, p, options, ws);
  });
}

}  // namespace

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
#if BIK_HAS_SERIAL
  names.emplace_back(name_of<Kokkos::Serial>());
#endif
#if BIK_HAS_OPENMP
  names.emplace_back(name_of<Kokkos::OpenMP>());
#endif
#if BIK_HAS_CUDA
  names.emplace_back(name_of<Kokkos::Cuda>());
#endif
  return names;
}

std::string default_backend() { return backend_names().back(); }

void require_backend(std::string const& name) {
  auto const names = backend_names();
  for (auto const& n : names)
    if (n == name) return;
  std::string list;
  for (auto const& n : names) list += (list.empty() ? "" : ", ") + n;
  throw Error("unknown backend '" + name + "': this build has " + list);
}

int backend_concurrency(std::string const& name) {
  return with_space(name, [](auto space) { return static_cast<int>(space.concurrency()); });
}

FeatureTable measure_intensity(std::string const& backend, HostImage<std::int32_t> const& labels,
                               HostImage<double> const& pixels, IntensityOptions const& options,
                               BackendWorkspaces* workspaces) {
  return intensity_on(backend, labels, pixels, options, workspaces);
}
FeatureTable measure_intensity(std::string const& backend, HostImage<std::int64_t> const& labels,
                               HostImage<double> const& pixels, IntensityOptions const& options,
                               BackendWorkspaces* workspaces) {
  return intensity_on(backend, labels, pixels, options, workspaces);
}
FeatureTable measure_intensity(std::string const& backend, HostImage<std::int32_t> const& labels,
                               HostImage<float> const& pixels, IntensityOptions const& options,
                               BackendWorkspaces* workspaces) {
  return intensity_on(backend, labels, pixels, options, workspaces);
}
FeatureTable measure_intensity(std::string const& backend, HostImage<std::int64_t> const& labels,
                               HostImage<float> const& pixels, IntensityOptions const& options,
                               BackendWorkspaces* workspaces) {
  return intensity_on(backend, labels, pixels, options, workspaces);
}

}  // namespace bik
