#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`, clang + ASan + UBSan), replays every committed
# corpus input (ctest: seeds and past crashes), then fuzzes each target for a bounded time
# (BIK_FUZZ_SECONDS each, default 20: about 60 s in all). New inputs stay under build/fuzz/; a
# crash fails the run and names the reproducer to add to tests/fuzz/corpus/<target>/ once fixed.
# Exception: a crash of fuzz_read_hdf5 inside libhdf5 itself (Debian 12's HDF5 1.10.8 crashes on
# some corrupted files; tests/fuzz/classify_crash.py decides) is reported as upstream, kept under
# build/fuzz/upstream/, and fuzzing continues for the rest of the time.
# Called by cmake/dev.sh test (needs BIK_KOKKOS_PREFIX and BIK_PYTHON from the bootstrap).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
: "${BIK_KOKKOS_PREFIX:?run through cmake/dev.sh test, which sets it}"
python="${BIK_PYTHON:-python3}"
seconds="${BIK_FUZZ_SECONDS:-20}"
cmake --workflow --preset fuzz
ctest --preset fuzz
export ASAN_OPTIONS="${ASAN_OPTIONS:-allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
artifacts="$here/build/fuzz/artifacts"
upstream="$here/build/fuzz/upstream"
rm -rf "$artifacts" "$upstream"
mkdir -p "$artifacts" "$upstream"
# Executions a libFuzzer log reports (0 if it reports none).
executions() {
  local n
  n="$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | head -n 1)"
  echo "${n:-0}"
}
status=0
for target in fuzz_intensity fuzz_read_hdf5 fuzz_cli_args; do
  work="$here/build/fuzz/work/$target"
  rm -rf "$work"
  mkdir -p "$work"
  # fuzz_read_hdf5: no leak detection, because HDF5 1.10.8 leaks inside a failing H5Fopen (see
  # tests/fuzz/fuzz_read_hdf5.cpp, which checks bik's own handles instead).
  leaks=1
  [ "$target" = fuzz_read_hdf5 ] && leaks=0
  end=$((SECONDS + seconds))
  runs=0
  round=0
  while :; do
    left=$((end - SECONDS))
    [ "$left" -ge 1 ] || break
    round=$((round + 1))
    log="$here/build/fuzz/$target.$round.log"
    if ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=$leaks" \
        "$here/build/fuzz/tests/fuzz/$target" -detect_leaks="$leaks" -max_total_time="$left" \
        -max_len=4096 -timeout=20 -rss_limit_mb=2560 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$target-" "$work" "$here/tests/fuzz/corpus/$target" \
        > "$log" 2>&1; then
      runs=$((runs + $(executions "$log")))
      break
    fi
    runs=$((runs + $(executions "$log")))
    if [ "$target" = fuzz_read_hdf5 ] && [ "$round" -lt 20 ] &&
        "$python" tests/fuzz/classify_crash.py "$log" >/dev/null; then
      for f in "$artifacts/$target"-*; do
        [ -e "$f" ] && mv "$f" "$upstream/"
      done
      cp "$log" "$upstream/"
      echo "[fuzz] $target: a crash inside libhdf5 (upstream, not bik's); see $upstream" >&2
      continue
    fi
    status=1
    tail -n 60 "$log" >&2
    echo "[fuzz] $target: FAILED; reproducer(s): $(ls "$artifacts"/"$target"-* 2>/dev/null | tr '\n' ' ')" >&2
    break
  done
  echo "[fuzz] $target: $runs executions in $seconds s ($round round(s))"
done
if compgen -G "$upstream/*" >/dev/null; then
  echo "[fuzz] upstream HDF5 crashes (not failures): $(ls "$upstream" | grep -vc '\.log$')" >&2
fi
exit "$status"
