#!/usr/bin/env bash
# Host-ISA check: the `native` preset (the dev build with -march=native, which is what a Spack
# install gets from the target= of its spec) must give the same bits as the portable dev build,
# since contraction stays off and there is no fast-math. Builds the native CLI, runs `bik demo`
# with both builds (intensity, granularity, Zernike and N4 outputs, compared dataset by dataset
# by tests/same_outputs.py) and the parity suite against the references with the native CLI.
# Called by cmake/dev.sh test after the dev build (needs BIK_KOKKOS_PREFIX and BIK_PYTHON from
# the bootstrap). BIK_HOST_ISA_CHECK=0 skips it, loudly.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
if [ "${BIK_HOST_ISA_CHECK:-1}" = 0 ]; then
  echo "[host-isa] SKIPPED (BIK_HOST_ISA_CHECK=0)" >&2
  exit 0
fi
: "${BIK_KOKKOS_PREFIX:?run through cmake/dev.sh test, which sets it}"
: "${BIK_PYTHON:?run through cmake/dev.sh test, which sets it}"
start=$SECONDS
cmake --preset native > build/native-configure.log 2>&1 || { cat build/native-configure.log; exit 1; }
cmake --build --preset native --target bik_cli bik_kernel_probe
out="$here/build/host-isa"
rm -rf "$out"
for build in dev native; do
  "$here/build/$build/src/cli/bik" demo --out "$out/$build" > "$out-$build.log" 2>&1 ||
    { cat "$out-$build.log"; exit 1; }
done
"$BIK_PYTHON" tests/same_outputs.py "$out/dev" "$out/native"
BIK_EXE="$here/build/native/src/cli/bik" "$BIK_PYTHON" -m pytest -q -p no:cacheprovider tests/parity
echo "[host-isa] -march=native ($(grep -m1 -o 'model name.*' /proc/cpuinfo | cut -d: -f2 | xargs)):" \
     "demo outputs bit-identical to the portable build, parity suite passes, in $((SECONDS - start)) s"
