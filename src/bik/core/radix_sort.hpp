// Stable LSD radix sort of 64-bit keys, optionally by a second, more significant key: the
// sort-unique path of make_label_lut, for labels too sparse for a dense table.
//
// Each pass sorts by one byte. The elements are cut into chunks; every chunk counts its digits
// (a thread each, a column of the (digit x chunk) table each), one exclusive scan over the
// table in digit-major order gives each chunk its write cursor per digit, and every chunk then
// scatters its elements in order: stable, and the same result for any number of chunks. Only
// the bytes that can differ are sorted (the caller says how many), so 2^40 labels take 6
// passes. The element count is read on the device (chunks split it evenly), so a count made
// by an earlier kernel needs no host synchronisation. O(passes x n) work.
#ifndef BIK_CORE_RADIX_SORT_HPP
#define BIK_CORE_RADIX_SORT_HPP

#include "bik/core/compat.hpp"
#include "bik/core/workspace.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdint>
#include <utility>

namespace bik {

// Bytes needed to write v (0 for 0).
inline int significant_bytes(std::uint64_t v) {
  int bytes = 0;
  for (; v != 0; v >>= 8) ++bytes;
  return bytes;
}

namespace detail {
// The radix digit of pass p: the bytes of `minor` first, then those of `major`.
KOKKOS_INLINE_FUNCTION std::int64_t radix_digit(std::int64_t minor, std::int64_t major, int pass,
                                                int minor_bytes) {
  std::uint64_t const word = static_cast<std::uint64_t>(pass < minor_bytes ? minor : major);
  int const shift = 8 * (pass < minor_bytes ? pass : pass - minor_bytes);
  return static_cast<std::int64_t>((word >> shift) & 0xff);
}
}  // namespace detail

// Sorts the first length(0) (at most `capacity`) elements of (major, minor) pairs, ascending by
// major then minor, both read as unsigned 64-bit values, of which only the low `minor_bytes`
// and `major_bytes` bytes may be non-zero. `major` may be empty (major_bytes must then be 0).
// `spare_minor` and `spare_major` (same sizes) are overwritten. Returns the pair of Views
// holding the sorted keys: the inputs or the spares.
template <class ExecSpace, class MemorySpace>
std::pair<Kokkos::View<std::int64_t*, MemorySpace>, Kokkos::View<std::int64_t*, MemorySpace>>
radix_sort_pairs(ExecSpace const& space, std::int64_t capacity,
                 Kokkos::View<std::int64_t*, MemorySpace> length,
                 Kokkos::View<std::int64_t*, MemorySpace> minor,
                 Kokkos::View<std::int64_t*, MemorySpace> major,
                 Kokkos::View<std::int64_t*, MemorySpace> spare_minor,
                 Kokkos::View<std::int64_t*, MemorySpace> spare_major, int minor_bytes,
                 int major_bytes, Workspace<MemorySpace>* workspace = nullptr) {
  kx::ScopedRegion region("bik::radix_sort");
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  constexpr std::int64_t digits = 256;
  // Enough chunks to keep every thread busy (a GPU's lanes too: one per 256 elements of room).
  std::int64_t const chunks = std::max<std::int64_t>(
      1, std::min<std::int64_t>((capacity + 255) / 256,
                                4 * static_cast<std::int64_t>(kx::concurrency(space))));
  std::int64_t const cells = digits * chunks;
  auto cursor = Workspace<MemorySpace>::template get<std::int64_t>(
      workspace, "bik::radix_sort::cursor", static_cast<std::size_t>(cells));
  bool const with_major = major_bytes > 0;
  for (int pass = 0; pass < minor_bytes + major_bytes; ++pass) {
    auto const in_minor = minor, in_major = major, out_minor = spare_minor, out_major = spare_major;
    fill(space, "bik::radix_sort::clear", cursor, 0);
    Kokkos::parallel_for(
        "bik::radix_sort::count", Policy(space, 0, chunks), KOKKOS_LAMBDA(std::int64_t c) {
          std::int64_t const n = length(0), end = n * (c + 1) / chunks;
          for (std::int64_t i = n * c / chunks; i < end; ++i) {
            std::int64_t const d = detail::radix_digit(
                in_minor(i), with_major ? in_major(i) : std::int64_t(0), pass, minor_bytes);
            cursor(d * chunks + c) += 1;  // this chunk's own column: no other thread writes it
          }
        });
    Kokkos::parallel_scan(
        "bik::radix_sort::scan", Policy(space, 0, cells),
        KOKKOS_LAMBDA(std::int64_t j, std::int64_t & partial, bool final) {
          std::int64_t const count = cursor(j);
          if (final) cursor(j) = partial;
          partial += count;
        });
    Kokkos::parallel_for(
        "bik::radix_sort::scatter", Policy(space, 0, chunks), KOKKOS_LAMBDA(std::int64_t c) {
          std::int64_t const n = length(0), end = n * (c + 1) / chunks;
          for (std::int64_t i = n * c / chunks; i < end; ++i) {
            std::int64_t const high = with_major ? in_major(i) : std::int64_t(0);
            std::int64_t const d = detail::radix_digit(in_minor(i), high, pass, minor_bytes);
            std::int64_t const to = cursor(d * chunks + c)++;
            out_minor(to) = in_minor(i);
            if (with_major) out_major(to) = high;
          }
        });
    std::swap(minor, spare_minor);
    std::swap(major, spare_major);
  }
  return {minor, major};
}

}  // namespace bik

#endif
