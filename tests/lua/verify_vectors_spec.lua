-- tests/vectors/verify.json through verify(), one describe per algorithm.
-- Cases with an integer `now` run through _internals.verify_at(now, ...), so
-- no case is skipped for time. No case is skipped at all.
local S = require "jwt_support"
local M = S.M
-- The shared vectors, then this project's own cases in the same format.
local V = { cases = {} }
for _, file in ipairs({ "verify.json", "project-verify.json" }) do
  for _, case in ipairs(S.load_vectors(file).cases) do V.cases[#V.cases + 1] = case end
end

local OTHER_STRING = "expectedAlgo that is not a supported algorithm"
local NOT_STRING = "expectedAlgo that is not a string (lua_only)"

local counted = { total = 0, run = 0, with_now = 0 }

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
  counted.run = counted.run + 1
  local label = case.name
  if has_now(case) then
    counted.with_now = counted.with_now + 1
    label = label .. " [now=" .. string.format("%d", case.now) .. ", via _internals.verify_at]"
  end
  it(label, function() run_case(case) end)
end

local groups = S.group_by_alg(V.cases, function(case)
  return type(case.alg) == "string" and OTHER_STRING or NOT_STRING
end, { OTHER_STRING, NOT_STRING })
for _, g in ipairs(groups) do
  describe("verify.json " .. g.name, function()
    for _, case in ipairs(g.cases) do register(case) end
  end)
end

describe("verify.json bookkeeping", function()
  it("registers and runs every case: " .. #V.cases, function()
    assert.are.equal(#V.cases, counted.total)
    assert.are.equal(counted.total, counted.run)
    io.stderr:write(string.format("[verify.json + project-verify.json] %d cases: %d run (%d via verify_at)\n",
      counted.total, counted.run, counted.with_now))
  end)
end)
