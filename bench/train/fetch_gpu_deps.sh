#!/usr/bin/env bash
# Downloads the Debian 12 packages of STARS's non-torch dependencies into DIR, for gpu_bench.sh on a machine
# that has a CUDA PyTorch but not these libraries (and no network): copy DIR there and pass it to gpu_bench.sh.
#
#   bench/train/fetch_gpu_deps.sh DIR
set -euo pipefail
DIR=${1:?usage: fetch_gpu_deps.sh DIR}
mkdir -p "$DIR"
cd "$DIR"
PKGS=(libfaiss-dev nlohmann-json3-dev libcpp-httplib-dev libcpp-httplib0.11 libhiredis-dev libhiredis0.14
      libxgboost-dev libxgboost0 libdmlc0 libopenblas0-openmp libopenblas-openmp-dev libopenblas0 libgfortran5
      libbrotli1 libbrotli-dev libssl-dev libssl3 zlib1g-dev libgtest-dev googletest)
apt-get download "${PKGS[@]}"
# Plain names (the versions hold '~' and '%'): NAME.deb.
for f in *_*.deb; do mv "$f" "${f%%_*}.deb"; done
ls -l
