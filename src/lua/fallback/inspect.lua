-- inspect for Lua 5.1-5.4 and LuaJIT: this project's own code (issue 18).
-- The API of inspect.lua 3.1.1 (what Debian's lua-inspect ships and Jitsi's
-- plugins require): `inspect(value, options)`, `inspect.inspect`, the options
-- depth, newline, indent and process, and the path markers inspect.KEY and
-- inspect.METATABLE. The text it returns is the real library's, byte for
-- byte; tests/fallback/inspect.sh compares the two on generated values under
-- every Lua. Loaded from the luajwtjitsi module (`luaopen_inspect`) only when
-- no inspect.lua is on package.path.
--
-- Several choices below exist only so that the output, and the errors raised
-- for bad options, are the real library's; they are tagged AS-INSPECT.

local type, tostring, pairs, ipairs = type, tostring, pairs, ipairs
local rawget, getmetatable, setmetatable, pcall = rawget, getmetatable, setmetatable, pcall
local concat, sort, floor = table.concat, table.sort, math.floor
local byte, find, format, gsub, match = string.byte, string.find, string.format, string.gsub, string.match

-- The module passes the project's address (Cargo.toml's homepage, its only
-- home) as the chunk's argument.
local homepage = ...

local inspect = {
  -- A version check written for the real library sees the API it offers;
  -- the suffix says which code this is. The other fields describe this
  -- project, not inspect.lua, none of whose code is in it.
  _VERSION = "inspect.lua 3.1.0 (luajwtjitsi fallback)",
  _URL = homepage,
  _DESCRIPTION = "human-readable representations of tables: luajwtjitsi's stand-in for inspect.lua 3.1.1",
  _LICENSE = "MIT (the luajwtjitsi project's licence; see its debian/copyright)",
}

local function marker(name)
  return setmetatable({}, { __tostring = function() return name end })
end
inspect.KEY = marker("inspect.KEY")
inspect.METATABLE = marker("inspect.METATABLE")

-- Strings --------------------------------------------------------------------

-- The seven control characters Lua writes with a letter.
local letter_escape = {
  [7] = "\\a", [8] = "\\b", [9] = "\\t", [10] = "\\n", [11] = "\\v", [12] = "\\f", [13] = "\\r",
}

-- One byte the pattern below picked (a backslash or a %c control byte) and
-- the digit after it, if any. AS-INSPECT: other bytes below 32 are written in
-- decimal, padded to three digits only when a digit follows (so the text
-- reads back as the same bytes); DEL (127) is a %c byte that stays as it is.
local function escape_one(c, digit)
  local b = byte(c)
  if b == 92 then return "\\\\" .. digit end
  local e = letter_escape[b]
  if e then return e .. digit end
  if b < 32 then
    if digit ~= "" then return format("\\%03d", b) .. digit end
    return "\\" .. b
  end
  return c .. digit
end

local function escape(s)
  return (gsub(s, "([%c\\])(%d?)", escape_one))
end

-- AS-INSPECT: double quotes unless the text holds a double quote and no single
-- one; inside double quotes, `"` becomes `\"`.
local function quote(s)
  local dq = find(s, '"', 1, true)
  if dq and not find(s, "'", 1, true) then return "'" .. s .. "'" end
  if dq then s = gsub(s, '"', '\\"') end
  return '"' .. s .. '"'
end

-- Keys -----------------------------------------------------------------------

-- AS-INSPECT: any name-shaped string is written bare, Lua's reserved words too.
local function bare_key(k)
  return type(k) == "string" and match(k, "^[_%a][_%a%d]*$") ~= nil
end

-- Keys that are not in the sequence part sort numbers first, then booleans,
-- strings, tables, functions, userdata, threads, then any other type (cdata)
-- by type name. Numbers and strings sort by value; other keys of one type are
-- ties, left in the order table.sort leaves them.
local type_rank = { number = 1, boolean = 2, string = 3, table = 4, ["function"] = 5, userdata = 6, thread = 7 }

local function key_before(a, b)
  local ta, tb = type(a), type(b)
  if ta == tb and (ta == "number" or ta == "string") then return a < b end
  local ra, rb = type_rank[ta], type_rank[tb]
  if ra then
    if rb then return ra < rb end
    return true
  end
  if rb then return false end
  return ta < tb
end

-- The sequence part: 1, 2, ... up to the first absent raw value.
local function sequence_length(t)
  local n = 0
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  return n
end

-- The keys outside the sequence part, sorted, and the sequence's length.
local function other_keys(t)
  local n = sequence_length(t)
  local keys, count = {}, 0
  for k in pairs(t) do
    local in_sequence = type(k) == "number" and k >= 1 and k <= n and floor(k) == k
    if not in_sequence then
      count = count + 1
      keys[count] = k
    end
  end
  sort(keys, key_before)
  return keys, n
end

-- Metatables -------------------------------------------------------------------

-- The text a table's __tostring gives, when it gives a non-empty string.
-- AS-INSPECT: an error, or a nil or false result, is shown as "error: <value>".
local function tostring_comment(t, mt)
  if type(mt) ~= "table" then return nil end
  local f = rawget(mt, "__tostring")
  if type(f) ~= "function" then return nil end
  local ok, s = pcall(f, t)
  if not (ok and s) then s = "error: " .. tostring(s) end
  if type(s) == "string" and s ~= "" then return s end
  return nil
end

-- How often each table is reached from the root, through keys, values and
-- metatables (cycles included): tables reached more than once get `<n>` and
-- later `<table n>`.
local function reach_counts(root)
  local counts = {}
  local function walk(v)
    if type(v) ~= "table" then return end
    local c = counts[v]
    if c then
      counts[v] = c + 1
      return
    end
    counts[v] = 1
    for k, x in pairs(v) do
      walk(k)
      walk(x)
    end
    walk(getmetatable(v))
  end
  walk(root)
  return counts
end

-- The process option ------------------------------------------------------------

local function extend(path, a, b)
  local n = #path
  local p = {}
  for i = 1, n do p[i] = path[i] end
  p[n + 1] = a
  p[n + 2] = b
  return p
end

-- The key, or Lua's own error for a NaN key, raised here rather than by the
-- table store that follows. LuaJIT 2.1 before the fix of its issue #1069
-- (Debian 12's 2.1.0~beta3+git20220320 among them) compiles `t[k] = v` without
-- a NaN check when k was another number while the loop was recorded: the
-- machine code then stores the NaN key without an error, or, into a full
-- table, raises from inside the trace and the process dies of SIGSEGV.
-- Only keys that `process` returns can be NaN here (a table can hold none).
local function not_nan(k)
  if k ~= k then error("table index is NaN", 2) end
  return k
end

-- A copy of the value as `process` rewrites it: process(item, path) is asked
-- about every value, key and metatable (paths end with inspect.KEY for a key,
-- inspect.METATABLE for a metatable); nil drops the item. A table is copied
-- once however often it is reached, so cycles survive. AS-INSPECT: `process`
-- stays a local of this function (the real library's error for a process that
-- is not callable names it so).
local function rewrite(process, item, path, copies)
  if item == nil then return nil end
  local done = copies[item]
  if done then return done end
  local result = process(item, path)
  if type(result) ~= "table" then return result end
  local copy = {}
  copies[not_nan(item)] = copy
  for k, v in pairs(result) do
    local key = rewrite(process, k, extend(path, k, inspect.KEY), copies)
    if key ~= nil then
      -- AS-INSPECT: the value is rewritten before a NaN key is refused, so
      -- an error the value raises comes first, as with `copy[key] = rewrite(...)`.
      local value = rewrite(process, v, extend(path, key), copies)
      copy[not_nan(key)] = value
    end
  end
  setmetatable(copy, rewrite(process, getmetatable(result), extend(path, inspect.METATABLE), copies))
  return copy
end

-- Rendering ---------------------------------------------------------------------

-- AS-INSPECT: the text is gathered as the same pieces the real library joins, so
-- that a newline option table.concat refuses fails at the same index.
local function render(root, depth, newline, indent, counts)
  local out, n = {}, 0
  local level = 0
  local ids, last_id = {}, {}

  local function put(s)
    n = n + 1
    out[n] = s
  end
  local function line()
    put(newline)
    put(string.rep(indent, level))
  end
  local function id_of(v)
    local id = ids[v]
    if not id then
      local t = type(v)
      id = (last_id[t] or 0) + 1
      last_id[t] = id
      ids[v] = id
    end
    return tostring(id)
  end

  local value

  local function key(k)
    if bare_key(k) then return put(k) end
    put("[")
    value(k)
    put("]")
  end

  local function body(t)
    local keys, seq = other_keys(t)
    local mt = getmetatable(t)
    local comment = tostring_comment(t, mt)
    put("{")
    level = level + 1
    local first = true
    local function sep()
      if not first then put(",") end
      first = false
    end
    if comment then
      put(" -- ")
      put(escape(comment))
      if seq > 0 then line() end
    end
    for i = 1, seq do
      sep()
      put(" ")
      value(t[i])
    end
    for _, k in ipairs(keys) do
      sep()
      line()
      key(k)
      put(" = ")
      value(t[k])
    end
    if mt then
      sep()
      line()
      put("<metatable> = ")
      value(mt)
    end
    level = level - 1
    if keys[1] ~= nil or mt then
      line()
    elseif seq > 0 then
      put(" ")
    end
    put("}")
  end

  local function tbl(t)
    -- AS-INSPECT: compared with ==, so a table whose __eq says so prints as a marker.
    if t == inspect.KEY or t == inspect.METATABLE then
      put(tostring(t))
    elseif ids[t] ~= nil then
      put("<table ")
      put(id_of(t))
      put(">")
    elseif level >= depth then
      put("{...}")
    else
      -- AS-INSPECT: a table the count never saw (a __pairs that hides it) is an
      -- error, as in the real library.
      if counts[t] > 1 then
        put("<")
        put(id_of(t))
        put(">")
      end
      body(t)
    end
  end

  value = function(v)
    local t = type(v)
    if t == "string" then
      put(quote(escape(v)))
    elseif t == "table" then
      tbl(v)
    elseif t == "number" or t == "boolean" or t == "nil" or t == "cdata" or t == "ctype" then
      put(tostring(v))
    else
      put("<")
      put(t)
      put(" ")
      put(id_of(v))
      put(">")
    end
  end

  value(root)
  return concat(out)
end

-- inspect.inspect(value [, options]) -> string
function inspect.inspect(root, options)
  options = options or {}
  local depth = options.depth or math.huge
  local newline = options.newline or "\n"
  local indent = options.indent or "  "
  local process = options.process
  if process then root = rewrite(process, root, {}, {}) end
  return render(root, depth, newline, indent, reach_counts(root))
end

return setmetatable(inspect, {
  __call = function(_, ...) return inspect.inspect(...) end,
})
