// The run-time backend registry: maps a backend name to the execution space instantiated for it
// in backends/<name>/, and keeps a program's inputs resident there.
#include "backend_registry.hpp"

#include "bik/config.hpp"
#include "bik/core/error.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure.hpp"

#include <Kokkos_Core.hpp>

#include <type_traits>
#include <variant>

namespace bik::cli {

namespace {

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

}  // namespace

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
#if BIK_HAS_SERIAL
  names.emplace_back("serial");
#endif
#if BIK_HAS_OPENMP
  names.emplace_back("openmp");
#endif
#if BIK_HAS_CUDA
  names.emplace_back("cuda");
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

// A host-side interface over the resident images of one space (virtual calls stay on the host).
struct ResidentImages::Impl {
  virtual ~Impl() = default;
  virtual std::vector<FeatureTable> measure_intensity(IntensityOptions const& options) = 0;
  virtual std::vector<FeatureTable> measure_zernike(ZernikeKind kind,
                                                    ZernikeOptions const& options) = 0;
  virtual std::vector<FeatureTable> measure_granularity(GranularityOptions const& options) = 0;
};

namespace {

template <class Space, class L, class P>
struct ResidentOn final : ResidentImages::Impl {
  using Memory = typename Space::memory_space;
  Kokkos::View<L const***, Kokkos::LayoutRight, Memory> labels;
  Kokkos::View<P const***, Kokkos::LayoutRight, Memory> pixels;
  int label_rank, pixel_rank;
  std::int64_t images;
  Workspace<Memory> workspace;

  // A resident image stack as a (B,Z,Y,X) batch of b images (a view, no copy).
  template <class T>
  static auto as_batch(Kokkos::View<T const***, Kokkos::LayoutRight, Memory> const& v,
                       std::size_t b) {
    using Batch = Kokkos::View<T const****, Kokkos::LayoutRight, Memory,
                               Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
    return Batch(v.data(), b, v.extent(0) / b, v.extent(1), v.extent(2));
  }

  ResidentOn(HostImage<L> const& l, HostImage<P> const& p)
      : labels(Kokkos::create_mirror_view_and_copy(Memory(), l.data)),
        pixels(Kokkos::create_mirror_view_and_copy(Memory(), p.data)),
        label_rank(l.rank),
        pixel_rank(p.rank),
        images(p.images) {
    require(l.images == p.images, "bik measure",
            "batch size mismatch: " + std::to_string(l.images) + " label images, " +
                std::to_string(p.images) + " pixel images");
  }

  std::vector<FeatureTable> measure_intensity(IntensityOptions const& options) override {
    Space const space;
    auto const plane = [](auto const& v) {
      return Kokkos::subview(v, 0, Kokkos::ALL, Kokkos::ALL);
    };
    if (images > 1) {
      auto const b = static_cast<std::size_t>(images);
      return measure_intensity_batch(space, as_batch(labels, b), as_batch(pixels, b), options,
                                     &workspace);
    }
    if (pixel_rank == 2) {
      require(label_rank == 2, "bik::measure_intensity", "3D labels cannot describe 2D pixels");
      return {bik::measure_intensity(space, plane(labels), plane(pixels), options, &workspace)};
    }
    if (label_rank == 2)
      return {bik::measure_intensity(space, plane(labels), pixels, options, &workspace)};
    return {bik::measure_intensity(space, labels, pixels, options, &workspace)};
  }

  std::vector<FeatureTable> measure_zernike(ZernikeKind kind,
                                            ZernikeOptions const& options) override {
    Space const space;
    char const* const what = kind == ZernikeKind::shape ? "zernike" : "radial-zernike";
    require(pixel_rank == 2 && label_rank == 2, std::string("bik measure --features ") + what,
            "Zernike features are 2D only (cp_measure returns none for 3D input), and the input "
            "is 3D");
    // Every image, one or a batch, as a (B,1,Y,X) stack: one kernel sequence for all.
    auto const b = static_cast<std::size_t>(images);
    auto const l4 = as_batch(labels, b);
    auto const p4 = as_batch(pixels, b);
    if (kind == ZernikeKind::shape) return measure_zernike_batch(space, l4, options, &workspace);
    return measure_radial_zernike_batch(space, l4, p4, options, &workspace);
  }

  std::vector<FeatureTable> measure_granularity(GranularityOptions const& options) override {
    Space const space;
    auto const plane = [](auto const& v) {
      return Kokkos::subview(v, 0, Kokkos::ALL, Kokkos::ALL);
    };
    require(label_rank == pixel_rank, "bik::measure_granularity",
            "labels must have the pixels' shape (a 2D label image over a 3D stack is not "
            "supported for granularity)");
    if (images > 1) {
      auto const b = static_cast<std::size_t>(images);
      return measure_granularity_batch(space, as_batch(labels, b), as_batch(pixels, b), options,
                                       &workspace);
    }
    if (pixel_rank == 2)
      return {bik::measure_granularity(space, plane(labels), plane(pixels), options, &workspace)};
    return {bik::measure_granularity(space, labels, pixels, options, &workspace)};
  }
};

}  // namespace

ResidentImages::ResidentImages(std::string const& backend, io::LabelImage const& labels,
                               io::PixelImage const& pixels)
    : impl_(with_space(backend, [&](auto space) -> std::unique_ptr<Impl> {
        return std::visit(
            [&](auto const& l, auto const& p) -> std::unique_ptr<Impl> {
              using L = typename std::decay_t<decltype(l.data)>::non_const_value_type;
              using P = typename std::decay_t<decltype(p.data)>::non_const_value_type;
              return std::make_unique<ResidentOn<decltype(space), L, P>>(l, p);
            },
            labels, pixels);
      })) {}

ResidentImages::~ResidentImages() = default;

std::vector<FeatureTable> ResidentImages::measure_intensity(IntensityOptions const& options) {
  return impl_->measure_intensity(options);
}

std::vector<FeatureTable> ResidentImages::measure_zernike(ZernikeKind kind,
                                                          ZernikeOptions const& options) {
  return impl_->measure_zernike(kind, options);
}

std::vector<FeatureTable> ResidentImages::measure_granularity(GranularityOptions const& options) {
  return impl_->measure_granularity(options);
}

}  // namespace bik::cli
