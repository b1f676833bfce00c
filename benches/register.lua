-- wrk 4 (LuaJIT) script for benches/register.sh: every request is GET <random line of
-- LINES_FILE>; each line is a path with its query already URL-encoded (/healthz,
-- /api/v1/public/verify/<code>, /?q=%E8%8C%B6, ...). Every workload, /healthz included, goes
-- through this same script, so the client's own cost is the same for all of them.
--
--   LINES_FILE=paths.txt wrk -t2 -c64 -d10s --timeout 10s -s benches/register.lua http://127.0.0.1:PORT
--
-- Prints one machine-readable line (status classes counted only with STATUS_CLASSES=1, below):
--   RESULT requests=.. rps=.. p50_ms=.. p99_ms=.. s2xx=.. s404=.. s4xx=.. s5xx=.. other=.. socket_errors=..
-- (s4xx excludes 404; wrk's latency percentiles cover every response.)
-- The paths are held as one string with their offsets in C arrays, never as a Lua table of
-- strings: the garbage collector walks a table of a million strings on every cycle, and each
-- response's body is garbage, so such a table stalls the client for tens to hundreds of
-- milliseconds at a time, and wrk counts the stall as the server's latency.
local ffi = require("ffi")
local file = assert(io.open(os.getenv("LINES_FILE"), "rb"))
local blob = file:read("*a")
file:close()
local _, newlines = blob:gsub("\n", "")
local starts = ffi.new("int32_t[?]", newlines + 1)
local lengths = ffi.new("int32_t[?]", newlines + 1)
local n, pos, size = 0, 1, #blob
while pos <= size do
  local eol = blob:find("\n", pos, true) or (size + 1)
  local last = eol - 1
  while last >= pos and blob:byte(last) <= 32 do last = last - 1 end
  if last >= pos then
    starts[n], lengths[n] = pos, last - pos + 1
    n = n + 1
  end
  pos = eol + 1
end
if n == 0 then error("no lines in " .. tostring(os.getenv("LINES_FILE"))) end

local threads, next_id = {}, 0
function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() * 1000 + 7919 * (thread_id or 0))
  s2xx, s404, s4xx, s5xx, other = 0, 0, 0, 0, 0
  -- Each request's path is a new string (over a million codes, almost never one still held).
  -- With LuaJIT's default pacing the collector let them pile up between cycles and then
  -- stalled the thread for ~100 ms at a time, which wrk counted as the server's latency
  -- (label JSON over a million codes: p99.9 84-107 ms; 6.8-8.2 ms collecting continuously).
  collectgarbage("setpause", 100)
  collectgarbage("setstepmul", 1000)
end

function request()
  local i = math.random(n) - 1
  return wrk.format("GET", blob:sub(starts[i], starts[i] + lengths[i] - 1))
end

-- Counting responses by status class needs wrk's response() callback, and with it wrk hands
-- every response's headers and body to Lua: at ten thousand responses a second that garbage
-- alone stalls the client for tens of milliseconds at a time (measured: label JSON p99 36-51 ms
-- with the callback, 13-15 ms without, same server). So it is defined only when STATUS_CLASSES
-- is set; otherwise non-2xx comes from wrk's own count (statuses of 400 and above) and the
-- classes print as -1.
local count_classes = os.getenv("STATUS_CLASSES") ~= nil and os.getenv("STATUS_CLASSES") ~= ""

local function count_response(status, headers, body)
  if status >= 200 and status < 300 then s2xx = s2xx + 1
  elseif status == 404 then s404 = s404 + 1
  elseif status >= 400 and status < 500 then s4xx = s4xx + 1
  elseif status >= 500 then s5xx = s5xx + 1
  else other = other + 1 end
end

if count_classes then response = count_response end

function done(summary, latency, requests)
  local c = { s2xx = 0, s404 = 0, s4xx = 0, s5xx = 0, other = 0 }
  if count_classes then
    for _, t in ipairs(threads) do
      for k, _ in pairs(c) do c[k] = c[k] + (t:get(k) or 0) end
    end
  else
    c = { s2xx = summary.requests - summary.errors.status, s404 = -1, s4xx = -1, s5xx = -1, other = -1 }
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f s2xx=%d s404=%d s4xx=%d s5xx=%d other=%d socket_errors=%d\n",
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    c.s2xx, c.s404, c.s4xx, c.s5xx, c.other,
    e.connect + e.read + e.write + e.timeout))
end
