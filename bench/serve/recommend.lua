-- wrk script for bench/serve_load.sh: POST /v1/recommend for random users of the benchmark world with a
-- one-department filter (10% of the items), k = 10. Environment:
--   STARS_USERS  number of users in the world (u0 .. u<N-1>)
--   STARS_RATE   target requests/s over all connections (0 = as fast as possible)
--   STARS_CONNS  connections (to pace each one at STARS_CONNS / STARS_RATE)
--   STARS_EVENTS 1 = every request carries one live event (re-encoded with the model)
--   STARS_ITEMS  number of items (for events)
-- Ends with: p50_ms <v> p99_ms <v> rps <v> errors <n>
local users = tonumber(os.getenv("STARS_USERS") or "100000")
local items = tonumber(os.getenv("STARS_ITEMS") or "50000")
local rate = tonumber(os.getenv("STARS_RATE") or "0")
local conns = tonumber(os.getenv("STARS_CONNS") or "1")
local events = os.getenv("STARS_EVENTS") == "1"
local latency_guess_ms = tonumber(os.getenv("STARS_LATENCY_GUESS_MS") or "0.4")
local headers = {["Content-Type"] = "application/json"}
local interval = 0
if rate > 0 then interval = conns * 1000.0 / rate - latency_guess_ms end

function setup(thread)
  thread:set("id", math.random(1, 1000000))
end

function init(args)
  math.randomseed(id or os.time())
end

function request()
  local u = math.random(0, users - 1)
  local d = math.random(0, 9)
  local body
  if events then
    local item = math.random(0, items - 1)
    body = string.format('{"user_id":"u%d","k":10,"filters":{"categories":["d%d"]},"events":[{"item_id":"i%d","type":"view"}]}', u, d, item)
  else
    body = string.format('{"user_id":"u%d","k":10,"filters":{"categories":["d%d"]}}', u, d)
  end
  return wrk.format("POST", "/v1/recommend", headers, body)
end

-- Paced mode: each connection waits so that all together send `rate` requests/s (integer ms timers,
-- so the fractional part is dithered).
function delay()
  if interval <= 0 then return 0 end
  local base = math.floor(interval)
  if math.random() < interval - base then base = base + 1 end
  return base
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
                 summary.errors.timeout
  io.write(string.format("p50_ms %.3f p99_ms %.3f rps %.1f errors %d\n", latency:percentile(50) / 1000.0,
                         latency:percentile(99) / 1000.0, summary.requests / (summary.duration / 1e6), errors))
end
