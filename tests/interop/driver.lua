-- Interop test driver: a long-lived Lua 5.4 process that runs luajwtjitsi
-- operations for tests/interop/test_interop.py.
--
-- Protocol (one JSON object per line, both ways):
--   first line out: {"hello":true,"lua":...,"so":...}
--   in : {"id":N,"op":"verify","token":..,"alg":..,"key":..,"issuers":[..],"audiences":[..]}
--        {"id":N,"op":"encode","payload":{..},"key":..,"alg":..,"header":{..}}
--        (absent members are not passed; trailing nil arguments are dropped)
--   out: {"id":N,"n":<number of return values>,"rets":[..],"meta":[paths]}
--        {"id":N,"raised":"<error>"}         when the call raised a Lua error
--        {"id":N,"proto_error":"<reason>"}   when the request was not understood
-- Return values are written as JSON: integers as integers, floats always with a
-- '.' or exponent (so the Python side can tell 1 from 1.0), cjson.null as null,
-- and anything JSON cannot hold as {"$lua":"<what>"}. "meta" lists the paths
-- of returned tables that carry a metatable.
--
-- Request JSON is read with dkjson (it keeps integers as Lua integers) and JSON
-- null becomes cjson.null; dkjson's metatables are stripped so the module sees
-- plain tables, as Prosody code would hand it.

local cjson = require "cjson"
local dkjson = require "dkjson"
local NULL = cjson.null

local shadow = package.searchpath("luajwtjitsi", package.path)
if shadow then
  io.stderr:write("driver: the Lua file " .. shadow .. " would shadow the native module\n")
  os.exit(2)
end
local so_path = package.searchpath("luajwtjitsi", package.cpath)
local jwt = require "luajwtjitsi"

local function plain(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = plain(x) end
  return t
end

local function enc_string(s)
  return '"' .. (s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == '\\' then return '\\\\' end
    return string.format("\\u%04x", c:byte())
  end)) .. '"'
end

local function marker(what)
  return '{"$lua":' .. enc_string(what) .. '}'
end

local enc

local function enc_table(t, path, meta, seen)
  if seen[t] then return marker("cycle") end
  seen[t] = true
  if getmetatable(t) ~= nil then meta[#meta + 1] = path end
  local n, maxi, allint = 0, 0, true
  for k in pairs(t) do
    n = n + 1
    if math.type(k) == "integer" and k >= 1 then
      if k > maxi then maxi = k end
    else
      allint = false
    end
  end
  local parts = {}
  if n > 0 and allint and maxi == n then
    for i = 1, n do parts[i] = enc(t[i], path .. "[" .. i .. "]", meta, seen) end
    seen[t] = nil
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  local names = {}
  for _, k in ipairs(keys) do
    if type(k) == "string" then names[k] = k
    else names[k] = "$key:" .. type(k) .. ":" .. tostring(k) end
  end
  table.sort(keys, function(a, b) return names[a] < names[b] end)
  for _, k in ipairs(keys) do
    parts[#parts + 1] = enc_string(names[k]) .. ":" .. enc(t[k], path .. "." .. names[k], meta, seen)
  end
  seen[t] = nil
  return "{" .. table.concat(parts, ",") .. "}"
end

enc = function(v, path, meta, seen)
  local t = type(v)
  if t == "nil" then return marker("nil") end
  if t == "boolean" then return tostring(v) end
  if t == "string" then return enc_string(v) end
  if t == "number" then
    if math.type(v) == "integer" then return string.format("%d", v) end
    if v ~= v then return marker("nan") end
    if v == math.huge then return marker("inf") end
    if v == -math.huge then return marker("-inf") end
    if v == math.floor(v) then return string.format("%.1f", v) end
    return string.format("%.17g", v)
  end
  if v == NULL then return "null" end
  if t == "table" then return enc_table(v, path, meta, seen) end
  return marker(t)
end

local function out(s)
  io.stdout:write(s, "\n")
  io.stdout:flush()
end

out('{"hello":true,"lua":' .. enc_string(_VERSION) .. ',"so":' .. enc_string(tostring(so_path)) .. '}')

local function id_json(req)
  if type(req) == "table" and math.type(req.id) == "integer" then return string.format("%d", req.id) end
  return "null"
end

for line in io.lines() do
  local ok, req, _, derr = pcall(dkjson.decode, line, 1, NULL)
  if not ok then derr, req = tostring(req), nil end
  req = plain(req)
  local args, nargs, f
  if type(req) ~= "table" then
    out('{"id":null,"proto_error":' .. enc_string("bad request json: " .. tostring(derr)) .. '}')
  else
    if req.op == "verify" then
      f, args, nargs = jwt.verify, { req.token, req.alg, req.key, req.issuers, req.audiences }, 5
    elseif req.op == "encode" then
      f, args, nargs = jwt.encode, { req.payload, req.key, req.alg, req.header }, 4
    elseif req.op == "decode" then
      f, args, nargs = jwt.decode, { req.token, req.key, true }, 3
    elseif req.op == "verifier" then
      -- jwt.verifier{alg, key} built per request, then :verify(token).
      f = function(token, alg, key)
        local v, err = jwt.verifier({ alg = alg, key = key })
        if not v then return nil, err end
        return v:verify(token)
      end
      args, nargs = { req.token, req.alg, req.key }, 3
    end
    if not f then
      out('{"id":' .. id_json(req) .. ',"proto_error":' .. enc_string("unknown op " .. tostring(req.op)) .. '}')
    else
      while nargs > 0 and args[nargs] == nil do nargs = nargs - 1 end
      local r = table.pack(pcall(f, table.unpack(args, 1, nargs)))
      if not r[1] then
        out('{"id":' .. id_json(req) .. ',"raised":' .. enc_string(tostring(r[2])) .. '}')
      else
        local meta, parts = {}, {}
        for i = 2, r.n do parts[#parts + 1] = enc(r[i], "$" .. (i - 1), meta, {}) end
        local mparts = {}
        for i, p in ipairs(meta) do mparts[i] = enc_string(p) end
        out('{"id":' .. id_json(req) .. ',"n":' .. (r.n - 1) .. ',"rets":[' .. table.concat(parts, ",")
          .. '],"meta":[' .. table.concat(mparts, ",") .. ']}')
      end
    end
  end
end
