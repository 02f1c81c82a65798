-- Differential test of the basexx fallback (issue 18), run by basexx.sh
-- under one interpreter:
--   <lua> basexx_driver.lua ORACLE_FILE SO_DIR SEED [CASES]
-- ORACLE_FILE is Debian's basexx.lua 0.4.1, loaded by file; SO_DIR holds
-- luajwtjitsi.so and basexx.so -> luajwtjitsi.so, loaded by `require` with
-- package.path pointing at no basexx.lua. Every exported function gets at
-- least CASES (default 10000) seeded inputs; both libraries are called with
-- the same arguments under pcall and must agree on success or error, on the
-- number and values of the results, and on the error text (after the
-- "file:line: " prefix). Output: one line per function, the first few
-- differences in full, one line per compared function and for the loading
-- checks, "basexx-case <lua> | <function>: N cases, N differ" (what basexx.sh
-- counts), and a last line "basexx-driver <lua>: N same, N differ".

local oracle_path, so_dir, seed, cases = arg[1], arg[2], tonumber(arg[3]), tonumber(arg[4] or "10000")
assert(oracle_path and so_dir and seed, "usage: basexx_driver.lua ORACLE_FILE SO_DIR SEED [CASES]")
local unpack = table.unpack or unpack
local lua_name = jit and jit.version or _VERSION
local OURS_SOURCE = "=luajwtjitsi fallback basexx"

local same_total, differ_total, shown = 0, 0, 0
-- Cases and differences by what they exercise: a function, a round trip, or
-- "loading" (which library is which) while `phase` is "loading".
local counts, differ_by, phase = {}, {}, "loading"

local function quote(v)
  if type(v) == "string" then
    if #v > 240 then
      return string.format("<%d bytes: %q...>", #v, v:sub(1, 200))
    end
    return string.format("%q", v)
  end
  return tostring(v)
end

local function fail(what)
  differ_total = differ_total + 1
  if phase then
    counts[phase] = (counts[phase] or 0) + 1
    differ_by[phase] = (differ_by[phase] or 0) + 1
  end
  if shown < 20 then
    shown = shown + 1
    print("DIFFER " .. lua_name .. " " .. what)
  end
end

local function pass()
  same_total = same_total + 1
  if phase then counts[phase] = (counts[phase] or 0) + 1 end
end

--------------------------------------------------------------------------------
-- Loading: the real library by file, ours through the built .so

local real_chunk = assert(loadfile(oracle_path))
local real = real_chunk()
package.path = so_dir .. "/?.lua"
package.cpath = so_dir .. "/?.so"
assert(not io.open(so_dir .. "/basexx.lua"), "a basexx.lua in " .. so_dir .. " would shadow the fallback")
local ours = require("basexx")

local names = {}
for k, v in pairs(real) do
  names[#names + 1] = k
  if type(v) ~= "function" then
    fail("real basexx." .. tostring(k) .. " is a " .. type(v) .. ", the driver compares functions only")
  end
end
table.sort(names)
for _, k in ipairs(names) do
  local theirs = debug.getinfo(real[k], "S").source
  if theirs ~= "@" .. oracle_path then
    fail("real basexx." .. k .. " comes from " .. theirs .. ", not " .. oracle_path)
  else
    pass()
  end
  if type(ours[k]) ~= "function" then
    fail("the fallback has no function " .. k)
  elseif debug.getinfo(ours[k], "S").source ~= OURS_SOURCE then
    fail("basexx." .. k .. " comes from " .. debug.getinfo(ours[k], "S").source .. ", not the fallback")
  else
    pass()
  end
end
for k in pairs(ours) do
  if real[k] == nil then
    fail("the fallback exports " .. tostring(k) .. ", which basexx 0.4.1 does not")
  end
end
print(string.format("%s: %d functions in basexx 0.4.1 (%s), the fallback from %s", lua_name, #names,
  oracle_path, OURS_SOURCE))

--------------------------------------------------------------------------------
-- Seeded generator (Park-Miller): the same sequence under every Lua.

local state = seed % 2147483646 + 1
local function rnd(n) -- 1..n
  state = (state * 48271) % 2147483647
  return state % n + 1
end
local function pick(list)
  return list[rnd(#list)]
end

local function random_bytes(len, from)
  local t = {}
  for i = 1, len do
    if from then
      local k = rnd(#from)
      t[i] = from:sub(k, k)
    else
      t[i] = string.char(rnd(256) - 1)
    end
  end
  return table.concat(t)
end

-- Mostly short, sometimes long (the real library takes about 2 us a byte in
-- base32/base64, so length is what the stage's time is spent on); the
-- near-100 KB cases are added separately.
local function random_length()
  local r = rnd(1000)
  if r <= 780 then return rnd(17) - 1 end
  if r <= 980 then return 16 + rnd(48) end
  if r <= 998 then return 64 + rnd(236) end
  return 300 + rnd(1700)
end

local ALL_BYTES = {}
for b = 0, 255 do ALL_BYTES[#ALL_BYTES + 1] = string.char(b) end
ALL_BYTES = table.concat(ALL_BYTES)

--------------------------------------------------------------------------------
-- Comparison

local function packed(...)
  return { n = select("#", ...), ... }
end

local function strip_where(msg)
  if type(msg) ~= "string" then return msg end
  return (msg:gsub("^.-:%d+: ", "", 1))
end

local function describe(args)
  local t = {}
  for i = 1, args.n do t[i] = quote(args[i]) end
  return "(" .. table.concat(t, ", ") .. ")"
end

local function describe_result(r)
  local t = {}
  for i = 1, r.n do t[i] = quote(r[i]) end
  return table.concat(t, ", ")
end

-- compare(label, f_real, f_ours, args): one case.
local function compare(label, f_real, f_ours, args)
  counts[label] = (counts[label] or 0) + 1
  local r = packed(pcall(f_real, unpack(args, 1, args.n)))
  local o = packed(pcall(f_ours, unpack(args, 1, args.n)))
  local agree = r[1] == o[1]
  if agree and not r[1] then
    agree = strip_where(r[2]) == strip_where(o[2]) and r.n == o.n
  elseif agree then
    agree = r.n == o.n
    for i = 2, r.n do
      if r[i] ~= o[i] or type(r[i]) ~= type(o[i]) then agree = false end
    end
  end
  if agree then
    pass()
  else
    differ_by[label] = (differ_by[label] or 0) + 1
    fail(label .. describe(args) .. "\n  real: " .. describe_result(r) .. "\n  ours: " .. describe_result(o))
  end
end

local function case(fname, ...)
  compare(fname, real[fname], ours[fname], { n = select("#", ...), ... })
end

--------------------------------------------------------------------------------
-- Inputs

-- Wrong types for every argument (and numbers, which some basexx functions
-- take as their decimal text).
local WRONG = { n = 29, nil, true, false, 0, 1, 101, 123, -1, 1.5, 0 / 0, 1 / 0, -1 / 0, 2 ^ 53, 1e300,
  {}, { 1 }, { 1, 2, 3, 4 }, { 1, 2, 3, 4, 5 }, { "a" }, print, 10, 10.0,
  setmetatable({}, { __index = string }), setmetatable({ 1, 2, 3, 4, 5 }, { __index = string }),
  setmetatable({}, { __len = function() return 5 end }), setmetatable({}, { __len = function() return 4 end }),
  setmetatable({}, { __len = function() return "x" end }), coroutine.create(function() end), io.stdout }
-- `ignore`: pattern classes as basexx takes them (some malformed on
-- purpose), then wrong types.
local IGNORE_CLASSES = { "%s", " \n", "-", "%p", "=", "%a", "a-f", "A-Z", "0-9", "^%w", "%", "", "^",
  "]", "[", "%]", ".", " ", "\t\r\n", "%d", "%l", "%u", "_", "+/", "ilo", "IU", "%x", "%c", "\0", "\255",
  "a]b", "%w", "^=" }
local IGNORE_WRONG = { n = 8, false, true, 0, 5, 1.5, {}, print, nil }
-- Characters each class in the first few matches, to sprinkle into input.
local SPRINKLE = { ["%s"] = " \t\n\r\v\f", [" \n"] = " \n", ["-"] = "-", ["%p"] = "-.:,;!?*",
  ["="] = "=", ["_"] = "_", ["\t\r\n"] = "\t\r\n", [" "] = " ", ["%c"] = "\0\1\t\n\127" }
local SPRINKLED = { "%s", " \n", "-", "%p", "=", "_", "\t\r\n", " ", "%c" }

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
local CODECS = {
  bit = { chars = "01iloILO" },
  hex = { chars = "0123456789abcdefABCDEF" },
  base32 = { chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=abcxyz" },
  crockford = { chars = "0123456789ABCDEFGHJKMNPQRSTVWXYZILOUilou=" },
  base64 = { chars = B64 .. "+/=" },
  url64 = { chars = B64 .. "-_=" },
  z85 = { chars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#", quad = true },
}
local ORDER = { "bit", "hex", "base32", "crockford", "base64", "url64", "z85" }
local PRINTABLE = {}
for b = 32, 126 do PRINTABLE[#PRINTABLE + 1] = string.char(b) end
PRINTABLE = table.concat(PRINTABLE)

-- Random data to encode; z85 wants a multiple of 4 bytes (most of the time,
-- or always when `whole`).
local function data_for(codec, len, whole)
  len = len or random_length()
  if CODECS[codec].quad and (whole or rnd(10) > 1) then len = len - len % 4 end
  local r = rnd(10)
  if r == 1 then return random_bytes(len, "\0") end
  if r == 2 then return random_bytes(len, "\255\254") end
  if r == 3 then return random_bytes(len, PRINTABLE) end
  return random_bytes(len)
end

-- A valid text of the codec, from the real encoder.
local function valid_for(codec, len)
  return real["to_" .. codec](data_for(codec, len, true))
end

local function insert_at(s, pos, piece)
  return s:sub(1, pos - 1) .. piece .. s:sub(pos)
end

local function sprinkle(s, chars, times)
  for _ = 1, times do
    local k = rnd(#chars)
    s = insert_at(s, rnd(#s + 1), chars:sub(k, k))
  end
  return s
end

local function random_ignore()
  if rnd(10) == 1 then
    return IGNORE_WRONG[rnd(IGNORE_WRONG.n)]
  end
  return pick(IGNORE_CLASSES)
end

local function mutate(codec, s)
  local m = rnd(9)
  if m == 1 then return s end
  if m == 2 then return s:sub(1, rnd(#s + 1) - 1) end -- a wrong length
  if m == 3 and #s > 0 then -- any byte at any position
    local p = rnd(#s)
    return s:sub(1, p - 1) .. string.char(rnd(256) - 1) .. s:sub(p + 1)
  end
  if m == 4 then
    local class = pick(SPRINKLED)
    return sprinkle(s, SPRINKLE[class], rnd(6)), class
  end
  if m == 5 then return rnd(2) == 1 and s:lower() or s:upper() end
  if m == 6 then return sprinkle(s, "=", rnd(4)) end
  if m == 7 then return s .. random_bytes(rnd(6), CODECS[codec].chars) end
  if m == 8 and #s > 0 then
    local p = rnd(#s)
    return s:sub(1, p - 1) .. s:sub(p + 1)
  end
  return s, random_ignore()
end

local function encoder_cases(codec)
  local f = "to_" .. codec
  for b = 0, 255 do case(f, string.char(b)) end
  case(f, ALL_BYTES)
  case(f, ALL_BYTES:reverse())
  for len = 0, 40 do case(f, ALL_BYTES:sub(256 - len)) end
  for i = 1, WRONG.n do
    case(f, WRONG[i])
    case(f, WRONG[i], "%s")
  end
  case(f)
  -- Huge: one near 100 KB, a few of several KB.
  case(f, data_for(codec, 90000 + rnd(10000)))
  case(f, data_for(codec, 1000 + rnd(19000)))
  while counts[f] < cases do case(f, data_for(codec)) end
end

local function decoder_cases(codec)
  local f = "from_" .. codec
  local chars = CODECS[codec].chars
  -- Every byte value alone, and at a random place in a valid text.
  for b = 0, 255 do
    local c = string.char(b)
    case(f, c)
    local v = valid_for(codec, rnd(12))
    case(f, insert_at(v, rnd(#v + 1), c))
    case(f, v .. c .. c .. c .. c, rnd(2) == 1 and "%s" or nil)
    v = valid_for(codec, 4 + rnd(12)) -- in place of a character: the length stays right
    local p = rnd(#v)
    case(f, v:sub(1, p - 1) .. c .. v:sub(p + 1))
  end
  -- An invalid character at every position of a valid text.
  for _ = 1, 4 do
    local v = valid_for(codec, 24 + rnd(16))
    for p = 1, #v do
      local c = string.char(rnd(256) - 1)
      case(f, v:sub(1, p - 1) .. c .. v:sub(p + 1))
      case(f, v:sub(1, p - 1) .. "~" .. v:sub(p + 1))
    end
  end
  -- Wrong types for both arguments.
  local strs = { n = WRONG.n + 3, "", "QUJD", "0110" }
  for i = 1, WRONG.n do strs[i + 3] = WRONG[i] end
  for i = 1, strs.n do
    case(f, strs[i])
    for j = 1, IGNORE_WRONG.n do case(f, strs[i], IGNORE_WRONG[j]) end
    case(f, strs[i], "%s")
  end
  for i = 1, WRONG.n do case(f, valid_for(codec), WRONG[i]) end
  -- Every ignore class on valid text with its characters sprinkled in.
  for _, class in ipairs(IGNORE_CLASSES) do
    for _ = 1, 8 do
      case(f, sprinkle(valid_for(codec), SPRINKLE[class] or " -=\n", rnd(5)), class)
    end
  end
  -- Huge: a valid text near 100 KB with line breaks, and a shorter one with
  -- a bad last character.
  case(f, (valid_for(codec, 70000):gsub(("."):rep(76), "%0\r\n")), "%s")
  case(f, valid_for(codec, 5000 + rnd(10000)):sub(1, -2) .. "\1")
  while counts[f] < cases do
    local r, s, ignore = rnd(10), nil, nil
    if r <= 4 then
      s, ignore = mutate(codec, valid_for(codec))
    elseif r <= 6 then
      s = random_bytes(random_length(), chars) -- wrong lengths, '=' anywhere
    elseif r == 7 then
      s = random_bytes(random_length())
    elseif r == 8 then
      s, ignore = random_bytes(random_length(), chars .. " \n-.%"), random_ignore()
    elseif r == 9 then
      s = random_bytes(random_length(), PRINTABLE)
    else
      s, ignore = valid_for(codec), random_ignore()
    end
    if ignore == nil and rnd(20) == 1 then
      case(f, s, nil)
    elseif ignore == nil then
      case(f, s)
    else
      case(f, s, ignore)
    end
  end
end

-- Round trips through each library; ours must also give the input back.
local function round_trips(codec, n)
  local to, from = "to_" .. codec, "from_" .. codec
  local label = "round trip " .. codec
  local function real_trip(s) return real[from]((real[to](s))) end
  local function our_trip(s) return ours[from]((ours[to](s))) end
  for _ = 1, n do
    local s = data_for(codec)
    if CODECS[codec].quad then s = s:sub(1, #s - #s % 4) end
    compare(label, real_trip, our_trip, { n = 1, s })
    if our_trip(s) == s then
      pass()
    else
      differ_by[label] = (differ_by[label] or 0) + 1
      fail(label .. " of " .. quote(s) .. " is not the input")
    end
  end
end

--------------------------------------------------------------------------------

phase = nil
local started = os.clock()
for _, codec in ipairs(ORDER) do
  local t = os.clock()
  encoder_cases(codec)
  decoder_cases(codec)
  round_trips(codec, 1000)
  print(string.format("%s %-14s %6d cases   %-16s %6d cases   round trips %5d   (%.1f s)", lua_name,
    "to_" .. codec, counts["to_" .. codec], "from_" .. codec, counts["from_" .. codec],
    counts["round trip " .. codec], os.clock() - t))
end
local labels = {}
for label in pairs(counts) do labels[#labels + 1] = label end
table.sort(labels)
for _, label in ipairs(labels) do
  print(string.format("basexx-case %s | %s: %d cases, %d differ", lua_name, label, counts[label],
    differ_by[label] or 0))
end
print(string.format("basexx-driver %s: %d same, %d differ (seed %d, %.1f s)", lua_name, same_total,
  differ_total, seed, os.clock() - started))
os.exit(differ_total == 0 and 0 or 1)
