#!/usr/bin/env bash
# The README's two commands. `dev.sh demo`: install what is missing, build, run `bik demo`.
# `dev.sh test`: install what is missing, build, run ctest and the parity suite, fail if any test
# was skipped or fewer ran than tests/test_floor.txt.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
mode="${1:-}"
case "$mode" in
  demo) boot_args=() ;;
  test) boot_args=(--python) ;;
  *) echo "usage: cmake/dev.sh demo|test" >&2; exit 2 ;;
esac
# The bootstrap prints NAME=VALUE lines (BIK_KOKKOS_PREFIX, BIK_PYTHON) on stdout.
env_file="$(mktemp)"
trap 'rm -f "$env_file"' EXIT
bash cmake/bootstrap-deps.sh "${boot_args[@]+"${boot_args[@]}"}" > "$env_file"
while IFS='=' read -r key value; do
  case "$key" in BIK_*) export "$key=$value" ;; esac
done < "$env_file"
cmake --workflow --preset dev
bik="$here/build/dev/src/cli/bik"
if [ "$mode" = demo ]; then
  exec "$bik" demo --out "$here/build/demo"
fi
# No vacuous green: every test must run, and at least as many as tests/test_floor.txt says.
ctest --preset dev --output-junit "$here/build/dev/ctest-junit.xml"
"$BIK_PYTHON" tests/check_counts.py ctest "$here/build/dev/ctest-junit.xml"
cmake --workflow --preset cxx20  # the kernels and unit tests once more as C++20
BIK_EXE="$bik" "$BIK_PYTHON" -m pytest -q -p no:cacheprovider \
  --junitxml="$here/build/dev/pytest-junit.xml" tests
"$BIK_PYTHON" tests/check_counts.py pytest "$here/build/dev/pytest-junit.xml"
bash cmake/check-sanitizers.sh  # ASan+UBSan build: unit, io and CLI suites
bash cmake/check-fuzz.sh        # libFuzzer targets: corpus replay, then ~60 s of fuzzing
bash cmake/check-format.sh      # clang-format --dry-run --Werror (BIK_FORMAT_CHECK=0 skips)
