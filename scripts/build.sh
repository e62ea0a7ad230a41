#!/usr/bin/env bash
# Configures and builds STARS in Release with ccache into ./build (or $STARS_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${STARS_BUILD_DIR:-build}
JOBS=${STARS_JOBS:-$(nproc)}
if command -v ccache >/dev/null; then
  ccache --set-config=max_size=5G >/dev/null 2>&1 || true
  ccache --set-config=base_dir="$(cd .. && pwd)" >/dev/null 2>&1 || true
  ccache --set-config=hash_dir=false >/dev/null 2>&1 || true
fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS"
