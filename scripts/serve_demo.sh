#!/usr/bin/env bash
# Starts `stars serve` on a snapshot, sends a few requests and prints the answers, then stops it:
# a known user (h_next / h_gen interleaved, with a filter and context), a live event that re-encodes the
# user, an unknown user (popularity), a new product added from its text and its similar items.
#   scripts/serve_demo.sh SNAPSHOT [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
SNAP=${1:?usage: scripts/serve_demo.sh SNAPSHOT [PORT]}
PORT=${2:-18080}
STARS=${STARS:-$PWD/build/bin/stars}
URL=http://127.0.0.1:$PORT
LOG=$(mktemp /tmp/stars_serve_demo.XXXXXX.log)
"$STARS" serve --snapshot "$SNAP" --port "$PORT" >"$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 300); do curl -sf "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$URL/readyz" >/dev/null || { echo "stars serve did not start:"; cat "$LOG"; exit 1; }
head -n 1 "$LOG" | cut -c1-200

# Prints a response compactly: source, context and the ranked titles.
show() {
  python3 -c '
import json, sys
r = json.load(sys.stdin)
if "error" in r:
    print("  error:", r["error"]["message"]); sys.exit()
if "items" not in r:
    print("  " + json.dumps(r)[:300]); sys.exit()
ctx = r.get("context", {})
if "item_id" in r:
    print("  items like %s (%s) %.2f ms" % (r["item_id"], r["source"], r.get("took_ms", 0)))
else:
    print("  source=%s known=%s live_events=%s offset=%s events=%s %.2f ms" % (r.get("source"), r.get("known_user"),
          r.get("session_events"), ctx.get("offset_applied"), ctx.get("events"), r.get("took_ms", 0)))
for it in r["items"]:
    print("  %2d. [%-7s] %-60s %.3f %s" % (it["rank"], it["list"], it["title"][:60], it["score"], it.get("category", "")[:40]))
for w in r.get("warnings", []): print("  warning:", w)'
}
post() { curl -s -X POST "$URL$1" -H 'Content-Type: application/json' -d "$2"; }

META=$(curl -s "$URL/v1/meta")
USER=$(curl -s "$URL/v1/users?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["users"][0])')
DEPT=$(echo "$META" | python3 -c 'import json,sys; d=json.load(sys.stdin)["departments"]; print(d[0] if d else "")')
echo "$META" | python3 -c 'import json,sys; m=json.load(sys.stdin); print("snapshot %s: %d users, %d items, dim %d, index %s, model %s, text embedder %s" % (m["snapshot_id"], m["users"], m["items"], m["dim"], m["index"], m["has_model"], m["has_text_embedder"]))'

echo "== POST /v1/recommend  user $USER, interleaved h_next/h_gen (rr), k=6"
post /v1/recommend "{\"user_id\": \"$USER\", \"k\": 6, \"strategy\": \"rr\"}" | show
if [ -n "$DEPT" ]; then
  echo "== the same, only '$DEPT', excluding what the user bought"
  post /v1/recommend "{\"user_id\": \"$USER\", \"k\": 4, \"strategy\": \"rr\", \"filters\": {\"categories\": [\"$DEPT\"], \"exclude_purchased\": true}}" | show
fi
ITEM=$(post /v1/recommend "{\"user_id\": \"$USER\", \"k\": 1, \"strategy\": \"gen\", \"filters\": {\"in_stock\": false}}" |
       python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["item_id"])')
OTHER=$(curl -s "$URL/v1/items/$ITEM/similar?k=20" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][-1]["item_id"])')
echo "== POST /v1/events  $USER adds item $OTHER to the cart; the next request re-encodes the session"
post /v1/events "{\"user_id\": \"$USER\", \"events\": [{\"item_id\": \"$OTHER\", \"type\": \"cart\"}]}" | show
post /v1/recommend "{\"user_id\": \"$USER\", \"k\": 6}" | show
echo "== POST /v1/recommend  an unknown user: popularity within context and filters"
post /v1/recommend '{"user_id": "someone-new", "k": 4}' | show
echo "== PUT /v1/items/demo-new-1  a product that did not exist, from its text; then its similar items"
curl -s -X PUT "$URL/v1/items/demo-new-1" -H 'Content-Type: application/json' \
  -d "{\"title\": \"Organic oat milk barista edition 1l\", \"category\": \"$DEPT\", \"brand\": \"Demo\", \"price\": 2.49, \"tags\": [\"organic\", \"vegan\"]}" | show
curl -s "$URL/v1/items/demo-new-1/similar?k=4" | show
echo "== GET /metrics (excerpt)"
curl -s "$URL/metrics" | grep -E '^stars_(http_requests_total\{method="POST",route="/v1/recommend"|live_encode_duration_seconds_count|catalog_items)' || true
