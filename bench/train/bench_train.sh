#!/usr/bin/env bash
# Training throughput of `stars train` against a PyTorch eager reference of the same model, sampler and
# batches (python3-torch, same thread count), measured side by side in one run.
#
#   bench/train/bench_train.sh DS [--threads N] [--steps N] [--rounds N] [--preset P] [--set key=value ...]
#
# DS is a prepared (ideally enriched) dataset. The script
#   1. dumps the resolved configuration, initial weights and the first STEPS batches (bench_train_dump),
#   2. checks that both sides compute the same function: first-step loss without dropout, to 1e-4,
#   3. alternates ROUNDS runs of `stars train --set train.max_steps=STEPS` (its training-loop targets/s from
#      train_log.jsonl) and of reference_train.py on the dumped batches (preloaded, so the reference does
#      no batch building at all), and prints every figure and the median ratio.
# Environment: BUILD_DIR (default build), PYTHON (default /usr/bin/python3, needs torch).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
DS=${1:?usage: bench_train.sh DS [--threads N] [--steps N] [--rounds N] [--preset P] [--set k=v ...]}
shift
THREADS=1 STEPS=60 ROUNDS=3 PRESET=cpu
SETS=(--set train.cold_user_weight=0)  # the reference has no cold-user loss (a no-op on data without user features)
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --preset) PRESET=$2; shift 2 ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
STARS=$BUILD_DIR/bin/stars
DUMP=$BUILD_DIR/bin/bench_train_dump
[ -x "$STARS" ] && [ -x "$DUMP" ] || { echo "build stars and bench_train_dump first (cmake --build $BUILD_DIR --target stars bench_train_dump)" >&2; exit 2; }
# Same OpenBLAS kernels as `stars` selects for itself (see src/stars/cli/main.cpp).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -q avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; elif grep -q avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$DUMP" --data "$DS" --out "$WORK/dump" --steps "$STEPS" --preset "$PRESET" "${SETS[@]}"
# Same function: first-step loss without dropout on both sides.
"$STARS" train --data "$DS" --out "$WORK/check" --preset "$PRESET" "${SETS[@]}" --set model.dropout=0 \
  --set model.attn_dropout=0 --set train.max_steps=1 --set train.valid_max_users=10 --threads "$THREADS" --quiet >/dev/null
CPP_LOSS=$("$PYTHON" -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['loss'])" "$WORK/check/train_log.jsonl")
PY_LOSS=$("$PYTHON" bench/train/reference_train.py "$WORK/dump" --check | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['first_loss'])")
echo "first-step loss without dropout: stars $CPP_LOSS, reference $PY_LOSS"
"$PYTHON" -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if abs(a-b) <= 1e-4*max(1,abs(a)) else 1)" "$CPP_LOSS" "$PY_LOSS" \
  || { echo "the two sides do not compute the same loss" >&2; exit 1; }

RATIOS=()
for r in $(seq "$ROUNDS"); do
  "$STARS" train --data "$DS" --out "$WORK/run" --preset "$PRESET" "${SETS[@]}" --set train.max_steps="$STEPS" \
    --set train.valid_max_users=10 --threads "$THREADS" --quiet >/dev/null
  CPP=$("$PYTHON" -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['tokens_per_second'])" "$WORK/run/train_log.jsonl")
  PY=$("$PYTHON" bench/train/reference_train.py "$WORK/dump" --threads "$THREADS" --steps "$STEPS" --warmup 0 |
       "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['tokens_per_second'])")
  RATIO=$("$PYTHON" -c "import sys; print('%.3f' % (float(sys.argv[1])/float(sys.argv[2])))" "$CPP" "$PY")
  RATIOS+=("$RATIO")
  printf 'round %d: stars train %.0f targets/s, PyTorch eager %.0f targets/s, ratio %s\n' "$r" "$CPP" "$PY" "$RATIO"
done
MEDIAN=$(printf '%s\n' "${RATIOS[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "threads $THREADS, steps $STEPS, preset $PRESET ${SETS[*]:-}: median ratio stars/PyTorch $MEDIAN"
