-- Soak: N verifications (default 10 million) of mixed valid and invalid
-- tokens in one Lua process, printing resident size as it goes. Resident
-- size must stay flat: no leak per call, in the module or through Lua.
--
--   tests/soak/run.sh [N]     (builds nothing; needs build/lua54)
--
-- The mix, per 100 calls: 55 valid HS256, 10 expired, 10 bad signature,
-- 5 garbage, 5 bad base64/JSON, 5 wrong argument types, 4 encode+verify
-- round trips, 3 decode (2.0 API), 2 RS256 (one valid, one wrong key),
-- 1 issuer/audience refusal.
local jwt = require "luajwtjitsi"
local N = tonumber(arg[1]) or 10000000
local REPORT = math.max(1, N // 10)

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function rss_kib()
  for line in io.lines("/proc/self/status") do
    local v = line:match("^VmRSS:%s+(%d+)")
    if v then return tonumber(v) end
  end
  return -1
end

local root = os.getenv("LUAJWT_ROOT") or "."
local SECRET = "soak-secret-0123456789"
local FAR = 4102444800
local valid = assert(jwt.encode({ iss = "app", aud = "jitsi", sub = "x", exp = FAR, room = "*" }, SECRET))
local expired = assert(jwt.encode({ iss = "app", exp = 1000, iat = 10 }, SECRET))
local badsig = valid:sub(1, -3) .. (valid:sub(-2, -2) == "A" and "BA" or "AA")
local rs_priv = read(root .. "/tests/vectors/keys/rsa2048.key.pem")
local rs_pub = read(root .. "/tests/vectors/keys/rsa2048.pub.pem")
local rs_other = read(root .. "/tests/vectors/keys/rsa2048b.pub.pem")
local rs_token = assert(jwt.encode({ iss = "app", aud = "jitsi", exp = FAR }, rs_priv, "RS256", { kid = "k" }))
local garbage = { "", ".", "..", "a.b.c", ("\255"):rep(300), valid .. "." .. valid, ("x"):rep(200000) }
local badjson = {
  "eyJhbGciOiJIUzI1NiJ9.e30.AAAA",                   -- no typ
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.W10.AAAA",   -- payload []
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30=.A+/A",  -- bad signature alphabet
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJhIjoxLCJhIjoyfQ.AAAA", -- duplicate member
  "e30.e30.e30",
}
local ISS, AUD, WRONG = { "app" }, { "jitsi" }, { "nobody" }
local co = coroutine.create(function() end)

local counts = { accepted = 0, refused = 0 }
local function tally(claims, err)
  if claims then counts.accepted = counts.accepted + 1
  elseif type(err) == "string" then counts.refused = counts.refused + 1
  else error("neither claims nor a message") end
end

local verify, encode, decode = jwt.verify, jwt.encode, jwt.decode
local start = os.clock()
local samples = {}
for i = 1, N do
  local k = i % 100
  if k < 55 then tally(verify(valid, "HS256", SECRET, ISS, AUD))
  elseif k < 65 then tally(verify(expired, "HS256", SECRET))
  elseif k < 75 then tally(verify(badsig, "HS256", SECRET))
  elseif k < 80 then tally(verify(garbage[i % #garbage + 1], "HS256", SECRET))
  elseif k < 85 then tally(verify(badjson[i % #badjson + 1], "HS256", SECRET))
  elseif k < 90 then tally(verify(i % 2 == 0 and co or valid, i % 3 == 0 and {} or "HS256", SECRET))
  elseif k < 94 then tally(verify(assert(encode({ n = i, sub = "s" .. i, exp = FAR }, SECRET)), "HS256", SECRET))
  elseif k < 97 then tally(decode(valid, SECRET))
  elseif k == 97 then tally(verify(rs_token, "RS256", rs_pub, ISS, AUD))
  elseif k == 98 then tally(verify(rs_token, "RS256", rs_other))
  else tally(verify(valid, "HS256", SECRET, WRONG, AUD)) end
  if i % REPORT == 0 then
    collectgarbage("collect")
    local rss = rss_kib()
    samples[#samples + 1] = rss
    io.write(string.format("soak: %9d calls  RSS %7d KiB  Lua heap %7.0f KiB  %.1f s\n",
      i, rss, collectgarbage("count"), os.clock() - start))
    io.stdout:flush()
  end
end
local first, last = samples[1], samples[#samples]
io.write(string.format(
  "soak: %d calls (%d accepted, %d refused) in %.1f s CPU; RSS %d KiB after the first %d, %d KiB at the end: growth %d KiB\n",
  N, counts.accepted, counts.refused, os.clock() - start, first, REPORT, last, last - first))
