-- tests/vectors/encode.json through encode(), one describe per algorithm.
-- Payloads and headers are dkjson-decoded (null = cjson.null, integers stay
-- integers on 5.3/5.4) and copied into fresh tables without metatables.
local S = require "jwt_support"
local M = S.M
local E = S.load_vectors("encode.json")

local counted = { total = 0, run = 0, int64_skipped = 0 }

-- The public key matching a private key file, for the round trip
-- (keys/rsa2048.key.pkcs1.pem -> keys/rsa2048.pub.pem). nil if none.
local function public_key_for(keyspec)
  if type(keyspec) ~= "table" or type(keyspec.file) ~= "string" then return nil end
  local base = keyspec.file:match("^(keys/[%w%-]+)%.key%.")
  if not base then return nil end
  local path = S.VECTORS .. "/" .. base .. ".pub.pem"
  local f = io.open(path, "rb")
  if not f then return nil end
  f:close()
  return S.read_file(path)
end

local function run_case(case)
  assert(M, "module not loaded: " .. tostring(S.LOAD_ERROR))
  local payload = S.plain(case.payload)
  local header = nil
  if case.header ~= nil and case.header ~= S.NULL then header = S.plain(case.header) end
  local alg = S.arg(case.alg)
  local key = S.arg(case.key)

  local args
  if header ~= nil then
    args = { n = 4, payload, key, alg, header }
  elseif alg ~= nil then
    args = { n = 3, payload, key, alg }
  else
    args = { n = 2, payload, key }
  end
  local r = S.call_args(M.encode, args)

  local want = S.expected_error(case.expect)
  if want then
    local ok, msg = S.check_error_result(r, want)
    assert(ok, case.name .. ": " .. tostring(msg))
    return
  end

  local ok, msg = S.check_token_result(r)
  assert(ok, case.name .. ": " .. tostring(msg))
  local token = r[1]
  local effective_alg = alg or "HS256"

  if type(case.expect.token) == "string" then
    assert(token == case.expect.token, case.name .. ": token differs\nexpected: "
      .. case.expect.token .. "\n     got: " .. token)
  end
  if type(case.expect.signing_input) == "string" then
    local prefix = case.expect.signing_input .. "."
    assert(token:sub(1, #prefix) == prefix, case.name .. ": token does not start with signing_input..'.'\nexpected: "
      .. prefix .. "\n     got: " .. token)
  end

  if header ~= nil then
    assert(header.typ == "JWT", case.name .. ": caller's header.typ not set to JWT: " .. S.show(header.typ))
    assert(header.alg == effective_alg, case.name .. ": caller's header.alg not set to "
      .. effective_alg .. ": " .. S.show(header.alg))
  end

  -- Round trip: the module's own verify returns the payload.
  local vkey
  if case.expect.verify_with ~= nil then
    vkey = S.arg(case.expect.verify_with)
  else
    vkey = public_key_for(case.key) or key
  end
  local vr = S.call(M.verify, token, effective_alg, vkey)
  ok, msg = S.check_claims_result(vr)
  assert(ok, case.name .. ": verify(token, " .. effective_alg .. ", key) of the encoded token: " .. tostring(msg))
  ok, msg = S.match_claims(vr[1], case.payload)
  assert(ok, case.name .. ": round trip: " .. tostring(msg))
end

local function register(case)
  counted.total = counted.total + 1
  if case.int64 == true and not S.HAS_INTEGERS then
    counted.int64_skipped = counted.int64_skipped + 1
    pending("int64 payload needs Lua 5.3/5.4 integers, skipped on " .. tostring(S.FLAVOUR) .. ": " .. case.name)
    return
  end
  counted.run = counted.run + 1
  it(case.name, function() run_case(case) end)
end

-- Group by alg: each algorithm, then the default (alg omitted), then others.
local DEFAULT = "(alg omitted: default HS256)"
local OTHER = "(alg not supported)"
local groups = S.group_by_alg(E.cases, function(case)
  return (case.alg == nil or case.alg == S.NULL) and DEFAULT or OTHER
end, { DEFAULT, OTHER })
for _, g in ipairs(groups) do
  describe("encode.json " .. g.name, function()
    for _, case in ipairs(g.cases) do register(case) end
  end)
end

describe("encode.json bookkeeping", function()
  it("registers every case: run + int64-skipped = all " .. #E.cases, function()
    assert.are.equal(#E.cases, counted.total)
    assert.are.equal(counted.total, counted.run + counted.int64_skipped)
    io.stderr:write(string.format("[encode.json] %d cases: %d run, %d int64 skipped (pending)\n",
      counted.total, counted.run, counted.int64_skipped))
  end)

  it("dkjson keeps integer literals as integers and floats as floats (5.3/5.4)", function()
    if not S.HAS_INTEGERS then return end
    local v = S.json_decode('{"i": 4102444800, "big": 9223372036854775807, "neg": -7, "f": 1.5, "e": 1e2}')
    assert.are.equal("integer", math.type(v.i))
    assert.are.equal("integer", math.type(v.big))
    assert.are.equal(9223372036854775807, v.big)
    assert.are.equal("integer", math.type(v.neg))
    assert.are.equal("float", math.type(v.f))
    assert.are.equal("float", math.type(v.e))
    -- and the copies the specs pass to encode keep them
    local p = S.plain(v)
    assert.are.equal("integer", math.type(p.i))
    assert.is_nil(getmetatable(p))
  end)

  it("payload copies carry no metatables and null is cjson.null", function()
    local v = S.plain(S.json_decode('{"a": [1, {"b": null}], "c": {"d": []}}'))
    assert(S.no_metatables(v))
    assert.are.equal(S.NULL, v.a[2].b)
  end)
end)
