// The execution spaces the unit tests run under: every host space this build instantiated, and
// helpers to move test data to a space and results back.
#ifndef BIK_TESTS_SPACES_HPP
#define BIK_TESTS_SPACES_HPP

#include "bik/config.hpp"

#include <Kokkos_Core.hpp>

#include <tuple>
#include <vector>

using BikTestSpaces = std::tuple<
#if BIK_HAS_SERIAL
    Kokkos::Serial
#endif
#if BIK_HAS_SERIAL && BIK_HAS_OPENMP
    ,
#endif
#if BIK_HAS_OPENMP
    Kokkos::OpenMP
#endif
    >;

namespace bik_test {

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
