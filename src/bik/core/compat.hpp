// Kokkos version shims (3.4 through 5.x). Everything in bik that depends on the Kokkos version
// goes through here; see shared/specs/kokkos_ecosystem.md §3.5 for the differences covered.
#ifndef BIK_CORE_COMPAT_HPP
#define BIK_CORE_COMPAT_HPP

#include <Kokkos_Core.hpp>

#include <string>
#include <type_traits>

#ifndef KOKKOS_VERSION
#error "KOKKOS_VERSION is undefined: this Kokkos is too old for bik (need >= 3.4)"
#endif

namespace bik::kx {

// min/max: Kokkos::min/max are absent in 3.4 and moved namespaces later, so bik owns them.
template <class T>
KOKKOS_INLINE_FUNCTION constexpr T const& min(T const& a, T const& b) {
  return b < a ? b : a;
}
template <class T>
KOKKOS_INLINE_FUNCTION constexpr T const& max(T const& a, T const& b) {
  return a < b ? b : a;
}

// Finite test usable in device code on every Kokkos version: v - v is 0 for finite v and NaN
// for NaN and +-inf. Integers are always finite.
template <class T>
KOKKOS_INLINE_FUNCTION constexpr bool is_finite(T v) {
  if constexpr (std::is_floating_point<T>::value) {
    return (v - v) == T(0);
  } else {
    return true;
  }
}

KOKKOS_INLINE_FUNCTION double sqrt(double x) {
#if KOKKOS_VERSION >= 30700
  return Kokkos::sqrt(x);
#else
  return Kokkos::Experimental::sqrt(x);
#endif
}

KOKKOS_INLINE_FUNCTION double abs(double x) { return x < 0.0 ? -x : x; }

KOKKOS_INLINE_FUNCTION double acos(double x) {
#if KOKKOS_VERSION >= 30700
  return Kokkos::acos(x);
#else
  return Kokkos::Experimental::acos(x);
#endif
}

KOKKOS_INLINE_FUNCTION double atan2(double y, double x) {
#if KOKKOS_VERSION >= 30700
  return Kokkos::atan2(y, x);
#else
  return Kokkos::Experimental::atan2(y, x);
#endif
}

// RAII profiling region (Kokkos::Profiling::ScopedRegion exists only from 4.1).
class ScopedRegion {
 public:
  explicit ScopedRegion(std::string const& name) { Kokkos::Profiling::pushRegion(name); }
  ~ScopedRegion() { Kokkos::Profiling::popRegion(); }
  ScopedRegion(ScopedRegion const&) = delete;
  ScopedRegion& operator=(ScopedRegion const&) = delete;
};

// Concurrency of an execution space instance (static in 3.x, a member from 4.0).
template <class ExecSpace>
int concurrency(ExecSpace const& space) {
  return static_cast<int>(space.concurrency());
}

}  // namespace bik::kx

#endif
