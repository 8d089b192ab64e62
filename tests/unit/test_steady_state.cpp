// With a Workspace, a repeated measurement allocates nothing: every buffer of the second and
// later calls comes from the first call's allocations. Counted through the Kokkos Tools
// allocation callback, which sees every Kokkos allocation in every memory space.
#include "bik/measure.hpp"
#include "spaces.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {
int allocations = 0;
std::vector<std::string> allocated;
void count_allocation(Kokkos_Profiling_SpaceHandle, char const* name, void const*, std::uint64_t) {
  ++allocations;
  allocated.emplace_back(name);
}

// Allocations made by f().
template <class F>
int allocations_of(F&& f) {
  allocations = 0;
  allocated.clear();
  Kokkos::Tools::Experimental::set_allocate_data_callback(count_allocation);
  f();
  Kokkos::fence();
  Kokkos::Tools::Experimental::set_allocate_data_callback(nullptr);
  return allocations;
}

std::string names() {
  std::string all;
  for (auto const& n : allocated) all += n + "; ";
  return all;
}
}  // namespace

TEST_CASE_TEMPLATE_DEFINE("a reused workspace allocates nothing after the first call", Space,
                          steady_state) {
  using Mem = typename Space::memory_space;
  std::mt19937_64 rng(3);
  int const nb = 64, ny = 32, nx = 32;
  std::vector<std::int32_t> lab(static_cast<std::size_t>(nb) * ny * nx);
  std::vector<double> px(lab.size());
  for (std::size_t i = 0; i < lab.size(); ++i) {
    lab[i] = static_cast<std::int32_t>((i / 5 + i / (5 * nx)) % 9);
    px[i] = std::uniform_real_distribution<double>(0, 100)(rng);
  }
  auto labels = bik_test::volume<Space, std::int32_t>(lab, nb, ny, nx);
  auto pixels = bik_test::volume<Space, double>(px, nb, ny, nx);
  auto const image = [](auto const& v) { return Kokkos::subview(v, 0, Kokkos::ALL, Kokkos::ALL); };
  Kokkos::View<std::int32_t const****, Kokkos::LayoutRight, Mem> labels4(labels.data(), nb, 1, ny,
                                                                         nx);
  Kokkos::View<double const****, Kokkos::LayoutRight, Mem> pixels4(pixels.data(), nb, 1, ny, nx);

  using Shape = bik::ObjectSchedule::Shape;
  for (Shape const shape : {Shape::thread_per_object, Shape::team_per_object}) {
    bik::IntensityOptions options;
    options.schedule.shape = shape;
    bik::Workspace<Mem> workspace;
    Kokkos::View<double**, Mem> features("features", 16, 21);
    Kokkos::View<std::int64_t*, Mem> object_labels("object_labels", 16);

    auto const table = [&] {
      bik::measure_intensity(Space(), image(labels), image(pixels), options, &workspace);
    };
    auto const into = [&] {
      bik::measure_intensity_into(Space(), image(labels), image(pixels), features, object_labels,
                                  options, &workspace);
    };
    auto const batch = [&] {
      bik::measure_intensity_batch(Space(), labels4, pixels4, options, &workspace);
    };
    // A ragged list: two images of other shapes, measured as one padded batch.
    using Image = Kokkos::View<std::int32_t const**, Kokkos::LayoutStride, Mem>;
    using Pixels = Kokkos::View<double const**, Kokkos::LayoutStride, Mem>;
    auto const part = [](auto const& v, int y1, int x1) {
      return Kokkos::subview(v, 0, Kokkos::make_pair(0, y1), Kokkos::make_pair(0, x1));
    };
    std::vector<Image> const ragged_labels = {part(labels, 20, 32), part(labels, 32, 12)};
    std::vector<Pixels> const ragged_pixels = {part(pixels, 20, 32), part(pixels, 32, 12)};
    auto const ragged = [&] {
      bik::measure_intensity_batch(Space(), ragged_labels, ragged_pixels, options, &workspace);
    };
    // The first calls may allocate (and did: the workspace starts empty).
    CHECK(allocations_of(batch) > 0);
    table();
    into();
    ragged();
    for (int repeat = 0; repeat < 3; ++repeat) {
      CHECK_MESSAGE(allocations_of(ragged) == 0, names());
      CHECK_MESSAGE(allocations_of(table) == 0, names());
      CHECK_MESSAGE(allocations_of(into) == 0, names());
      CHECK_MESSAGE(allocations_of(batch) == 0, names());
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(steady_state, BikTestSpaces);

TEST_CASE_TEMPLATE_DEFINE("a workspace serves one call at a time", Space, single_owner) {
  using Mem = typename Space::memory_space;
  auto labels = bik_test::image<Space, std::int32_t>({1, 1, 0, 2}, 2, 2);
  auto pixels = bik_test::image<Space, double>({1, 2, 3, 4}, 2, 2);
  bik::Workspace<Mem> workspace;
  {
    // As if another thread were inside a call with this workspace.
    typename bik::Workspace<Mem>::Lease const other(&workspace, "another caller");
    CHECK_THROWS_WITH_AS(bik::measure_intensity(Space(), labels, pixels, {}, &workspace),
                         doctest::Contains("in use by another call"), bik::Error);
  }
  CHECK(bik::measure_intensity(Space(), labels, pixels, {}, &workspace).rows() == 2);
}
TEST_CASE_TEMPLATE_APPLY(single_owner, BikTestSpaces);
