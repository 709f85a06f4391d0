-- wrk script: the API log-in, POST /api/v1/auth/token with one JSON body
-- (the same for every request), counting the answers by status (count.lua).
--
--   LOGIN_EMAIL=bench@example.org LOGIN_PASSWORD='...' \
--     wrk -t2 -c16 -d15s --latency -s tests/bench/login.lua \
--     http://127.0.0.1:PORT/api/v1/auth/token
--
-- Content-Type application/json, no Origin header, no cookies: an API client.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "count.lua")

local function json_string(s)
    local escaped = s:gsub('[%c"\\]', function(c)
        return string.format("\\u%04x", c:byte())
    end)
    return '"' .. escaped .. '"'
end

local email = os.getenv("LOGIN_EMAIL")
local password = os.getenv("LOGIN_PASSWORD")
if not email or not password then
    error("set LOGIN_EMAIL and LOGIN_PASSWORD")
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "{\"email\":" .. json_string(email) .. ",\"password\":" .. json_string(password) .. "}"
