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
  it("logs each key encode refuses once, with its size and the rule; results unchanged", function()
    local lines = {}
    local fake = { log = function(_, level, fmt, ...) lines[#lines + 1] = level .. " " .. fmt:format(...) end }
    local view = run_with_module(fake)
    local small = S.key_file("keys/rsa1024.key.pem")
    local claims = { sub = "x" }
    local token, err = view.encode(claims, small, "RS256")
    local n_token, n_err = M.encode(claims, small, "RS256")
    assert.is_nil(token)
    assert.are.equal(n_err, err)
    assert.is_nil(n_token)
    assert(err:find("1024", 1, true) and err:find("2048", 1, true), err)
    assert.are.equal(2, #lines)
    local line = lines[2]
    assert(line:find("^error luajwtjitsi: encode cannot sign RS256 with this key %("), line)
    assert(line:find("this one has 1024", 1, true), line)
    assert(line:find("RSA from 2048 to 8192 bits (RFC 7518 section 3.3)", 1, true), line)
    -- The same key again: no second line. Another refused key: its own line.
    assert.is_nil((view.encode(claims, small, "PS256")))
    assert.are.equal(2, #lines)
    assert.is_nil((view.encode(claims, S.key_file("keys/rsa2048.pub.pem"), "RS256")))
    assert.are.equal(3, #lines)
    assert(lines[3]:find("a public key or certificate cannot sign", 1, true), lines[3])
    -- A key that signs, and a bad argument, log nothing.
    assert.are.equal("string", type(view.encode(claims, S.key_file("keys/rsa2048.key.pem"), "RS256")))
    assert.is_nil((view.encode(claims, small, "XX999")))
    assert.are.equal(3, #lines)
  end)
  it("a logger that raises leaves encode's nil, message", function()
    local fake = { log = function(_, level) if level == "error" then error("log broke") end end }
    local view = run_with_module(fake)
    local token, err = view.encode({}, S.key_file("keys/rsa1024.key.pem"), "RS256")
    assert.is_nil(token)
    assert(err:find("^Not a private PEM key: "), err)
  end)
  it("stays quiet outside Prosody (no module table)", function()
    local view = run_with_module(nil)
    assert.are.equal("function", type(view.verify))
  end)
end)
