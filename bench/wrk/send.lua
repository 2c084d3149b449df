-- wrk script for the send scenarios: POST a ~100-byte payload carrying a fresh CLOCK_MONOTONIC
-- timestamp in microseconds ("ts"), so that receivers measure latency from the moment of the call.
-- Environment:
--   BENCH_TOKEN     Bearer token (Switchboard REST); empty for the peers
--   BENCH_BODY      "signalr" ({"target":"bench","arguments":[payload]}) or "raw" (the payload)
--   BENCH_PATH      request path; a "%d" in it is replaced per request by a random 0..BENCH_SPREAD-1
--   BENCH_SPREAD    how many groups/users the "%d" ranges over (default 1)
--   BENCH_PAD       padding bytes in the payload (default 60)
-- At the end it prints one line "WRKJSON {...}" with requests completed, requests sent (completed
-- plus those in flight when wrk stopped), non-2xx responses and errors.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local tspec = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, tspec)
  return string.format("%d", tonumber(tspec.tv_sec) * 1000000 + math.floor(tonumber(tspec.tv_nsec) / 1000))
end

local token = os.getenv("BENCH_TOKEN") or ""
local wrap = (os.getenv("BENCH_BODY") or "signalr") == "signalr"
local path = os.getenv("BENCH_PATH") or "/broadcast"
local spread = tonumber(os.getenv("BENCH_SPREAD") or "1")
local pad = string.rep("x", tonumber(os.getenv("BENCH_PAD") or "60"))
local headers = { ["Content-Type"] = "application/json" }
if token ~= "" then headers["Authorization"] = "Bearer " .. token end
local templated = string.find(path, "%%d") ~= nil

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

sent = 0
function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  local payload = '{"ts":' .. now_us() .. ',"pad":"' .. pad .. '"}'
  local body = wrap and ('{"target":"bench","arguments":[' .. payload .. ']}') or payload
  sent = sent + 1
  local p = templated and string.format(path, math.random(0, spread - 1)) or path
  return wrk.format("POST", p, headers, body)
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("sent") or 0) end
  io.write(string.format(
    'WRKJSON {"sent":%d,"requests":%d,"duration_us":%d,"non2xx":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"latency_p50_us":%d,"latency_p99_us":%d}\n',
    total, summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
