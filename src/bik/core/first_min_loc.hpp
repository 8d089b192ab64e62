// A Kokkos reducer to the smallest value and, among equal values, the smallest index. Kokkos'
// MinLoc keeps whichever of two equal values it joins first, so its pick among ties depends on
// the team size and the space; this one does not: the same (value, index) everywhere, the one a
// sequential "first strict minimum" loop finds (for values that are not NaN).
#ifndef BIK_CORE_FIRST_MIN_LOC_HPP
#define BIK_CORE_FIRST_MIN_LOC_HPP

#include <Kokkos_Core.hpp>

namespace bik {

template <class Space = Kokkos::HostSpace>
struct FirstMinLoc {
  using reducer = FirstMinLoc;
  using value_type = Kokkos::ValLocScalar<double, int>;
  using result_view_type = Kokkos::View<value_type, Space, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

  KOKKOS_INLINE_FUNCTION explicit FirstMinLoc(value_type& value) : value_(&value) {}

  KOKKOS_INLINE_FUNCTION static bool precedes(double value, int index, double than_value,
                                              int than_index) {
    return value < than_value || (value == than_value && index < than_index);
  }
  KOKKOS_INLINE_FUNCTION void join(value_type& dest, value_type const& src) const {
    if (precedes(src.val, src.loc, dest.val, dest.loc)) {
      dest.val = src.val;
      dest.loc = src.loc;
    }
  }
#if KOKKOS_VERSION < 40000
  // Kokkos 3 joins through volatile references in some team reductions.
  KOKKOS_INLINE_FUNCTION void join(value_type volatile& dest,
                                   value_type const volatile& src) const {
    if (precedes(src.val, src.loc, dest.val, dest.loc)) {
      dest.val = src.val;
      dest.loc = src.loc;
    }
  }
#endif
  KOKKOS_INLINE_FUNCTION void init(value_type& v) const {
    v.val = Kokkos::reduction_identity<double>::min();
    v.loc = Kokkos::reduction_identity<int>::min();
  }
  KOKKOS_INLINE_FUNCTION value_type& reference() const { return *value_.data(); }
  KOKKOS_INLINE_FUNCTION result_view_type view() const { return value_; }
  KOKKOS_INLINE_FUNCTION bool references_scalar() const { return true; }

 private:
  result_view_type value_;
};

}  // namespace bik

#endif
