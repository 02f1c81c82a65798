-- busted --helper: runs once before the spec files are loaded.
-- If the module that `require "luajwtjitsi"` loads is not the fresh build,
-- every result of this run is meaningless: say so loudly on stderr, before
-- any output. 00_fresh_build_spec.lua fails with the details as well.
local S = require "jwt_support"

local problems = S.fresh_build_problems()
if #problems > 0 then
  local bar = string.rep("!", 78)
  io.stderr:write("\n", bar, "\n",
    "!!! luajwtjitsi under test is NOT the fresh build (flavour ", tostring(S.FLAVOUR), ").\n",
    "!!! Every result below is meaningless until this is fixed:\n")
  for _, p in ipairs(problems) do
    io.stderr:write("!!!   - ", (p:gsub("\n", "\n!!!     ")), "\n")
  end
  io.stderr:write(bar, "\n\n")
end
