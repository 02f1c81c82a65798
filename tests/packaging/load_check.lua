-- Load the installed luajwtjitsi the way an admin's Lua would, and prove it
-- is the installed copy and that it works:
--   <lua> load_check.lua EXPECTED_SO CASES_LUA [SHIM_LUA]
-- 1. the first luajwtjitsi on package.cpath is EXPECTED_SO, and no
--    luajwtjitsi.lua on package.path shadows it;
-- 2. require "luajwtjitsi" gives the native module; every case of CASES_LUA
--    (tests/packaging/cases.py) verifies to its claims or fails with its message;
-- 3. with SHIM_LUA: the Prosody shim loads the same module and hides decode.
-- Prints one line per failure and "load_check: N passed, N failed"; exits 1
-- on any failure.
local expected_so, cases_file, shim_file = ...
assert(expected_so and cases_file, "usage: load_check.lua EXPECTED_SO CASES_LUA [SHIM_LUA]")

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
