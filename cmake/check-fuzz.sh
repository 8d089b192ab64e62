#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`, clang + ASan + UBSan), replays every committed
# corpus input (ctest: seeds and past crashes), then fuzzes each target for a bounded time
# (BIK_FUZZ_SECONDS each, default 20: about 60 s in all). New inputs stay under build/fuzz/; a
# crash fails the run and names the reproducer to add to tests/fuzz/corpus/<target>/ once fixed.
# Called by cmake/dev.sh test (needs BIK_KOKKOS_PREFIX from the bootstrap).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
: "${BIK_KOKKOS_PREFIX:?run through cmake/dev.sh test, which sets it}"
seconds="${BIK_FUZZ_SECONDS:-20}"
cmake --workflow --preset fuzz
ctest --preset fuzz
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for target in fuzz_intensity fuzz_read_hdf5 fuzz_cli_args; do
  work="$here/build/fuzz/work/$target"
  artifacts="$here/build/fuzz/artifacts"
  rm -rf "$work"
  mkdir -p "$work" "$artifacts"
  log="$here/build/fuzz/$target.log"
  # fuzz_read_hdf5: no leak detection, because HDF5 1.10.8 leaks inside a failing H5Fopen (see
  # tests/fuzz/fuzz_read_hdf5.cpp, which checks bik's own handles instead).
  leaks=1
  [ "$target" = fuzz_read_hdf5 ] && leaks=0
  if ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=$leaks" \
      "$here/build/fuzz/tests/fuzz/$target" -detect_leaks="$leaks" -max_total_time="$seconds" \
      -max_len=4096 -timeout=20 \
      -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
      "$work" "$here/tests/fuzz/corpus/$target" > "$log" 2>&1; then
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    echo "[fuzz] $target: ${runs:-?} executions in ${seconds} s, no crash"
  else
    status=1
    tail -n 60 "$log" >&2
    echo "[fuzz] $target: FAILED; reproducer(s): $(ls "$artifacts"/"$target"-* 2>/dev/null | tr '\n' ' ')" >&2
  fi
done
exit "$status"
