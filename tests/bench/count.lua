-- wrk script: count the answers by HTTP status and print them when done,
-- one "status CODE COUNT" line each (wrk itself only says "Non-2xx or 3xx").
-- Used alone for GET requests, and loaded by login.lua.
--
--   wrk -t2 -c16 -d10s --latency -s tests/bench/count.lua http://127.0.0.1:PORT/healthz

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    statuses = {}
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        for code, n in pairs(thread:get("statuses") or {}) do
            total[code] = (total[code] or 0) + n
        end
    end
    local codes = {}
    for code in pairs(total) do
        codes[#codes + 1] = code
    end
    table.sort(codes)
    for _, code in ipairs(codes) do
        io.write(string.format("status %d %d\n", code, total[code]))
    end
end
