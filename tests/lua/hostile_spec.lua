-- Hostile arguments (issue 6): every public function, every argument
-- position, every kind of value a caller could pass, in a generated matrix.
-- Each call goes through pcall; it must return, never raise, with exactly
-- the documented number of values: `nil, message` for a refusal, the claims
-- table or the token for success. Where the contract fixes the message
-- (a wrong type in a checked position) the message is checked exactly.
--
-- verify_args_spec.lua and encode_lua_spec.lua hold the hand-written cases
-- (argument order, list shapes, JSON-less payload values); this file is the
-- systematic cross product, plus the size and nesting extremes.
local S = require "jwt_support"
local M = S.M

local VALID = S.verify_case("alg/HS256/valid")
local TOKEN, ALG, KEY = VALID.token, VALID.alg, VALID.key
local ISS, AUD = { "my_app_id" }, { "jitsi" }
local NOW = 1700000000
local MIB10 = 10 * 1024 * 1024

---------------------------------------------------------------------------
-- The values
---------------------------------------------------------------------------

local function raising(event)
  return setmetatable({}, { [event] = function() error("hostile " .. event, 0) end })
end

local BIG = ("A"):rep(MIB10)
local CLOSED = io.tmpfile()
if CLOSED then CLOSED:close() end

-- { label, value } for every kind; built once per file, shared by the matrix.
local function hostile_values()
  local suspended = coroutine.create(function() coroutine.yield() end)
  local dead = coroutine.create(function() end)
  coroutine.resume(dead)
  local yielding = setmetatable({}, { __index = function() return coroutine.yield() end })
  local endless = setmetatable({}, { __index = function() return "my_app_id" end })
  local v = {
    { "nil", nil },
    { "true", true },
    { "false", false },
    { "0", 0 },
    { "-1", -1 },
    { "2^53", 2 ^ 53 },
    { "1.5", 1.5 },
    { "-0.0", -0.0 },
    { "NaN", 0 / 0 },
    { "+inf", math.huge },
    { "-inf", -math.huge },
    { "empty string", "" },
    { "string with NULs", "\0HS256\0" },
    { "invalid UTF-8", "\255\254\192\175\237\160\128" },
    { "10 MiB string", BIG },
    { "empty table", {} },
    { "sequence", { 1, 2, 3 } },
    { "table raising in __index", raising("__index") },
    { "table raising in __newindex", raising("__newindex") },
    { "table raising in __len", raising("__len") },
    { "table raising in __pairs", raising("__pairs") },
    { "table raising in __ipairs", raising("__ipairs") },
    { "table raising in __eq", raising("__eq") },
    { "table raising in __tostring", raising("__tostring") },
    { "table raising in __call", raising("__call") },
    { "table with a locked metatable", setmetatable({}, { __metatable = "locked", __index = function() error("no", 0) end }) },
    { "table whose __index yields", yielding },
    { "table whose __index never ends", endless },
    { "self-referencing table", (function() local t = {}; t[1] = t; t.x = t; return t end)() },
    { "function", function() return "HS256" end },
    { "C function (raises when called bare)", string.len },
    { "suspended coroutine", suspended },
    { "dead coroutine", dead },
    { "full userdata (io.stdout)", io.stdout },
    { "cjson.null (light userdata)", S.NULL },
  }
  if S.HAS_INTEGERS then
    v[#v + 1] = { "math.maxinteger", math.maxinteger }
    v[#v + 1] = { "math.mininteger", math.mininteger }
  end
  if CLOSED then v[#v + 1] = { "closed file", CLOSED } end
  return v
end

-- Labels come from one list; every test takes fresh values, because encode
-- writes typ and alg into a header table and a test must not see another's.
local VALUES = hostile_values()
local function fresh(i) return hostile_values()[i][2] end

---------------------------------------------------------------------------
-- Expected outcomes
---------------------------------------------------------------------------

-- What a call may return: { error = want } (exact or prefix, via
-- S.check_error_result), "claims", "token", "boolean", "refusal" (any
-- `nil, message`), or "claims_or_refusal".
local function is_table(v) return type(v) == "table" end

local function verify_outcome(pos, v)
  local t = type(v)
  if pos == 1 and t ~= "string" then return { error = "token argument must be string" } end
  if pos == 2 and t ~= "string" then return { error = "algorithm argument must be string" } end
  if pos == 3 and t ~= "string" then return { error = "key argument must be string" } end
  if pos == 4 and v ~= nil and not is_table(v) then return { error = "acceptedIssuers argument must be table" } end
  if pos == 5 and v ~= nil and not is_table(v) then return { error = "acceptedAudiences argument must be table" } end
  if pos == 2 then return { error = "Algorithm not supported" } end
  if pos >= 6 then return "claims" end -- extra arguments are ignored
  if pos == 4 or pos == 5 then return v == nil and "claims" or "claims_or_refusal" end
  return "refusal" -- a different token or key string than the valid one
end

local function encode_outcome(pos, v)
  local t = type(v)
  if pos == 1 and t ~= "table" then return { error = "Argument #1 must be table" } end
  if pos == 2 and t ~= "string" then return { error = "Argument #2 must be string" } end
  if pos == 3 and v ~= nil then return { error = "Algorithm not supported" } end
  if pos == 4 and v ~= nil and t ~= "table" then return { error = "Argument #4 must be table" } end
  if pos == 2 and v == "" then return { error = { prefix = "Invalid key" } } end
  if pos >= 5 or pos == 3 or pos == 2 then return "token" end
  -- A table payload or header: encoded from its raw fields (metatables are
  -- not consulted, as with cjson), or refused as JSON-less.
  return "token_or_refusal"
end

local function decode_outcome(pos, v)
  local t = type(v)
  if pos == 1 and t ~= "string" then return { error = "Argument #1 must be string" } end
  if pos == 2 and v == nil then return { error = "unverified decode is not supported" } end
  if pos == 2 and t ~= "string" then return { error = "Argument #2 must be string" } end
  if pos == 3 and v == false then return { error = "unverified decode is not supported" } end
  if pos >= 3 then return "claims" end
  return "refusal"
end

local function check(r, outcome, label)
  if type(outcome) == "table" then
    return S.expect_error(r, outcome.error, label)
  end
  assert(not r.raised, label .. ": raised " .. S.show(r.err))
  local refusal = r.n == 2 and r[1] == nil and type(r[2]) == "string"
  local ok
  if outcome == "claims" then ok = r.n == 1 and type(r[1]) == "table"
  elseif outcome == "token" then ok = r.n == 1 and type(r[1]) == "string"
  elseif outcome == "verifier" then ok = r.n == 1 and type(r[1]) == "userdata"
  elseif outcome == "verifier_or_refusal" then ok = refusal or (r.n == 1 and type(r[1]) == "userdata")
  elseif outcome == "inspected" then ok = r.n == 1 and type(r[1]) == "table" and r[1].verified == false
  elseif outcome == "inspected_or_refusal" then ok = refusal or (r.n == 1 and type(r[1]) == "table" and r[1].verified == false)
  elseif outcome == "token_table" then ok = r.n == 1 and type(r[1]) == "table"
  elseif outcome == "boolean" then ok = r.n == 1 and type(r[1]) == "boolean"
  elseif outcome == "refusal" then ok = refusal
  elseif outcome == "claims_or_refusal" then ok = refusal or (r.n == 1 and type(r[1]) == "table")
  elseif outcome == "token_or_refusal" then ok = refusal or (r.n == 1 and type(r[1]) == "string")
  end
  assert(ok, label .. ": expected " .. outcome .. ", got " .. S.show_result(r))
end

-- Call f with `base` (a list of n arguments) where position `pos` is `v`,
-- inside a coroutine (so a yielding metamethod has somewhere to go wrong).
local function call_at(f, base, pos, v)
  local args = { n = math.max(base.n, pos) }
  for i = 1, args.n do args[i] = base[i] end
  args[pos] = v
  local r
  local co = coroutine.create(function() r = S.call_args(f, args) end)
  local ok, err = coroutine.resume(co)
  assert(ok, "the calling coroutine failed: " .. tostring(err))
  if r == nil then
    -- The call yielded out through a metamethod; it must not have, since a
    -- C function cannot be resumed into.
    return { raised = true, err = "yielded out of the module", n = 0 }
  end
  return r
end

local function matrix(name, f, base_fn, positions, outcome)
  describe(name, function()
    for pos = 1, positions do
      describe("argument #" .. pos, function()
        for i, entry in ipairs(VALUES) do
          it(entry[1], function()
            assert(f, name .. " is missing")
            local v = fresh(i)
            check(call_at(f, base_fn(), pos, v), outcome(pos, v), name .. " #" .. pos .. " " .. entry[1])
          end)
        end
      end)
    end
  end)
end

local function verify_base() return { n = 5, TOKEN, ALG, KEY, ISS, AUD } end
local function encode_base() return { n = 4, { sub = "x", exp = S.FAR_EXP }, S.SECRET, "HS256", { kid = "k1" } } end
local function decode_base() return { n = 3, TOKEN, KEY, true } end

local SHIM = dofile(S.ROOT .. "/lua/luajwtjitsi.lib.lua")

describe("hostile arguments: module", function()
  matrix("verify", M.verify, verify_base, 7, verify_outcome)
  matrix("encode", M.encode, encode_base, 5, encode_outcome)
  matrix("decode", M.decode, decode_base, 4, decode_outcome)
end)

describe("hostile arguments: the shim's v3 view", function()
  it("has no decode", function() assert.is_nil(SHIM.decode) end)
  matrix("verify", SHIM.verify, verify_base, 5, verify_outcome)
  matrix("encode", SHIM.encode, encode_base, 4, encode_outcome)
end)

describe("hostile arguments: the extended API", function()
  matrix("verifier", M.verifier, function() return { n = 1, { alg = "HS256", key = KEY } } end, 2, function(pos, v)
    if pos >= 2 then return "verifier" end
    if type(v) ~= "table" then return { error = "verifier: options must be a table" } end
    return "refusal" -- every hostile table lacks alg and key, or has unknown options
  end)
  matrix("inspect", M.inspect, function() return { n = 1, TOKEN } end, 2, function(pos, v)
    if pos >= 2 then return "inspected" end
    if type(v) ~= "string" then return { error = "token argument must be string" } end
    return "refusal"
  end)
  local function new_verifier()
    local v = assert(M.verifier({ alg = "HS256", key = KEY, issuers = ISS, audiences = AUD, now = NOW }))
    return v
  end
  matrix("v:verify", function(...) return new_verifier().verify(...) end,
    function() return { n = 2, new_verifier(), TOKEN } end, 3, function(pos, v)
      if pos == 1 then return { error = "verify must be called as v:verify(token)" } end
      if pos == 2 and type(v) ~= "string" then return { error = "token argument must be string" } end
      if pos >= 3 then return "claims" end
      return "refusal"
    end)
  -- Every option with every kind of value: a verifier or nil, "verifier: ...";
  -- whatever is built then verifies or refuses a token, never raises.
  for _, option in ipairs({ "alg", "key", "issuers", "audiences", "leeway", "required", "typ", "now" }) do
    describe("verifier option " .. option, function()
      for i, entry in ipairs(VALUES) do
        it(entry[1], function()
          local opts = { alg = "HS256", key = KEY, now = NOW }
          opts[option] = fresh(i)
          local r = call_at(M.verifier, { n = 1 }, 1, opts)
          check(r, "verifier_or_refusal", option .. " = " .. entry[1])
          if r.n == 2 then
            assert(r[2]:sub(1, 10) == "verifier: ", "message without the verifier prefix: " .. S.show(r[2]))
          else
            check(call_at(r[1].verify, { n = 2, r[1], TOKEN }, 2, TOKEN), "claims_or_refusal",
              option .. " = " .. entry[1] .. ", then verify")
          end
        end)
      end
    end)
  end
end)

describe("hostile arguments: _internals", function()
  local I = M._internals
  matrix("split_token", I.split_token, function() return { n = 1, TOKEN } end, 2, function(pos, v)
    if pos == 1 and type(v) ~= "string" then return { error = "token argument must be string" } end
    return "token_table"
  end)
  matrix("verify_claim", I.verify_claim, function() return { n = 2, "x", { "*" } } end, 3, function(pos, v)
    return "boolean"
  end)
  matrix("verify_at", I.verify_at, function() return { n = 6, NOW, TOKEN, ALG, KEY, ISS, AUD } end, 6, function(pos, v)
    if pos == 1 then
      -- A number is a clock (NaN, inf and non-integral ones are refused with
      -- a message); anything else is refused with the exact message.
      if type(v) == "number" then return "claims_or_refusal" end
      return { error = "now argument must be an integer" }
    end
    return verify_outcome(pos - 1, v)
  end)
  for _, fname in ipairs({ "parse_token", "strip_signature" }) do
    describe(fname, function()
      for i, entry in ipairs(VALUES) do
        it(entry[1], function()
          local v = fresh(i)
          local r = call_at(I[fname], { n = 1, TOKEN }, 1, v)
          assert(not r.raised, fname .. " raised " .. S.show(r.err))
          if type(v) ~= "string" then
            assert(r.n == 4 and r[1] == nil and r[2] == nil and r[3] == nil and r[4] == "token argument must be string",
              fname .. ": " .. S.show_result(r))
          else
            assert(r.n == 4 and r[4] ~= nil or r.n >= 1 and r[1] ~= nil, fname .. ": " .. S.show_result(r))
          end
        end)
      end
    end)
  end
end)

---------------------------------------------------------------------------
-- Payload and header members of every kind
---------------------------------------------------------------------------

describe("hostile values inside encode's payload and header", function()
  local json_ok = {
    ["true"] = true, ["false"] = true, ["0"] = true, ["-1"] = true, ["2^53"] = true,
    ["1.5"] = true, ["-0.0"] = true, ["empty string"] = true, ["string with NULs"] = true,
    ["10 MiB string"] = true, ["empty table"] = true, ["sequence"] = true,
    ["cjson.null (light userdata)"] = true, ["math.maxinteger"] = true, ["math.mininteger"] = true,
    -- metatables are not consulted: these are empty tables to the encoder
    ["table raising in __index"] = true, ["table raising in __newindex"] = true,
    ["table raising in __len"] = true, ["table raising in __pairs"] = true,
    ["table raising in __ipairs"] = true, ["table raising in __eq"] = true,
    ["table raising in __tostring"] = true, ["table raising in __call"] = true,
    ["table with a locked metatable"] = true, ["table whose __index yields"] = true,
    ["table whose __index never ends"] = true,
  }
  for i, entry in ipairs(VALUES) do
    if entry[2] ~= nil then
      it(entry[1] .. " as a payload member", function()
        local r = S.call(M.encode, { v = fresh(i) }, S.SECRET)
        if json_ok[entry[1]] then
          local tok = S.expect_token(r, entry[1])
          if #tok <= 128 * 1024 then
            S.expect_claims(S.call(M._internals.verify_at, NOW, tok, "HS256", S.SECRET), entry[1] .. " round trip")
          end
        else
          S.expect_error(r, { prefix = "Cannot serialise " }, entry[1])
        end
      end)
      it(entry[1] .. " as a header member", function()
        local r = S.call(M.encode, { sub = "x" }, S.SECRET, "HS256", { kid = fresh(i) })
        if json_ok[entry[1]] then S.expect_token(r, entry[1])
        else S.expect_error(r, { prefix = "Cannot serialise " }, entry[1]) end
      end)
      it(entry[1] .. " as a member name", function()
        local ok, t = pcall(function() return { [fresh(i)] = 1 } end)
        if not ok then return end -- NaN cannot be a key: nothing to encode
        local r = S.call(M.encode, t, S.SECRET)
        assert(not r.raised, "raised " .. S.show(r.err))
        assert((r.n == 1 and type(r[1]) == "string") or (r.n == 2 and r[1] == nil and type(r[2]) == "string"),
          S.show_result(r))
      end)
    end
  end
end)

---------------------------------------------------------------------------
-- Bytes, sizes and depth
---------------------------------------------------------------------------

describe("hostile bytes and sizes", function()
  local function refusal(r, label)
    assert(not r.raised, label .. ": raised " .. S.show(r.err))
    assert(r.n == 2 and r[1] == nil and type(r[2]) == "string", label .. ": " .. S.show_result(r))
    return r[2]
  end

  it("a secret with NULs and invalid UTF-8 signs and verifies", function()
    local secret = "\0k\255\0\192\175"
    local tok = S.expect_token(S.call(M.encode, { exp = S.FAR_EXP }, secret), "encode")
    S.expect_claims(S.call(M.verify, tok, "HS256", secret), "verify")
    S.expect_error(S.call(M.verify, tok, "HS256", "\0k\255\0\192"), "Invalid signature")
    S.expect_error(S.call(M.verify, tok, "HS256", "\0k\255"), "Invalid signature")
  end)
  it("NULs inside and around a valid token", function()
    for _, t in ipairs({ TOKEN .. "\0", "\0" .. TOKEN, (TOKEN:gsub("%.", "\0.", 1)), (TOKEN:gsub("%.", ".\0", 1)) }) do
      refusal(S.call(M.verify, t, ALG, KEY), "NUL")
    end
  end)
  it("invalid UTF-8 inside the header and payload JSON", function()
    for _, bad in ipairs({ "\255", "\192\175", "\237\160\128", "caf\195", "\244\144\128\128" }) do
      S.expect_error(S.call(M.verify, S.make_token('{"typ":"JWT","alg":"HS256","x":"' .. bad .. '"}', "{}"), ALG, KEY),
        "Invalid header", "header")
      S.expect_error(S.call(M.verify, S.make_token('{"typ":"JWT","alg":"HS256"}', '{"x":"' .. bad .. '"}'), ALG, KEY),
        "Invalid body", "payload")
    end
  end)
  it("10 MiB in every string position of verify", function()
    S.expect_error(S.call(M.verify, BIG, ALG, KEY), "Invalid token", "token")
    S.expect_error(S.call(M.verify, TOKEN, BIG, KEY), "Algorithm not supported", "alg")
    S.expect_error(S.call(M.verify, TOKEN, ALG, BIG), "Invalid signature", "HS key")
    S.expect_error(S.call(M.verify, S.verify_case("alg/RS256/valid").token, "RS256", BIG), { prefix = "Invalid key" }, "RS key")
    S.expect_error(S.call(M.verify, TOKEN, ALG, KEY, { BIG }), "invalid 'iss' claim", "issuer")
  end)
  it("10 MiB in every position of encode and decode", function()
    local big_claim = S.expect_token(S.call(M.encode, { big = BIG }, S.SECRET), "10 MiB claim")
    assert(#big_claim > MIB10, "token shorter than its claim")
    -- Past the documented maximum token length: refused before any decoding.
    S.expect_error(S.call(M.verify, big_claim, "HS256", S.SECRET), "Invalid token", "verify of it")
    local tok = S.expect_token(S.call(M.encode, { exp = S.FAR_EXP }, BIG), "10 MiB secret")
    S.expect_claims(S.call(M.verify, tok, "HS256", BIG), "verify with the 10 MiB secret")
    S.expect_error(S.call(M.encode, {}, S.SECRET, BIG), "Algorithm not supported")
    S.expect_error(S.call(M.encode, {}, BIG, "RS256"), { prefix = "Not a private PEM key" })
    S.expect_error(S.call(M.decode, BIG, KEY), "Invalid token")
    S.expect_error(S.call(M.decode, TOKEN, BIG), "Invalid signature")
  end)
  it("a payload nested 20000 deep inside a token is refused", function()
    local deep = ("["):rep(20000) .. ("]"):rep(20000) -- 40 KB, under the length limit
    S.expect_error(S.call(M.verify, S.make_token('{"typ":"JWT","alg":"HS256"}', '{"a":' .. deep .. "}"), ALG, KEY),
      "Invalid body")
    S.expect_error(S.call(M.verify, S.make_token('{"typ":"JWT","alg":"HS256","a":' .. deep .. "}", "{}"), ALG, KEY),
      "Invalid header")
  end)
  it("encode's table depth limit matches the parser's: 127 levels, not 128", function()
    local function nest(n) -- n levels of tables, the innermost {}
      local t = {}
      for _ = 2, n do t = { t } end
      return t
    end
    -- The payload table is level 1.
    local tok = S.expect_token(S.call(M.encode, { d = nest(126) }, S.SECRET), "127 levels")
    S.expect_claims(S.call(M.verify, tok, "HS256", S.SECRET), "127 levels verify")
    S.expect_error(S.call(M.encode, { d = nest(127) }, S.SECRET), { prefix = "Cannot serialise table: nested deeper than 127" })
  end)
  it("a payload of 5000 members verifies (no member limit below the token size)", function()
    local p = {}
    for i = 1, 5000 do p["m" .. i] = i end
    local tok = S.expect_token(S.call(M.encode, p, S.SECRET), "encode")
    local claims = S.expect_claims(S.call(M.verify, tok, "HS256", S.SECRET), "verify")
    assert.are.equal(5000, claims.m5000)
  end)
  it("an accepted list longer than 65536 entries is refused, not read forever", function()
    local endless = setmetatable({}, { __index = function() return "nobody" end })
    S.expect_error(S.call(M.verify, TOKEN, ALG, KEY, endless), { pattern = "more than 65536 entries" })
  end)
  it("a module call made from inside a metamethod works", function()
    local t = setmetatable({}, { __index = function(_, i)
      if i == 1 then
        local claims = M.verify(TOKEN, ALG, KEY)
        return claims and claims.iss
      end
    end })
    S.expect_claims(S.call(M.verify, TOKEN, ALG, KEY, t), "re-entrant")
  end)
end)
