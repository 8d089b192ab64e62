#!/usr/bin/env bash
# Installs what bik needs on a Debian 12 machine, idempotently; a second run only checks.
#  - Debian packages: compiler, CMake, HDF5, fmt, doctest, Google Benchmark; clang, libFuzzer
#    and clang-format for the fuzzing and style steps of the test command; ITK's example data
#    (real MRI slices) for the N4 parity test
#  - Kokkos 3.4.01 + Kokkos Kernels 3.4.01 (Serial + OpenMP, C++17), built from Debian's
#    `trilinos` source package into a cache prefix outside the repository
#  - with --cuda: a second prefix, Kokkos 3.4.01 (Cuda + Serial, AMPERE80, C++17) + Kokkos
#    Kernels from the same source, with cmake/patches/kokkos-3.4.01-cuda13.patch applied, for
#    the compile-only CUDA leg; needs nvcc (CUDA >= 11; the patch makes 3.4.01 build with 13)
#  - with --python: a virtual environment holding the reference implementations (cp_measure, ...)
# Prints NAME=VALUE lines on stdout: BIK_KOKKOS_PREFIX (last), BIK_PYTHON with --python,
# BIK_KOKKOS_CUDA_PREFIX, BIK_CUDA_BIN (the directory holding nvcc) and BIK_CUOBJDUMP with
# --cuda.
set -euo pipefail

cache="${BIK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bik}"
want_python=0
want_cuda=0
for arg in "$@"; do
  case "$arg" in
    --python) want_python=1 ;;
    --cuda) want_cuda=1 ;;
    *) echo "bootstrap-deps: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
log() { echo "[bootstrap] $*" >&2; }
sudo_if() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ---- Debian packages -------------------------------------------------------------------
debs=(g++ cmake make libhdf5-dev libfmt-dev doctest-dev libbenchmark-dev python3-venv xz-utils patch)
# The test command's fuzzing (clang + libFuzzer + its OpenMP runtime) and style check.
debs+=(clang libclang-rt-14-dev libomp-14-dev clang-format)
# Real MRI slices (BrainT1Slice.png, ...) for the N4 parity test.
debs+=(insighttoolkit5-examples)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
apt_updated=0
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo_if apt-get update -qq
  apt_updated=1
  sudo_if env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  log "Debian packages present"
fi

# ---- Kokkos + Kokkos Kernels 3.4.01 from Debian's trilinos source ----------------------
kokkos_version=3.4.01
here="$(cd "$(dirname "$0")/.." && pwd)"
jobs="$(nproc)"
work=""
cleanup() { if [ -n "$work" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Unpacks packages/kokkos and packages/kokkos-kernels of Debian's trilinos source into $work
# (once per run) and sets $src to the unpacked top directory.
src=""
trilinos_source() {
  [ -z "$src" ] || return 0
  work="$(mktemp -d "${TMPDIR:-/tmp}/bik-kokkos.XXXXXX")"
  local src_list=/etc/apt/sources.list.d/bik-deb-src.sources
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | sudo_if tee "$src_list" >/dev/null
    else
      sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | sudo_if tee /etc/apt/sources.list.d/bik-deb-src.list >/dev/null
    fi
    apt_updated=0
  fi
  [ "$apt_updated" -eq 1 ] || sudo_if apt-get update -qq
  apt_updated=1
  (cd "$work" && apt-get source --download-only -qq trilinos >&2)
  local orig
  orig="$(ls "$work"/trilinos_*.orig.tar.* | head -n 1)"
  tar xf "$orig" -C "$work" --wildcards '*/packages/kokkos/*' '*/packages/kokkos-kernels/*'
  src="$(dirname "$(dirname "$(ls -d "$work"/*/packages/kokkos)")")"
}

# Kokkos Kernels with every ETI option off (bik instantiates what it uses itself).
kk_off=()
for o in DOUBLE FLOAT COMPLEX_DOUBLE COMPLEX_FLOAT ORDINAL_INT ORDINAL_INT64_T OFFSET_INT OFFSET_SIZE_T \
         LAYOUTLEFT LAYOUTRIGHT EXECSPACE_SERIAL EXECSPACE_OPENMP MEMSPACE_HOSTSPACE; do
  kk_off+=("-DKokkosKernels_INST_${o}=OFF")
done

kokkos_key="kokkos-${kokkos_version}-serial-openmp-cxx17-r1"
prefix="$cache/$kokkos_key"
if [ -f "$prefix/.complete" ]; then
  log "Kokkos ${kokkos_version} (Serial+OpenMP) cached at $prefix"
else
  log "building Kokkos ${kokkos_version} + Kokkos Kernels (Serial+OpenMP) into $prefix"
  trilinos_source
  cmake -S "$src/packages/kokkos" -B "$work/build-kokkos" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DKokkos_ENABLE_SERIAL=ON -DKokkos_ENABLE_OPENMP=ON \
    -DKokkos_CXX_STANDARD=17 -DBUILD_SHARED_LIBS=ON -DKokkos_ENABLE_TESTS=OFF >&2
  cmake --build "$work/build-kokkos" -j "$jobs" >&2
  cmake --install "$work/build-kokkos" >&2
  cmake -S "$src/packages/kokkos-kernels" -B "$work/build-kk" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DKokkos_ROOT="$prefix" -DBUILD_SHARED_LIBS=ON \
    -DKokkosKernels_ENABLE_TESTS=OFF "${kk_off[@]}" >&2
  cmake --build "$work/build-kk" -j "$jobs" >&2
  cmake --install "$work/build-kk" >&2
  touch "$prefix/.complete"
fi

# ---- CUDA variant (compile-only leg): Kokkos 3.4.01 Cuda + Serial ------------------------
# Same source, patched for CUDA 13 by cmake/patches/kokkos-3.4.01-cuda13.patch (see its
# header). The key carries the patch's hash, so editing the patch makes a new prefix.
if [ "$want_cuda" -eq 1 ]; then
  nvcc_path="$(command -v nvcc || true)"
  for d in "${CUDA_HOME:-}" "${CUDA_PATH:-}" /usr/local/cuda; do
    if [ -z "$nvcc_path" ] && [ -n "$d" ] && [ -x "$d/bin/nvcc" ]; then nvcc_path="$d/bin/nvcc"; fi
  done
  if [ -z "$nvcc_path" ]; then
    echo "bootstrap-deps: --cuda needs nvcc, and none was found on PATH, in \$CUDA_HOME or in" >&2
    echo "  /usr/local/cuda/bin. Install a CUDA toolkit (>= 11) there, or see ../shared/README.md" >&2
    echo "  for the PyPI wheels (nvidia-cuda-nvcc, nvidia-nvvm, nvidia-cuda-crt, ...)." >&2
    echo "  (BIK_CUDA_LEG=0 bash cmake/dev.sh test skips the compile-only CUDA leg.)" >&2
    exit 3
  fi
  cuda_bin="$(dirname "$nvcc_path")"
  export PATH="$cuda_bin:$PATH"
  patch_file="$here/cmake/patches/kokkos-${kokkos_version}-cuda13.patch"
  patch_hash="$(sha256sum "$patch_file" | cut -c1-8)"
  cuda_prefix="$cache/kokkos-${kokkos_version}-cuda-ampere80-serial-cxx17-p${patch_hash}"
  if [ -f "$cuda_prefix/.complete" ]; then
    log "Kokkos ${kokkos_version} (Cuda+Serial, AMPERE80) cached at $cuda_prefix"
  else
    log "building Kokkos ${kokkos_version} + Kokkos Kernels (Cuda+Serial, AMPERE80, $("$nvcc_path" --version | tail -n 2 | head -n 1)) into $cuda_prefix"
    trilinos_source
    rm -rf "$work/kokkos-cuda"
    cp -a "$src/packages/kokkos" "$work/kokkos-cuda"
    patch -d "$work/kokkos-cuda" -p1 --forward --quiet < "$patch_file" >&2
    cmake -S "$work/kokkos-cuda" -B "$work/build-kokkos-cuda" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER="$work/kokkos-cuda/bin/nvcc_wrapper" -DCMAKE_INSTALL_PREFIX="$cuda_prefix" \
      -DKokkos_ENABLE_SERIAL=ON -DKokkos_ENABLE_CUDA=ON -DKokkos_ENABLE_CUDA_LAMBDA=ON \
      -DKokkos_ARCH_AMPERE80=ON -DKokkos_CXX_STANDARD=17 -DBUILD_SHARED_LIBS=ON \
      -DKokkos_ENABLE_TESTS=OFF >&2
    cmake --build "$work/build-kokkos-cuda" -j "$jobs" >&2
    cmake --install "$work/build-kokkos-cuda" >&2
    cmake -S "$src/packages/kokkos-kernels" -B "$work/build-kk-cuda" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER="$cuda_prefix/bin/nvcc_wrapper" -DCMAKE_INSTALL_PREFIX="$cuda_prefix" \
      -DKokkos_ROOT="$cuda_prefix" -DBUILD_SHARED_LIBS=ON -DKokkosKernels_ENABLE_TESTS=OFF \
      -DKokkosKernels_ENABLE_TPL_CUSPARSE=OFF -DKokkosKernels_ENABLE_TPL_CUBLAS=OFF "${kk_off[@]}" \
      -DKokkosKernels_INST_EXECSPACE_CUDA=OFF -DKokkosKernels_INST_MEMSPACE_CUDASPACE=OFF \
      -DKokkosKernels_INST_MEMSPACE_CUDAUVMSPACE=OFF >&2
    cmake --build "$work/build-kk-cuda" -j "$jobs" >&2
    cmake --install "$work/build-kk-cuda" >&2
    touch "$cuda_prefix/.complete"
  fi
  # cuobjdump, for the CUDA leg's check that device code has no FMA: the toolkit here ships
  # without it, PyPI has it as a wheel (13.2 is the oldest; it reads CUDA 13.0 objects).
  tools="$cache/cuda-tools-cuobjdump-13.2.51"
  if [ ! -f "$tools/.complete" ]; then
    log "installing cuobjdump (PyPI nvidia-cuda-cuobjdump) into $tools"
    rm -rf "$tools"
    python3 -m venv "$tools"
    "$tools/bin/pip" install -q --disable-pip-version-check "nvidia-cuda-cuobjdump==13.2.51" >&2
    touch "$tools/.complete"
  fi
  cuobjdump="$(find "$tools" -type f -name cuobjdump -perm -u+x | head -n 1)"
  echo "BIK_CUDA_BIN=$cuda_bin"
  echo "BIK_CUOBJDUMP=$cuobjdump"
  echo "BIK_KOKKOS_CUDA_PREFIX=$cuda_prefix"
fi
cleanup; work=""

# ---- Python references ------------------------------------------------------------------
if [ "$want_python" -eq 1 ]; then
  reqs="$here/tests/parity/requirements.txt"
  venv="$cache/venv-$(sha256sum "$reqs" | cut -c1-12)"
  if [ -f "$venv/.complete" ]; then
    log "Python references cached at $venv"
  else
    log "creating Python environment $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$reqs" >&2
    touch "$venv/.complete"
  fi
  echo "BIK_PYTHON=$venv/bin/python"
fi
echo "BIK_KOKKOS_PREFIX=$prefix"
