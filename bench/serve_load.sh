#!/usr/bin/env bash
# Load benchmark of `stars serve` against the bars of issue 6, with wrk on 127.0.0.1:
#   world: 50k items, 64-dimensional vectors, 100k users (random vectors written as a snapshot: the bars
#   here are about search), each request filtered to one of 10 departments (10% of the items), k = 10.
#   1. highest throughput with p99 <= 10 ms (paced runs at growing request rates)
#   2. 1,000 requests/s paced: p50 and p99
#   3. 60 s at 1,000 requests/s with a snapshot swap (SIGHUP, then POST /v1/admin/reload to another
#      snapshot) and item updates (PUT new items, PATCH stock) in the middle: failed requests and RSS
#   4. live sessions, when STARS_BENCH_LIVE_SNAPSHOT names a snapshot exported with a trained model:
#      1,000 requests/s with every 10th request carrying a live event (re-encoded with the model), and the
#      throughput when every request does
# The last line is `p50_ms <v> p99_ms <v> rps <v>` of the 1,000 requests/s run (2).
# Environment: STARS_BUILD_DIR (build), STARS_BENCH_DIR (build/bench_serve), STARS_BENCH_PORT (18080),
# STARS_BENCH_SECONDS (30, length of run 2), STARS_BENCH_PHASES (1234: which parts to run),
# STARS_BENCH_NICE (0; a negative value gives the service and wrk CPU priority over other work on a shared machine),
# STARS_BENCH_LIVE_SNAPSHOT (unset) and STARS_LIVE_* (see part 4).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${STARS_BUILD_DIR:-build}
DIR=${STARS_BENCH_DIR:-$BUILD/bench_serve}
PORT=${STARS_BENCH_PORT:-18080}
SECONDS_PACED=${STARS_BENCH_SECONDS:-30}
PHASES=${STARS_BENCH_PHASES:-1234}
NICE=${STARS_BENCH_NICE:-0}  # e.g. -10: service and load generator get priority over other work on a shared machine
phase() { case $PHASES in *$1*) return 0;; *) return 1;; esac; }
LUA=$PWD/bench/serve/recommend.lua
URL=http://127.0.0.1:$PORT
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
cmake --build "$BUILD" --target stars bench_serve_world -j2 >/dev/null
STARS=$BUILD/bin/stars
mkdir -p "$DIR"
[ -f "$DIR/world/manifest.json" ] || "$BUILD/bin/bench_serve_world" --out "$DIR/world" --users 100000 --items 50000 --dim 64 --seed 1
[ -f "$DIR/world2/manifest.json" ] || "$BUILD/bin/bench_serve_world" --out "$DIR/world2" --users 100000 --items 50000 --dim 64 --seed 2

PID=""
stop_server() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi; }
trap stop_server EXIT
start_server() {  # $1 = snapshot
  nice -n "$NICE" "$STARS" serve --snapshot "$1" --port "$PORT" --threads 96 >"$DIR/serve.log" 2>&1 &
  PID=$!
  for _ in $(seq 600); do curl -sf "$URL/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "the service did not become ready:"; cat "$DIR/serve.log"; exit 1
}
rss_mb() { echo $(( $(ps -o rss= -p "$PID") / 1024 )); }
# wrk_run <connections> <seconds> <rate or 0> [events_every] -> prints "p50_ms .. p99_ms .. rps .. errors .."
wrk_run() {
  STARS_CONNS=$1 STARS_RATE=$3 STARS_EVENTS_EVERY=${4:-0} STARS_USERS=${STARS_USERS:-100000} STARS_ITEMS=${STARS_ITEMS:-50000} \
    nice -n "$NICE" wrk -t1 -c"$1" -d"$2"s --timeout 2s -s "$LUA" "$URL" | tail -n 1
}
field() { echo "$1" | awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }

echo "== world: 100,000 users, 50,000 items, dim 64; filter: one of 10 departments (10% of items); k = 10"
start_server "$DIR/world"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); service niceness $NICE"
wrk_run 8 10 0 >/dev/null  # warm up (page cache, thread stacks, allocator)

if phase 1; then
echo "== 1. throughput: paced runs at growing rates (open loop, 10 s each)"
best_rps=0; best_line=""
for rate in 1000 1500 2000 2500 3000 3500 4000 5000; do
  line=$(wrk_run 50 10 "$rate")
  echo "target $rate/s: $line"
  p99=$(field "$line" p99_ms); rps=$(field "$line" rps); errors=$(field "$line" errors)
  if awk -v p="$p99" -v e="$errors" 'BEGIN { exit !(p <= 10 && e == 0) }'; then
    if awk -v r="$rps" -v b="$best_rps" 'BEGIN { exit !(r > b) }'; then best_rps=$rps; best_line="target $rate/s: $line"; fi
  else
    break
  fi
done
echo "closed loop (as fast as possible), for reference:"
for c in 2 8; do echo "  connections $c: $(wrk_run "$c" 10 0)"; done
echo "highest throughput with p99 <= 10 ms: $best_line"
fi

paced=""
if phase 2; then
echo "== 2. 1,000 requests/s for ${SECONDS_PACED} s"
paced=$(wrk_run 50 "$SECONDS_PACED" 1000)
echo "$paced"
fi

if phase 3; then
echo "== 3. 60 s at 1,000 requests/s with snapshot swaps and item updates"
VEC=$(python3 -c "import random; random.seed(3); print('[' + ','.join('%.4f' % random.gauss(0, 0.125) for _ in range(64)) + ']')")
rss_start=$(rss_mb)
wrk_run 50 60 1000 >"$DIR/swap_wrk.txt" &
WRK=$!
updates=0; update_failures=0; rss_max=$rss_start; rss_series=
for t in $(seq 1 600); do  # 0.1 s steps
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$URL/v1/items/bench-new-$((t % 200))" \
         -d "{\"title\": \"bench item $t\", \"category\": \"d$((t % 10)) > bench\", \"price\": 1.5, \"vector\": $VEC}")
  case $code in 200|201) ;; *) update_failures=$((update_failures + 1));; esac
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH "$URL/v1/items/i$((t * 37 % 50000))" -d "{\"in_stock\": $([ $((t % 2)) = 0 ] && echo true || echo false)}")
  case $code in 200) ;; *) update_failures=$((update_failures + 1));; esac
  updates=$((updates + 2))
  if [ "$t" = 150 ]; then kill -HUP "$PID"; echo "t=15 s: SIGHUP (reload $DIR/world)"; fi
  if [ "$t" = 300 ]; then echo "t=30 s: POST /v1/admin/reload world2: $(curl -s -X POST "$URL/v1/admin/reload" -d "{\"path\": \"$DIR/world2\"}")"; fi
  if [ "$t" = 450 ]; then echo "t=45 s: POST /v1/admin/reload world: $(curl -s -X POST "$URL/v1/admin/reload" -d "{\"path\": \"$DIR/world\"}")"; fi
  if [ $((t % 50)) = 0 ]; then r=$(rss_mb); rss_series="$rss_series $r"; [ "$r" -gt "$rss_max" ] && rss_max=$r; fi
  sleep 0.1
done
wait $WRK
swap=$(cat "$DIR/swap_wrk.txt")
rss_end=$(rss_mb)
echo "$swap"
echo "item updates: $updates sent, $update_failures failed; reloads: $(curl -s "$URL/metrics" | awk '/^stars_snapshot_reloads /{print $2}') (failures $(curl -s "$URL/metrics" | awk '/^stars_snapshot_reload_failures /{print $2}'))"
echo "RSS: start $rss_start MB, max $rss_max MB, end $rss_end MB; every 5 s:$rss_series"
fi
stop_server

if phase 4 && [ -n "${STARS_BENCH_LIVE_SNAPSHOT:-}" ]; then
  echo "== 4. live sessions with the model of $STARS_BENCH_LIVE_SNAPSHOT"
  users=$(python3 -c "import json; print(json.load(open('$STARS_BENCH_LIVE_SNAPSHOT/manifest.json'))['num_users'])")
  items=$(python3 -c "import json; print(json.load(open('$STARS_BENCH_LIVE_SNAPSHOT/manifest.json'))['num_items'])")
  start_server "$STARS_BENCH_LIVE_SNAPSHOT"
  # Raw ids are u<k> / i<k> unless STARS_LIVE_USER_PREFIX, STARS_LIVE_ITEM_PREFIX and STARS_LIVE_ID_BASE say
  # otherwise (MovieLens: empty prefixes, base 1); no filter unless STARS_LIVE_CATEGORIES lists categories
  # ("A|B|C", one per request; for a `stars synth` world "Beverages|Snacks|Dairy & Eggs" keep about 10%).
  export STARS_USERS=$users STARS_ITEMS=$items STARS_FILTER=none STARS_CATEGORIES=${STARS_LIVE_CATEGORIES:-}
  if [ -n "$STARS_CATEGORIES" ]; then export STARS_FILTER=list; fi
  export STARS_USER_PREFIX=${STARS_LIVE_USER_PREFIX-u} STARS_ITEM_PREFIX=${STARS_LIVE_ITEM_PREFIX-i} STARS_ID_BASE=${STARS_LIVE_ID_BASE:-0}
  wrk_run 8 5 0 10 >/dev/null
  echo "1,000 requests/s, every 10th with a live event: $(wrk_run 50 30 1000 10)"
  for c in 1 2 4 8; do echo "closed loop, every request with a live event, connections $c: $(wrk_run "$c" 10 0 1)"; done
  curl -s "$URL/metrics" | grep '^stars_live_encode_duration_seconds_\(sum\|count\)'
  stop_server
fi

if [ -n "$paced" ]; then echo "p50_ms $(field "$paced" p50_ms) p99_ms $(field "$paced" p99_ms) rps $(field "$paced" rps)"; fi
