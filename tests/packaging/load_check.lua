-- Load the installed luajwtjitsi the way an admin's Lua would, and prove it
-- is the installed copy and that it works:
--   <lua> load_check.lua EXPECTED_SO CASES_LUA [SHIM_LUA]
-- 1. the first luajwtjitsi on package.cpath is EXPECTED_SO, and no
--    luajwtjitsi.lua on package.path shadows it;
-- 2. require "luajwtjitsi" gives the native module; every case of CASES_LUA
--    (tests/packaging/cases.py) verifies to its claims or fails with its message;
-- 3. with SHIM_LUA: the Prosody shim loads the same module and hides decode.
-- Or, for the Debian package's basexx and inspect fallbacks
-- (docs/jitsi-plugins.md):
--   <lua> load_check.lua --fallbacks fallback   no basexx.lua or inspect.lua is
--       on package.path, and require gives this package's fallbacks;
--   <lua> load_check.lua --fallbacks real DIR   DIR/basexx.lua and
--       DIR/inspect.lua come first on package.path, and require gives them;
--   either way the library answers a few calls as basexx 0.4.1 and inspect
--   3.1.1 do (values taken from those libraries).
-- Prints one line per failure and "load_check ...: N passed, N failed"; exits
-- 1 on any failure.
local expected_so, cases_file, shim_file = ...
assert(expected_so and cases_file, "usage: load_check.lua EXPECTED_SO CASES_LUA [SHIM_LUA]"
  .. " | --fallbacks fallback | --fallbacks real DIR")

local passed, failed = 0, 0
local function check(what, ok, detail)
  if ok then
    passed = passed + 1
  else
    failed = failed + 1
    print("FAIL " .. what .. (detail and (": " .. tostring(detail)) or ""))
  end
end

-- package.searchpath is missing in PUC Lua 5.1.
local function searchpath(name, path)
  for template in path:gmatch("[^;]+") do
    local file = template:gsub("%?", (name:gsub("%.", "/")))
    local f = io.open(file, "rb")
    if f then f:close(); return file end
  end
  return nil
end

local interp = (type(rawget(_G, "jit")) == "table" and jit.version) or _VERSION

if expected_so == "--fallbacks" then
  local mode, real_dir = cases_file, shim_file
  local want = {}
  for _, m in ipairs({ "basexx", "inspect" }) do
    local on_path = searchpath(m, package.path)
    if mode == "fallback" then
      check(m .. ": no " .. m .. ".lua on package.path", on_path == nil, tostring(on_path))
      want[m] = "=luajwtjitsi fallback " .. m
    else
      check(m .. ": " .. real_dir .. "/" .. m .. ".lua comes first on package.path",
        on_path == real_dir .. "/" .. m .. ".lua", tostring(on_path))
      want[m] = "@" .. real_dir .. "/" .. m .. ".lua"
    end
  end

  local ok_b, basexx = pcall(require, "basexx")
  local ok_i, inspect = pcall(require, "inspect")
  check("require 'basexx'", ok_b, tostring(basexx))
  check("require 'inspect'", ok_i, tostring(inspect))
  local function source(f)
    return type(f) == "function" and debug.getinfo(f, "S").source or ("a " .. type(f))
  end
  if ok_b then
    check("basexx.from_url64 comes from " .. want.basexx, source(basexx.from_url64) == want.basexx,
      source(basexx.from_url64))
    local bytes = "\0\1\127\128\255"
    local ok, back = pcall(function() return basexx.from_url64(basexx.to_url64(bytes)) end)
    check("basexx: from_url64(to_url64(x)) == x", ok and back == bytes, tostring(back))
    ok, back = pcall(basexx.to_z85, "1234")
    check("basexx.to_z85('1234') == 'f!$Kw'", ok and back == "f!$Kw", tostring(back))
    local r1, r2
    ok, r1, r2 = pcall(basexx.from_url64, "!!")
    check("basexx.from_url64('!!') is nil and basexx's message", ok and r1 == nil
      and r2 == "unexpected character at position 1: '!'", tostring(r1) .. ", " .. tostring(r2))
  end
  if ok_i then
    local f = type(inspect) == "table" and inspect.inspect
    check("inspect.inspect comes from " .. want.inspect, source(f) == want.inspect, source(f))
    local ok, text = pcall(inspect, { 1, a = 2 })
    check("inspect({ 1, a = 2 }) as inspect 3.1.1 writes it", ok and text == "{ 1,\n  a = 2\n}", tostring(text))
  end
  print(("load_check %s basexx and inspect (%s): %d passed, %d failed"):format(interp, mode, passed, failed))
  os.exit(failed == 0 and 0 or 1)
end

local found = searchpath("luajwtjitsi", package.cpath)
check("first luajwtjitsi on package.cpath is " .. expected_so, found == expected_so, found)
local shadow = searchpath("luajwtjitsi", package.path)
check("no luajwtjitsi.lua on package.path", shadow == nil, shadow)

local ok, jwt = pcall(require, "luajwtjitsi")
check("require \"luajwtjitsi\"", ok and type(jwt) == "table", jwt)
if not (ok and type(jwt) == "table") then
  print(("load_check: %d passed, %d failed"):format(passed, failed + 1))
  os.exit(1)
end
check("_VERSION is a string", type(jwt._VERSION) == "string", jwt._VERSION)
check("decode is there on plain require", type(jwt.decode) == "function")

local function run_cases(mod, label)
  for _, case in ipairs(dofile(cases_file)) do
    local claims, err = mod.verify(case.token, case.alg, case.key, case.issuers, case.audiences)
    local what = label .. " " .. case.name
    if case.error then
      check(what .. " fails with '" .. case.error .. "'", claims == nil and err == case.error, err)
    else
      local same = type(claims) == "table"
      local n = 0
      for k, v in pairs(case.claims) do
        n = n + 1
        same = same and claims[k] == v
      end
      if same then
        for _ in pairs(claims) do n = n - 1 end
      end
      check(what .. " verifies to the vector's claims", same and n == 0, err)
    end
  end
  -- Wrong argument types come back as nil, message, never as a raised error.
  local pok, c, e = pcall(mod.verify, 42, "HS256", "k")
  check(label .. " bad argument gives nil, message", pok and c == nil and e == "token argument must be string", e or c)
end
run_cases(jwt, "require")

if shim_file then
  local sok, view = pcall(dofile, shim_file)
  check("shim " .. shim_file .. " loads", sok and type(view) == "table", view)
  if sok and type(view) == "table" then
    check("shim hides decode", view.decode == nil)
    check("shim gives the native module's verify", view.verify == jwt.verify)
    run_cases(view, "shim")
  end
end

print(("load_check %s %s: %d passed, %d failed"):format(interp, expected_so, passed, failed))
os.exit(failed == 0 and 0 or 1)
