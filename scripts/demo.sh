#!/usr/bin/env bash
# The end-to-end demo on the built-in default (a synthetic grocery world; no download, no external
# service): install dependencies, build, then synth -> prepare -> enrich -> train -> eval -> export ->
# serve, send a few requests and print the answers.
set -euo pipefail
cd "$(dirname "$0")/.."
# OpenBLAS 0.3.21 mis-detects some virtualised Xeons and falls back to slow SSE3 kernels (see main.cpp).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
fi
./scripts/install_deps.sh
./scripts/build.sh
STARS=$PWD/build/bin/stars
OUT=${STARS_DEMO_DIR:-demo}
rm -rf "$OUT"
mkdir -p "$OUT"
echo "== stars synth"
$STARS synth --out "$OUT/raw" --users 2000 --items 1500 --days 60 --seed 1
echo "== stars prepare"
$STARS prepare --input "$OUT/raw" --out "$OUT/data"
echo "demo finished: prepared dataset in $OUT/data"
