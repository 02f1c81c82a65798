-- Differential test of the inspect fallback (src/lua/fallback/inspect.lua)
-- against the real inspect.lua 3.1.1, under whichever Lua runs this file.
--   <lua> inspect_driver.lua REAL_INSPECT_LUA SO_DIR SEED COUNT
-- REAL_INSPECT_LUA: Debian's inspect.lua (loaded by file); SO_DIR: a folder
-- holding luajwtjitsi.so and inspect.so -> it, which `require "inspect"`
-- must load through luaopen_inspect. Both inspect the same generated values
-- with the same options; outputs (or, where the real library raises, the
-- messages without their "file:line: " prefix) must be equal.
-- Last line: "<lua>: N passed, N failed (...counts...)".
local real_file, so_dir, seed, count = arg[1], arg[2], tonumber(arg[3]), tonumber(arg[4])
assert(real_file and so_dir and seed and count, "usage: inspect_driver.lua REAL_INSPECT_LUA SO_DIR SEED COUNT")
local lua_name = (type(jit) == "table" and jit.version) or _VERSION

local passed, failed, shown = 0, 0, 0
local function fail(what, detail)
  failed = failed + 1
  if shown < 8 then
    shown = shown + 1
    io.stderr:write("FAIL [", lua_name, " seed ", seed, "] ", what, "\n", detail or "", "\n")
  end
end
local function check(ok, what, detail)
  if ok then passed = passed + 1 else fail(what, detail) end
end

-- The two libraries -----------------------------------------------------------

-- Under LuaJIT the oracle runs interpreted: LuaJIT 2.1 before the fix of its
-- issue #1069 (Debian 12's luajit) compiles `t[k] = v` without a NaN check, so
-- a process option that makes a key NaN (bad_options below) sometimes stored
-- it without an error in the real library, and into a full table crashed the
-- driver (SIGSEGV). Ours stays compiled: it checks for NaN keys itself.
local real_chunk = assert(loadfile(real_file))
if type(jit) == "table" then jit.off(real_chunk, true) end
local real = real_chunk()
local ours
if so_dir:sub(1, 5) == "file:" then
  -- For working on the Lua alone (no rebuild): "file:src/lua/fallback/inspect.lua"
  -- loads it under the chunk name the module gives it. The stage never does this.
  local f = assert(io.open(so_dir:sub(6), "rb"))
  ours = assert((loadstring or load)(f:read("*a"), "=luajwtjitsi fallback inspect"))()
  f:close()
else
  package.path = so_dir .. "/?.lua" -- nothing there: no inspect.lua is found
  package.cpath = so_dir .. "/?.so"
  ours = require("inspect")
end
local function source_of(lib)
  return type(lib) == "table" and type(lib.inspect) == "function" and debug.getinfo(lib.inspect, "S").source
end
check(source_of(ours) == "=luajwtjitsi fallback inspect", "ours is the fallback from the .so",
  "source: " .. tostring(source_of(ours)) .. " (package.loaded: " .. tostring(package.loaded.inspect) .. ")")
check(source_of(real) == "@" .. real_file, "the oracle is the real file", "source: " .. tostring(source_of(real)))
if failed > 0 then
  print(lua_name .. ": " .. passed .. " passed, " .. failed .. " failed")
  os.exit(1)
end

-- The public table: the same fields of the same types, callable the same way.
for k, v in pairs(real) do
  check(type(ours[k]) == type(v), "field " .. tostring(k), "real: " .. type(v) .. ", ours: " .. type(ours[k]))
end
for k in pairs(ours) do
  check(real[k] ~= nil, "no field the real one lacks: " .. tostring(k))
end
check(type(getmetatable(ours).__call) == "function", "the module is callable")
check(ours({ 1, a = 2 }) == real({ 1, a = 2 }), "inspect(...) is inspect.inspect(...)")
check(tostring(ours.KEY) == "inspect.KEY" and tostring(ours.METATABLE) == "inspect.METATABLE", "markers' names")
for _, case in ipairs({ "KEY", "METATABLE" }) do
  local function shape(lib) return { lib[case], x = { lib[case] }, [lib[case]] = 1 } end
  check(ours(shape(ours)) == real(shape(real)), "inspect." .. case .. " as a value and key",
    ours(shape(ours)) .. "\n--- real:\n" .. real(shape(real)))
end

-- Seeded generator (Park-Miller in doubles: the same stream on every Lua) ------

local state = seed % 2147483646 + 1
local function rand() -- [0, 1)
  state = (state * 16807) % 2147483647
  return (state - 1) / 2147483646
end
local function int(n) return math.floor(rand() * n) end -- 0 .. n-1
local function pick(list) return list[int(#list) + 1] end

local is53 = math.type ~= nil
local function float(x) if is53 then return x + 0.0 end return x end
local numbers = {
  0, 1, -1, 2, 3, 7, 10, 42, 100, 255, 1000, -17, 123456789, 2 ^ 31, 2 ^ 53, -2 ^ 53, 2 ^ 63, 2 ^ 64,
  1e15, 1e16, 1e100, 1e308, -1e308, 5e-324, 2.2250738585072014e-308, 1e-10, 0.1, 0.5, -0.5, 1 / 3, 3.14159,
  1 / 0, -1 / 0, 0 / 0, -(0 / 0), float(0) * -1, -0.0, float(1), float(2), float(-3), float(1e15), float(2 ^ 53),
}
if is53 then
  numbers[#numbers + 1] = math.maxinteger
  numbers[#numbers + 1] = math.mininteger
  numbers[#numbers + 1] = math.maxinteger + 0.0
  numbers[#numbers + 1] = 9007199254740993
end
local function number()
  if rand() < 0.4 then return pick(numbers) end
  if rand() < 0.5 then return int(2001) - 1000 end
  return (rand() - 0.5) * 10 ^ (int(40) - 20)
end

local words = { "a", "b", "x1", "_", "_G", "end", "nil", "and", "for", "name", "Value", "9lives", "with space",
  "a-b", "é", "", "key", "1", "1.5", "true", "[", "]", "\\", "'", '"' }
local bytes_of_interest = { 0, 1, 7, 8, 9, 10, 11, 12, 13, 26, 27, 31, 127, 128, 191, 192, 200, 254, 255,
  34, 39, 92, 48, 49, 57, 32, 65, 95 }
local function str()
  local r = rand()
  if r < 0.35 then return pick(words) end
  local n = int(r < 0.9 and 12 or r < 0.99 and 200 or 5000)
  local b = {}
  for i = 1, n do
    local q = rand()
    if q < 0.45 then b[i] = string.char(pick(bytes_of_interest))
    elseif q < 0.6 then b[i] = string.char(48 + int(10)) -- digits, after control bytes too
    else b[i] = string.char(int(256)) end
  end
  return table.concat(b)
end

local co = coroutine.create(function() end)
local functions = { print, string.format, function() end, function() return 1 end }
local userdata = { io.stdout, io.stderr }
if newproxy then userdata[#userdata + 1] = newproxy(true) end
local cdata = {}
if type(jit) == "table" then
  local ok, ffi = pcall(require, "ffi")
  if ok then cdata = { ffi.new("int", 5), ffi.new("double[2]"), ffi.typeof("int"), ffi.typeof("struct { int x; }") } end
end
local others = { co, coroutine.create(function() return 1 end), functions[1], functions[2], functions[3], functions[4],
  userdata[1], userdata[2], userdata[3] }
for _, c in ipairs(cdata) do others[#others + 1] = c end

local error_object = setmetatable({}, { __tostring = function() return "an error object" end })
local function comment_fn()
  return pick({
    function() return "a comment" end,
    function(t) return "has " .. type(t) .. "\n\1\0012\"" end,
    function() return "" end,
    function() return nil end,
    function() return false end,
    function() return 42 end,
    function() error("tostring failed") end,
    function() error(error_object) end,
  })
end

local pool -- tables to share between places, cycles included
local gen_table
-- With process, inspect sees copies of the tables, made anew by each library,
-- so a table key's address differs between the two runs, and with it the
-- order pairs gives; keys of one type other than number and string are ties
-- that table.sort leaves in that order. So then a table gets at most one key
-- that is neither a number nor a string.
local one_odd_key

local function key()
  local r = rand()
  if r < 0.35 then return str() end
  if r < 0.6 then return number() end
  if r < 0.7 then return rand() < 0.5 end
  if r < 0.85 and #pool > 0 then return pick(pool) end
  if r < 0.9 then return gen_table(1) end
  return pick(others)
end

local function value(d)
  local r = rand()
  if r < 0.2 then return number() end
  if r < 0.4 then return str() end
  if r < 0.45 then return rand() < 0.5 end
  if r < 0.55 then return pick(others) end
  if r < 0.65 and #pool > 0 then return pick(pool) end
  if d > 0 then return gen_table(d - 1) end
  return str()
end

gen_table = function(d)
  local t = {}
  pool[#pool + 1] = t
  local seq = int(4) == 0 and 0 or int(6)
  for i = 1, seq do t[i] = value(d) end
  if rand() < 0.15 then t[seq + 2] = value(d) end -- a hole, then a number key
  local odd_keys = 0
  for _ = 1, int(6) do
    local k = key()
    if k ~= nil and k == k then
      local odd = type(k) ~= "number" and type(k) ~= "string"
      if odd then odd_keys = odd_keys + 1 end
      if not (one_odd_key and odd and odd_keys > 1) then t[k] = value(d) end
    end
  end
  local m = rand()
  if m < 0.08 then
    setmetatable(t, t) -- its own metatable
  elseif m < 0.25 then
    local mt = {}
    if rand() < 0.5 then mt.__index = rand() < 0.5 and pick(pool) or function() return 1 end end
    if rand() < 0.6 then mt.__tostring = rand() < 0.9 and comment_fn() or {} end
    if rand() < 0.3 then mt.x = value(0) end
    if rand() < 0.1 then mt.__metatable = pick({ "locked", false, {}, mt, 7 }) end
    if rand() < 0.1 then
      -- Lua 5.2+ pairs follows __pairs: one key more than the table holds,
      -- its value from __index (a table no count saw raises in both).
      local ghost = rand() < 0.8 and "boo" or {}
      mt.__pairs = function(x)
        local done = false
        return function(_, k)
          if not done then
            local nk, nv = next(x, k)
            if nk ~= nil then return nk, nv end
            done = true
            return "ghost", ghost
          end
        end, x, nil
      end
      mt.__index = function(_, k) if k == "ghost" then return ghost end end
    end
    setmetatable(t, mt)
  elseif m < 0.3 and #pool > 0 then
    local mt = pick(pool)
    if getmetatable(mt) == nil or type(getmetatable(mt)) == "table" then setmetatable(t, mt) end
  end
  return t
end

local function gen_root(tables_only)
  pool = {}
  local r = rand()
  if not tables_only and r < 0.1 then
    return pick({ nil, true, false, number(), str(), pick(others) })
  end
  return gen_table(int(3) + 1)
end

-- Options ---------------------------------------------------------------------

-- process functions, one per kind, made for one library (its markers).
local process_kinds = {
  identity = function() return function(item) return item end end,
  drop_functions = function() return function(item) if type(item) ~= "function" then return item end end end,
  drop_metatables = function(lib)
    return function(item, path) if path[#path] ~= lib.METATABLE then return item end end
  end,
  drop_string_keys = function(lib)
    return function(item, path)
      if not (path[#path] == lib.KEY and type(item) == "string" and #item > 2) then return item end
    end
  end,
  numbers_to_strings = function()
    return function(item) if type(item) == "number" then return "n" .. tostring(item) end return item end
  end,
  shallow = function() return function(item, path) if #path <= 2 then return item end end end,
  replace_tables = function(lib)
    return function(item, path)
      if type(item) == "table" and #path == 3 and path[#path] ~= lib.KEY then return { replaced = #path } end
      return item
    end
  end,
  path_text = function(lib)
    return function(item, path)
      if type(item) == "string" then
        local p = {}
        for i, x in ipairs(path) do
          p[i] = x == lib.KEY and "KEY" or x == lib.METATABLE and "MT" or type(x)
        end
        return table.concat(p, "/") .. ":" .. item
      end
      return item
    end
  end,
}
local process_names = {}
for name in pairs(process_kinds) do process_names[#process_names + 1] = name end
table.sort(process_names)

-- Bad options: the real library raises; so must ours, with the same message.
local bad_options = {
  function() return 5 end,
  function() return true end,
  function() return print end,
  function() return { depth = "2" } end,
  function() return { depth = {} } end,
  function() return { depth = true } end,
  function() return { newline = true } end,
  function() return { newline = {} } end,
  function() return { indent = {} } end,
  function() return { indent = true } end,
  function() return { process = 5 } end,
  function() return { process = "x" } end,
  function() return { process = {} } end,
  function() return { process = function() error("process refused") end } end,
  function(lib)
    return { process = function(item, path) if path[#path] == lib.METATABLE then return "not a table" end return item end }
  end,
  function() return { process = function(item) if type(item) == "string" then return 0 / 0 end return item end } end,
}

local stats = { plain = 0, depth = 0, newline = 0, indent = 0, process = 0, bad = 0, errors = 0, string_options = 0 }

-- One options recipe: returns a maker (lib -> options) and whether table keys
-- must be limited (process copies tables).
local function gen_options()
  local r = rand()
  if r < 0.15 then stats.plain = stats.plain + 1; return function() return nil end end
  if r < 0.2 then
    stats.bad = stats.bad + 1
    local f = pick(bad_options)
    return f, true
  end
  if r < 0.22 then stats.string_options = stats.string_options + 1; return function() return "abc" end end
  local o = {}
  if rand() < 0.5 then
    stats.depth = stats.depth + 1
    o.depth = pick({ 0, 1, 2, 3, 4, 5, 1.5, -1, math.huge, 0 / 0, false })
  end
  if rand() < 0.35 then
    stats.newline = stats.newline + 1
    o.newline = pick({ "", " ", "\r\n", "<NL>", "\n\n", 5, false })
  end
  if rand() < 0.35 then
    stats.indent = stats.indent + 1
    o.indent = pick({ "", "\t", " ", "    ", "--", 3, false })
  end
  local kind
  if rand() < 0.35 then
    stats.process = stats.process + 1
    kind = process_kinds[pick(process_names)]
  end
  return function(lib)
    local c = {}
    for k, v in pairs(o) do c[k] = v end
    if kind then c.process = kind(lib) end
    return c
  end, kind ~= nil
end

-- The comparison ----------------------------------------------------------------

local function run(lib, v, opts)
  local ok, out = pcall(lib.inspect, v, opts)
  if ok then return true, out end
  return false, (tostring(out):gsub("^.-:%d+: ", ""))
end

-- Where two texts part, with some context (outputs can be long).
local function first_difference(ok_r, out_r, ok_o, out_o)
  local at = 1
  while at <= #out_r and out_r:sub(at, at) == out_o:sub(at, at) do at = at + 1 end
  local from = math.max(1, at - 120)
  local function around(s) return string.format("%q", s:sub(from, at + 120)) end
  return "first difference at byte " .. at .. " (of " .. #out_r .. " / " .. #out_o .. ")\nreal ("
    .. (ok_r and "ok" or "error") .. "): " .. around(out_r) .. "\nours (" .. (ok_o and "ok" or "error") .. "): "
    .. around(out_o)
end

for i = 1, count do
  local make_options, limit_keys = gen_options()
  one_odd_key = limit_keys
  local v = gen_root(false)
  local ok_r, out_r = run(real, v, make_options(real))
  local ok_o, out_o = run(ours, v, make_options(ours))
  if not ok_r then stats.errors = stats.errors + 1 end
  check(ok_r == ok_o and out_r == out_o, "case " .. i, first_difference(ok_r, out_r, ok_o, out_o))
end

print(string.format("%s: %d passed, %d failed (seed %d; %d values: %d without options, %d depth, %d newline, "
  .. "%d indent, %d process, %d bad options, %d string options; %d raised in the real library)",
  lua_name, passed, failed, seed, count, stats.plain, stats.depth, stats.newline, stats.indent, stats.process,
  stats.bad, stats.string_options, stats.errors))
os.exit(failed == 0 and 0 or 1)
