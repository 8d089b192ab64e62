#!/usr/bin/env bash
# The README's two commands. `dev.sh demo`: install what is missing, build, run `bik demo`.
# `dev.sh test`: install what is missing, build, run ctest and the parity suite (failing if any
# test was skipped or fewer ran than tests/test_floor.txt), the compile-only CUDA leg (every
# target built with nvcc against a CUDA Kokkos, warning-free; nothing runs on a GPU;
# BIK_CUDA_LEG=0 skips it on a machine without nvcc), the host-ISA check (a -march=native build
# gives the same bits), then the sanitizer (a C++20 build: the C++20 check), fuzzing and style
# steps.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
mode="${1:-}"
case "$mode" in
  demo) boot_args=() ;;
  test)
    boot_args=(--python)
    if [ "${BIK_CUDA_LEG:-1}" != 0 ]; then boot_args+=(--cuda); fi
    ;;
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
BIK_EXE="$bik" "$BIK_PYTHON" -m pytest -q -p no:cacheprovider \
  --junitxml="$here/build/dev/pytest-junit.xml" tests
"$BIK_PYTHON" tests/check_counts.py pytest "$here/build/dev/pytest-junit.xml"
if [ -n "${BIK_KOKKOS_CUDA_PREFIX:-}" ]; then
  # The CUDA leg: configure, build every target, build the consumer against the install.
  # Warnings fail the leg: bik's flags make host-compiler and nvcc front-end warnings errors,
  # and the scan below catches the rest (nvcc driver, ptxas, nvlink, nvcc_wrapper).
  export PATH="$BIK_CUDA_BIN:$PATH"
  start=$SECONDS
  log="$here/build/cuda-leg.log"
  mkdir -p "$here/build"
  cmake --preset cuda > "$log" 2>&1 || { cat "$log"; exit 1; }
  cmake --build --preset cuda 2>&1 | tee -a "$log"
  ctest --preset cuda -V >> "$log" 2>&1 || { cat "$log"; exit 1; }
  # g++ "warning:", nvcc "warning #N-D:", "nvcc/ptxas/nvlink warning :", "CMake Warning",
  # nvcc_wrapper "*warning*".
  if grep -iE 'warning( #[0-9]| ?:)|cmake warning|\*warning\*' "$log"; then
    echo "cuda leg: the warnings above (full log: $log)" >&2
    exit 1
  fi
  # --fmad=false reached bik's device code: the PTX in libbik has multiplies and adds
  # (mul.rn/add.rn, which ptxas may not fuse) and no fma, in every unit but the Zernike ones.
  # Those call CUDA's acos and atan2 (the enclosing circle's angles, the radial phase), whose
  # libdevice code uses fma by design whatever --fmad says (a kernel of acos + atan2 alone
  # compiles to 51 fma.rn with --fmad=false); their own arithmetic has the same flags.
  lib=""
  for f in "$here/build/cuda/src/libbik.so" "$here/build/cuda/src/libbik.a"; do
    if [ -z "$lib" ] && [ -f "$f" ]; then lib="$f"; fi
  done
  counts="$("$BIK_CUOBJDUMP" -ptx "$lib" | awk '
    /^member / { zernike = index($0, ":zernike") > 0 }
    /fma\.rn/ { if (zernike) zf++; else f++ }
    /mul\.rn\.f64/ { m++ }
    END { printf "%d %d %d\n", f, m, zf }')"
  read -r fma mul zernike_fma <<< "$counts"
  if [ "$fma" -ne 0 ] || [ "$mul" -eq 0 ]; then
    echo "cuda leg: $lib PTX has $fma fma.rn (outside the Zernike units) and $mul mul.rn.f64" \
         "instructions; want 0 and > 0" >&2
    exit 1
  fi
  echo "cuda leg: every target built with nvcc, warning-free, in $((SECONDS - start)) s;" \
       "libbik PTX: 0 fma outside the Zernike units ($zernike_fma there, libdevice acos/atan2)," \
       "$mul mul.rn.f64"
fi
bash cmake/check-host-isa.sh    # -march=native build: same bits as portable, parity suite
bash cmake/check-sanitizers.sh  # ASan+UBSan build: unit, io and CLI suites
bash cmake/check-fuzz.sh        # libFuzzer targets: corpus replay, then ~60 s of fuzzing
bash cmake/check-format.sh      # clang-format --dry-run --Werror (BIK_FORMAT_CHECK=0 skips)
