// Every kernel and allocation bik makes carries a "bik::" label, so users' Kokkos Tools
// profiles attribute time and memory to bik (the ArborX convention). Observed through the
// Kokkos Tools callbacks.
#include "bik/measure.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace {
std::set<std::string> seen;
void on_kernel(char const* name, std::uint32_t, std::uint64_t* id) {
  seen.insert(name);
  *id = 0;
}
void on_allocate(Kokkos_Profiling_SpaceHandle, char const* name, void const*, std::uint64_t) {
  seen.insert(name);
}
}  // namespace

TEST_CASE_TEMPLATE_DEFINE("kernels and allocations are labelled bik::", Space, labels_prefix) {
  auto labels = bik_test::volume<Space, std::int32_t>({1, 1, 0, 2, 2, 2, 0, 3}, 2, 2, 2);
  auto pixels = bik_test::volume<Space, double>({1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
  namespace tools = Kokkos::Tools::Experimental;
  seen.clear();
  tools::set_begin_parallel_for_callback(on_kernel);
  tools::set_begin_parallel_reduce_callback(on_kernel);
  tools::set_begin_parallel_scan_callback(on_kernel);
  tools::set_allocate_data_callback(on_allocate);
  auto table = bik::measure_intensity(Space(), labels, pixels);
  tools::set_begin_parallel_for_callback(nullptr);
  tools::set_begin_parallel_reduce_callback(nullptr);
  tools::set_begin_parallel_scan_callback(nullptr);
  tools::set_allocate_data_callback(nullptr);
  CHECK(table.rows() == 3);
  CHECK(seen.size() > 5);  // the callbacks did fire
  // Kokkos names the zero-fill of a View "Kokkos::View::initialization [<view label>]".
  for (auto const& name : seen)
    CHECK_MESSAGE(
        (name.rfind("bik::", 0) == 0 || name.rfind("Kokkos::View::initialization [bik::", 0) == 0),
        name);
}
TEST_CASE_TEMPLATE_APPLY(labels_prefix, BikTestSpaces);
