-- wrk script for POST /v1/score (benchmarks/compare.sh): cycles through the request bodies in the file named by
-- WRK_BODIES (one JSON body per line: the 200 golden applicants), counts every response that is not 2xx, and prints
-- one line "WRKJSON {...}" with exact counts and latency percentiles (microseconds) for the harness to parse.

local bodies_file = os.getenv("WRK_BODIES")
local requests = {}
local index = 0
local threads = {}
local next_thread = 0
non2xx = 0

function setup(thread)
  thread:set("offset", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(bodies_file, "r"), "WRK_BODIES must name the file of request bodies")
  for line in f:lines() do
    if #line > 0 then
      requests[#requests + 1] = wrk.format("POST", "/v1/score", { ["Content-Type"] = "application/json" }, line)
    end
  end
  f:close()
  assert(#requests > 0, "no request bodies in " .. bodies_file)
  -- threads start at different bodies so they do not send the same applicant in step
  index = (offset * 97) % #requests
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"durationUs":%d,"non2xx":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"timeouts":%d,'
      .. '"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f}\n',
    summary.requests, summary.duration, bad, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
