// Workspace: device buffers kept between calls. Kernels that take one draw their temporary and
// output arrays from it, so a program measuring many images allocates (and, on the host,
// page-faults) once instead of on every call; on GPUs it also saves the allocator's cost.
// Views handed out alias the buffers: they stay valid, but their contents are overwritten by
// the next call that uses the same workspace with the same buffer name.
// One owner at a time: a workspace serves one call after another, never two at once. Threads
// that measure concurrently each need their own (and their own execution space instance). The
// pipelines (measure_intensity, ...) hold a Lease for their whole run, so a second concurrent
// call on the same workspace gets a bik::Error instead of corrupted results.
#ifndef BIK_CORE_WORKSPACE_HPP
#define BIK_CORE_WORKSPACE_HPP

#include "bik/core/error.hpp"

#include <Kokkos_Core.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

namespace bik {

template <class MemorySpace>
class Workspace {
 public:
  // A View of n elements labelled `name`, uninitialised (a fresh one if no workspace is given).
  template <class T>
  static Kokkos::View<T*, MemorySpace> get(Workspace* ws, std::string const& name, std::size_t n) {
    if (ws == nullptr)
      return Kokkos::View<T*, MemorySpace>(Kokkos::view_alloc(Kokkos::WithoutInitializing, name),
                                           n);
    return ws->buffer<T>(name, n);
  }

  // Exclusive use of a workspace (none needed without one) for a scope; bik::Error naming
  // `who` if another call holds it.
  class Lease {
   public:
    Lease(Workspace* ws, char const* who) : ws_(ws) {
      if (ws_ != nullptr && ws_->busy_.exchange(true))
        throw Error(std::string(who) +
                    ": the workspace is in use by another call; give each concurrent caller "
                    "its own bik::Workspace");
    }
    ~Lease() {
      if (ws_ != nullptr) ws_->busy_.store(false);
    }
    Lease(Lease const&) = delete;
    Lease& operator=(Lease const&) = delete;

   private:
    Workspace* ws_;
  };

 private:
  template <class T>
  using Buffers = std::map<std::string, Kokkos::View<T*, MemorySpace>>;

  template <class T>
  Kokkos::View<T*, MemorySpace> buffer(std::string const& name, std::size_t n) {
    auto& view = buffers(static_cast<T*>(nullptr))[name];
    if (view.extent(0) < n)  // grow by half again, so slowly growing inputs reallocate rarely
      view = Kokkos::View<T*, MemorySpace>(Kokkos::view_alloc(Kokkos::WithoutInitializing, name),
                                           n + n / 2);
    return Kokkos::subview(view, Kokkos::make_pair(std::size_t(0), n));
  }
  Buffers<double>& buffers(double*) { return doubles_; }
  Buffers<float>& buffers(float*) { return floats_; }
  Buffers<std::int64_t>& buffers(std::int64_t*) { return int64s_; }
  Buffers<std::int32_t>& buffers(std::int32_t*) { return int32s_; }
  Buffers<std::uint8_t>& buffers(std::uint8_t*) { return bytes_; }

  Buffers<double> doubles_;
  Buffers<float> floats_;
  Buffers<std::int64_t> int64s_;
  Buffers<std::int32_t> int32s_;
  Buffers<std::uint8_t> bytes_;
  std::atomic<bool> busy_{false};
};

// Sets every element of v to `value` on `space` (a labelled kernel, for Kokkos Tools).
template <class ExecSpace, class View>
void fill(ExecSpace const& space, std::string const& label, View const& v,
          typename View::non_const_value_type value) {
  Kokkos::parallel_for(
      label, Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, v.extent(0)),
      KOKKOS_LAMBDA(std::int64_t i) { v(i) = value; });
}

}  // namespace bik

#endif
