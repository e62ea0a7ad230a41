-- wrk script for bench/serve_load.sh: POST /v1/recommend for random users of the benchmark world with a
-- one-department filter (10% of the items), k = 10. Environment:
--   STARS_USERS  number of users in the world (u0 .. u<N-1>)
--   STARS_RATE   target requests/s over all connections (0 = as fast as possible)
--   STARS_CONNS  connections (to pace each one at STARS_CONNS / STARS_RATE)
--   STARS_EVENTS_EVERY  N > 0: every N-th request carries one live event of the user, which the service
--                re-encodes with the model (1 = every request)
--   STARS_ITEMS  number of items (for events)
--   STARS_USER_PREFIX / STARS_ITEM_PREFIX / STARS_ID_BASE  raw ids are <prefix><base + k> (default u, i, 0)
--   STARS_FILTER "dept" (default: one of the departments d0..d9), "list" (one of the categories in
--                STARS_CATEGORIES, separated by "|") or "none"
-- Ends with: p50_ms <v> p99_ms <v> rps <v> errors <n>
local users = tonumber(os.getenv("STARS_USERS") or "100000")
local items = tonumber(os.getenv("STARS_ITEMS") or "50000")
local rate = tonumber(os.getenv("STARS_RATE") or "0")
local conns = tonumber(os.getenv("STARS_CONNS") or "1")
local events_every = tonumber(os.getenv("STARS_EVENTS_EVERY") or "0")
local counter = 0
local latency_guess_ms = tonumber(os.getenv("STARS_LATENCY_GUESS_MS") or "0.4")
local user_prefix = os.getenv("STARS_USER_PREFIX") or "u"
local item_prefix = os.getenv("STARS_ITEM_PREFIX") or "i"
local id_base = tonumber(os.getenv("STARS_ID_BASE") or "0")
local filter_mode = os.getenv("STARS_FILTER") or "dept"
local categories = {}
for c in string.gmatch(os.getenv("STARS_CATEGORIES") or "", "[^|]+") do categories[#categories + 1] = c end
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
  local u = user_prefix .. tostring(id_base + math.random(0, users - 1))
  local filters = ""
  if filter_mode == "dept" then filters = string.format(',"filters":{"categories":["d%d"]}', math.random(0, 9)) end
  if filter_mode == "list" and #categories > 0 then
    filters = string.format(',"filters":{"categories":["%s"]}', categories[math.random(1, #categories)])
  end
  local body
  counter = counter + 1
  if events_every > 0 and counter % events_every == 0 then
    local item = item_prefix .. tostring(id_base + math.random(0, items - 1))
    body = string.format('{"user_id":"%s","k":10%s,"events":[{"item_id":"%s","type":"view"}]}', u, filters, item)
  else
    body = string.format('{"user_id":"%s","k":10%s}', u, filters)
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
