// The process's peak resident memory so far (getrusage's ru_maxrss), for the summaries of
// memory-bound commands such as `bik n4 --sections`.
#ifndef BIK_CLI_PEAK_MEMORY_HPP
#define BIK_CLI_PEAK_MEMORY_HPP

#include <sys/resource.h>

namespace bik::cli {

// Peak resident set size in MiB (Linux reports ru_maxrss in KiB), 0 if unavailable.
inline double peak_rss_mib() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0.0;
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace bik::cli

#endif
