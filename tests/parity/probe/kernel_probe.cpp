// bik_kernel_probe: runs one building block of granularity on raw float64 files, for the parity
// suite (tests/parity/test_granularity_parity.py) to compare with scikit-image and scipy.
//   bik_kernel_probe erode|dilate BACKEND NZ NY NX PLANES RADIUS IN OUT
//   bik_kernel_probe reconstruct  BACKEND NZ NY NX PLANES SEED MASK OUT
//   bik_kernel_probe points       BACKEND NY NX IMAGE POINTS OUT   (POINTS: (y, x) pairs)
//   bik_kernel_probe grid         BACKEND NY NX IMAGE CY CX OUT    (CY, CX: coordinate lists)
// Files are raw native float64 in C order. Exit code 2 with a message on any error.
#include "bik/config.hpp"
#include "bik/core/error.hpp"
#include "bik/morphology/erode_dilate.hpp"
#include "bik/morphology/reconstruct.hpp"
#include "bik/resample/grid_sampler.hpp"
#include "bik/resample/map_coordinates.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace {

std::vector<double> read_doubles(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw bik::Error(path + ": cannot open");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<double> v(bytes.size() / sizeof(double));
  std::copy(bytes.begin(), bytes.begin() + v.size() * sizeof(double),
            reinterpret_cast<char*>(v.data()));
  return v;
}

void write_doubles(std::string const& path, double const* data, std::size_t n) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<char const*>(data), static_cast<std::streamsize>(n * sizeof(double)));
  if (!out) throw bik::Error(path + ": cannot write");
}

template <class Space>
int run(std::vector<std::string> const& a) {
  using Memory = typename Space::memory_space;
  using Dense = Kokkos::View<double***, Kokkos::LayoutRight, Memory>;
  Space const space;
  auto to_device = [](std::vector<double> const& v, std::int64_t nz, std::int64_t ny,
                      std::int64_t nx) {
    if (static_cast<std::int64_t>(v.size()) != nz * ny * nx)
      throw bik::Error("input size does not match the shape");
    // A copy of its own: the input vector is a temporary of the caller.
    Dense d("in", nz, ny, nx);
    Kokkos::deep_copy(d, Kokkos::View<double const***, Kokkos::LayoutRight, Kokkos::HostSpace>(
                             v.data(), nz, ny, nx));
    return d;
  };
  auto strided = [](Dense const& d) {
    return bik::Volume<double, Memory>(
        d.data(), Kokkos::LayoutStride(d.extent(0), d.extent(1) * d.extent(2), d.extent(1),
                                       d.extent(2), d.extent(2), 1));
  };
  auto finish = [](std::string const& path, Dense const& d) {
    auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), d);
    write_doubles(path, host.data(), host.size());
    return 0;
  };
  std::string const& op = a[0];
  if (op == "erode" || op == "dilate" || op == "reconstruct") {
    std::int64_t const nz = std::stoll(a[2]), ny = std::stoll(a[3]), nx = std::stoll(a[4]),
                       planes = std::stoll(a[5]);
    Dense out("out", nz, ny, nx);
    bik::Workspace<Memory> ws;
    if (op == "reconstruct") {
      auto const seed = to_device(read_doubles(a[6]), nz, ny, nx);
      auto const mask = to_device(read_doubles(a[7]), nz, ny, nx);
      bik::reconstruct_by_dilation(space, bik::as_volume(seed), bik::as_volume(mask), strided(out),
                                   planes, &ws);
      return finish(a[8], out);
    }
    auto const in = to_device(read_doubles(a[7]), nz, ny, nx);
    int const radius = std::stoi(a[6]);
    if (op == "erode")
      bik::erode(space, bik::as_volume(in), strided(out), radius, planes, &ws);
    else
      bik::dilate(space, bik::as_volume(in), strided(out), radius, planes, &ws);
    return finish(a[8], out);
  }
  std::int64_t const ny = std::stoll(a[2]), nx = std::stoll(a[3]);
  auto const image = to_device(read_doubles(a[4]), 1, ny, nx);
  if (op == "points") {
    std::vector<double> const points = read_doubles(a[5]);
    std::int64_t const n = static_cast<std::int64_t>(points.size() / 2);
    Kokkos::View<double*, Memory> coords("coords", points.size());
    Kokkos::deep_copy(coords,
                      Kokkos::View<double const*, Kokkos::HostSpace>(points.data(), points.size()));
    Kokkos::View<double*, Memory> values("values", n);
    Kokkos::parallel_for(
        "bik_probe::points", Kokkos::RangePolicy<Space>(space, 0, n), KOKKOS_LAMBDA(int i) {
          values(i) = bik::bilinear(image, 0, bik::axis_sample(coords(2 * i), ny),
                                    bik::axis_sample(coords(2 * i + 1), nx));
        });
    auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), values);
    write_doubles(a[6], host.data(), host.size());
    return 0;
  }
  if (op == "grid") {
    std::vector<double> const cy = read_doubles(a[5]), cx = read_doubles(a[6]);
    bik::Workspace<Memory> ws;
    auto const sampler =
        bik::make_grid_sampler(space, {0.0}, cy, cx, bik::Shape3{1, ny, nx}, &ws, "probe");
    Dense out("out", 1, cy.size(), cx.size());
    bik::resample(space, sampler, bik::as_volume(image), strided(out));
    return finish(a[7], out);
  }
  throw bik::Error("unknown operation '" + op + "'");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> const args(argv + 1, argv + argc);
  if (args.size() < 2) {
    std::cerr << "usage: see tests/parity/probe/kernel_probe.cpp\n";
    return 2;
  }
  Kokkos::ScopeGuard const guard(argc, argv);
  try {
#if BIK_HAS_OPENMP && defined(KOKKOS_ENABLE_OPENMP)
    if (args[1] == "openmp") return run<Kokkos::OpenMP>(args);
#endif
#if BIK_HAS_SERIAL && defined(KOKKOS_ENABLE_SERIAL)
    if (args[1] == "serial") return run<Kokkos::Serial>(args);
#endif
    throw bik::Error("backend '" + args[1] + "' is not available in this probe");
  } catch (std::exception const& e) {
    std::cerr << "bik_kernel_probe: error: " << e.what() << "\n";
    return 2;
  }
}
