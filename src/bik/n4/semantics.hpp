// Which N4 bik::n4::correct reproduces (spec n4.md §9, §12): ITK's filter as SimpleITK runs it,
// or the GPU port of linumpy (its PR #116), which differs in shrinking, log, mesh, histogram,
// convergence test and B-spline boundary columns.
#ifndef BIK_N4_SEMANTICS_HPP
#define BIK_N4_SEMANTICS_HPP

namespace bik::n4 {

enum class Semantics { itk, linumpy };

}  // namespace bik::n4

#endif
