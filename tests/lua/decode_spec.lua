-- decode(token, key [, verify]): the 1.x/2.0 API (docs/contract.md §4), plain require only.
-- Tokens come from encode() and from verify.json.
local S = require "jwt_support"
local expect_claims, expect_error = S.expect_claims, S.expect_error
local M = S.M

local SECRET = S.SECRET
local RSA_PRIVATE = S.key_file("keys/rsa2048.key.pem")
local RSA_PUBLIC = S.key_file("keys/rsa2048.pub.pem")
local UNVERIFIED = "unverified decode is not supported"

local function decode(...)
  assert(M, "module not loaded: " .. tostring(S.LOAD_ERROR))
  assert(type(M.decode) == "function", "decode is missing from require 'luajwtjitsi'")
  return S.call(M.decode, ...)
end

local function mint(payload, key, alg, header)
  local r = S.call(M.encode, payload, key, alg, header)
  local ok, msg = S.check_token_result(r)
  assert(ok, "encode for the decode test: " .. tostring(msg))
  return r[1]
end

local BASE = { iss = "my_app_id", aud = "jitsi", sub = "meet.example.com", room = "*", exp = S.FAR_EXP }

local function with(extra)
  local t = {}
  for k, v in pairs(BASE) do t[k] = v end
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end

local function tamper_signature(token)
  local head, last = token:sub(1, -2), token:sub(-1)
  return head .. (last == "A" and "Q" or "A")
end

describe("decode: valid tokens", function()
  for _, alg in ipairs({ "HS256", "HS384", "HS512" }) do
    it(alg .. " token from encode decodes with its secret", function()
      local token = mint(with({ n = 1.5 }), SECRET, alg)
      local c = expect_claims(decode(token, SECRET), alg)
      assert.are.same(with({ n = 1.5 }), c)
    end)
  end
  for _, alg in ipairs({ "RS256", "RS384", "RS512" }) do
    it(alg .. " token from encode decodes with the public PEM", function()
      local token = mint(with(), RSA_PRIVATE, alg, { kid = "k" })
      assert.are.same(with(), expect_claims(decode(token, RSA_PUBLIC), alg))
    end)
  end
  it("verify == true explicitly", function()
    expect_claims(decode(mint(with(), SECRET), SECRET, true))
  end)
  it("verify == nil explicitly with a key means verify", function()
    expect_claims(decode(mint(with(), SECRET), SECRET, nil))
  end)
  it("vector alg/HS256/valid", function()
    local c = S.verify_case("alg/HS256/valid")
    local claims = expect_claims(decode(c.token, c.key))
    local ok, msg = S.match_claims(claims, c.expect.claims)
    assert(ok, msg)
  end)
  for _, name in ipairs({ "alg/RS256/valid", "alg/RS384/valid", "alg/RS512/valid", "jitsi/rs256-asap-kid-certificate-key" }) do
    it("vector " .. name .. " with its key file", function()
      local c = S.verify_case(name)
      local claims = expect_claims(decode(c.token, S.arg(c.key)))
      local ok, msg = S.match_claims(claims, c.expect.claims)
      assert(ok, msg)
    end)
  end
  it("no iss/aud checks", function()
    local token = mint({ iss = "anyone", aud = { "x", 5 }, exp = S.FAR_EXP }, SECRET)
    expect_claims(decode(token, SECRET))
  end)
  it("a token without exp or nbf", function()
    expect_claims(decode(mint({ sub = "x" }, SECRET), SECRET))
  end)
  it("the same table shapes as verify: null, arrays, integers", function()
    local token = mint({ n = S.NULL, a = { 1, 2 }, i = 42, exp = S.FAR_EXP }, SECRET)
    local c = expect_claims(decode(token, SECRET))
    assert(rawequal(c.n, S.NULL))
    assert.are.equal(2, #c.a)
    if S.HAS_INTEGERS then assert.are.equal("integer", math.type(c.i)) end
  end)
end)

describe("decode: arguments", function()
  local token
  local function tok()
    token = token or mint(with(), SECRET)
    return token
  end
  it("nil key -> unverified decode refused", function()
    expect_error(decode(tok()), UNVERIFIED, "key omitted")
    expect_error(decode(tok(), nil), UNVERIFIED, "key nil")
    expect_error(decode(tok(), nil, true), UNVERIFIED, "key nil, verify true")
  end)
  it("verify == false -> unverified decode refused", function()
    expect_error(decode(tok(), SECRET, false), UNVERIFIED)
    expect_error(decode(tok(), nil, false), UNVERIFIED)
    expect_error(decode(tok(), 42, false), UNVERIFIED, "before the key type")
  end)
  for _, v in ipairs(S.non_string_values()) do
    it("token " .. v[1] .. " -> Argument #1 must be string", function()
      expect_error(decode(v[2], SECRET), "Argument #1 must be string", v[1])
      expect_error(decode(v[2]), "Argument #1 must be string", v[1] .. ", no key")
      expect_error(decode(v[2], SECRET, false), "Argument #1 must be string", v[1] .. ", verify false")
    end)
  end
  it("token nil -> Argument #1 must be string", function()
    expect_error(decode(), "Argument #1 must be string", "decode()")
    expect_error(decode(nil, SECRET), "Argument #1 must be string")
  end)
  for _, v in ipairs(S.non_string_values()) do
    if v[2] ~= false then
      it("key " .. v[1] .. " -> Argument #2 must be string", function()
        expect_error(decode(tok(), v[2]), "Argument #2 must be string", v[1])
      end)
    end
  end
end)

describe("decode: rejections", function()
  it("tampered signature -> Invalid signature", function()
    expect_error(decode(tamper_signature(mint(with(), SECRET)), SECRET), "Invalid signature")
    expect_error(decode(tamper_signature(mint(with(), RSA_PRIVATE, "RS256")), RSA_PUBLIC), "Invalid signature")
  end)
  it("wrong secret -> Invalid signature", function()
    expect_error(decode(mint(with(), SECRET), "other-secret"), "Invalid signature")
  end)
  it("tampered payload (vector) -> Invalid signature", function()
    local c = S.verify_case("alg/HS256/tampered-payload")
    expect_error(decode(c.token, c.key), "Invalid signature")
  end)
  it("expired -> Not acceptable by exp (short form)", function()
    expect_error(decode(mint(with({ exp = 1000000000, iat = 999996400 }), SECRET), SECRET), "Not acceptable by exp")
    expect_error(decode(mint(with({ exp = 0 }), SECRET), SECRET), "Not acceptable by exp")
  end)
  it("not yet valid -> Not acceptable by nbf", function()
    expect_error(decode(mint(with({ nbf = S.FAR_EXP }), SECRET), SECRET), "Not acceptable by nbf")
  end)
  it("exp not a number -> exp must be number", function()
    expect_error(decode(mint(with({ exp = "4102444800" }), SECRET), SECRET), "exp must be number")
    expect_error(decode(mint(with({ exp = S.NULL }), SECRET), SECRET), "exp must be number", "null")
  end)
  it("nbf not a number -> nbf must be number", function()
    expect_error(decode(mint(with({ nbf = "0" }), SECRET), SECRET), "nbf must be number")
  end)
  it("exp type is checked before nbf time", function()
    expect_error(decode(mint(with({ exp = "x", nbf = S.FAR_EXP }), SECRET), SECRET), "exp must be number")
  end)
  it("signature is checked before exp", function()
    local t = tamper_signature(mint(with({ exp = 0 }), SECRET))
    expect_error(decode(t, SECRET), "Invalid signature")
  end)
  it("not three segments -> Invalid token", function()
    local t = mint(with(), SECRET)
    expect_error(decode("abc", SECRET), "Invalid token", "one segment")
    expect_error(decode(t:match("^(.*)%.[^.]*$"), SECRET), "Invalid token", "two segments")
    expect_error(decode(t .. ".x", SECRET), "Invalid token", "four segments")
    expect_error(decode("", SECRET), "Invalid token", "empty")
  end)
  it("header or payload not a JSON object -> Invalid json", function()
    local body = '{"exp":4102444800}'
    expect_error(decode(S.make_token("not json", body), SECRET), "Invalid json", "header text")
    expect_error(decode(S.make_token("[1]", body), SECRET), "Invalid json", "header array")
    expect_error(decode(S.make_token('{"alg":"HS256","typ":"JWT"}', "nope"), SECRET), "Invalid json", "payload text")
    expect_error(decode(S.make_token('{"alg":"HS256","typ":"JWT"}', "42"), SECRET), "Invalid json", "payload number")
  end)
  it("typ not JWT -> Invalid typ", function()
    local body = '{"exp":4102444800}'
    expect_error(decode(S.make_token('{"alg":"HS256"}', body), SECRET), "Invalid typ", "missing")
    expect_error(decode(S.make_token('{"alg":"HS256","typ":"jwt"}', body), SECRET), "Invalid typ", "lowercase")
    local c = S.verify_case("typ/missing")
    expect_error(decode(c.token, c.key), "Invalid typ", "vector typ/missing")
  end)
  it("alg missing or not a string -> Invalid alg", function()
    local body = '{"exp":4102444800}'
    expect_error(decode(S.make_token('{"typ":"JWT"}', body), SECRET), "Invalid alg", "missing")
    expect_error(decode(S.make_token('{"typ":"JWT","alg":256}', body), SECRET), "Invalid alg", "number")
    expect_error(decode(S.make_token('{"typ":"JWT","alg":null}', body), SECRET), "Invalid alg", "null")
    expect_error(decode(S.make_token('{"typ":"JWT","alg":["HS256"]}', body), SECRET), "Invalid alg", "array")
  end)
  it("alg a string outside the supported set -> Algorithm not supported", function()
    local body = '{"exp":4102444800}'
    for _, alg in ipairs({ "none", "None", "hs256", "HS1024", "" }) do
      expect_error(decode(S.make_token('{"typ":"JWT","alg":"' .. alg .. '"}', body), SECRET),
        "Algorithm not supported", alg)
      expect_error(decode(S.make_token('{"typ":"JWT","alg":"' .. alg .. '"}', body), RSA_PUBLIC),
        "Algorithm not supported", alg .. " with an RSA key")
    end
  end)
  it("HS/RS confusion: HS256 signed with the RSA public PEM as secret, decoded with that PEM -> Invalid alg", function()
    local c = S.verify_case("confusion/hs256-signed-with-rsa-public-pem/verified-as-hs256")
    expect_error(decode(c.token, RSA_PUBLIC), "Invalid alg")
  end)
  it("RS256 token decoded with a plain secret -> Invalid alg", function()
    expect_error(decode(mint(with(), RSA_PRIVATE, "RS256"), SECRET), "Invalid alg")
  end)
  it("RS256 token decoded with the RSA certificate and private key works", function()
    local t = mint(with(), RSA_PRIVATE, "RS256")
    expect_claims(decode(t, S.key_file("keys/rsa2048.crt.pem")), "certificate")
    expect_claims(decode(t, RSA_PRIVATE), "private key")
  end)
  it("HS* token decoded with an RSA key -> Invalid alg, for every HS alg", function()
    for _, alg in ipairs({ "HS256", "HS384", "HS512" }) do
      local t = S.make_token('{"alg":"' .. alg .. '","typ":"JWT"}', '{"exp":4102444800}')
      expect_error(decode(t, RSA_PUBLIC), "Invalid alg", alg)
    end
  end)
  it("an empty secret -> Invalid key", function()
    expect_error(decode(mint(with(), SECRET), ""), { prefix = "Invalid key" })
  end)
  it("check order: typ before alg before signature", function()
    expect_error(decode(S.make_token('{"alg":"none"}', "{}"), SECRET), "Invalid typ")
    expect_error(decode(S.make_token('{"typ":"JWT","alg":"RS256"}', "{}", "AAAA"), SECRET), "Invalid alg")
  end)
  it("never raises on garbage", function()
    for i, t in ipairs({ "\0", "..", "a.b.c", ("\255"):rep(50), "\0.\0.\0" }) do
      local r = decode(t, SECRET)
      assert(not r.raised, "sample " .. i .. " raised " .. S.show(r.err))
      assert(r.n == 2 and r[1] == nil and type(r[2]) == "string", "sample " .. i .. ": " .. S.show_result(r))
    end
  end)
end)
