-- bench: wrk script for the HTTP API's bet routes.
-- Environment (set by bench/run):
--   BENCH_KEY      API key with scope game
--   BENCH_PLAYERS  players p1..pN to pick from at random
--   BENCH_TAG      unique per run, so bet ids never repeat across runs
--   BENCH_MODE     "authorize": only POST /v1/bets
--                  "mixed":     POST /v1/bets, and each bet whose 201 came back is settled
--                               (POST /v1/bets/{id}/settle, WIN 2x stake or LOSS) by a later
--                               request of the same thread: about half the requests of each kind
-- Prints one line "BENCHJSON {...}" at the end with counts and latency percentiles (us).

local threads = {}
local next_tid = 1

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
   table.insert(threads, thread)
end

function init(args)
   key = os.getenv("BENCH_KEY")
   players = tonumber(os.getenv("BENCH_PLAYERS"))
   tag = os.getenv("BENCH_TAG")
   mode = os.getenv("BENCH_MODE") or "authorize"
   math.randomseed(tid * 7919 + os.time())
   headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
   n = 0
   sent_authorize = 0
   sent_settle = 0
   ok_authorize = 0
   ok_settle = 0
   bad = 0
   queue = {}
   qhead = 1
   qtail = 0
end

function request()
   if mode == "mixed" and qtail >= qhead then
      local item = queue[qhead]
      queue[qhead] = nil
      qhead = qhead + 1
      sent_settle = sent_settle + 1
      local body
      if math.random(0, 1) == 1 then
         body = string.format('{"settlement_id":"%s-st","player_id":"%s","result":"WIN","payout":%d}',
                              item[1], item[2], 2 * item[3])
      else
         body = string.format('{"settlement_id":"%s-st","player_id":"%s","result":"LOSS","payout":0}',
                              item[1], item[2])
      end
      return wrk.format("POST", "/v1/bets/" .. item[1] .. "/settle", headers, body)
   end
   n = n + 1
   sent_authorize = sent_authorize + 1
   local player = "p" .. math.random(1, players)
   local bet = string.format("w%s-%d-%d-%s", tag, tid, n, player)
   local body = string.format(
      '{"bet_id":"%s","player_id":"%s","provider_type":"SPORTS","provider_id":"bench","stake":%d,"odds":"2.0"}',
      bet, player, math.random(1, 1000))
   return wrk.format("POST", "/v1/bets", headers, body)
end

function response(status, hdrs, body)
   if status == 201 then
      ok_authorize = ok_authorize + 1
      if mode == "mixed" then
         local bet = body:match('"bet_id":%s*"([^"]+)"')
         local stake = tonumber(body:match('"stake":%s*(%d+)'))
         if bet and stake then
            local player = bet:match("-(p%d+)$")
            qtail = qtail + 1
            queue[qtail] = {bet, player, stake}
         end
      end
   elseif status == 200 then
      ok_settle = ok_settle + 1
   else
      bad = bad + 1
      if bad <= 3 then
         io.stderr:write("wrk: HTTP " .. status .. " " .. string.sub(body or "", 1, 300) .. "\n")
      end
   end
end

function done(summary, latency, requests)
   local sa, ss, oa, os_, b = 0, 0, 0, 0, 0
   for _, t in ipairs(threads) do
      sa = sa + (t:get("sent_authorize") or 0)
      ss = ss + (t:get("sent_settle") or 0)
      oa = oa + (t:get("ok_authorize") or 0)
      os_ = os_ + (t:get("ok_settle") or 0)
      b = b + (t:get("bad") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCHJSON {"requests":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
      '"sent_authorize":%d,"sent_settle":%d,"ok_authorize":%d,"ok_settle":%d,"bad":%d}\n',
      summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
      sa, ss, oa, os_, b))
end
