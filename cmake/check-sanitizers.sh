#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer: builds the `asan` preset (bik, bik::io, the CLI
# and the unit/io tests instrumented; the bootstrap's Kokkos is not) as C++20, which is also the
# project's C++20 check (one build less on CI's two cores), runs the unit and io
# suites and the CLI suite on it, and fails on any sanitizer report. Reports go to
# build/asan/sanitizer-logs/ (so one from a test that ignores exit codes still fails the run).
# Called by cmake/dev.sh test (needs BIK_KOKKOS_PREFIX and BIK_PYTHON from the bootstrap).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
: "${BIK_KOKKOS_PREFIX:?run through cmake/dev.sh test, which sets it}"
: "${BIK_PYTHON:?run through cmake/dev.sh test, which sets it}"
cmake --workflow --preset asan
logs="$here/build/asan/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
report() {
  if compgen -G "$logs/*" >/dev/null; then
    cat "$logs"/* >&2
    echo "[sanitizers] reports above (from $logs)" >&2
    return 1
  fi
}
trap 'report || true' EXIT
# detect_leaks: LeakSanitizer at exit. No suppressions are needed today; add one only with the
# reason next to it.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$logs/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan"
ctest --preset asan --output-junit "$here/build/asan/ctest-junit.xml"
"$BIK_PYTHON" tests/check_counts.py asan-ctest "$here/build/asan/ctest-junit.xml"
BIK_EXE="$here/build/asan/src/cli/bik" "$BIK_PYTHON" -m pytest -q -p no:cacheprovider \
  --junitxml="$here/build/asan/pytest-cli-junit.xml" tests/cli
"$BIK_PYTHON" tests/check_counts.py asan-cli "$here/build/asan/pytest-cli-junit.xml"
trap - EXIT
report
echo "[sanitizers] unit, io and CLI suites clean under ASan+UBSan"
