// The execution spaces the unit tests run under: every space this build instantiated (bik's
// BIK_HAS_* from CMake, which follow Kokkos' KOKKOS_ENABLE_*), and helpers to move test data to
// a space and results back. A CUDA build lists Kokkos::Cuda too; its tests compile and link
// everywhere but run only where a GPU is present.
#ifndef BIK_TESTS_SPACES_HPP
#define BIK_TESTS_SPACES_HPP

#include "bik/config.hpp"

#include <Kokkos_Core.hpp>

#include <tuple>
#include <utility>
#include <vector>

using BikTestSpaces = decltype(std::tuple_cat(
#if BIK_HAS_SERIAL && defined(KOKKOS_ENABLE_SERIAL)
    std::declval<std::tuple<Kokkos::Serial>>(),
#endif
#if BIK_HAS_OPENMP && defined(KOKKOS_ENABLE_OPENMP)
    std::declval<std::tuple<Kokkos::OpenMP>>(),
#endif
#if BIK_HAS_CUDA && defined(KOKKOS_ENABLE_CUDA)
    std::declval<std::tuple<Kokkos::Cuda>>(),
#endif
    std::declval<std::tuple<>>()));

namespace bik_test {

// Calls f(Space()) for every space of BikTestSpaces, in order.
template <class F>
void for_each_space(F&& f) {
  std::apply([&](auto... spaces) { (f(spaces), ...); }, BikTestSpaces{});
}

// A (Z,Y,X) View in Space's memory holding `values` (raster order).
template <class Space, class T>
Kokkos::View<T***, Kokkos::LayoutRight, typename Space::memory_space> volume(
    std::vector<T> const& values, int nz, int ny, int nx) {
  Kokkos::View<T***, Kokkos::LayoutRight, Kokkos::HostSpace> host("bik_test::volume", nz, ny, nx);
  for (std::size_t i = 0; i < values.size(); ++i) host.data()[i] = values[i];
  return Kokkos::create_mirror_view_and_copy(typename Space::memory_space(), host);
}

// A (Y,X) View in Space's memory holding `values` (raster order).
template <class Space, class T>
Kokkos::View<T**, Kokkos::LayoutRight, typename Space::memory_space> image(
    std::vector<T> const& values, int ny, int nx) {
  Kokkos::View<T**, Kokkos::LayoutRight, Kokkos::HostSpace> host("bik_test::image", ny, nx);
  for (std::size_t i = 0; i < values.size(); ++i) host.data()[i] = values[i];
  return Kokkos::create_mirror_view_and_copy(typename Space::memory_space(), host);
}

// Copies a rank-1 View to a std::vector on the host.
template <class View>
std::vector<typename View::non_const_value_type> to_vector(View const& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return std::vector<typename View::non_const_value_type>(h.data(), h.data() + h.extent(0));
}

}  // namespace bik_test

#endif
