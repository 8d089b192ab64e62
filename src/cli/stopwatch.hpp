// Wall-clock timing for the CLI's per-stage reports.
#ifndef BIK_CLI_STOPWATCH_HPP
#define BIK_CLI_STOPWATCH_HPP

#include <chrono>

namespace bik::cli {

// Measures milliseconds since construction or the last restart().
class Stopwatch {
 public:
  Stopwatch() : start_(clock::now()) {}
  void restart() { start_ = clock::now(); }
  double elapsed_ms() const {
    return std::chrono::duration<double, std::milli>(clock::now() - start_).count();
  }

 private:
  using clock = std::chrono::steady_clock;
  clock::time_point start_;
};

}  // namespace bik::cli

#endif
