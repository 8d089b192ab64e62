#!/usr/bin/env bash
# Installs what bik needs on a Debian 12 machine, idempotently; a second run only checks.
#  - Debian packages: compiler, CMake, HDF5, fmt, doctest, Google Benchmark; clang, libFuzzer
#    and clang-format for the fuzzing and style steps of the test command
#  - Kokkos 3.4.01 + Kokkos Kernels 3.4.01 (Serial + OpenMP, C++17), built from Debian's
#    `trilinos` source package into a cache prefix outside the repository
#  - with --python: a virtual environment holding the reference implementations (cp_measure, ...)
# Prints the Kokkos prefix on the last line of stdout as `BIK_KOKKOS_PREFIX=...`.
set -euo pipefail

cache="${BIK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bik}"
want_python=0
for arg in "$@"; do
  case "$arg" in
    --python) want_python=1 ;;
    *) echo "bootstrap-deps: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
log() { echo "[bootstrap] $*" >&2; }
sudo_if() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ---- Debian packages -------------------------------------------------------------------
debs=(g++ cmake make libhdf5-dev libfmt-dev doctest-dev libbenchmark-dev python3-venv xz-utils)
# The test command's fuzzing (clang + libFuzzer + its OpenMP runtime) and style check.
debs+=(clang libclang-rt-14-dev libomp-14-dev clang-format)
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
kokkos_key="kokkos-${kokkos_version}-serial-openmp-cxx17-r1"
prefix="$cache/$kokkos_key"
if [ -f "$prefix/.complete" ]; then
  log "Kokkos ${kokkos_version} (Serial+OpenMP) cached at $prefix"
else
  log "building Kokkos ${kokkos_version} + Kokkos Kernels (Serial+OpenMP) into $prefix"
  work="$(mktemp -d "${TMPDIR:-/tmp}/bik-kokkos.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  src_list=/etc/apt/sources.list.d/bik-deb-src.sources
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | sudo_if tee "$src_list" >/dev/null
    else
      sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | sudo_if tee /etc/apt/sources.list.d/bik-deb-src.list >/dev/null
    fi
    apt_updated=0
  fi
  [ "$apt_updated" -eq 1 ] || sudo_if apt-get update -qq
  (cd "$work" && apt-get source --download-only -qq trilinos >&2)
  orig="$(ls "$work"/trilinos_*.orig.tar.* | head -n 1)"
  tar xf "$orig" -C "$work" --wildcards '*/packages/kokkos/*' '*/packages/kokkos-kernels/*'
  top="$(basename "$(dirname "$(dirname "$(ls -d "$work"/*/packages/kokkos)")")")"
  jobs="$(nproc)"
  cmake -S "$work/$top/packages/kokkos" -B "$work/build-kokkos" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DKokkos_ENABLE_SERIAL=ON -DKokkos_ENABLE_OPENMP=ON \
    -DKokkos_CXX_STANDARD=17 -DBUILD_SHARED_LIBS=ON -DKokkos_ENABLE_TESTS=OFF >&2
  cmake --build "$work/build-kokkos" -j "$jobs" >&2
  cmake --install "$work/build-kokkos" >&2
  kk_off=()
  for o in DOUBLE FLOAT COMPLEX_DOUBLE COMPLEX_FLOAT ORDINAL_INT ORDINAL_INT64_T OFFSET_INT OFFSET_SIZE_T \
           LAYOUTLEFT LAYOUTRIGHT EXECSPACE_SERIAL EXECSPACE_OPENMP MEMSPACE_HOSTSPACE; do
    kk_off+=("-DKokkosKernels_INST_${o}=OFF")
  done
  cmake -S "$work/$top/packages/kokkos-kernels" -B "$work/build-kk" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DKokkos_ROOT="$prefix" -DBUILD_SHARED_LIBS=ON \
    -DKokkosKernels_ENABLE_TESTS=OFF "${kk_off[@]}" >&2
  cmake --build "$work/build-kk" -j "$jobs" >&2
  cmake --install "$work/build-kk" >&2
  touch "$prefix/.complete"
  rm -rf "$work"; trap - EXIT
fi

# ---- Python references ------------------------------------------------------------------
if [ "$want_python" -eq 1 ]; then
  reqs="$(cd "$(dirname "$0")/.." && pwd)/tests/parity/requirements.txt"
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
