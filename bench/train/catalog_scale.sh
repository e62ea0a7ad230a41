#!/usr/bin/env bash
# How the sampled loss's training step grows with the catalog: `stars train` on synthetic worlds of the same
# users and several catalog sizes, with Δ trained from the first step, sparsely (train.sparse_delta=true, the
# default: the batch's rows of Δ, the other rows' missed steps in closed form) and densely (false: the whole
# table every step), alternated, side by side in one run. Both compute the same weights (to rounding); the
# first-epoch losses printed show it.
#
#   bench/train/catalog_scale.sh [--items 3000,30000,300000] [--users 20000] [--threads N] [--steps N]
#                                [--rounds N] [--work DIR] [--set key=value ...]
#
# For each size it makes the world once (stars synth, prepare, enrich; kept in WORK, default a temporary
# folder), then runs ROUNDS pairs of `stars train --preset cpu --set train.loss=sampled
# --set train.max_steps=STEPS`, and prints each run's targets/s after its first 10 steps
# (steady_tokens_per_second in train_log.jsonl), its peak resident memory, its first-epoch loss, and the
# median sparse/dense ratio per size.
# Environment: BUILD_DIR (default build).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build}
ITEMS=3000,30000,300000 USERS=20000 THREADS=1 STEPS=60 ROUNDS=2 WORK=""
SETS=(--set train.cold_user_weight=0 --set train.delta_freeze_epochs=0 --set train.loss=sampled --set train.valid_max_users=10)
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
STARS=$BUILD_DIR/bin/stars
[ -x "$STARS" ] || { echo "build stars first (./scripts/build.sh)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time, Debian package time) for peak memory" >&2; exit 2; }
[ "$STEPS" -gt 10 ] || { echo "--steps must be above 10 (the first 10 are warm-up)" >&2; exit 2; }
if [ -z "$WORK" ]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"

# One run: prints "targets/s peak_MiB loss".
run() {
  local ds=$1 sparse=$2 out=$WORK/model
  rm -rf "$out"
  /usr/bin/time -f '%M' -o "$WORK/rss" "$STARS" train --data "$ds" --out "$out" --preset cpu --threads "$THREADS" --quiet \
    "${SETS[@]}" --set train.max_steps="$STEPS" --set train.sparse_delta="$sparse" >"$WORK/train.log" 2>&1 ||
    { cat "$WORK/train.log" >&2; exit 1; }
  local line
  line=$(head -n 1 "$out/train_log.jsonl")
  local tps loss
  tps=$(grep -o '"steady_tokens_per_second": [0-9.e+-]*' <<<"$line" | awk '{print $2}')
  loss=$(grep -o '"loss": [0-9.e+-]*' <<<"$line" | head -n 1 | awk '{print $2}')
  echo "$tps $(($(cat "$WORK/rss") / 1024)) $loss"
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "sampled loss, cpu preset, Δ trained from the first step; $USERS users; $STEPS steps; $THREADS thread(s); $ROUNDS rounds"
printf '%-9s %-6s %12s %10s %10s\n' items Δ targets/s peak_MiB loss
for n in ${ITEMS//,/ }; do
  ds=$WORK/items$n/ds
  if [ ! -f "$ds/manifest.json" ]; then
    "$STARS" synth --out "$WORK/items$n/raw" --users "$USERS" --items "$n" --quiet >/dev/null
    "$STARS" prepare --input "$WORK/items$n/raw" --out "$ds" --quiet >/dev/null
    "$STARS" enrich --data "$ds" --quiet >/dev/null
  fi
  ratios=()
  for ((r = 0; r < ROUNDS; ++r)); do
    read -r lt lm ll < <(run "$ds" true)
    read -r dt dm dl < <(run "$ds" false)
    printf '%-9s %-6s %12.0f %10s %10s\n' "$n" sparse "$lt" "$lm" "$ll"
    printf '%-9s %-6s %12.0f %10s %10s\n' "$n" dense "$dt" "$dm" "$dl"
    ratios+=("$(awk -v a="$lt" -v b="$dt" 'BEGIN {printf "%.3f", a / b}')")
  done
  echo "items $n: sparse/dense targets/s median $(printf '%s\n' "${ratios[@]}" | median)x"
done
