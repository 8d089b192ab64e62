// NonDeduced<T>: T in a position where template arguments are not deduced, so that a View
// argument converts (e.g. to const elements) instead of failing deduction.
#ifndef BIK_N4_NON_DEDUCED_HPP
#define BIK_N4_NON_DEDUCED_HPP

namespace bik::n4 {

template <class T>
struct NonDeducedImpl {
  using type = T;
};
template <class T>
using NonDeduced = typename NonDeducedImpl<T>::type;

}  // namespace bik::n4

#endif
