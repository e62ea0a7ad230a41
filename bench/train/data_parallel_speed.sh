#!/usr/bin/env bash
# Training throughput of data-parallel `stars train --nproc N` against one process with the same cores as
# threads, and with one thread, measured side by side: ROUNDS alternating rounds of the three, each
# `--set train.max_steps=STEPS` of one epoch; prints each run's steady targets/s (after the epoch's first
# 10 steps, from train_log.jsonl), its all-reduce seconds, and the medians.
#
#   bench/train/data_parallel_speed.sh DS [--nproc N] [--steps N] [--rounds N] [--preset P] [--set key=value ...]
#
# Environment: BUILD_DIR (default build).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build}
DS=${1:?usage: data_parallel_speed.sh DS [--nproc N] [--steps N] [--rounds N] [--preset P] [--set k=v ...]}
shift
NPROC=2 STEPS=60 ROUNDS=3 PRESET=cpu
SETS=(--set train.valid_max_users=100)  # the run validates once at its end: keep that short
while [ $# -gt 0 ]; do
  case "$1" in
    --nproc) NPROC=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --preset) PRESET=$2; shift 2 ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
STARS=$BUILD_DIR/bin/stars
OUT=$(mktemp -d /tmp/stars-dp-speed.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
CONFIGS=("--threads 1" "--threads $NPROC" "--nproc $NPROC --threads 1")
echo "dataset $DS, preset $PRESET, $STEPS steps, $ROUNDS rounds, $NPROC processes or threads"
for round in $(seq "$ROUNDS"); do
  for i in "${!CONFIGS[@]}"; do
    rm -rf "$OUT/m"
    # shellcheck disable=SC2086  # the configuration holds several options
    "$STARS" train --data "$DS" --out "$OUT/m" --preset "$PRESET" --epochs 1 --set train.max_steps="$STEPS" --quiet \
      "${SETS[@]}" ${CONFIGS[$i]} >"$OUT/log" 2>&1 || { cat "$OUT/log"; exit 1; }
    python3 - "$OUT/m/train_log.jsonl" "${CONFIGS[$i]}" "$round" "$OUT/rates.$i" <<'EOF'
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])][-1]
rate = e["steady_tokens_per_second"]
reduce = e["phase_seconds"].get("all_reduce")
print(f"round {sys.argv[3]}  {sys.argv[2]:<24} {rate:10.0f} targets/s" + (f"  (all-reduce {reduce:.3f} s)" if reduce is not None else ""))
open(sys.argv[4], "a").write(f"{rate}\n")
EOF
  done
done
python3 - "$OUT" "${CONFIGS[@]}" <<'EOF'
import statistics, sys
out, configs = sys.argv[1], sys.argv[2:]
med = [statistics.median(float(x) for x in open(f"{out}/rates.{i}")) for i in range(len(configs))]
for c, m in zip(configs, med):
    print(f"median  {c:<24} {m:10.0f} targets/s")
print(f"data-parallel / threads: {med[2] / med[1]:.3f}x; data-parallel / one thread: {med[2] / med[0]:.3f}x")
EOF
