-- wrk script of `loadgen post -tool wrk`: the webhook body of loadgen's own
-- client (idRange.body), ids from the run's base (the first script argument)
-- with the thread in the high bits of the counter half, so no two requests
-- and no two runs share an id. done() prints one line post parses.
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  base = args[1]
  counter = 0
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  local n = counter
  counter = counter + 1
  local body = string.format('{"webhook_id":"%s%04x%012x","webhook_type":"TRANSACTIONS","process_type":"recurrent_update",' ..
    '"webhook_code":"new_transactions_available","link_id":"%08x-bcbc-4cf7-b815-c500d4204e28",' ..
    '"request_id":"4363b08b-51eb-4350-9c74-5df5ac92a7f6","external_id":"customer-%d-account-reference-0001",' ..
    '"data":{"new_transactions":%d,"total_transactions":1824,"total_inflow_transactions":911,"total_outflow_transactions":913,' ..
    '"first_transaction_date":"2024-01-03","last_transaction_date":"2026-11-22","account_id":"0d3ffb69-f83b-456e-ad8e-208d0998d71d",' ..
    '"institution":"erebor_br_retail","note":"synthetic load from loadgen; shaped like Belvo\'s documented TRANSACTIONS webhook"}}',
    base, tid, n, n % 5000, tid, n % 50 + 1)
  return wrk.format(nil, nil, nil, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local most = 0
  for _, t in ipairs(threads) do
    most = math.max(most, t:get("counter"))
  end
  io.write(string.format('WRKRESULT {"requests":%d,"status_errors":%d,"socket_errors":%d,"seconds":%.6f,' ..
    '"p50_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,"threads":%d,"most_per_thread":%d}\n',
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max, #threads, most))
end
