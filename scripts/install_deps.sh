#!/usr/bin/env bash
# Installs every Debian package STARS needs to build, test, benchmark and serve. Idempotent.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
PKGS=(
  build-essential cmake ccache pkg-config git
  libtorch-dev libgloo-dev libopenblas0-openmp libopenblas-dev
  libfaiss-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  nlohmann-json3-dev libcpp-httplib-dev libhiredis-dev libxgboost-dev
  redis-server wrk chromium
  python3 python3-numpy python3-torch
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Make the OpenMP build of OpenBLAS the provider of every BLAS/LAPACK/OpenBLAS name: the reference BLAS
# is 3-8x slower, and the pthread build (libopenblas.so.0, which LibTorch links) spins its own workers
# in sched_yield beside LibTorch's OpenMP threads. One OpenMP runtime for everything.
for alt in $(update-alternatives --get-selections | awk '{print $1}' | grep -E '^lib(open)?blas|^liblapack'); do
  cand=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas-openmp | head -n1 || true)
  if [ -n "$cand" ]; then $SUDO update-alternatives --set "$alt" "$cand" >/dev/null; fi
done
echo "dependencies ok"
