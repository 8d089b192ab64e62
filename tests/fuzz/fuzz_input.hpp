// Reading a libFuzzer input as a stream of choices: bytes past the end read as zero, so every
// input, however short, is a valid description.
#ifndef BIK_TESTS_FUZZ_INPUT_HPP
#define BIK_TESTS_FUZZ_INPUT_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace bik_fuzz {

class Input {
 public:
  Input(std::uint8_t const* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  // A value in [lo, hi].
  int in_range(int lo, int hi) { return lo + byte() % (hi - lo + 1); }
  bool flag() { return (byte() & 1) != 0; }
  template <class T>
  T raw() {
    unsigned char bytes[sizeof(T)];
    for (auto& b : bytes) b = byte();
    T v;
    std::memcpy(&v, bytes, sizeof(T));
    return v;
  }
  bool done() const { return pos_ >= size_; }

 private:
  std::uint8_t const* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace bik_fuzz

#endif
