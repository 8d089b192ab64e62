// libFuzzer target: bik::measure_intensity on host spaces (Serial, OpenMP) with fuzzer-chosen
// shapes (1 to 12 per axis, 2D or 3D, including 1-pixel images), label dtypes (int32, int64,
// uint16, uint64) and pixel dtypes (float64, float32, uint8), and
// values that favour the edge cases: NaN, +-inf, denormals, extreme integers, labels near the
// dtype maximum (up to UINT64_MAX) and sparse labels, through the dense label table or the
// sort-unique path (a zero byte budget). A call with a negative label must throw bik::Error;
// any other must succeed and list exactly the distinct positive labels, ascending and exact,
// with full columns.
#include "fuzz_input.hpp"

#include "bik/core/error.hpp"
#include "bik/measure.hpp"

#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>
#include <type_traits>

namespace {

using bik_fuzz::Input;

template <class L>
L label_value(Input& in) {
  using limits = std::numeric_limits<L>;
  std::uint8_t const k = in.byte();
  L v = 0;
  switch (k % 10) {
    case 0:
    case 1:
      v = 0;
      break;
    case 2:
    case 3:
      v = static_cast<L>(1 + k / 10 % 6);
      break;  // a few small labels
    case 4:
      v = limits::max();
      break;
    case 5:
      v = static_cast<L>(limits::max() - static_cast<L>(k / 10 % 3));
      break;
    case 6:
      v = limits::min();
      break;   // negative for signed types: must be refused
    case 7: {  // sparse: a power of two, as large as the type allows (2^24, 2^40, 2^62...)
      int const bits = std::numeric_limits<L>::digits;
      v = static_cast<L>(L(1) << (k / 10 * 7 % bits));
      break;
    }
    case 8:
      v = in.raw<L>();
      break;
    default:
      v = static_cast<L>(in.byte());
      break;
  }
  return v;
}

template <class P>
P pixel_value(Input& in) {
  using limits = std::numeric_limits<P>;
  std::uint8_t const k = in.byte();
  switch (k % 9) {
    case 0:
      return in.raw<P>();  // any bit pattern: NaNs with payloads, denormals...
    case 1:
      return limits::has_quiet_NaN ? limits::quiet_NaN() : limits::max();
    case 2:
      return limits::has_infinity ? limits::infinity() : limits::max();
    case 3:
      return limits::has_infinity ? -limits::infinity() : limits::lowest();
    case 4:
      return limits::lowest();
    case 5:
      return limits::max();
    case 6:
      return limits::denorm_min();
    default:
      return static_cast<P>(k / 9);  // small values, with ties
  }
}

template <class T>
using HostVolume = Kokkos::View<T***, Kokkos::LayoutRight, Kokkos::HostSpace>;

template <class Space, class L, class P>
void measure(Input& in) {
  bool const three_d = in.flag();
  int const nz = three_d ? in.in_range(1, 6) : 1;
  int const ny = in.in_range(1, 12);
  int const nx = in.in_range(1, 12);
  bik::IntensityOptions options;
  options.edges = in.flag();
  options.legacy = in.flag();
  HostVolume<L> labels("fuzz_labels", nz, ny, nx);
  HostVolume<P> pixels("fuzz_pixels", nz, ny, nx);
  std::set<std::uint64_t> expected;  // distinct positive labels (all fit uint64)
  bool negative = false;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    labels.data()[i] = label_value<L>(in);
    pixels.data()[i] = pixel_value<P>(in);
    if (labels.data()[i] > 0) expected.insert(static_cast<std::uint64_t>(labels.data()[i]));
    if (labels.data()[i] < 0) negative = true;
  }
  // Read last, so that older corpus inputs keep their meaning (bytes past the end read as 0).
  if (in.flag()) options.dense_label_budget = 0;  // the sort-unique path
  bik::FeatureTable table;
  try {
    if (three_d) {
      table = bik::measure_intensity(Space(), labels, pixels, options);
    } else {
      auto const l2 = Kokkos::subview(labels, 0, Kokkos::ALL, Kokkos::ALL);
      auto const p2 = Kokkos::subview(pixels, 0, Kokkos::ALL, Kokkos::ALL);
      table = bik::measure_intensity(Space(), l2, p2, options);
    }
  } catch (bik::Error const& e) {
    if (negative) return;  // refused with a message, as it must be
    std::fprintf(stderr, "labels without a negative one were refused: %s\n", e.what());
    std::abort();
  }
  if (negative) {
    std::fprintf(stderr, "negative labels were measured instead of refused\n");
    std::abort();
  }
  // The table lists exactly the distinct positive labels, ascending, every column full.
  if (table.rows() != expected.size()) {
    std::fprintf(stderr, "%zu rows for %zu distinct positive labels\n", table.rows(),
                 expected.size());
    std::abort();
  }
  std::size_t r = 0;
  bool const unsigned64 = std::is_unsigned<L>::value && sizeof(L) == 8;
  if ((table.label_type() == bik::LabelType::uint64) != unsigned64) {
    std::fprintf(stderr, "label type %s for a %s label image\n",
                 table.label_type() == bik::LabelType::uint64 ? "uint64" : "int64",
                 unsigned64 ? "uint64" : "narrower");
    std::abort();
  }
  for (std::uint64_t want : expected) {
    if (table.label_bits(r) != want) {
      std::fprintf(stderr, "row %zu: label %s, expected %llu\n", r, table.label_text(r).c_str(),
                   static_cast<unsigned long long>(want));
      std::abort();
    }
    ++r;
  }
  std::size_t const columns = options.edges ? 21 : 16;
  if (table.columns() != columns) std::abort();
  for (std::size_t c = 0; c < table.columns(); ++c)
    if (table.column(c).size() != table.rows()) std::abort();
}

// Serial runs every combination below; OpenMP the ones libbik instantiates (int32/int64 labels,
// float/double pixels), which keeps the fuzzer's build time reasonable.
template <class Space, class L, bool AllPixels>
void with_pixels(Input& in) {
  switch (in.byte() % (AllPixels ? 3 : 2)) {
    case 0:
      measure<Space, L, double>(in);
      break;
    case 1:
      measure<Space, L, float>(in);
      break;
    default:
      if constexpr (AllPixels) measure<Space, L, std::uint8_t>(in);
      break;
  }
}

template <class Space, bool AllTypes>
void with_labels(Input& in) {
  switch (in.byte() % (AllTypes ? 4 : 2)) {
    case 0:
      with_pixels<Space, std::int32_t, AllTypes>(in);
      break;
    case 1:
      with_pixels<Space, std::int64_t, AllTypes>(in);
      break;
    case 2:
      if constexpr (AllTypes) with_pixels<Space, std::uint16_t, AllTypes>(in);
      break;
    default:
      if constexpr (AllTypes) with_pixels<Space, std::uint64_t, AllTypes>(in);
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Kokkos::InitArguments args;
  args.num_threads = 2;
  args.disable_warnings = true;
  Kokkos::initialize(args);  // never finalized: libFuzzer exits the process
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  Input in(data, size);
#if defined(KOKKOS_ENABLE_OPENMP)
  if (in.flag()) {
    with_labels<Kokkos::OpenMP, false>(in);
    return 0;
  }
#else
  (void)in.byte();
#endif
  with_labels<Kokkos::Serial, true>(in);
  return 0;
}
