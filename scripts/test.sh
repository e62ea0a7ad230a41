#!/usr/bin/env bash
# Builds (incrementally) and runs the whole test suite with CTest. Extra arguments go to ctest,
# e.g. `scripts/test.sh -L unit` or `scripts/test.sh -LE slow`.
set -euo pipefail
cd "$(dirname "$0")/.."
# OpenBLAS 0.3.21 mis-detects some virtualised Xeons and falls back to slow SSE3 kernels (see main.cpp).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
fi
BUILD_DIR=${STARS_BUILD_DIR:-build}
./scripts/build.sh
# Integration tests of the service use a Redis on 127.0.0.1:6379 when one answers; start one if we can.
if command -v redis-server >/dev/null && ! (command -v redis-cli >/dev/null && redis-cli -p 6379 ping >/dev/null 2>&1); then
  redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null 2>&1 || true
fi
cd "$BUILD_DIR"
ctest --output-on-failure -j"${STARS_TEST_JOBS:-2}" "$@"
