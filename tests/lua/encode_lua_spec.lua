-- encode(): the Lua-level cases that cannot be JSON vectors (argument types,
-- values JSON cannot hold, mutation of the caller's header) and round trips
-- that pin the Lua types of the returned claims.
local S = require "jwt_support"
local expect_token, expect_error = S.expect_token, S.expect_error
local M = S.M

local SECRET = S.SECRET
local RSA_PRIVATE = S.key_file("keys/rsa2048.key.pem")
local RSA_PUBLIC = S.key_file("keys/rsa2048.pub.pem")

local function encode(...)
  assert(M, "module not loaded: " .. tostring(S.LOAD_ERROR))
  return S.call(M.encode, ...)
end

local function verify_ok(token, alg, key, label)
  return S.expect_claims(S.call(M.verify, token, alg, key), (label or "") .. ": verify of the encoded token")
end

-- Decodes segment i (1 header, 2 payload) of a token to its JSON text.
local function segment_json(token, i)
  local segs = {}
  for s in (token .. "."):gmatch("([^.]*)%.") do segs[#segs + 1] = s end
  return S.b64url_decode(segs[i])
end

local function serialise_error(luatype)
  return { pattern = "^Cannot serialise " .. luatype .. ": .+" }
end

describe("encode argument types", function()
  describe("#1 payload must be a table", function()
    it("nil (omitted entirely)", function()
      expect_error(encode(), "Argument #1 must be table", "encode()")
    end)
    local co = coroutine.create(function() end)
    local values = {
      { "nil", nil }, { "string", "x" }, { "empty string", "" }, { "integer", 42 }, { "float", 1.5 },
      { "boolean true", true }, { "boolean false", false }, { "function", function() end },
      { "coroutine", co }, { "cjson.null", S.NULL }, { "full userdata", io.stdout },
    }
    for _, v in ipairs(values) do
      it(v[1], function()
        expect_error(encode(v[2], SECRET), "Argument #1 must be table", v[1])
      end)
    end
    it("payload is checked before key", function()
      expect_error(encode("x", 42), "Argument #1 must be table")
    end)
  end)

  describe("#2 key must be a string", function()
    it("nil (omitted)", function()
      expect_error(encode({ sub = "x" }), "Argument #2 must be string")
    end)
    for _, v in ipairs(S.non_string_values()) do
      it(v[1], function()
        expect_error(encode({ sub = "x" }, v[2]), "Argument #2 must be string", v[1])
      end)
    end
    it("key is checked before alg", function()
      expect_error(encode({ sub = "x" }, 42, "none"), "Argument #2 must be string")
    end)
  end)

  describe("#3 alg", function()
    for _, alg in ipairs({ "none", "None", "hs256", "HS256 ", "HS256\0", "", "RS1", "HS1024" }) do
      it("unsupported string " .. string.format("%q", alg), function()
        expect_error(encode({ sub = "x" }, SECRET, alg), "Algorithm not supported")
      end)
    end
    it("nil means HS256", function()
      local a = expect_token(encode({ sub = "x" }, SECRET))
      local b = expect_token(encode({ sub = "x" }, SECRET, nil))
      local c = expect_token(encode({ sub = "x" }, SECRET, "HS256"))
      assert.are.equal(c, a)
      assert.are.equal(c, b)
    end)
    it("a non-string alg is not supported", function()
      expect_error(encode({ sub = "x" }, SECRET, 256), "Algorithm not supported", "number")
      expect_error(encode({ sub = "x" }, SECRET, {}), "Algorithm not supported", "table")
    end)
  end)

  describe("#4 header must be a table when given", function()
    local co = coroutine.create(function() end)
    local values = {
      { "string", "x" }, { "integer", 1 }, { "boolean true", true }, { "boolean false", false },
      { "function", function() end }, { "coroutine", co }, { "cjson.null", S.NULL }, { "full userdata", io.stdout },
    }
    for _, v in ipairs(values) do
      it(v[1], function()
        expect_error(encode({ sub = "x" }, SECRET, "HS256", v[2]), "Argument #4 must be table", v[1])
      end)
    end
    it("nil header is the same as none", function()
      local a = expect_token(encode({ sub = "x" }, SECRET, "HS256", nil))
      local b = expect_token(encode({ sub = "x" }, SECRET, "HS256"))
      assert.are.equal(b, a)
    end)
  end)
end)

describe("encode header table", function()
  it("typ and alg are written into the caller's table, other fields kept", function()
    local h = { kid = "jitsi/asap-key-1" }
    local token = expect_token(encode({ sub = "x" }, RSA_PRIVATE, "RS256", h))
    assert.are.equal("JWT", h.typ)
    assert.are.equal("RS256", h.alg)
    assert.are.equal("jitsi/asap-key-1", h.kid)
    assert.are.equal('{"alg":"RS256","kid":"jitsi/asap-key-1","typ":"JWT"}', segment_json(token, 1))
  end)
  it("caller's typ and alg are overwritten", function()
    local h = { typ = "foo", alg = "none" }
    expect_token(encode({ sub = "x" }, SECRET, "HS512", h))
    assert.are.equal("JWT", h.typ)
    assert.are.equal("HS512", h.alg)
  end)
  it("alg omitted with a header: the header gets HS256", function()
    local h = {}
    local token = expect_token(encode({ sub = "x" }, SECRET, nil, h))
    assert.are.equal("HS256", h.alg)
    assert.are.equal("JWT", h.typ)
    assert.are.equal('{"alg":"HS256","typ":"JWT"}', segment_json(token, 1))
  end)
  it("an empty header table gives the default header", function()
    local a = expect_token(encode({ sub = "x" }, SECRET, "HS256", {}))
    local b = expect_token(encode({ sub = "x" }, SECRET, "HS256"))
    assert.are.equal(b, a)
  end)
  it("header values JSON cannot hold are refused", function()
    expect_error(encode({ sub = "x" }, SECRET, "HS256", { kid = function() end }), serialise_error("function"))
  end)
end)

describe("encode values JSON cannot hold", function()
  local co = coroutine.create(function() end)
  local cases = {
    { "function", { f = function() end }, "function" },
    { "coroutine", { c = co }, "thread" },
    { "full userdata", { u = io.stdout }, "userdata" },
    { "NaN", { n = 0 / 0 }, "number" },
    { "+inf", { n = math.huge }, "number" },
    { "-inf", { n = -math.huge }, "number" },
    { "sparse array", { a = { 1, nil, 3 } }, "table" },
    { "sparse array from index 2", { a = { [2] = "x" } }, "table" },
    { "mixed table", { a = { 1, 2, x = 3 } }, "table" },
    { "boolean key", { a = { [true] = 1 } }, "table" },
    { "table key", { a = { [{}] = 1 } }, "table" },
    { "float key", { a = { [1.5] = 1 } }, "table" },
    { "non-UTF-8 string value", { s = "\255\254" }, "string" },
    { "truncated UTF-8 sequence", { s = "caf\195" }, "string" },
    { "UTF-16 surrogate encoded in UTF-8", { s = "\237\160\128" }, "string" },
    { "nested NaN", { a = { b = { c = 0 / 0 } } }, "number" },
    { "function in an array", { a = { 1, function() end } }, "function" },
    { "sparse top-level payload", { [1] = "a", [3] = "c" }, "table" },
    { "mixed top-level payload", { "a", sub = "x" }, "table" },
  }
  for _, c in ipairs(cases) do
    it(c[1] .. " -> Cannot serialise " .. c[3], function()
      expect_error(encode(c[2], SECRET), serialise_error(c[3]), c[1])
    end)
  end
  it("a non-UTF-8 member name -> Cannot serialise", function()
    expect_error(encode({ ["\255"] = 1 }, SECRET), { prefix = "Cannot serialise " })
  end)
  it("a cycle is refused without crashing the interpreter", function()
    local out, why = S.run_isolated([[
      local jwt = require "luajwtjitsi"
      local function pack(...) return { n = select("#", ...), ... } end
      local t = {}; t.self = t
      local r = pack(pcall(jwt.encode, { a = t }, "k"))
      io.write("RESULT ", tostring(r[1]), " n=", r.n - 1, " ", tostring(r[2]), " ", tostring(r[3]), "\n")
    ]])
    assert(out, why)
    assert(out:find("RESULT true n=2 nil Cannot serialise table: ", 1, true),
      "expected (nil, 'Cannot serialise table: ...') in a child interpreter, got: " .. out)
  end)
  it("100000 levels of nesting neither raise nor crash the interpreter", function()
    local out, why = S.run_isolated([[
      local jwt = require "luajwtjitsi"
      local function pack(...) return { n = select("#", ...), ... } end
      local t = {}
      for i = 1, 100000 do t = { t } end
      local r = pack(pcall(jwt.encode, { deep = t }, "k"))
      local kind = "other"
      if r[1] and r.n == 2 and type(r[2]) == "string" then kind = "token"
      elseif r[1] and r.n == 3 and r[2] == nil and type(r[3]) == "string" then kind = "error " .. r[3]:sub(1, 40) end
      io.write("RESULT ", tostring(r[1]), " ", kind, "\n")
    ]])
    assert(out, why)
    assert(out:find("RESULT true token", 1, true) or out:find("RESULT true error Cannot serialise ", 1, true),
      "expected a token or (nil, 'Cannot serialise ...') in a child interpreter, got: " .. out)
  end)
end)

describe("encode keys", function()
  it("an empty HS secret -> Invalid key", function()
    for _, alg in ipairs({ "HS256", "HS384", "HS512" }) do
      expect_error(encode({ sub = "x" }, "", alg), { prefix = "Invalid key" }, alg)
    end
  end)
  it("RS* with a secret string -> Not a private PEM key", function()
    expect_error(encode({ sub = "x" }, SECRET, "RS256"), { prefix = "Not a private PEM key" })
  end)
  it("RS* with the public key -> Not a private PEM key", function()
    expect_error(encode({ sub = "x" }, RSA_PUBLIC, "RS512"), { prefix = "Not a private PEM key" })
  end)
  it("a secret with NUL and high bytes", function()
    local key = "a\0b\255c"
    local token = expect_token(encode({ sub = "x" }, key, "HS384"))
    verify_ok(token, "HS384", key)
    expect_error(S.call(M.verify, token, "HS384", "a"), "Invalid signature")
  end)
end)

describe("encode/verify round trip", function()
  for _, alg in ipairs({ "HS256", "HS384", "HS512", "RS256", "RS384", "RS512" }) do
    it(alg, function()
      local sign_key = alg:sub(1, 2) == "HS" and SECRET or RSA_PRIVATE
      local verify_key = alg:sub(1, 2) == "HS" and SECRET or RSA_PUBLIC
      local payload = {
        iss = "my_app_id", aud = "jitsi", sub = "meet.example.com", room = "*",
        exp = S.FAR_EXP, moderator = true,
        context = { user = { name = "Jane Doe", id = "abcd" }, features = { recording = false } },
      }
      local token = expect_token(encode(payload, sign_key, alg, { kid = "k1" }), alg)
      local claims = verify_ok(token, alg, verify_key, alg)
      assert.are.same(payload, claims)
    end)
  end

  it("is deterministic for HS* and RS*", function()
    local p = { b = 1, a = { 3, 2, 1 }, c = { z = true, y = "s" } }
    assert.are.equal(expect_token(encode(p, SECRET)), expect_token(encode(p, SECRET)))
    assert.are.equal(expect_token(encode(p, RSA_PRIVATE, "RS256")), expect_token(encode(p, RSA_PRIVATE, "RS256")))
  end)

  it("does not modify the payload", function()
    local p = { sub = "x", arr = { 1, 2 }, obj = { k = "v" } }
    expect_token(encode(p, SECRET))
    assert.are.same({ sub = "x", arr = { 1, 2 }, obj = { k = "v" } }, p)
    assert.is_nil(getmetatable(p))
  end)

  it("a payload table with a metatable is encoded from its own fields", function()
    local p = setmetatable({ sub = "x" }, { __index = { extra = "inherited" } })
    local token = expect_token(encode(p, SECRET))
    assert.are.equal('{"sub":"x"}', segment_json(token, 2))
  end)

  it("16 levels of nesting round-trip (the vectors' accepted depth)", function()
    local deep = "leaf"
    for _ = 1, 15 do deep = { deep } end
    local token = expect_token(encode({ d = deep, exp = S.FAR_EXP }, SECRET))
    local claims = verify_ok(token, "HS256", SECRET)
    local v = claims.d
    for _ = 1, 15 do
      assert.are.equal("table", type(v))
      v = v[1]
    end
    assert.are.equal("leaf", v)
  end)

  it("an empty table encodes as {}", function()
    local token = expect_token(encode({ e = {} }, SECRET))
    assert.are.equal('{"e":{}}', segment_json(token, 2))
  end)

  it("cjson.null encodes as null and comes back as cjson.null", function()
    local token = expect_token(encode({ n = S.NULL, a = { 1, S.NULL, 3 } }, SECRET))
    assert.are.equal('{"a":[1,null,3],"n":null}', segment_json(token, 2))
    local claims = verify_ok(token, "HS256", SECRET)
    assert(rawequal(claims.n, S.NULL), "claims.n is " .. S.show(claims.n))
    assert(rawequal(claims.a[2], S.NULL), "claims.a[2] is " .. S.show(claims.a[2]))
    assert.are.equal("userdata", type(claims.n))
  end)
end)

describe("types of returned claims", function()
  local claims
  local function get()
    if not claims then
      local token = expect_token(encode({
        s = "text", t = true, f = false, i = 42, neg = -7, zero = 0, big = S.FAR_EXP,
        half = 1.5, tenth = 0.1,
        arr = { 1, "two", { three = 3 }, { 4, { 5 } } },
        obj = { nested = { deeper = { x = "y" } } },
        n = S.NULL,
      }, SECRET))
      claims = verify_ok(token, "HS256", SECRET)
    end
    return claims
  end

  it("strings and booleans", function()
    local c = get()
    assert.are.equal("string", type(c.s))
    assert.are.equal("text", c.s)
    assert.are.equal(true, c.t)
    assert.are.equal(false, c.f)
  end)
  it("integral values are integers on 5.3/5.4, numbers elsewhere", function()
    local c = get()
    for _, k in ipairs({ "i", "neg", "zero", "big" }) do
      assert.are.equal("number", type(c[k]), k)
      if S.HAS_INTEGERS then
        assert.are.equal("integer", math.type(c[k]), k .. " should be an integer, is " .. S.show(c[k]))
      end
    end
    assert.are.equal(42, c.i)
    assert.are.equal(-7, c.neg)
    assert.are.equal(0, c.zero)
    assert.are.equal(S.FAR_EXP, c.big)
    if S.HAS_INTEGERS then
      assert.are.equal("4102444800", tostring(c.big)) -- not 4102444800.0 (the cjson 2.1.0 regression)
    end
  end)
  it("1.5 and 0.1 are floats", function()
    local c = get()
    assert.are.equal(1.5, c.half)
    assert.are.equal(0.1, c.tenth)
    if S.HAS_INTEGERS then
      assert.are.equal("float", math.type(c.half))
      assert.are.equal("float", math.type(c.tenth))
    end
  end)
  it("nested tables and arrays have no metatables", function()
    local c = get()
    assert(S.no_metatables(c))
    assert.are.equal(4, #c.arr)
    assert.are.equal(1, c.arr[1])
    assert.are.equal("two", c.arr[2])
    assert.are.equal(3, c.arr[3].three)
    assert.are.equal(5, c.arr[4][2][1])
    assert.are.equal("y", c.obj.nested.deeper.x)
    assert.is_nil(getmetatable(c.arr))
    assert.is_nil(getmetatable(c.arr[4][2]))
  end)
  it("null is cjson.null", function()
    assert(rawequal(get().n, S.NULL))
  end)
  if S.HAS_INTEGERS then
    it("64-bit integers survive exactly", function()
      local token = expect_token(encode({ imax = math.maxinteger, imin = math.mininteger, odd = 9007199254740993 }, SECRET))
      local c = verify_ok(token, "HS256", SECRET)
      assert.are.equal("integer", math.type(c.imax))
      assert.are.equal(math.maxinteger, c.imax)
      assert.are.equal(math.mininteger, c.imin)
      assert.are.equal(9007199254740993, c.odd)
    end)
    it("integral floats keep their value", function()
      local token = expect_token(encode({ f = 2.0, g = -0.0, h = 1e300 }, SECRET))
      local c = verify_ok(token, "HS256", SECRET)
      assert.are.equal(2, c.f)
      assert.are.equal(0, c.g)
      assert.are.equal(1e300, c.h)
    end)
  end
end)
