// `bik info` and the version strings.
#include "args.hpp"
#include "backend_registry.hpp"
#include "commands.hpp"

#include "bik/config.hpp"
#include "bik/core/host_vectors.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <Kokkos_Core.hpp>

#include <cstdlib>
#include <iostream>

namespace bik::cli {

namespace {

std::string env_or_unset(char const* name) {
  char const* value = std::getenv(name);
  return value == nullptr ? "(unset)" : value;
}

// The width of the CPU loops with a wide entry (bik/core/host_vectors.hpp), and why.
std::string host_vectors_line() {
  if (host_vectors() == HostVectors::wide) return "CPU vector loops: wide (AVX2)";
  if (host_runs_wide()) return "CPU vector loops: narrow (BIK_HOST_VECTORS=narrow)";
  return "CPU vector loops: narrow (no AVX2 on this CPU or in this build)";
}

}  // namespace

std::string version_line() { return std::string("bik ") + BIK_VERSION_STRING; }

std::string kokkos_version_string() {
  int const v = KOKKOS_VERSION;
  return fmt::format("{}.{}.{:02}", v / 10000, (v / 100) % 100, v % 100);
}

int run_info(std::vector<std::string> const& args) {
  Options const options("info", args, {});
  (void)options;
  auto const names = backend_names();
  std::vector<std::string> concurrency;
  for (auto const& name : names)
    concurrency.push_back(fmt::format("{}={}", name, backend_concurrency(name)));
  std::cout << version_line() << "\n"
            << "Kokkos " << kokkos_version_string() << "\n"
            << "backends: " << fmt::format("{}", fmt::join(names, ", ")) << "\n"
            << "default backend: " << default_backend() << "\n"
            << "concurrency: " << fmt::format("{}", fmt::join(concurrency, " ")) << "\n"
            << host_vectors_line() << "\n"
            << "OMP_PROC_BIND: " << env_or_unset("OMP_PROC_BIND")
            << ", OMP_NUM_THREADS: " << env_or_unset("OMP_NUM_THREADS")
            << ", KOKKOS_NUM_THREADS: " << env_or_unset("KOKKOS_NUM_THREADS") << "\n\n"
            << "Kokkos configuration:\n";
  Kokkos::print_configuration(std::cout);
  std::cout.flush();
  return 0;
}

}  // namespace bik::cli
