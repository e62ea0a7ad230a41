#!/usr/bin/env bash
# The end-to-end demo on the built-in default (a synthetic grocery world; no download, no external
# service): install dependencies, build, then synth -> prepare -> enrich -> train -> eval -> export ->
# serve, send a few requests, print the answers and stop the service.
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
EPOCHS=${STARS_DEMO_EPOCHS:-8}
THREADS=$(nproc)
rm -rf "$OUT"
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "stars synth: a synthetic grocery world (docs/SYNTH.md)"
$STARS synth --out "$OUT/raw" --users 2000 --items 1500 --days 60 --seed 1 --quiet
step "stars prepare: validate, build id vocabularies and splits, print statistics"
$STARS prepare --input "$OUT/raw" --out "$OUT/data"
step "stars enrich: text embeddings (offline LSA) and attribute tags"
$STARS enrich --data "$OUT/data" --quiet
$STARS stats --data "$OUT/data" >/dev/null
step "stars train: the STARS transformer ($EPOCHS epochs, $THREADS threads)"
$STARS train --data "$OUT/data" --out "$OUT/model" --epochs "$EPOCHS" --threads "$THREADS"
step "stars eval: STARS against popularity, co-occurrence and LambdaMART"
$STARS eval --data "$OUT/data" --model stars="$OUT/model" --out "$OUT/eval" --threads "$THREADS"
step "stars export: user and item vectors for serving"
$STARS export --data "$OUT/data" --model "$OUT/model" --out "$OUT/snapshot" --threads "$THREADS"

step "stars serve: start the service on a free port of 127.0.0.1"
$STARS serve --snapshot "$OUT/snapshot" --port 0 >"$OUT/serve.log" 2>&1 &
SERVE_PID=$!
trap 'kill $SERVE_PID 2>/dev/null || true' EXIT
PORT=""
for _ in $(seq 100); do
  PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$OUT/serve.log" | head -n1)
  [ -n "$PORT" ] && curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
[ -n "$PORT" ] || { cat "$OUT/serve.log"; echo "the service did not start" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
USER_ID=$(sed -n '2p' "$OUT/raw/users.csv" | cut -d, -f1)
ITEM_ID=$(sed -n '2p' "$OUT/raw/items.csv" | cut -d, -f1)
show() { printf '\n$ curl %s\n' "$*"; curl -s "$@" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(d, indent=1)[:1500])'; }
show -X POST "$URL/v1/recommend" -d "{\"user_id\":\"$USER_ID\",\"k\":5,\"strategy\":\"rr\"}"
show -X POST "$URL/v1/recommend" -d "{\"user_id\":\"$USER_ID\",\"k\":3,\"strategy\":\"next\",\"filters\":{\"in_stock\":true,\"price_max\":5}}"
show -X POST "$URL/v1/events" -d "{\"user_id\":\"$USER_ID\",\"events\":[{\"item_id\":\"$ITEM_ID\",\"event_type\":\"purchase\"}]}"
show -X POST "$URL/v1/recommend" -d "{\"user_id\":\"$USER_ID\",\"k\":3,\"strategy\":\"next\"}"
show -X POST "$URL/v1/recommend" -d '{"user_id":"a-new-visitor","k":3}'
show -X POST "$URL/v1/recommend" -d '{"user_id":"a-new-student","k":3,"user_features":{"age_bucket":"18-24","email_domain":"university.edu","household_size":1}}'
show "$URL/v1/items/$ITEM_ID/similar?k=3"
kill $SERVE_PID 2>/dev/null || true
wait $SERVE_PID 2>/dev/null || true
trap - EXIT
printf '\ndemo finished. Report: %s  (open it in a browser)\n' "$(cd "$OUT/eval" && pwd)/report.html"
