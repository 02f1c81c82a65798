-- lua/luajwtjitsi.lib.lua: the shim Prosody's module:require "luajwtjitsi"
-- loads. It returns the v3 view of the native module: no decode.
local S = require "jwt_support"
local M = S.M

local SHIM = S.ROOT .. "/lua/luajwtjitsi.lib.lua"

describe("Prosody shim lua/luajwtjitsi.lib.lua", function()
  local shim, load_err
  local function load_shim()
    if shim == nil and load_err == nil then
      local ok, v = pcall(dofile, SHIM)
      if ok then shim = v else load_err = tostring(v) end
    end
    assert(shim ~= nil, "dofile(" .. SHIM .. ") failed: " .. tostring(load_err))
    return shim
  end

  it("returns a table", function()
    assert.are.equal("table", type(load_shim()))
  end)
  it("has verify, encode, _internals and _VERSION", function()
    local t = load_shim()
    assert.are.equal("function", type(t.verify))
    assert.are.equal("function", type(t.encode))
    assert.are.equal("table", type(t._internals))
    assert.are.equal("string", type(t._VERSION))
  end)
  it("has no decode (plugins switch to unverified decoding when it exists)", function()
    local t = load_shim()
    assert.is_nil(rawget(t, "decode"))
    assert.is_nil(t.decode)
  end)
  it("exposes the native module's own functions", function()
    local t = load_shim()
    assert(M, "native module not loaded: " .. tostring(S.LOAD_ERROR))
    assert(rawequal(t.verify, M.verify), "shim verify is not the native verify")
    assert(rawequal(t.encode, M.encode), "shim encode is not the native encode")
    for name, f in pairs(M._internals) do
      assert(rawequal(t._internals[name], f), "shim _internals." .. tostring(name) .. " is not the native one")
    end
    for name in pairs(t._internals) do
      assert(M._internals[name] ~= nil, "shim _internals has an extra " .. tostring(name))
    end
    assert.are.equal(M._VERSION, t._VERSION)
  end)
  it("leaves decode on the native module's table", function()
    load_shim()
    assert.are.equal("function", type(M.decode))
  end)
  it("the shim's verify works", function()
    local c = S.verify_case("alg/HS256/valid")
    local r = S.call(load_shim().verify, c.token, c.alg, c.key)
    local ok, msg = S.check_claims_result(r)
    assert(ok, msg)
  end)
end)

describe("shim inside Prosody's plugin environment", function()
  local SHIM = S.ROOT .. "/lua/luajwtjitsi.lib.lua"
  -- module:require runs the file with the plugin's environment, where
  -- `module` is a table with a log method.
  local function run_with_module(fake_module)
    local chunk = assert(loadfile(SHIM))
    local env = setmetatable({ module = fake_module }, { __index = _G })
    if setfenv then setfenv(chunk, env) else
      chunk = assert(load(assert(io.open(SHIM)):read("*a"), "=shim", "t", env))
    end
    return chunk()
  end

  it("logs the native version and where it came from", function()
    local lines = {}
    local fake = { log = function(_, level, fmt, ...) lines[#lines + 1] = level .. " " .. fmt:format(...) end }
    local view = run_with_module(fake)
    assert.are.equal("table", type(view))
    assert.are.equal(1, #lines)
    assert(lines[1]:find("^info luajwtjitsi " .. M._VERSION:gsub("%p", "%%%0") .. " %(native%) loaded from "),
      lines[1])
    if package.searchpath then
      assert(lines[1]:find(package.searchpath("luajwtjitsi", package.cpath), 1, true), lines[1])
    end
  end)
  it("stays quiet outside Prosody (no module table)", function()
    local view = run_with_module(nil)
    assert.are.equal("function", type(view.verify))
  end)
end)
