-- wrk script for bench/intake.py: POST a ready JSON body per request, each with its own
-- Idempotency-Key, from a file of bodies (one JSON object a line, each with its own valid ID
-- number) that bench/intake.py writes beforehand.
--
--   wrk -t T -c C -d 10s -s bench/submit.lua URL -- BODIES_FILE TOKEN THREADS RUN_TAG
--
-- BODIES_FILE "-" sends plain GETs instead (the check that the client is not the bottleneck).
-- TOKEN is a bearer token ("-" for none). Thread i (1..T) takes lines i, i+T, i+2T, ... so
-- no two threads send the same body; a thread that runs out of lines starts over (its keys stay
-- new, so a repeat is a repeat report about the same person, not an idempotent replay).
-- The summary is printed as one "WRK_RESULT key=value ..." line for bench/intake.py to read.

local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  local path, token, threads = args[1], args[2], tonumber(args[3])
  run_tag = args[4] or "run"
  bodies = {}
  if path == "-" then
    return
  end
  local i = 0
  for line in io.lines(path) do
    if i % threads == tid - 1 then
      bodies[#bodies + 1] = line
    end
    i = i + 1
  end
  if #bodies == 0 then
    error("no request bodies for thread " .. tid .. " in " .. path)
  end
  headers = { ["Content-Type"] = "application/json" }
  if token ~= "-" then
    headers["Authorization"] = "Bearer " .. token
  end
  sent = 0
end

function request()
  if #bodies == 0 then
    return wrk.format("GET")
  end
  sent = sent + 1
  headers["Idempotency-Key"] = run_tag .. "-" .. tid .. "-" .. sent
  return wrk.format("POST", nil, headers, bodies[(sent - 1) % #bodies + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d "
      .. "p50_us=%d p95_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
