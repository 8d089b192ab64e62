// Wider vectors for a CPU loop that a portable x86-64 build compiles for SSE2 only: the loop's
// caller has a second entry compiled for AVX2 (BIK_WIDE_HOST_FUNCTION: GCC and Clang's target
// attribute, with `flatten` so that everything the entry calls is inlined into it and compiled
// for AVX2 too), and picks it at run time where the CPU has AVX2 (host_vectors). AVX2 without
// FMA: the same operations, 8 floats at a time instead of 4, so the same bits as the SSE2 code.
// A build for a host ISA with AVX2 already (-march=native, a Spack target) has one entry, wide.
// Nothing of this reaches device code: there are no entries under nvcc, HIP or SYCL.
#ifndef BIK_CORE_HOST_VECTORS_HPP
#define BIK_CORE_HOST_VECTORS_HPP

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__AVX2__) && \
    !defined(__CUDACC__) && !defined(__HIPCC__) && !defined(__SYCL_DEVICE_ONLY__)
#define BIK_WIDE_HOST_ENTRY 1
#define BIK_WIDE_HOST_FUNCTION __attribute__((target("avx2"), flatten))
#else
#define BIK_WIDE_HOST_ENTRY 0
#endif

namespace bik {

// The vector width of CPU loops with a wide entry: 16 bytes (SSE2, NEON) or 32 (AVX2).
enum class HostVectors { narrow = 16, wide = 32 };

// Whether this build and CPU run wide loops: the build's ISA has AVX2, or it has the AVX2
// entries and the CPU has AVX2.
inline bool host_runs_wide() {
#if defined(__AVX2__)
  return true;
#elif BIK_WIDE_HOST_ENTRY
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

// The loops' width: wide where host_runs_wide, unless the environment says
// BIK_HOST_VECTORS=narrow (to compare the two). A reference, so that tests may change it (to
// wide only where host_runs_wide).
inline HostVectors& host_vectors() {
  static HostVectors chosen = [] {
    char const* env = std::getenv("BIK_HOST_VECTORS");
    bool const narrow = env != nullptr && std::strcmp(env, "narrow") == 0;
    return !narrow && host_runs_wide() ? HostVectors::wide : HostVectors::narrow;
  }();
  return chosen;
}

}  // namespace bik

#endif
