// A "simulation code" using an installed bik: it owns a label field and an intensity field in
// Kokkos Views on Kokkos::DefaultExecutionSpace, calls bik::measure_intensity on them in place
// (no copies, no files) and checks the per-object features against values it computes itself
// from the same analytic scene. Exit status 0 only if every check passes.
//
// Scene: axis-aligned boxes, each with its own label, on background 0; the intensity is the
// linear ramp f(z, y, x) = 10 + 2 z + y + 0.5 x everywhere (exact in float and double). The
// ramp rises along every axis, so a box's minimum is at its first corner and its maximum
// (first in raster order) at its last corner.
#include <bik/bik.hpp>

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

// A named namespace, not an anonymous one: with MSVC as host compiler, nvcc wants functions
// that enclose extended (device) lambdas to have external linkage.
namespace consumer {

struct Box {
  std::int64_t label;
  int z0, z1, y0, y1, x0, x1;  // half-open ranges
};

constexpr int kMaxBoxes = 4;
using Boxes = Kokkos::Array<Box, kMaxBoxes>;

KOKKOS_INLINE_FUNCTION double ramp(int z, int y, int x) { return 10.0 + 2.0 * z + y + 0.5 * x; }

// Writes v(z, y, x), or v(y, x) for a rank-2 View. The rank test lives here rather than in the
// kernel below: nvcc rejects an extended lambda whose first use of a captured variable is
// inside `if constexpr`.
template <class View>
KOKKOS_INLINE_FUNCTION void store(View const& v, int z, int y, int x,
                                  typename View::value_type value) {
  if constexpr (static_cast<int>(View::rank) == 3) {
    v(z, y, x) = value;
  } else {
    (void)z;
    v(y, x) = value;
  }
}

// Fills labels (Z,Y,X) or (Y,X) and pixels on the device with the boxes and the ramp (nz = 1
// for a 2D scene, so z is 0 there).
template <class ExecSpace, class LabelView, class PixelView>
void paint(ExecSpace const& space, LabelView labels, PixelView pixels, Boxes boxes, int nboxes,
           int nz, int ny, int nx) {
  using L = typename LabelView::value_type;
  using P = typename PixelView::value_type;
  std::int64_t const total = std::int64_t(nz) * ny * nx;
  Kokkos::parallel_for(
      "consumer::paint",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, total),
      KOKKOS_LAMBDA(std::int64_t i) {
        int const x = static_cast<int>(i % nx);
        int const y = static_cast<int>((i / nx) % ny);
        int const z = static_cast<int>(i / (std::int64_t(nx) * ny));
        L label = 0;
        for (int b = 0; b < nboxes; ++b) {
          Box const& box = boxes[b];
          if (z >= box.z0 && z < box.z1 && y >= box.y0 && y < box.y1 && x >= box.x0 && x < box.x1)
            label = static_cast<L>(box.label);
        }
        store(labels, z, y, x, label);
        store(pixels, z, y, x, static_cast<P>(ramp(z, y, x)));
      });
  space.fence();
}

// What a box's features must be, computed on the host from the ramp alone.
struct Expected {
  double count = 0, sum = 0, mean = 0, std = 0, min = 0, max = 0, median = 0;
  double cmi_x = 0, cmi_y = 0, cmi_z = 0, max_x = 0, max_y = 0, max_z = 0, displacement = 0;
};

template <class P>
Expected expected_for(Box const& b) {
  Expected e;
  std::vector<double> values;
  double cx = 0, cy = 0, cz = 0, wx = 0, wy = 0, wz = 0;
  for (int z = b.z0; z < b.z1; ++z)
    for (int y = b.y0; y < b.y1; ++y)
      for (int x = b.x0; x < b.x1; ++x) {
        double const v = static_cast<double>(static_cast<P>(ramp(z, y, x)));
        values.push_back(v);
        e.sum += v;
        cx += x, cy += y, cz += z;
        wx += x * v, wy += y * v, wz += z * v;
      }
  e.count = static_cast<double>(values.size());
  e.mean = e.sum / e.count;
  double ss = 0;
  for (double v : values) ss += (v - e.mean) * (v - e.mean);
  e.std = std::sqrt(ss / e.count);
  e.min = ramp(b.z0, b.y0, b.x0);
  e.max = ramp(b.z1 - 1, b.y1 - 1, b.x1 - 1);
  std::sort(values.begin(), values.end());
  std::size_t const n = values.size();
  e.median = n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  e.cmi_x = wx / e.sum, e.cmi_y = wy / e.sum, e.cmi_z = wz / e.sum;
  e.max_x = b.x1 - 1, e.max_y = b.y1 - 1, e.max_z = b.z1 - 1;
  double const dx = e.cmi_x - cx / e.count, dy = e.cmi_y - cy / e.count,
               dz = e.cmi_z - cz / e.count;
  e.displacement = std::sqrt(dx * dx + dy * dy + dz * dz);
  return e;
}

int failures = 0;

void check(std::string const& what, double got, double want, double rel_tol) {
  double const scale = std::max({1.0, std::fabs(want)});
  if (!(std::fabs(got - want) <= rel_tol * scale)) {
    std::cerr << "MISMATCH " << what << ": bik " << got << ", expected " << want << "\n";
    ++failures;
  }
}

// Runs one scene through bik::measure_intensity and compares every box.
template <class LabelView, class PixelView>
void run_scene(std::string const& name, std::vector<Box> const& boxes, int nz, int ny, int nx,
               double rel_tol) {
  using Exec = Kokkos::DefaultExecutionSpace;
  using P = typename PixelView::value_type;
  constexpr bool is3d = static_cast<int>(LabelView::rank) == 3;
  Exec space;
  LabelView labels;
  PixelView pixels;
  if constexpr (is3d) {
    labels = LabelView("consumer::labels", nz, ny, nx);
    pixels = PixelView("consumer::pixels", nz, ny, nx);
  } else {
    labels = LabelView("consumer::labels", ny, nx);
    pixels = PixelView("consumer::pixels", ny, nx);
  }
  Boxes packed{};
  for (std::size_t b = 0; b < boxes.size(); ++b) packed[b] = boxes[b];
  paint(space, labels, pixels, packed, static_cast<int>(boxes.size()), nz, ny, nx);

  bik::FeatureTable const table = bik::measure_intensity(space, labels, pixels);

  std::vector<Box> sorted = boxes;
  std::sort(sorted.begin(), sorted.end(),
            [](Box const& a, Box const& b) { return a.label < b.label; });
  if (table.rows() != sorted.size()) {
    std::cerr << "MISMATCH " << name << ": " << table.rows() << " rows, expected " << sorted.size()
              << "\n";
    ++failures;
    return;
  }
  for (std::size_t r = 0; r < sorted.size(); ++r) {
    Box const& box = sorted[r];
    std::string const where = name + " label " + std::to_string(box.label) + " ";
    if (table.labels()[r] != box.label) {
      std::cerr << "MISMATCH " << where << "row " << r << " has label " << table.labels()[r]
                << "\n";
      ++failures;
      continue;
    }
    Expected const e = expected_for<P>(box);
    auto feature = [&](char const* column) { return table.column(std::string(column))[r]; };
    check(where + "IntegratedIntensity", feature("Intensity_IntegratedIntensity"), e.sum, rel_tol);
    check(where + "MeanIntensity", feature("Intensity_MeanIntensity"), e.mean, rel_tol);
    check(where + "StdIntensity", feature("Intensity_StdIntensity"), e.std, rel_tol);
    check(where + "MinIntensity", feature("Intensity_MinIntensity"), e.min, 0);
    check(where + "MaxIntensity", feature("Intensity_MaxIntensity"), e.max, 0);
    check(where + "MedianIntensity", feature("Intensity_MedianIntensity"), e.median, rel_tol);
    check(where + "MassDisplacement", feature("Intensity_MassDisplacement"), e.displacement, 1e-9);
    check(where + "CenterMassIntensity_X", feature("Location_CenterMassIntensity_X"), e.cmi_x,
          rel_tol);
    check(where + "CenterMassIntensity_Y", feature("Location_CenterMassIntensity_Y"), e.cmi_y,
          rel_tol);
    check(where + "MaxIntensity_X", feature("Location_MaxIntensity_X"), e.max_x, 0);
    check(where + "MaxIntensity_Y", feature("Location_MaxIntensity_Y"), e.max_y, 0);
    if (is3d) {
      check(where + "CenterMassIntensity_Z", feature("Location_CenterMassIntensity_Z"), e.cmi_z,
            rel_tol);
      check(where + "MaxIntensity_Z", feature("Location_MaxIntensity_Z"), e.max_z, 0);
    }
  }
  std::cout << "consumer: " << name << ": " << table.rows() << " objects x " << table.columns()
            << " features checked\n";
}

}  // namespace consumer

int main(int argc, char* argv[]) {
  using namespace consumer;
  Kokkos::ScopeGuard guard(argc, argv);
  std::cout << "consumer: bik " << BIK_VERSION_STRING << " on "
            << Kokkos::DefaultExecutionSpace::name() << "\n";
  if (std::strcmp(BIK_VERSION_STRING, EXPECTED_BIK_VERSION) != 0) {
    std::cerr << "MISMATCH BIK_VERSION_STRING " << BIK_VERSION_STRING
              << " but find_package(bik) says " << EXPECTED_BIK_VERSION << "\n";
    ++failures;
  }
  if (BIK_VERSION != BIK_VERSION_MAJOR * 10000 + BIK_VERSION_MINOR * 100 + BIK_VERSION_PATCH)
    ++failures;

  using Memory = Kokkos::DefaultExecutionSpace::memory_space;
  // 2D, int32 labels with gaps between the label values, float64 pixels; one single-pixel box.
  run_scene<Kokkos::View<std::int32_t**, Memory>, Kokkos::View<double**, Memory>>(
      "2d",
      {{7, 0, 1, 12, 30, 1, 9},
       {3, 0, 1, 2, 10, 4, 20},
       {40, 0, 1, 50, 51, 70, 71},
       {12, 0, 1, 15, 40, 25, 60}},
      1, 64, 80, 1e-12);
  // 3D, int64 labels, float32 pixels.
  run_scene<Kokkos::View<std::int64_t***, Memory>, Kokkos::View<float***, Memory>>(
      "3d", {{1, 0, 2, 1, 5, 2, 9}, {2, 1, 5, 8, 19, 10, 23}}, 5, 20, 24, 1e-9);

  if (failures) {
    std::cerr << "consumer: " << failures << " mismatches\n";
    return 1;
  }
  std::cout << "consumer: all checks passed\n";
  return 0;
}
