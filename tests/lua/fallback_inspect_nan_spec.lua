-- The inspect fallback (src/lua/fallback/inspect.lua) and NaN keys: a
-- `process` option that turns a key into NaN gets Lua's "table index is NaN"
-- on every call, as the real inspect.lua does, and never a table holding a
-- NaN key. Under LuaJIT 2.1 before the fix of its issue #1069 (Debian 12's
-- 2.1.0~beta3+git20220320), a compiled `t[k] = v` does not check k for NaN:
-- once the copying loop had been compiled with number keys, a NaN key was
-- stored without an error, or, into a full table, the error was raised from
-- machine code and the process died of SIGSEGV (seen in
-- tests/fallback/inspect.sh). The calls below first get that loop compiled
-- with non-integer number keys, then make the last key NaN; before the fix,
-- 9 runs in 10 had calls that returned instead of raising.
local S = require "jwt_support"

local function load_fallback()
  local open = assert(package.loadlib(S.SO, "luaopen_inspect"))
  return open("inspect")
end

describe("inspect fallback: a process that makes a key NaN", function()
  it("raises Lua's error on every call, compiled or not", function()
    local inspect = load_fallback()
    assert.are.equal("=luajwtjitsi fallback inspect", debug.getinfo(inspect.inspect, "S").source)
    local as_number = {} -- key -> the number process gives for it; looked up, so one path
    local options = { process = function(item) return as_number[item] or item end }
    local returned, other_errors, raised = 0, {}, 0
    for _ = 1, 5 do
      for k in pairs(as_number) do as_number[k] = nil end
      for round = 1, 400 do
        local t, size = {}, round % 9 + 1
        for i = 1, size do
          t["k" .. i] = i
          as_number["k" .. i] = i + 0.5
        end
        local nan_now = round > 200
        if nan_now then as_number["k" .. size] = 0 / 0 end
        local ok, out = pcall(inspect.inspect, t, options)
        if nan_now then
          if ok then
            returned = returned + 1
          elseif tostring(out):match("^luajwtjitsi fallback inspect:%d+: table index is NaN$") then
            raised = raised + 1
          else
            other_errors[#other_errors + 1] = tostring(out)
          end
        else
          assert(ok, out)
        end
      end
    end
    assert.are.same({}, other_errors)
    assert.are.equal(0, returned)
    assert.are.equal(1000, raised)
  end)

  it("rewrites the value before refusing its NaN key, as the real library does", function()
    local inspect = load_fallback()
    -- The value's metatable becomes a string: setmetatable raises first.
    local v = setmetatable({}, {})
    local ok, out = pcall(inspect.inspect, { k = v }, { process = function(item, path)
      if item == "k" then return 0 / 0 end
      if path[#path] == inspect.METATABLE then return "not a table" end
      return item
    end })
    assert.is_false(ok)
    assert.truthy(tostring(out):match("setmetatable"), tostring(out))
  end)

  it("raises when process returns a table for a NaN value (it becomes a key of the copies)", function()
    local inspect = load_fallback()
    local ok, out = pcall(inspect.inspect, { 0 / 0 }, { process = function(item)
      if item ~= item then return {} end
      return item
    end })
    assert.is_false(ok)
    assert.truthy(tostring(out):match("table index is NaN$"), tostring(out))
  end)
end)
