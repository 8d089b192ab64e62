// The test harness itself: ctest runs this executable as unit.t1, unit (2 threads), unit.t3 and
// unit.t4 with KOKKOS_NUM_THREADS=1..4 (CMakeLists.txt). Check that the count reached Kokkos,
// so the thread-count coverage is real and not four runs at the default.
#include "bik/core/compat.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

TEST_CASE("OpenMP runs with the thread count the harness asked for") {
#if BIK_HAS_OPENMP && defined(KOKKOS_ENABLE_OPENMP)
  char const* requested = std::getenv("KOKKOS_NUM_THREADS");
  if (requested == nullptr) return;  // run by hand: nothing to check
  CHECK(bik::kx::concurrency(Kokkos::OpenMP()) == std::stoi(requested));
#endif
}
