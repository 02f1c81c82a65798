-- Runs first (busted sorts spec files by name): is the module under test the
-- fresh build of this flavour? If not, every other result is meaningless.
local S = require "jwt_support"

describe("FRESH BUILD CHECK (if this fails, ignore every other result)", function()
  for _, c in ipairs(S.fresh_build_checks()) do
    it(c.name, function()
      assert(c.ok, "FRESH BUILD CHECK FAILED: " .. c.name .. "\n" .. c.detail)
    end)
  end

  it("exports verify, encode, decode, _internals and _VERSION", function()
    assert(S.M, "module not loaded: " .. tostring(S.LOAD_ERROR))
    assert.are.equal("function", type(S.M.verify))
    assert.are.equal("function", type(S.M.encode))
    assert.are.equal("function", type(S.M.decode))
    assert.are.equal("table", type(S.M._internals))
    assert.are.equal("string", type(S.M._VERSION))
  end)
end)
