-- Shared support for the busted specs of the native luajwtjitsi module.
--
-- Loaded with plain `require "jwt_support"` from every spec file (run.sh puts
-- tests/lua/ on LUA_PATH). It holds no busted calls itself: checks return
-- `ok, message` and the specs turn them into assertions.

local S = {}

---------------------------------------------------------------------------
-- Environment: flavour, project root, interpreter facts
---------------------------------------------------------------------------

local function script_dir()
  local src = debug.getinfo(1, "S").source
  if src:sub(1, 1) == "@" then
    return (src:sub(2):match("^(.*)/[^/]*$")) or "."
  end
  return "."
end

-- Project root: LUAJWT_ROOT from run.sh, else two levels above this file.
S.ROOT = os.getenv("LUAJWT_ROOT") or (script_dir() .. "/../..")
S.VECTORS = S.ROOT .. "/tests/vectors"
S.FLAVOUR = os.getenv("LUAJWT_FLAVOUR")
S.SO = os.getenv("LUAJWT_SO")
S.LUA = os.getenv("LUAJWT_LUA")

S.IS_JIT = type(rawget(_G, "jit")) == "table"
-- Lua 5.3/5.4 have an integer subtype; 5.1, 5.2 and LuaJIT do not.
S.HAS_INTEGERS = math.type ~= nil

S.unpack = table.unpack or unpack

---------------------------------------------------------------------------
-- Libraries
---------------------------------------------------------------------------

S.cjson = require "cjson"
S.NULL = S.cjson.null
S.dkjson = require "dkjson"

-- The module under test. A failing require must not stop busted from
-- loading the spec files: it is reported by 00_fresh_build_spec.lua.
do
  local ok, m = pcall(require, "luajwtjitsi")
  if ok and type(m) == "table" then
    S.M = m
  else
    S.M = nil
    S.LOAD_ERROR = ok and ("require returned a " .. type(m)) or tostring(m)
  end
end

---------------------------------------------------------------------------
-- Is the loaded module the fresh build? (00_fresh_build_spec.lua, helper.lua)
---------------------------------------------------------------------------

-- package.searchpath, with a fallback for Lua 5.1 (LuaJIT 2.1 has it).
function S.searchpath(name, path)
  if package.searchpath then return (package.searchpath(name, path)) end
  local fname = name:gsub("%.", "/")
  for template in path:gmatch("[^;]+") do
    local candidate = template:gsub("%?", fname)
    local f = io.open(candidate, "rb")
    if f then f:close(); return candidate end
  end
  return nil
end

local EXPECTED_LUA_VERSION = {
  lua51 = "Lua 5.1", lua52 = "Lua 5.2", lua53 = "Lua 5.3", lua54 = "Lua 5.4", luajit = "Lua 5.1",
}

-- A list of { name = ..., ok = bool, detail = ... }, one per check.
function S.fresh_build_checks()
  local checks = {}
  local function add(name, ok, detail) checks[#checks + 1] = { name = name, ok = ok and true or false, detail = detail } end

  add("LUAJWT_SO and LUAJWT_FLAVOUR are set (run through tests/lua/run.sh)",
    S.SO ~= nil and S.FLAVOUR ~= nil,
    "LUAJWT_SO=" .. tostring(S.SO) .. " LUAJWT_FLAVOUR=" .. tostring(S.FLAVOUR))

  local want_version = EXPECTED_LUA_VERSION[S.FLAVOUR or ""]
  local running = S.IS_JIT and "LuaJIT" or _VERSION
  local flavour_ok = want_version ~= nil and _VERSION == want_version
    and ((S.FLAVOUR == "luajit") == S.IS_JIT)
  add("the interpreter matches the flavour", flavour_ok,
    "flavour " .. tostring(S.FLAVOUR) .. ", running " .. running .. " (" .. _VERSION .. ")")

  local found = S.searchpath("luajwtjitsi", package.cpath)
  add("package.cpath finds the fresh build first", S.SO ~= nil and found == S.SO,
    "package.searchpath('luajwtjitsi', package.cpath) = " .. tostring(found) .. ", expected " .. tostring(S.SO)
      .. "\npackage.cpath = " .. package.cpath)

  local shadow = S.searchpath("luajwtjitsi", package.path)
  add("no luajwtjitsi.lua on package.path shadows the .so", shadow == nil,
    "package.searchpath('luajwtjitsi', package.path) = " .. tostring(shadow))

  add("require 'luajwtjitsi' returns a table", S.M ~= nil,
    "require failed: " .. tostring(S.LOAD_ERROR))

  -- Which luajwtjitsi.so files are mapped into this process (Linux).
  local maps = io.open("/proc/self/maps", "rb")
  if maps then
    local text = maps:read("*a")
    maps:close()
    local mapped, seen = {}, {}
    for path in text:gmatch("(/[^\n]*luajwtjitsi[^/\n]*%.so)") do
      if not seen[path] then seen[path] = true; mapped[#mapped + 1] = path end
    end
    local ok = S.M ~= nil and #mapped == 1 and mapped[1] == S.SO
    add("/proc/self/maps holds exactly the fresh .so", ok,
      "mapped: " .. (#mapped > 0 and table.concat(mapped, ", ") or "(none)") .. "; expected " .. tostring(S.SO))
  end

  local cargo = S.cargo_version()
  local mv = S.M and rawget(S.M, "_VERSION")
  add("_VERSION equals Cargo.toml's version", cargo ~= nil and mv == cargo,
    "module _VERSION = " .. tostring(mv) .. ", Cargo.toml version = " .. tostring(cargo))

  if S.FLAVOUR == "lua53" or S.FLAVOUR == "lua54" then
    add("math.type exists (Lua 5.3/5.4 integers)", type(math.type) == "function", "math.type = " .. tostring(math.type))
  end
  return checks
end

function S.fresh_build_problems()
  local problems = {}
  for _, c in ipairs(S.fresh_build_checks()) do
    if not c.ok then problems[#problems + 1] = c.name .. ": " .. c.detail end
  end
  return problems
end

---------------------------------------------------------------------------
-- Files
---------------------------------------------------------------------------

-- Whole file as bytes (binary mode: .der and rfc7515-a1.hs256.key are binary).
function S.read_file(path)
  local f, err = io.open(path, "rb")
  if not f then error("cannot open " .. path .. ": " .. tostring(err), 2) end
  local data = f:read("*a")
  f:close()
  return data
end

-- A key file named relative to tests/vectors (as in the vectors' {"file": ...}).
function S.key_file(rel)
  return S.read_file(S.VECTORS .. "/" .. rel)
end

-- The version in Cargo.toml's [package] section.
function S.cargo_version()
  local text = S.read_file(S.ROOT .. "/Cargo.toml")
  local in_package = false
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    local section = line:match("^%s*%[([^%]]+)%]")
    if section then
      in_package = (section == "package")
    elseif in_package then
      local v = line:match('^%s*version%s*=%s*"([^"]+)"')
      if v then return v end
    end
  end
  return nil
end

---------------------------------------------------------------------------
-- JSON vectors
---------------------------------------------------------------------------

local function jsontype(t)
  local mt = getmetatable(t)
  return mt and mt.__jsontype or nil
end
S.jsontype = jsontype

-- Decode with dkjson; JSON null becomes cjson.null. The result keeps
-- dkjson's metatables (__jsontype "object"/"array"), which the claims
-- comparison uses to tell expected arrays from objects.
function S.json_decode(text)
  local v, pos, err = S.dkjson.decode(text, 1, S.NULL)
  if err then error("dkjson: " .. tostring(err), 2) end
  return v
end

local cache = {}
function S.load_vectors(file)
  if not cache[file] then
    cache[file] = S.json_decode(S.read_file(S.VECTORS .. "/" .. file))
  end
  return cache[file]
end

-- Fresh tables without metatables, all the way down (dkjson attaches some).
function S.plain(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = S.plain(x) end
  return t
end

-- A verify/encode argument from a vector: JSON null stands for nil,
-- {"file": ...} for the bytes of that key file, arrays for plain tables.
function S.arg(v)
  if v == S.NULL then return nil end
  if type(v) == "table" then
    if jsontype(v) == "object" and type(v.file) == "string" then
      return S.key_file(v.file)
    end
    return S.plain(v)
  end
  return v
end

-- The verify.json case with this name (for specs that reuse vector tokens).
function S.verify_case(name)
  for _, c in ipairs(S.load_vectors("verify.json").cases) do
    if c.name == name then return c end
  end
  error("no verify.json case named " .. name, 2)
end

---------------------------------------------------------------------------
-- Calling the module: never let a raise escape, count the return values
---------------------------------------------------------------------------

local function pack(...)
  return { n = select("#", ...), ... }
end
S.pack = pack

-- Calls f(...) under pcall. Returns a record:
--   { raised = false, n = <number of values>, [1..n] = values }
--   { raised = true, err = <error value> }
function S.call(f, ...)
  local r = pack(pcall(f, ...))
  if not r[1] then
    return { raised = true, err = r[2], n = 0 }
  end
  local out = { raised = false, n = r.n - 1 }
  for i = 2, r.n do out[i - 1] = r[i] end
  return out
end

-- Calls f with an explicit argument list {n = ..., ...} (nils in the middle kept).
function S.call_args(f, args)
  return S.call(f, S.unpack(args, 1, args.n))
end

-- Readable rendering of a value for failure messages.
local function show(v, depth)
  depth = depth or 0
  local t = type(v)
  if v == S.NULL then return "NULL" end
  if t == "string" then
    if #v > 200 then return string.format("%q", v:sub(1, 200)) .. "..(" .. #v .. " bytes)" end
    return string.format("%q", v)
  elseif t == "number" then
    local s = tostring(v)
    if S.HAS_INTEGERS then s = s .. "(" .. math.type(v) .. ")" end
    return s
  elseif t == "table" then
    if depth > 3 then return "{...}" end
    local parts, keys = {}, {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
      return type(a) < type(b)
    end)
    for i, k in ipairs(keys) do
      if i > 12 then parts[#parts + 1] = "..."; break end
      parts[#parts + 1] = "[" .. show(k, depth + 1) .. "]=" .. show(v[k], depth + 1)
    end
    local mt = getmetatable(v) and " <metatable>" or ""
    return "{" .. table.concat(parts, ", ") .. "}" .. mt
  end
  return tostring(v)
end
S.show = show

local function show_result(r)
  if r.raised then return "RAISED: " .. show(r.err) end
  local parts = {}
  for i = 1, r.n do parts[#parts + 1] = show(r[i]) end
  return r.n .. " value(s): " .. table.concat(parts, ", ")
end
S.show_result = show_result

-- Success of verify/decode: exactly one value, a table.
function S.check_claims_result(r)
  if r.raised then return false, "raised instead of returning: " .. show(r.err) end
  if r.n ~= 1 or type(r[1]) ~= "table" then
    return false, "expected exactly 1 value (the claims table), got " .. show_result(r)
  end
  return true
end

-- Success of encode: exactly one value, a string.
function S.check_token_result(r)
  if r.raised then return false, "raised instead of returning: " .. show(r.err) end
  if r.n ~= 1 or type(r[1]) ~= "string" then
    return false, "expected exactly 1 value (the token string), got " .. show_result(r)
  end
  return true
end

-- Failure: exactly two values, nil and a message that matches `want`:
--   a string (exact), or {prefix = ..., suffix = ...}, or {pattern = ...}.
function S.check_error_result(r, want)
  if r.raised then return false, "raised instead of returning nil, message: " .. show(r.err) end
  if r.n ~= 2 or r[1] ~= nil or type(r[2]) ~= "string" then
    return false, "expected exactly 2 values (nil, message), got " .. show_result(r)
  end
  local msg = r[2]
  if type(want) == "string" then
    if msg ~= want then
      return false, "message: expected " .. show(want) .. ", got " .. show(msg)
    end
  elseif type(want) == "table" then
    if want.prefix and msg:sub(1, #want.prefix) ~= want.prefix then
      return false, "message: expected prefix " .. show(want.prefix) .. ", got " .. show(msg)
    end
    if want.suffix and (#msg < #want.suffix or msg:sub(-#want.suffix) ~= want.suffix) then
      return false, "message: expected suffix " .. show(want.suffix) .. ", got " .. show(msg)
    end
    if want.pattern and not msg:find(want.pattern) then
      return false, "message: expected to match " .. show(want.pattern) .. ", got " .. show(msg)
    end
  end
  return true
end

-- The `expect` of a vector as a check_error_result `want`, or nil for claims/token.
function S.expected_error(expect)
  if type(expect.error) == "string" then return expect.error end
  if type(expect.error_prefix) == "string" then
    local suffix = expect.error_suffix
    if suffix == S.NULL then suffix = nil end
    return { prefix = expect.error_prefix, suffix = suffix }
  end
  return nil
end

---------------------------------------------------------------------------
-- Claims comparison (tests/vectors/README.md "Expected claims")
---------------------------------------------------------------------------

local function is_marker(e)
  if type(e) ~= "table" or jsontype(e) ~= "object" then return nil end
  local k, v = next(e)
  if k == nil or next(e, k) ~= nil then return nil end
  if type(k) == "string" and k:sub(1, 1) == "$" then return k, v end
  return nil
end

local function count_keys(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

-- Compares an actual claims value with an expected one from the vectors
-- (dkjson-decoded, with markers). Returns true or false, message.
local function match(actual, expected, path)
  local mk, mv = is_marker(expected)
  if mk == "$null" then
    if rawequal(actual, S.NULL) then return true end
    return false, path .. ": expected JSON null (cjson.null), got " .. show(actual)
  elseif mk == "$int" then
    if type(actual) ~= "number" then
      return false, path .. ": expected integer " .. tostring(mv) .. ", got " .. show(actual)
    end
    if S.HAS_INTEGERS then
      local want = tonumber(mv)
      if math.type(want) ~= "integer" then
        return false, path .. ": bad $int marker " .. tostring(mv)
      end
      if math.type(actual) ~= "integer" then
        return false, path .. ": expected an integer (math.type), got " .. show(actual)
      end
      if actual ~= want then
        return false, path .. ": expected " .. tostring(want) .. ", got " .. show(actual)
      end
    else
      if actual ~= tonumber(mv) then
        return false, path .. ": expected " .. tostring(mv) .. " (nearest double), got " .. show(actual)
      end
    end
    return true
  elseif mk == "$float" then
    if type(actual) ~= "number" then
      return false, path .. ": expected float " .. tostring(mv) .. ", got " .. show(actual)
    end
    if S.HAS_INTEGERS and math.type(actual) ~= "float" then
      return false, path .. ": expected a float (math.type), got " .. show(actual)
    end
    if actual ~= tonumber(mv) then
      return false, path .. ": expected " .. tostring(mv) .. ", got " .. show(actual)
    end
    return true
  elseif mk then
    return false, path .. ": unknown marker " .. mk
  end

  local te = type(expected)
  if te == "string" or te == "boolean" then
    if type(actual) == te and actual == expected then return true end
    return false, path .. ": expected " .. show(expected) .. ", got " .. show(actual)
  elseif te == "number" then
    if type(actual) == "number" and actual == expected then return true end
    return false, path .. ": expected " .. show(expected) .. ", got " .. show(actual)
  elseif expected == S.NULL then
    -- a bare null (only reachable in encode payloads, where it means NULL)
    if rawequal(actual, S.NULL) then return true end
    return false, path .. ": expected NULL, got " .. show(actual)
  elseif te == "table" then
    if type(actual) ~= "table" then
      return false, path .. ": expected a table, got " .. show(actual)
    end
    if getmetatable(actual) ~= nil then
      return false, path .. ": table has a metatable (claims tables must have none)"
    end
    local kind = jsontype(expected)
    local n_expected = count_keys(expected)
    if n_expected == 0 then
      -- {} and [] both match an empty table (Lua cannot tell them apart)
      if next(actual) ~= nil then
        return false, path .. ": expected an empty table, got " .. show(actual)
      end
      return true
    end
    if kind == "array" then
      local n = #expected
      for k in pairs(actual) do
        if type(k) ~= "number" or k < 1 or k > n or k % 1 ~= 0 then
          return false, path .. ": array has unexpected key " .. show(k) .. " (expected 1.." .. n .. ")"
        end
      end
      for i = 1, n do
        local ok, msg = match(actual[i], expected[i], path .. "[" .. i .. "]")
        if not ok then return false, msg end
      end
      return true
    else
      for k in pairs(actual) do
        if type(k) ~= "string" then
          return false, path .. ": object has a non-string key " .. show(k)
        end
        if expected[k] == nil then
          return false, path .. ": unexpected key " .. show(k) .. " = " .. show(actual[k])
        end
      end
      for k, v in pairs(expected) do
        if actual[k] == nil then
          return false, path .. ": missing key " .. show(k)
        end
        local ok, msg = match(actual[k], v, path .. "." .. tostring(k))
        if not ok then return false, msg end
      end
      return true
    end
  end
  return false, path .. ": cannot compare with expected " .. show(expected)
end

function S.match_claims(actual, expected)
  return match(actual, expected, "claims")
end

-- Every table reachable from v has no metatable.
function S.no_metatables(v, path, seen)
  path = path or "value"
  if type(v) ~= "table" then return true end
  seen = seen or {}
  if seen[v] then return true end
  seen[v] = true
  if getmetatable(v) ~= nil then return false, path .. " has a metatable" end
  for k, x in pairs(v) do
    local ok, msg = S.no_metatables(x, path .. "." .. tostring(k), seen)
    if not ok then return false, msg end
  end
  return true
end

---------------------------------------------------------------------------
-- base64url (for crafting tokens in the specs)
---------------------------------------------------------------------------

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local B64_INDEX = {}
for i = 1, 64 do B64_INDEX[B64:sub(i, i)] = i - 1 end

local function b64char(n) return B64:sub(n + 1, n + 1) end

-- Unpadded base64url of bytes.
function S.b64url(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = math.floor(n / 262144) % 64
    local c2 = math.floor(n / 4096) % 64
    local c3 = math.floor(n / 64) % 64
    local c4 = n % 64
    out[#out + 1] = b64char(c1) .. b64char(c2)
      .. (b and b64char(c3) or "") .. (c and b64char(c4) or "")
  end
  return table.concat(out)
end

-- Bytes of an unpadded/padded base64url string (nil on a bad character).
function S.b64url_decode(s)
  s = s:gsub("=+$", "")
  local out, bits, nbits = {}, 0, 0
  for i = 1, #s do
    local v = B64_INDEX[s:sub(i, i)]
    if not v then return nil end
    bits = bits * 64 + v
    nbits = nbits + 6
    if nbits >= 8 then
      nbits = nbits - 8
      local p = 2 ^ nbits
      local byte = math.floor(bits / p)
      out[#out + 1] = string.char(byte)
      bits = bits - byte * p
    end
  end
  return table.concat(out)
end

-- A token from raw header JSON, raw payload JSON and a signature segment.
function S.make_token(header_json, payload_json, sig_segment)
  return S.b64url(header_json) .. "." .. S.b64url(payload_json) .. "." .. (sig_segment or "c2ln")
end

---------------------------------------------------------------------------
-- Odd values for argument-type tests
---------------------------------------------------------------------------

-- Values of every Lua type that is not a string (labelled), and not nil.
function S.non_string_values()
  local co = coroutine.create(function() end)
  return {
    { "integer 42", 42 },
    { "float 4.5", 4.5 },
    { "boolean true", true },
    { "boolean false", false },
    { "empty table", {} },
    { "table {'x'}", { "x" } },
    { "function", function() return "HS256" end },
    { "coroutine", co },
    { "cjson.null", S.NULL },
    { "full userdata (io.stdout)", io.stdout },
    { "table with __tostring", setmetatable({}, { __tostring = function() return "HS256" end }) },
  }
end

-- Values that are neither nil nor a table.
function S.non_table_values()
  local co = coroutine.create(function() end)
  return {
    { "string", "my_app_id" },
    { "empty string", "" },
    { "integer 1", 1 },
    { "float 1.5", 1.5 },
    { "boolean true", true },
    { "boolean false", false },
    { "function", function() return {} end },
    { "coroutine", co },
    { "cjson.null", S.NULL },
    { "full userdata (io.stdout)", io.stdout },
  }
end

-- Standard test material.
S.SECRET = "s3cr3t-test-only"
S.FAR_EXP = 4102444800 -- 2100-01-01

-- Run a Lua chunk in a fresh interpreter of the flavour under test (same
-- environment as this run), for checks that could crash the process.
-- Returns the chunk's stdout, or nil and a reason.
function S.run_isolated(chunk)
  if not S.LUA then return nil, "LUAJWT_LUA is not set (run through tests/lua/run.sh)" end
  local tmp = os.tmpname()
  local f = assert(io.open(tmp, "wb"))
  f:write(chunk)
  f:close()
  local p = io.popen(S.LUA .. " " .. tmp .. " 2>&1")
  local out = p:read("*a")
  p:close()
  os.remove(tmp)
  return out
end

-- The algorithm names of the vectors, in the order specs report them.
S.ALGS = {
  "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
  "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
}
local KNOWN_ALG = {}
for _, a in ipairs(S.ALGS) do KNOWN_ALG[a] = true end

-- Group vector cases for one describe each: a case whose `alg` is one of
-- S.ALGS goes under that name (in S.ALGS order); otherwise `other(case)`
-- names its group, and those groups follow in the order of `extra`.
-- File order is kept inside each group. Returns a list of {name, cases}.
function S.group_by_alg(cases, other, extra)
  local groups = {}
  for _, case in ipairs(cases) do
    local g = (type(case.alg) == "string" and KNOWN_ALG[case.alg]) and case.alg or other(case)
    groups[g] = groups[g] or {}
    table.insert(groups[g], case)
  end
  local out = {}
  for _, list in ipairs({ S.ALGS, extra }) do
    for _, g in ipairs(list) do
      if groups[g] then out[#out + 1] = { name = g, cases = groups[g] } end
    end
  end
  return out
end

-- Assertion helpers shared by the specs: each checks the return-value count
-- as well as the values, and names the case on failure.
function S.expect_error(r, want, label)
  local ok, msg = S.check_error_result(r, want)
  assert(ok, (label or "") .. ": " .. tostring(msg))
end

function S.expect_claims(r, label)
  local ok, msg = S.check_claims_result(r)
  assert(ok, (label or "") .. ": " .. tostring(msg))
  ok, msg = S.no_metatables(r[1], "claims")
  assert(ok, msg)
  return r[1]
end

function S.expect_token(r, label)
  local ok, msg = S.check_token_result(r)
  assert(ok, (label or "") .. ": " .. tostring(msg))
  return r[1]
end

return S
