#!/usr/bin/env bash
# Cold users: how well STARS ranks for users it never saw, from their static features alone.
#   bench/cold_users.sh DIR [OUT] [--fraction F] [--threads N] [--epochs N] [--set key=value ...]
# DIR is a raw dataset folder with static user features (MovieLens u.user, a native users.csv, ...).
# Prepares it with a seeded share F (default 0.2) of its users flagged cold, trains the bench/quality.sh
# defaults without those users (train.exclude_cold_users=true; the cold-user loss is on by default), then
# runs `stars eval` on the cold_user protocol (each cold user's first event, ranked over the whole catalog
# from an empty history) and on leave-one-out, against popularity, first-event popularity (what training
# users took first), co-occurrence and LambdaMART.
# Writes OUT/metrics.json and report.html; prints one line per model on cold_user and ends with
#   cold_user NDCG@10 <stars> Recall@10 <stars> first_popularity NDCG@10 <v> Recall@10 <v>
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: bench/cold_users.sh DIR [OUT] [--fraction F] [--threads N] [--epochs N] [--set key=value ...]}
shift
OUT=""
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then OUT=$1; shift; fi
FRACTION=0.2
THREADS=2
EPOCHS=200
SETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fraction) FRACTION=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --epochs) EPOCHS=$2; shift 2 ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    *) echo "bench/cold_users.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
NAME=$(basename "$DIR")
OUT=${OUT:-runs/cold_users/$NAME}
DATA=$OUT/data
STARS=${STARS:-build/bin/stars}
[ -x "$STARS" ] || { echo "bench/cold_users.sh: build first (scripts/build.sh); $STARS is missing" >&2; exit 2; }
mkdir -p "$OUT"

if [ ! -f "$DATA/semantics/items.tbl" ]; then
  rm -rf "$DATA"
  "$STARS" prepare --input "$DIR" --out "$DATA" --set cold_user_fraction="$FRACTION" --quiet
  "$STARS" enrich --data "$DATA" --threads "$THREADS" --quiet
fi
# The bench/quality.sh settings (bench/quality_defaults.sh), without the cold users; up to EPOCHS (200) epochs,
# which sets the one-cycle schedule's length: early stopping ends the runs (26-38 epochs in docs/MODEL.md).
. bench/quality_defaults.sh
if [ ! -f "$OUT/model/metrics.json" ]; then
  rm -rf "$OUT/model"
  "$STARS" train --data "$DATA" --out "$OUT/model" --epochs "$EPOCHS" --threads "$THREADS" --quiet \
    "${QUALITY_FULL[@]}" "${QUALITY_COMMON[@]}" --set train.exclude_cold_users=true "${SETS[@]}"
fi
"$STARS" eval --data "$DATA" --model "stars=$OUT/model" --protocols loo,cold_user \
  --baselines popularity,first_popularity,cooccurrence,lambdamart --out "$OUT" --threads "$THREADS" --quiet >/dev/null
python3 - "$OUT/metrics.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
def val(x):
    return x["value"] if isinstance(x, dict) else x
rows = {}
for run in m.get("runs", []):
    if run.get("protocol") != "cold_user":
        continue
    print("cold_user: %d queries" % run.get("num_queries", 0))
    for mod in run.get("models", []):
        s = mod["strategies"][0]
        for st in mod["strategies"]:
            if st["name"] == "h_next":
                s = st
        r = s["metrics"]
        rows[mod["name"]] = r
        print("  %-14s NDCG@10 %.4f Recall@10 %.4f Recall@50 %.4f" % (mod["name"], val(r["ndcg@10"]), val(r["recall@10"]), val(r["recall@50"])))
if "stars" not in rows or "first_popularity" not in rows:
    raise SystemExit("metrics.json has no cold_user result of stars and first_popularity")
s, p = rows["stars"], rows["first_popularity"]
print("cold_user NDCG@10 %.4f Recall@10 %.4f first_popularity NDCG@10 %.4f Recall@10 %.4f" %
      (val(s["ndcg@10"]), val(s["recall@10"]), val(p["ndcg@10"]), val(p["recall@10"])))
EOF
