-- tests/vectors/verify.json through verify(), one describe per algorithm.
-- Cases with an integer `now` run through _internals.verify_at(now, ...), so
-- no case is skipped for time. Deferred algorithms/features (jwt_support's
-- DEFERRED) are reported with pending(); nothing else is skipped.
local S = require "jwt_support"
local M = S.M
-- The shared vectors, then this project's own cases in the same format.
local V = { cases = {} }
for _, file in ipairs({ "verify.json", "project-verify.json" }) do
  for _, case in ipairs(S.load_vectors(file).cases) do V.cases[#V.cases + 1] = case end
end

local ALG_ORDER = {
  "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
  "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
}
local KNOWN = {}
for _, a in ipairs(ALG_ORDER) do KNOWN[a] = true end

local OTHER_STRING = "expectedAlgo that is not a supported algorithm"
local NOT_STRING = "expectedAlgo that is not a string (lua_only)"

-- Group the cases by expectedAlgo, keeping file order inside each group.
local groups = {}
for _, case in ipairs(V.cases) do
  local g
  if type(case.alg) == "string" then
    g = KNOWN[case.alg] and case.alg or OTHER_STRING
  else
    g = NOT_STRING
  end
  groups[g] = groups[g] or {}
  table.insert(groups[g], case)
end

local counted = { total = 0, run = 0, deferred = 0, with_now = 0 }

local function has_now(case)
  return case.now ~= nil and case.now ~= S.NULL
end

local function run_case(case)
  assert(M, "module not loaded: " .. tostring(S.LOAD_ERROR))
  local token, alg, key = S.arg(case.token), S.arg(case.alg), S.arg(case.key)
  local issuers, audiences = S.arg(case.issuers), S.arg(case.audiences)
  local r
  if has_now(case) then
    local verify_at = type(M._internals) == "table" and M._internals.verify_at
    assert(type(verify_at) == "function", "_internals.verify_at is missing: needed for the `now` cases")
    r = S.call(verify_at, case.now, token, alg, key, issuers, audiences)
  else
    r = S.call(M.verify, token, alg, key, issuers, audiences)
  end
  local want = S.expected_error(case.expect)
  local ok, msg
  if want then
    ok, msg = S.check_error_result(r, want)
  else
    ok, msg = S.check_claims_result(r)
    -- project-verify.json may give the claims as JSON text (too deep to embed).
    local claims = case.expect.claims
    if claims == nil and type(case.expect.claims_json) == "string" then
      claims = S.json_decode(case.expect.claims_json)
    end
    if ok then ok, msg = S.match_claims(r[1], claims) end
  end
  assert(ok, case.name .. ": " .. tostring(msg))
end

local function register(case)
  counted.total = counted.total + 1
  local reason = S.deferral(case)
  if reason then
    counted.deferred = counted.deferred + 1
    pending(reason)
    return
  end
  counted.run = counted.run + 1
  local label = case.name
  if has_now(case) then
    counted.with_now = counted.with_now + 1
    label = label .. " [now=" .. string.format("%d", case.now) .. ", via _internals.verify_at]"
  end
  it(label, function() run_case(case) end)
end

local order = {}
for _, a in ipairs(ALG_ORDER) do order[#order + 1] = a end
order[#order + 1] = OTHER_STRING
order[#order + 1] = NOT_STRING

for _, g in ipairs(order) do
  if groups[g] then
    describe("verify.json " .. g, function()
      for _, case in ipairs(groups[g]) do register(case) end
    end)
  end
end

describe("verify.json bookkeeping", function()
  it("registers every case: run + deferred = all " .. #V.cases, function()
    assert.are.equal(#V.cases, counted.total)
    assert.are.equal(counted.total, counted.run + counted.deferred)
  end)
  it("defers only what jwt_support's DEFERRED names", function()
    local n = 0
    for _, case in ipairs(V.cases) do
      if S.deferral(case) then n = n + 1 end
    end
    assert.are.equal(n, counted.deferred)
    io.stderr:write(string.format("[verify.json + project-verify.json] %d cases: %d run (%d via verify_at), %d deferred (pending)\n",
      counted.total, counted.run, counted.with_now, counted.deferred))
  end)
end)
