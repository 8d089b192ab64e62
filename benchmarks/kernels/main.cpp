// bik_bench_kernels: Google Benchmark driver. Kokkos is initialised first (it consumes the
// --kokkos-* flags), then Google Benchmark parses the rest. The Kokkos version, the benchmarked
// spaces, the OpenMP thread count and Kokkos::print_configuration go into the report's context,
// so every set of numbers carries the configuration it was measured with.
#include "kernels.hpp"
#include "n4.hpp"

#include "bik/config.hpp"
#include "bik/core/compat.hpp"

#include <benchmark/benchmark.h>
#include <Kokkos_Core.hpp>

#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string trim(std::string const& s) {
  auto const first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  auto const last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

std::string join(std::vector<std::string> const& items) {
  std::string out;
  for (auto const& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// Adds the "KEY: value" lines of Kokkos::print_configuration as "kokkos.KEY" context entries,
// and lines such as "Kokkos::OpenMP thread_pool_topology[ 1 x 2 x 1 ]" split at the '['.
// Section headers (lines ending in ':') are skipped; a key seen twice keeps its first value.
void add_kokkos_configuration() {
  std::ostringstream config;
  Kokkos::print_configuration(config, false);
  std::istringstream lines(config.str());
  std::set<std::string> seen;
  for (std::string line; std::getline(lines, line);) {
    line = trim(line);
    auto split = line.find(": ");
    std::size_t skip = 2;
    if (split == std::string::npos) {
      split = line.find('[');
      skip = 0;
    }
    if (split == std::string::npos || split == 0) continue;
    std::string const key = trim(line.substr(0, split));
    std::string const value = trim(line.substr(split + skip));
    if (value.empty() || !seen.insert(key).second) continue;
    benchmark::AddCustomContext("kokkos." + key, value);
  }
}

void add_context() {
  benchmark::AddCustomContext("bik_version", BIK_VERSION_STRING);
  benchmark::AddCustomContext("kokkos_version", std::to_string(KOKKOS_VERSION / 10000) + "." +
                                                    std::to_string(KOKKOS_VERSION / 100 % 100) +
                                                    "." + std::to_string(KOKKOS_VERSION % 100));
  benchmark::AddCustomContext("bik_spaces", join(bik_bench::benchmarked_spaces()));
#if BIK_HAS_OPENMP && defined(KOKKOS_ENABLE_OPENMP)
  benchmark::AddCustomContext("openmp_threads",
                              std::to_string(bik::kx::concurrency(Kokkos::OpenMP())));
#endif
  add_kokkos_configuration();
}

}  // namespace

int main(int argc, char** argv) {
  Kokkos::ScopeGuard guard(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  add_context();
  bik_bench::register_benchmarks();
  bik_bench::register_n4_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
