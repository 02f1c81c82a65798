-- The fast paths of verify: claims built straight from the JSON text with a
-- bounded cache of claim-name strings, and accepted lists read raw when they
-- have no metatable. These pin that the shortcuts change no result.
local S = require "jwt_support"
local M = S.M

local SECRET = S.SECRET

local function roundtrip(claims, issuers, audiences)
  assert(M, "module not loaded: " .. tostring(S.LOAD_ERROR))
  local token = assert(M.encode(claims, SECRET, "HS256"))
  return S.call(M.verify, token, "HS256", SECRET, issuers, audiences)
end

describe("claims tables built from the JSON text", function()
  it("more distinct names than the name cache holds, long names, twice over", function()
    local claims = { exp = 4102444800 }
    for i = 1, 300 do claims["claim_" .. i] = i end
    claims[string.rep("long-name-", 5)] = "beyond the cached length"
    claims["é-ünïcode ✓"] = { nested = { "a", S.NULL, false, 1.5 } }
    for round = 1, 2 do
      local got = S.expect_claims(roundtrip(claims), "round " .. round)
      for i = 1, 300 do assert.are.equal(i, got["claim_" .. i]) end
      assert.are.equal("beyond the cached length", got[string.rep("long-name-", 5)])
      local nested = got["é-ünïcode ✓"].nested
      assert.are.equal(4, #nested)
      assert.are.equal("a", nested[1])
      assert.are.equal(S.NULL, nested[2])
      assert.are.equal(false, nested[3])
      assert.are.equal(1.5, nested[4])
      local count = 0
      for _ in pairs(got) do count = count + 1 end
      assert.are.equal(303, count)
    end
  end)

  it("the same names with different values in later tokens", function()
    for _, name in ipairs({ "Ada", "Grace", "" }) do
      local claims = { exp = 4102444800, context = { user = { name = name, moderator = name == "Ada" } } }
      local got = S.expect_claims(roundtrip(claims), name)
      assert.are.equal(name, got.context.user.name)
      assert.are.equal(name == "Ada", got.context.user.moderator)
    end
  end)
end)

describe("accepted lists", function()
  local claims = { exp = 4102444800, iss = "my_app_id", aud = "jitsi" }

  it("a plain table is read as ipairs reads it", function()
    S.expect_claims(roundtrip(claims, { "other", "my_app_id" }, { "jitsi" }), "plain")
    local r = roundtrip(claims, { "other", nil, "my_app_id" }, { "jitsi" })
    S.expect_error(r, "invalid 'iss' claim", "stops at the first nil")
  end)

  it("a list whose entries exist only through __index is still read", function()
    local function proxy(items)
      return setmetatable({}, { __index = function(_, i) return items[i] end })
    end
    S.expect_claims(roundtrip(claims, proxy({ "other", "my_app_id" }), proxy({ "jitsi" })), "proxy")
    S.expect_error(roundtrip(claims, proxy({ "other" }), proxy({ "jitsi" })), "invalid 'iss' claim", "proxy")
  end)
end)
