-- Issue 23, sections 2 and 3: a token with `crit` (or `b64: false`) is
-- refused on every path with a message naming the header parameter; a
-- message quotes at most 64 characters of a token's text; a JWK's `alg` and
-- `use` hold for verify, decode, jwt.verifier and encode alike; keys of
-- different types may share a kid in a JWKS.
local S = require "jwt_support"
local M = S.M

local SECRET = S.SECRET

local function key(name) return S.key_file("keys/" .. name) end

local function mint(claims, k, alg, header)
  return S.expect_token(S.call(M.encode, claims, k, alg, header), "encode")
end

local function claims()
  return { iss = "app", aud = "jitsi", sub = "meet.example.com", room = "*", exp = os.time() + 3600 }
end

local function build(opts)
  local r = S.call(M.verifier, opts)
  assert(not r.raised and r.n == 1, "verifier: " .. S.show_result(r))
  return r[1]
end

-- verify, decode and jwt.verifier on one token, all expected to say `want`.
local function every_path(token, alg, k, want)
  local v = build({ alg = alg, key = k })
  S.expect_error(S.call(M.verify, token, alg, k), want)
  S.expect_error(S.call(M.decode, token, k, true), want)
  S.expect_error(S.call(function(t) return v:verify(t) end, token), want)
end

describe("crit (RFC 7515 §4.1.11) and b64 (RFC 7797 §7)", function()
  local cases = {
    { "RFC 7515's example: crit exp with an expired header exp", { crit = { "exp" }, exp = 1363284000 },
      'Invalid header: crit names "exp", which this module does not process' },
    { "an unknown extension", { crit = { "urn:example:ext" }, ["urn:example:ext"] = true },
      'Invalid header: crit names "urn:example:ext", which this module does not process' },
    { "b64 false listed in crit", { b64 = false, crit = { "b64" } },
      'Invalid header: crit names "b64", which this module does not process' },
    { "b64 false alone", { b64 = false },
      "Invalid header: b64 must be true: a JWT never has an unencoded payload (RFC 7797)" },
    { "a name the header lacks", { crit = { "nope" } },
      'Invalid header: crit names "nope", which the header does not have' },
    { "a registered name", { crit = { "kid" }, kid = "k" },
      'Invalid header: crit names "kid", a header parameter crit must not list' },
    { "empty", { crit = {} }, "Invalid header: crit must be a non-empty array of header parameter names" },
    { "a string", { crit = "exp", exp = 1 },
      "Invalid header: crit must be a non-empty array of header parameter names" },
    { "a number in it", { crit = { 5 } },
      "Invalid header: crit must be a non-empty array of header parameter names" },
  }
  for _, c in ipairs(cases) do
    it(c[1] .. ": refused by verify, decode and jwt.verifier", function()
      every_path(mint(claims(), SECRET, "HS256", c[2]), "HS256", SECRET, c[3])
    end)
  end

  it("an RS256 token with crit is refused too", function()
    local t = mint(claims(), key("rsa2048.key.pem"), "RS256", { crit = { "exp" }, exp = 1 })
    every_path(t, "RS256", key("rsa2048.pub.pem"),
      'Invalid header: crit names "exp", which this module does not process')
  end)

  it("b64 true without crit is accepted", function()
    local t = mint(claims(), SECRET, "HS256", { b64 = true })
    S.expect_claims(S.call(M.verify, t, "HS256", SECRET), "b64 true")
    S.expect_claims(S.call(M.decode, t, SECRET, true), "b64 true")
  end)
end)

describe("messages quote at most 64 characters of a token", function()
  it("a 60,000-character kid gives a short message", function()
    local kid = string.rep("k", 60000)
    local v = build({ alg = "RS256", key = key("jwks.pub.json") })
    local r = S.call(function(t) return v:verify(t) end,
      mint(claims(), key("rsa2048.key.pem"), "RS256", { kid = kid }))
    S.expect_error(r, 'Invalid key: no key in the JWKS has kid "' .. string.rep("k", 64) .. '"…(60000 bytes)')
    assert(#r[2] < 200, "message of " .. #r[2] .. " bytes")
  end)

  it("a crit name with a newline stays on one line", function()
    local name = "x\ny" .. string.rep("z", 40000)
    local t = mint(claims(), SECRET, "HS256", { crit = { name }, [name] = 1 })
    local r = S.call(M.verify, t, "HS256", SECRET)
    S.expect_error(r, { prefix = 'Invalid header: crit names "x\\ny', suffix = "…(40003 bytes), which this module does not process" })
    assert(not r[2]:find("\n"), "a raw newline in the message")
    assert(#r[2] < 200, "message of " .. #r[2] .. " bytes")
  end)
end)

describe("a JWK's alg and use, on every path", function()
  local pub = S.json_decode(key("rsa2048.pub.jwk.json"))
  local function jwk(extra)
    local t = {}
    for k, x in pairs(pub) do t[k] = x end
    for k, x in pairs(extra) do t[k] = x end
    return S.dkjson.encode(t)
  end
  local for_rs256 = jwk({ alg = "RS256" })
  local for_enc = jwk({ use = "enc" })
  local priv = key("rsa2048.key.pem")
  local rs256 = mint(claims(), priv, "RS256")
  local rs512 = mint(claims(), priv, "RS512")
  local mismatch = 'the JWK\'s "alg" is "RS256", not RS512'
  local not_sig = 'the JWK\'s "use" is not "sig"'

  it("verify", function()
    S.expect_claims(S.call(M.verify, rs256, "RS256", for_rs256), "RS256 JWK")
    S.expect_error(S.call(M.verify, rs512, "RS512", for_rs256), "Invalid key: " .. mismatch)
    S.expect_error(S.call(M.verify, rs256, "RS256", for_enc), "Invalid key: " .. not_sig)
  end)

  it("decode", function()
    S.expect_claims(S.call(M.decode, rs256, for_rs256, true), "RS256 JWK")
    S.expect_error(S.call(M.decode, rs512, for_rs256, true), "Invalid alg")
    S.expect_error(S.call(M.decode, rs256, for_enc, true), "Invalid key: " .. not_sig)
  end)

  it("jwt.verifier", function()
    S.expect_error(S.call(M.verifier, { alg = "RS512", key = for_rs256 }), "verifier: key: " .. mismatch)
    S.expect_error(S.call(M.verifier, { alg = "RS256", key = for_enc }), "verifier: key: " .. not_sig)
    local v = build({ alg = "RS256", key = for_rs256 })
    S.expect_claims(S.call(function(t) return v:verify(t) end, rs256), "RS256 JWK")
  end)

  it("encode", function()
    local private = S.json_decode(key("rsa2048.jwk.json"))
    private.alg = "RS256"
    S.expect_error(S.call(M.encode, claims(), S.dkjson.encode(private), "RS512"),
      "Not a private PEM key: " .. mismatch)
  end)
end)

describe("a JWKS whose keys of different types share a kid (RFC 7517 §4.5)", function()
  it("builds, and kid and alg together choose the key", function()
    local function with_kid(name)
      local t = S.json_decode(key(name))
      t.kid = "k1"
      return t
    end
    local jwks = S.dkjson.encode({ keys = {
      with_kid("rsa2048.pub.jwk.json"), with_kid("ec-p256.pub.jwk.json"), with_kid("ed25519.pub.jwk.json") } })
    local v = build({ alg = { "RS256", "ES256", "EdDSA" }, key = jwks })
    local function check(t) return S.call(function(x) return v:verify(x) end, t) end
    for _, s in ipairs({ { "RS256", "rsa2048" }, { "ES256", "ec-p256" }, { "EdDSA", "ed25519" } }) do
      S.expect_claims(check(mint(claims(), key(s[2] .. ".key.pem"), s[1], { kid = "k1" })), s[1])
      S.expect_error(check(mint(claims(), key(s[2] .. "b.key.pem"), s[1], { kid = "k1" })), "Invalid signature")
    end
    local twice = S.dkjson.encode({ keys = { with_kid("rsa2048.pub.jwk.json"), with_kid("rsa2048b.pub.jwk.json") } })
    S.expect_error(S.call(M.verifier, { alg = "RS256", key = twice }),
      "verifier: key: JWKS key 2: its kid is shared with a key for the same algorithm")
  end)
end)
