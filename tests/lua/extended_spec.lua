-- The extended API: jwt.verifier{...} and jwt.inspect(token), plus JWK keys
-- in the 3.0 functions. Every call goes through S.call, so a raise fails the
-- test instead of passing silently.
local S = require "jwt_support"
local M = S.M

local NOW = 1700000000
local SECRET = S.SECRET

local function key(name) return S.key_file("keys/" .. name) end

local function mint(claims, k, alg, header)
  return S.expect_token(S.call(M.encode, claims, k, alg, header), "encode")
end

local function new_verifier(opts)
  local r = S.call(M.verifier, opts)
  assert(not r.raised, "verifier raised: " .. S.show(r.err))
  return r
end

local function build(opts)
  local r = new_verifier(opts)
  assert(r.n == 1 and type(r[1]) == "userdata", "expected a verifier, got " .. S.show_result(r))
  return r[1]
end

local function verify(v, token)
  return S.call(function(t) return v:verify(t) end, token)
end

local function jitsi(extra)
  local c = { iss = "app", aud = "jitsi", sub = "meet.example.com", room = "*", exp = NOW + 3600, iat = NOW }
  for k, x in pairs(extra or {}) do c[k] = x end
  return c
end

describe("jwt.verifier: options are checked when it is made", function()
  local rsa_pub = key("rsa2048.pub.pem")
  local cases = {
    { "not a table", "x", "verifier: options must be a table" },
    { "no alg", { key = SECRET }, { prefix = "verifier: alg is required" } },
    { "unknown alg", { alg = "HS1024", key = SECRET }, "verifier: alg 'HS1024' is not a supported algorithm" },
    { "lower-case alg", { alg = "hs256", key = SECRET }, "verifier: alg 'hs256' is not a supported algorithm" },
    { "alg none", { alg = { "HS256", "none" }, key = SECRET }, "verifier: alg 'none' is not a supported algorithm" },
    { "empty alg list", { alg = {}, key = SECRET }, "verifier: alg must name at least one algorithm" },
    { "alg a number", { alg = 256, key = SECRET }, { prefix = "verifier: alg must be" } },
    { "no key", { alg = "HS256" }, "verifier: key is required" },
    { "key a table", { alg = "HS256", key = {} }, { prefix = "verifier: key must be a string" } },
    { "empty secret", { alg = "HS256", key = "" }, { prefix = "verifier: key: an empty HMAC secret" } },
    { "PEM for HS256", { alg = "HS256", key = rsa_pub }, { prefix = "verifier: key: " } },
    { "JWK for HS256", { alg = "HS256", key = key("ec-p256.pub.jwk.json") }, { prefix = "verifier: key: " } },
    { "secret for RS256", { alg = "RS256", key = SECRET }, "verifier: key: an HMAC secret cannot be used with RS256" },
    { "RSA key for ES256", { alg = { "RS256", "ES256" }, key = rsa_pub },
      "verifier: key: an RSA key of 2048 bits cannot be used with ES256" },
    { "P-384 key for ES256", { alg = "ES256", key = key("ec-p384.pub.pem") },
      "verifier: key: an EC P-384 key cannot be used with ES256" },
    { "JWKS without HS keys", { alg = "HS256", key = key("jwks.pub.json") },
      "verifier: key: no key in the JWKS can be used with HS256" },
    { "typo in an option", { alg = "HS256", key = SECRET, audience = { "jitsi" } },
      { prefix = "verifier: unknown option 'audience'" } },
    { "non-string option name", { alg = "HS256", key = SECRET, [1] = true }, { prefix = "verifier: unknown option of type number" } },
    { "negative leeway", { alg = "HS256", key = SECRET, leeway = -1 }, "verifier: leeway must be between 0 and 3600 seconds" },
    { "leeway above an hour", { alg = "HS256", key = SECRET, leeway = 3601 }, "verifier: leeway must be between 0 and 3600 seconds" },
    { "fractional leeway", { alg = "HS256", key = SECRET, leeway = 1.5 }, "verifier: leeway must be a whole number of seconds" },
    { "leeway a string", { alg = "HS256", key = SECRET, leeway = "30" }, "verifier: leeway must be a whole number of seconds" },
    { "required a string", { alg = "HS256", key = SECRET, required = "room" }, "verifier: required must be a list of claim names" },
    { "required with a number", { alg = "HS256", key = SECRET, required = { "room", 5 } }, "verifier: required must be a list of strings" },
    { "issuers a string", { alg = "HS256", key = SECRET, issuers = "app" }, "verifier: issuers must be a list" },
    { "audiences a number", { alg = "HS256", key = SECRET, audiences = 1 }, "verifier: audiences must be a list" },
    { "typ true", { alg = "HS256", key = SECRET, typ = true }, "verifier: typ must be a string, or false to skip the check" },
    { "now a string", { alg = "HS256", key = SECRET, now = "1700000000" },
      "verifier: now must be a whole number of seconds or a function" },
  }
  for _, c in ipairs(cases) do
    it(c[1], function()
      S.expect_error(new_verifier(c[2]), c[3], c[1])
    end)
  end

  it("accepts the edges: leeway 0 and 3600, typ false, a numeric now", function()
    build({ alg = "HS256", key = SECRET, leeway = 0 })
    build({ alg = "HS256", key = SECRET, leeway = 3600 })
    build({ alg = "HS256", key = SECRET, leeway = 30.0 })
    build({ alg = "HS256", key = SECRET, typ = false })
    build({ alg = { "RS256", "PS256" }, key = key("rsa2048.crt.pem"), now = NOW })
    build({ alg = { "RS256", "ES256", "EdDSA" }, key = key("jwks.pub.json") })
  end)

  it("prints as what it is", function()
    local v = build({ alg = { "ES256", "ES256", "ES384" }, key = key("jwks.pub.json") })
    assert.are.equal("luajwtjitsi verifier (ES256, ES384)", tostring(v))
  end)
end)

describe("verifier:verify", function()
  it("verifies a token and returns the claims", function()
    local v = build({ alg = "HS256", key = SECRET, issuers = { "app" }, audiences = { "jitsi" }, now = NOW })
    local claims = S.expect_claims(verify(v, mint(jitsi(), SECRET, "HS256")), "valid")
    assert.are.equal("meet.example.com", claims.sub)
  end)

  it("gives nil, message for bad calls instead of raising", function()
    local v = build({ alg = "HS256", key = SECRET })
    S.expect_error(S.call(v.verify, "token"), "verify must be called as v:verify(token)")
    S.expect_error(S.call(v.verify, {}, "token"), "verify must be called as v:verify(token)")
    S.expect_error(verify(v, 42), "token argument must be string")
    S.expect_error(verify(v, nil), "token argument must be string")
    S.expect_error(verify(v, "a.b"), "Invalid token")
  end)

  it("keeps verify's messages and order", function()
    local v = build({ alg = "HS256", key = SECRET, now = NOW })
    S.expect_error(verify(v, mint(jitsi(), "other", "HS256")), "Invalid signature")
    S.expect_error(verify(v, mint(jitsi(), SECRET, "HS384")), "Invalid or incorrect alg")
    S.expect_error(verify(v, mint(jitsi({ exp = NOW }), SECRET, "HS256")),
      "Not acceptable by exp (0 sec since expired, valid for:0 sec)")
    S.expect_error(verify(v, mint(jitsi({ nbf = NOW + 1 }), SECRET, "HS256")), "Not acceptable by nbf")
    S.expect_error(verify(v, S.make_token('{"alg":"HS256"}', "{}")), "Invalid typ")
  end)

  it("leeway moves exp and nbf by exactly its seconds", function()
    local token = mint(jitsi({ exp = NOW + 1000, nbf = NOW + 100 }), SECRET, "HS256")
    local function at(t, leeway)
      return verify(build({ alg = "HS256", key = SECRET, leeway = leeway, now = t }), token)
    end
    S.expect_error(at(NOW + 69, 30), "Not acceptable by nbf")
    S.expect_claims(at(NOW + 70, 30), "nbf - leeway == now")
    S.expect_error(at(NOW + 70, 0), "Not acceptable by nbf")
    local ok_exp = mint(jitsi({ exp = NOW }), SECRET, "HS256")
    local function at2(t, leeway)
      return verify(build({ alg = "HS256", key = SECRET, leeway = leeway, now = t }), ok_exp)
    end
    S.expect_claims(at2(NOW + 29, 30), "exp + leeway > now")
    S.expect_error(at2(NOW + 30, 30), "Not acceptable by exp (30 sec since expired, valid for:0 sec)")
    S.expect_error(at2(NOW, 0), "Not acceptable by exp (0 sec since expired, valid for:0 sec)")
    S.expect_claims(at2(NOW - 1, 0), "one second before exp")
  end)

  it("required claims", function()
    local v = build({ alg = "HS256", key = SECRET, required = { "room", "context" }, now = NOW })
    S.expect_error(verify(v, mint(jitsi(), SECRET, "HS256")), "'context' claim is missing")
    local c = jitsi({ context = { user = { name = "a" } } })
    S.expect_claims(verify(v, mint(c, SECRET, "HS256")), "all present")
    c.room = nil
    S.expect_error(verify(v, mint(c, SECRET, "HS256")), "'room' claim is missing")
    -- A null claim is present.
    c.room = S.NULL
    S.expect_claims(verify(v, mint(c, SECRET, "HS256")), "null room is present")
  end)

  it("aud arrays and issuer lists", function()
    local v = build({ alg = "HS256", key = SECRET, issuers = { "a", "app" }, audiences = { "jitsi" }, now = NOW })
    S.expect_claims(verify(v, mint(jitsi({ aud = { "x", "jitsi" } }), SECRET, "HS256")), "aud array with jitsi")
    S.expect_error(verify(v, mint(jitsi({ aud = { "x", "y" } }), SECRET, "HS256")), "invalid 'aud' claim")
    S.expect_error(verify(v, mint(jitsi({ aud = S.NULL }), SECRET, "HS256")), "invalid 'aud' claim")
    local no_aud = jitsi()
    no_aud.aud = nil
    S.expect_error(verify(v, mint(no_aud, SECRET, "HS256")), "'aud' claim is missing")
    S.expect_error(verify(v, mint(jitsi({ iss = "b" }), SECRET, "HS256")), "invalid 'iss' claim")
    local any = build({ alg = "HS256", key = SECRET, audiences = { "*" }, now = NOW })
    S.expect_claims(verify(any, mint(jitsi({ aud = { "x" } }), SECRET, "HS256")), "wildcard")
    local none = build({ alg = "HS256", key = SECRET, audiences = {}, now = NOW })
    S.expect_error(verify(none, mint(jitsi(), SECRET, "HS256")), "invalid 'aud' claim")
  end)

  it("typ: JWT by default, another value, or false to skip", function()
    local untyped = S.make_token('{"alg":"HS256"}', '{"a":1}')
    local h, p = untyped:match("^([^.]+)%.([^.]+)")
    local strict = build({ alg = "HS256", key = SECRET })
    S.expect_error(verify(strict, untyped), "Invalid typ")
    -- typ = false: the check is skipped, so the next one (the signature) speaks.
    local lax = build({ alg = "HS256", key = SECRET, typ = false })
    S.expect_error(verify(lax, h .. "." .. p .. ".c2ln"), "Invalid signature")
    local at = build({ alg = "HS256", key = SECRET, typ = "at+jwt" })
    S.expect_error(verify(at, mint(jitsi(), SECRET, "HS256")), "Invalid typ")
  end)

  it("an alg list takes each listed algorithm and no other", function()
    local v = build({ alg = { "RS256", "PS256" }, key = key("rsa2048.pub.pem"), now = NOW })
    local priv = key("rsa2048.key.pem")
    S.expect_claims(verify(v, mint(jitsi(), priv, "RS256")), "RS256")
    S.expect_claims(verify(v, mint(jitsi(), priv, "PS256")), "PS256")
    S.expect_error(verify(v, mint(jitsi(), priv, "RS512")), "Invalid or incorrect alg")
    S.expect_error(verify(v, mint(jitsi(), SECRET, "HS256")), "Invalid or incorrect alg")
  end)

  it("now as a function: called per token; errors come back as messages", function()
    local t = NOW
    local v = build({ alg = "HS256", key = SECRET, now = function() return t end })
    local token = mint(jitsi({ exp = NOW + 10 }), SECRET, "HS256")
    S.expect_claims(verify(v, token), "before exp")
    t = NOW + 10
    S.expect_error(verify(v, token), "Not acceptable by exp (0 sec since expired, valid for:10 sec)")
    local bad = build({ alg = "HS256", key = SECRET, now = function() return "soon" end })
    S.expect_error(verify(bad, token), "now() must return a whole number of seconds")
    local raising = build({ alg = "HS256", key = SECRET, now = function() error("clock broke") end })
    S.expect_error(verify(raising, token), { prefix = "now() failed: ", pattern = "clock broke" })
  end)
end)

describe("verifier with a JWKS", function()
  local jwks = key("jwks.pub.json")
  local v = build({ alg = { "RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA" }, key = jwks, now = NOW })
  local signers = {
    { "RS256", "rsa2048.key.pem", "rsa2048" },
    { "PS256", "rsa4096.key.pem", "rsa4096" },
    { "ES256", "ec-p256.key.pem", "ec-p256" },
    { "ES384", "ec-p384.key.pem", "ec-p384" },
    { "ES512", "ec-p521.key.pem", "ec-p521" },
    { "EdDSA", "ed25519.key.pem", "ed25519" },
  }
  for _, s in ipairs(signers) do
    it(s[1] .. " picked by kid " .. s[3], function()
      S.expect_claims(verify(v, mint(jitsi(), key(s[2]), s[1], { kid = s[3] })), s[1])
    end)
  end

  it("an unknown kid, a kid of another key, a kid of another family", function()
    local priv = key("rsa2048.key.pem")
    S.expect_error(verify(v, mint(jitsi(), priv, "RS256", { kid = "nope" })),
      'Invalid key: no key in the JWKS has kid "nope"')
    S.expect_error(verify(v, mint(jitsi(), priv, "RS256", { kid = "rsa2048b" })), "Invalid signature")
    S.expect_error(verify(v, mint(jitsi(), key("ec-p256.key.pem"), "ES256", { kid = "rsa2048" })),
      { prefix = "Invalid key: an RSA key of 2048 bits cannot be used with ES256" })
    S.expect_error(verify(v, mint(jitsi(), priv, "RS256", { kid = 5 })), "Invalid key: the token's kid is not a string")
  end)

  it("no kid: only when exactly one key of the JWKS fits", function()
    S.expect_error(verify(v, mint(jitsi(), key("ec-p384.key.pem"), "ES384")),
      "Invalid key: the token has no kid and several keys in the JWKS can be used with ES384")
    local two = '{"keys":[' .. key("ec-p256.pub.jwk.json") .. "," .. key("rsa2048.pub.jwk.json") .. "]}"
    local small = build({ alg = { "ES256", "RS256" }, key = two, now = NOW })
    S.expect_claims(verify(small, mint(jitsi(), key("ec-p256.key.pem"), "ES256")), "the one P-256 key")
    S.expect_claims(verify(small, mint(jitsi(), key("rsa2048.key.pem"), "RS256")), "the one RSA key")
  end)
end)

describe("jwt.inspect (unverified)", function()
  it("returns header and claims, marked unverified, without checking anything", function()
    local token = mint(jitsi({ exp = 1 }), "any secret", "HS512", { kid = "k1" })
    local r = S.call(M.inspect, token)
    assert(not r.raised and r.n == 1 and type(r[1]) == "table", S.show_result(r))
    local t = r[1]
    assert.are.equal(false, t.verified)
    assert.are.equal("HS512", t.header.alg)
    assert.are.equal("k1", t.header.kid)
    assert.are.equal("meet.example.com", t.claims.sub)
    assert(S.no_metatables(t))
  end)

  it("gives nil, message for what it cannot decode", function()
    S.expect_error(S.call(M.inspect, 5), "token argument must be string")
    S.expect_error(S.call(M.inspect, "a.b"), "Invalid token")
    S.expect_error(S.call(M.inspect, "!!.e30.x"), "Invalid header")
    S.expect_error(S.call(M.inspect, "e30.!!.x"), "Invalid body")
  end)
end)

describe("JWK keys in the 3.0 functions", function()
  it("encode with a private JWK, verify with the PEM and the public JWK", function()
    for _, c in ipairs({
      { "ES256", "ec-p256" }, { "ES384", "ec-p384" }, { "ES512", "ec-p521" },
      { "EdDSA", "ed25519" }, { "RS256", "rsa2048" }, { "PS512", "rsa2048" },
    }) do
      local token = mint(jitsi({ exp = S.FAR_EXP }), key(c[2] .. ".jwk.json"), c[1])
      S.expect_claims(S.call(M.verify, token, c[1], key(c[2] .. ".pub.pem")), c[1] .. " PEM")
      S.expect_claims(S.call(M.verify, token, c[1], key(c[2] .. ".pub.jwk.json")), c[1] .. " JWK")
    end
  end)

  it("refuses a JWK or JWKS as an HMAC secret and a JWKS in verify", function()
    S.expect_error(S.call(M.encode, jitsi(), key("ec-p256.jwk.json"), "HS256"), { prefix = "Invalid key: a JWK" })
    S.expect_error(S.call(M.verify, mint(jitsi(), SECRET, "HS256"), "HS256", key("jwks.pub.json")),
      { prefix = "Invalid key: a JWK" })
    S.expect_error(S.call(M.verify, mint(jitsi(), key("rsa2048.key.pem"), "RS256"), "RS256", key("jwks.pub.json")),
      { prefix = "Invalid key: a JWKS needs jwt.verifier" })
    S.expect_error(S.call(M.encode, jitsi(), key("ec-p256.pub.jwk.json"), "ES256"),
      "Not a private PEM key: a public key or certificate cannot sign")
  end)
end)
