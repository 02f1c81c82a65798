-- verify(): argument types (docs/contract.md §2 rows 1-5), accepted list shapes, and
-- "never raises" on hostile input. Every call goes through pcall and the
-- number of returned values is checked.
local S = require "jwt_support"
local expect_error, expect_claims = S.expect_error, S.expect_claims
local M = S.M

local VALID = S.verify_case("alg/HS256/valid")
local TOKEN, ALG, KEY = VALID.token, VALID.alg, VALID.key
local RS_VALID = S.verify_case("alg/RS256/valid")

local function verify(...)
  assert(M, "module not loaded: " .. tostring(S.LOAD_ERROR))
  return S.call(M.verify, ...)
end

describe("verify argument types", function()
  describe("#1 token", function()
    it("nil (omitted entirely)", function()
      expect_error(verify(), "token argument must be string", "verify()")
    end)
    it("nil (explicit)", function()
      expect_error(verify(nil, ALG, KEY), "token argument must be string")
    end)
    for _, v in ipairs(S.non_string_values()) do
      it(v[1], function()
        expect_error(verify(v[2], ALG, KEY), "token argument must be string", v[1])
      end)
    end
    it("a table whose __tostring gives the valid token", function()
      local t = setmetatable({}, { __tostring = function() return TOKEN end })
      expect_error(verify(t, ALG, KEY), "token argument must be string")
    end)
    it("a number is not coerced to a string", function()
      expect_error(verify(12345, ALG, KEY), "token argument must be string")
    end)
  end)

  describe("#2 expectedAlgo", function()
    it("nil (omitted)", function()
      expect_error(verify(TOKEN), "algorithm argument must be string")
    end)
    it("nil (explicit)", function()
      expect_error(verify(TOKEN, nil, KEY), "algorithm argument must be string")
    end)
    for _, v in ipairs(S.non_string_values()) do
      it(v[1], function()
        expect_error(verify(TOKEN, v[2], KEY), "algorithm argument must be string", v[1])
      end)
    end
  end)

  describe("#3 key", function()
    it("nil (omitted)", function()
      expect_error(verify(TOKEN, ALG), "key argument must be string")
    end)
    it("nil (explicit)", function()
      expect_error(verify(TOKEN, ALG, nil, nil, nil), "key argument must be string")
    end)
    for _, v in ipairs(S.non_string_values()) do
      it(v[1], function()
        expect_error(verify(TOKEN, ALG, v[2]), "key argument must be string", v[1])
      end)
    end
  end)

  describe("#4 acceptedIssuers", function()
    for _, v in ipairs(S.non_table_values()) do
      it(v[1], function()
        expect_error(verify(TOKEN, ALG, KEY, v[2]), "acceptedIssuers argument must be table", v[1])
      end)
    end
  end)

  describe("#5 acceptedAudiences", function()
    for _, v in ipairs(S.non_table_values()) do
      it(v[1], function()
        expect_error(verify(TOKEN, ALG, KEY, nil, v[2]), "acceptedAudiences argument must be table", v[1])
        expect_error(verify(TOKEN, ALG, KEY, { "my_app_id" }, v[2]), "acceptedAudiences argument must be table", v[1])
      end)
    end
  end)

  describe("order of the argument checks", function()
    local co = coroutine.create(function() end)
    it("token before everything", function()
      expect_error(verify(co, co, co, co, co), "token argument must be string")
    end)
    it("expectedAlgo before key, lists and algorithm support", function()
      expect_error(verify(TOKEN, co, co, co, co), "algorithm argument must be string")
    end)
    it("key before lists", function()
      expect_error(verify(TOKEN, "none", co, co, co), "key argument must be string")
    end)
    it("issuers before audiences and algorithm support", function()
      expect_error(verify(TOKEN, "none", KEY, co, co), "acceptedIssuers argument must be table")
    end)
    it("audiences before algorithm support", function()
      expect_error(verify(TOKEN, "none", KEY, nil, co), "acceptedAudiences argument must be table")
    end)
    it("algorithm support before the token shape", function()
      expect_error(verify("not a token", "none", KEY), "Algorithm not supported")
    end)
  end)
end)

describe("verify accepted shapes", function()
  it("issuers and audiences omitted", function()
    expect_claims(verify(TOKEN, ALG, KEY), "3 arguments")
  end)
  it("issuers and audiences explicitly nil", function()
    expect_claims(verify(TOKEN, ALG, KEY, nil, nil), "explicit nils")
  end)
  it("only audiences given", function()
    expect_claims(verify(TOKEN, ALG, KEY, nil, { "jitsi" }), "audiences only")
  end)
  it("lists with a metatable (Prosody util.array)", function()
    local array_mt = { __index = { push = function() end }, __tostring = function() return "array" end }
    local iss = setmetatable({ "other", "my_app_id" }, array_mt)
    local aud = setmetatable({ "jitsi" }, array_mt)
    expect_claims(verify(TOKEN, ALG, KEY, iss, aud), "util.array-like lists")
  end)
  it("lists are read like ipairs: entries after a hole are not seen", function()
    local iss = { "other" }
    iss[3] = "my_app_id"
    expect_error(verify(TOKEN, ALG, KEY, iss), "invalid 'iss' claim")
  end)
  it("string keys of a list are not entries", function()
    expect_error(verify(TOKEN, ALG, KEY, { my_app_id = "my_app_id" }), "invalid 'iss' claim")
  end)
  it("the lists are not modified", function()
    local iss, aud = { "my_app_id" }, { "*" }
    expect_claims(verify(TOKEN, ALG, KEY, iss, aud), "lists")
    assert.are.same({ "my_app_id" }, iss)
    assert.are.same({ "*" }, aud)
  end)
  it("a fresh claims table on every call", function()
    local a = expect_claims(verify(TOKEN, ALG, KEY), "first")
    local b = expect_claims(verify(TOKEN, ALG, KEY), "second")
    assert(a ~= b, "the same table was returned twice")
    a.iss = "changed"
    assert.are.equal("my_app_id", b.iss)
    local c = expect_claims(verify(TOKEN, ALG, KEY), "third")
    assert.are.equal("my_app_id", c.iss)
  end)
  it("RS256 with the public key verifies repeatedly (key cache)", function()
    local key = S.arg(RS_VALID.key)
    for i = 1, 5 do expect_claims(verify(RS_VALID.token, "RS256", key), "call " .. i) end
    -- a different key after the cached one is still checked
    expect_error(verify(RS_VALID.token, "RS256", S.key_file("keys/rsa2048b.pub.pem")), "Invalid signature")
  end)
end)

describe("verify never raises", function()
  local function expect_nil_string(r, label)
    assert(not r.raised, label .. ": raised " .. S.show(r.err))
    assert(r.n == 2 and r[1] == nil and type(r[2]) == "string",
      label .. ": expected nil, message; got " .. S.show_result(r))
  end

  it("binary garbage tokens", function()
    local samples = {
      "\0", "\0.\0.\0", "\255\254\253", ("\255"):rep(100) .. "." .. ("\0"):rep(100) .. ".x",
      "..", "...", ".", "a.b.c", "\n.\n.\n", "eyJ.eyJ.eyJ", "====.====.====",
    }
    for i, t in ipairs(samples) do
      expect_nil_string(verify(t, ALG, KEY), "sample " .. i)
    end
  end)

  it("all 256 byte values in every segment", function()
    local bytes = {}
    for b = 0, 255 do bytes[#bytes + 1] = string.char(b) end
    local all = table.concat(bytes)
    expect_nil_string(verify(all .. "." .. all .. "." .. all, ALG, KEY), "bytes")
  end)

  it("a header that decodes to JSON of every odd shape", function()
    for _, h in ipairs({ "null", "[]", "1", '"x"', "true", "{", "{}", '{"typ":"JWT"}', "{\"alg\":{}}" }) do
      expect_nil_string(verify(S.make_token(h, '{"exp":4102444800}'), ALG, KEY), "header " .. h)
    end
  end)

  it("megabytes of input (token of 4 MiB)", function()
    local big = ("A"):rep(2 * 1024 * 1024)
    expect_nil_string(verify(big .. "." .. big .. ".x", ALG, KEY), "4 MiB token")
  end)

  it("megabytes of key", function()
    local key = ("k"):rep(4 * 1024 * 1024)
    local r = verify(TOKEN, ALG, key)
    expect_error(r, "Invalid signature", "4 MiB HMAC key")
    expect_nil_string(verify(RS_VALID.token, "RS256", key), "4 MiB RSA key")
  end)

  it("garbage keys for RS256", function()
    for i, key in ipairs({ "", "\0", ("\255"):rep(64), "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n",
      "-----BEGIN PUBLIC KEY-----\n", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" }) do
      expect_error(verify(RS_VALID.token, "RS256", key), { prefix = "Invalid key" }, "key " .. i)
    end
  end)

  it("issuer and audience lists holding odd values", function()
    local co = coroutine.create(function() end)
    local odd = { S.NULL, co, function() end, {}, io.stdout, 0 / 0, math.huge, true, 1.5 }
    expect_error(verify(TOKEN, ALG, KEY, odd), "invalid 'iss' claim", "odd issuers")
    expect_error(verify(TOKEN, ALG, KEY, { "my_app_id" }, odd), "invalid 'aud' claim", "odd audiences")
  end)
end)
