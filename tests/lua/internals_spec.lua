-- _internals (docs/contract.md §6): split_token, parse_token, strip_signature,
-- verify_claim, plus verify_at (exercised by the verify.json `now` cases).
local S = require "jwt_support"
local M = S.M

local function I()
  assert(M, "module not loaded: " .. tostring(S.LOAD_ERROR))
  assert(type(M._internals) == "table", "_internals is missing")
  return M._internals
end

local function fn(name)
  local f = I()[name]
  assert(type(f) == "function", "_internals." .. name .. " is missing")
  return f
end

local VALID = S.verify_case("alg/HS256/valid")

local function segments(token)
  local segs = {}
  for s in (token .. "."):gmatch("([^.]*)%.") do segs[#segs + 1] = s end
  return segs
end

describe("_internals", function()
  it("has split_token, parse_token, strip_signature, verify_claim, verify_at", function()
    for _, name in ipairs({ "split_token", "parse_token", "strip_signature", "verify_claim", "verify_at" }) do
      assert.are.equal("function", type(I()[name]), name)
    end
  end)

  describe("split_token", function()
    local cases = {
      { "a.b.c", { "a", "b", "c" } },
      { "a..b", { "a", "", "b" } },
      { "abc", { "abc" } },
      { "a.b", { "a", "b" } },
      { "a.b.c.d", { "a", "b", "c", "d" } },
      { ".a", { "", "a" } },
      { "a.", { "a", "" } },
      { "..", { "", "", "" } },
      { "a\\b.c", { "a\\b", "c" } },
      { "a/b.c\nd", { "a/b", "c\nd" } },
      { "\0.\255", { "\0", "\255" } },
    }
    for _, c in ipairs(cases) do
      it(string.format("%q", c[1]), function()
        local r = S.call(fn("split_token"), c[1])
        assert(not r.raised, "raised " .. S.show(r.err))
        assert(r.n == 1 and type(r[1]) == "table", "expected one table, got " .. S.show_result(r))
        assert.is_nil(getmetatable(r[1]))
        assert.are.same(c[2], r[1])
      end)
    end
    it("a vector token", function()
      local r = S.call(fn("split_token"), VALID.token)
      assert.are.same(segments(VALID.token), r[1])
    end)
  end)

  describe("parse_token", function()
    local function expect_fail(token, want, label)
      local r = S.call(fn("parse_token"), token)
      assert(not r.raised, label .. ": raised " .. S.show(r.err))
      assert(r.n == 4 and r[1] == nil and r[2] == nil and r[3] == nil and r[4] == want,
        label .. ": expected nil, nil, nil, " .. S.show(want) .. "; got " .. S.show_result(r))
    end

    it("a valid token -> header, body, raw signature bytes", function()
      local r = S.call(fn("parse_token"), VALID.token)
      assert(not r.raised, "raised " .. S.show(r.err))
      assert(r.n == 3, "expected 3 values, got " .. S.show_result(r))
      local header, body, sig = r[1], r[2], r[3]
      assert.are.same({ alg = "HS256", typ = "JWT" }, header)
      local ok, msg = S.match_claims(body, VALID.expect.claims)
      assert(ok, msg)
      assert.are.equal("string", type(sig))
      assert.are.equal(32, #sig)
      assert.are.equal(S.b64url_decode(segments(VALID.token)[3]), sig)
      assert(S.no_metatables(header) and S.no_metatables(body))
    end)
    it("an RS256 token's signature is 256 bytes", function()
      local c = S.verify_case("alg/RS256/valid")
      local r = S.call(fn("parse_token"), c.token)
      assert(r.n == 3, S.show_result(r))
      assert.are.equal(256, #r[3])
    end)
    it("does not check the signature, typ or alg", function()
      local t = S.make_token('{"alg":"none","x":[1]}', '{"a":null}', "AAAA")
      local r = S.call(fn("parse_token"), t)
      assert(r.n == 3, S.show_result(r))
      assert.are.same({ alg = "none", x = { 1 } }, r[1])
      assert(rawequal(r[2].a, S.NULL))
      assert.are.equal("\0\0\0", r[3])
    end)
    it("not three segments -> Invalid token", function()
      expect_fail("a.b", "Invalid token", "two")
      expect_fail("a.b.c.d", "Invalid token", "four")
      expect_fail("", "Invalid token", "empty")
    end)
    it("bad header -> Invalid header", function()
      expect_fail("!!!." .. S.b64url("{}") .. ".AAAA", "Invalid header", "bad base64")
      expect_fail(S.make_token("[]", "{}", "AAAA"), "Invalid header", "array header")
      expect_fail(S.make_token("{", "{}", "AAAA"), "Invalid header", "truncated JSON")
    end)
    it("bad body -> Invalid body", function()
      expect_fail(S.b64url("{}") .. ".!!!.AAAA", "Invalid body", "bad base64")
      expect_fail(S.make_token("{}", "42", "AAAA"), "Invalid body", "number body")
      expect_fail(S.make_token("{}", "null", "AAAA"), "Invalid body", "null body")
    end)
    it("bad signature encoding -> Invalid signature", function()
      expect_fail(S.make_token("{}", "{}", "!!!"), "Invalid signature", "bad base64")
      expect_fail(S.make_token("{}", "{}", "A"), "Invalid signature", "length 4n+1")
    end)
    it("non-string argument does not raise", function()
      for _, v in ipairs(S.non_string_values()) do
        local r = S.call(fn("parse_token"), v[2])
        assert(not r.raised, v[1] .. ": raised " .. S.show(r.err))
      end
    end)
  end)

  describe("strip_signature", function()
    it("a valid token -> header.payload", function()
      local segs = segments(VALID.token)
      local r = S.call(fn("strip_signature"), VALID.token)
      assert(not r.raised, "raised " .. S.show(r.err))
      assert(r.n == 1, "expected 1 value, got " .. S.show_result(r))
      assert.are.equal(segs[1] .. "." .. segs[2], r[1])
    end)
    it("any three segments", function()
      local r = S.call(fn("strip_signature"), "a.b.c")
      assert(r.n == 1, S.show_result(r))
      assert.are.equal("a.b", r[1])
    end)
    for _, t in ipairs({ "a.b", "a", "a.b.c.d", "" }) do
      it(string.format("%q -> nil, nil, nil, Invalid token", t), function()
        local r = S.call(fn("strip_signature"), t)
        assert(not r.raised, "raised " .. S.show(r.err))
        assert(r.n == 4 and r[1] == nil and r[2] == nil and r[3] == nil and r[4] == "Invalid token",
          "got " .. S.show_result(r))
      end)
    end
  end)

  describe("verify_claim", function()
    local t = {}
    local cases = {
      { "exact string", "a", { "a" }, true },
      { "no match", "a", { "b" }, false },
      { "second entry", "a", { "b", "a" }, true },
      { "wildcard", "x", { "*" }, true },
      { "wildcard after others", "x", { "a", "*" }, true },
      { "wildcard accepts a number", 5, { "*" }, true },
      { "wildcard accepts NULL", S.NULL, { "*" }, true },
      { "empty list", "a", {}, false },
      { "type-exact: 5 vs '5'", 5, { "5" }, false },
      { "type-exact: '5' vs 5", "5", { 5 }, false },
      { "number match", 5, { 5 }, true },
      { "integer vs float value", 5, { 5.0 }, true },
      { "NULL vs NULL", S.NULL, { S.NULL }, true },
      { "NULL vs string", S.NULL, { "null" }, false },
      { "same table", t, { t }, true },
      { "equal but different tables", {}, { {} }, false },
      { "boolean", true, { true }, true },
      { "case-sensitive", "Jitsi", { "jitsi" }, false },
      { "stops at the first hole (ipairs)", "b", { "a", nil, "b" }, false },
      { "string keys are not entries", "a", { x = "a" }, false },
      { "a literal '*' value is not special on the value side", "*", { "a" }, false },
    }
    for _, c in ipairs(cases) do
      it(c[1], function()
        local r = S.call(fn("verify_claim"), c[2], c[3])
        assert(not r.raised, "raised " .. S.show(r.err))
        assert(r.n == 1 and r[1] == c[4], "expected exactly " .. tostring(c[4]) .. ", got " .. S.show_result(r))
      end)
    end
    it("a list with a metatable (util.array)", function()
      local list = setmetatable({ "x", "jitsi" }, { __index = {} })
      local r = S.call(fn("verify_claim"), "jitsi", list)
      assert(r.n == 1 and r[1] == true, S.show_result(r))
    end)
  end)

  describe("verify_at", function()
    it("fixes the clock: one second before exp is accepted, exp itself is not", function()
      local c = S.verify_case("time/fixed/exp-one-second-left")
      local r = S.call(fn("verify_at"), 999999999, c.token, c.alg, c.key)
      assert(S.check_claims_result(r))
      r = S.call(fn("verify_at"), 1000000000, c.token, c.alg, c.key)
      assert(S.check_error_result(r, "Not acceptable by exp (0 sec since expired)"))
    end)
    it("the wall clock decides for verify", function()
      local c = S.verify_case("time/fixed/exp-one-second-left")
      local r = S.call(M.verify, c.token, c.alg, c.key)
      assert(S.check_error_result(r, { prefix = "Not acceptable by exp (", suffix = " sec since expired)" }))
    end)
    it("same argument checks as verify, after now", function()
      local r = S.call(fn("verify_at"), 1000000000, 42, "HS256", "k")
      assert(S.check_error_result(r, "token argument must be string"))
    end)
  end)
end)
