-- bench: wrk script for settlements (the batch scenario of bench/run, docs/benchmarks.md).
-- Environment (set by bench/run):
--   BENCH_KEY      API key with scope game
--   BENCH_TAG      the run's tag: bench/run authorized bets bb<tag>-<thread>-<i> (i = 1, 2, ...)
--                  of stake 1 + i % 1000 on player p(<thread> + 2 * ((i - 1) % BENCH_HALF))
--   BENCH_HALF     players per wrk thread (thread 1 the odd ones, thread 2 the even ones)
--   BENCH_MODE     "batch":  POST /v1/bets/settlements with BENCH_SIZE consecutive bets of the thread
--                  "single": POST /v1/bets/{id}/settle, one bet per request
--   BENCH_SIZE     items per batch
-- Consecutive bets are on consecutive players, so the batches in flight never share a player.
-- Every other bet wins 2x its stake, the others lose.
-- Prints one line "BENCHJSON {...}" at the end: requests, settlements answered 200, latency (us).

local threads = {}
local next_tid = 1

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
   table.insert(threads, thread)
end

function init(args)
   key = os.getenv("BENCH_KEY")
   tag = os.getenv("BENCH_TAG")
   half = tonumber(os.getenv("BENCH_HALF"))
   mode = os.getenv("BENCH_MODE") or "batch"
   size = tonumber(os.getenv("BENCH_SIZE") or "100")
   headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
   n = 0
   settled = 0
   refused = 0
   bad = 0
end

local function settlement(i)
   local bet = string.format("bb%s-%d-%d", tag, tid, i)
   local player = "p" .. (tid + 2 * ((i - 1) % half))
   local stake = 1 + i % 1000
   if i % 2 == 0 then
      return bet, string.format('"settlement_id":"%s-st","player_id":"%s","result":"WIN","payout":%d', bet, player, 2 * stake)
   end
   return bet, string.format('"settlement_id":"%s-st","player_id":"%s","result":"LOSS"', bet, player)
end

function request()
   n = n + 1
   if mode == "single" then
      local bet, fields = settlement(n)
      return wrk.format("POST", "/v1/bets/" .. bet .. "/settle", headers, "{" .. fields .. "}")
   end
   local items = {}
   for k = 1, size do
      local bet, fields = settlement((n - 1) * size + k)
      items[k] = '{"bet_id":"' .. bet .. '",' .. fields .. "}"
   end
   return wrk.format("POST", "/v1/bets/settlements", headers, '{"settlements":[' .. table.concat(items, ",") .. "]}")
end

function response(status, hdrs, body)
   if status ~= 200 then
      bad = bad + 1
      if bad <= 3 then
         io.stderr:write("wrk: HTTP " .. status .. " " .. string.sub(body or "", 1, 300) .. "\n")
      end
      return
   end
   if mode == "single" then
      settled = settled + 1
      return
   end
   local ok = select(2, body:gsub('"status":200', ""))
   settled = settled + ok
   refused = refused + select(2, body:gsub('{"index":', "")) - ok
end

function done(summary, latency, requests)
   local s, r, b = 0, 0, 0
   for _, t in ipairs(threads) do
      s = s + (t:get("settled") or 0)
      r = r + (t:get("refused") or 0)
      b = b + (t:get("bad") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCHJSON {"requests":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"settled":%d,"refused":%d,"bad":%d}\n',
      summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean, s, r, b))
end
