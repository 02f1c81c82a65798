-- mint.lua: reads {"claims":{...}, "key":"...", "alg":"HS256", "header":{...}}
-- as JSON on stdin and prints the token luajwtjitsi.encode makes of it.
-- Used by the Prosody test and the demo so that tokens come from the module.
local json = require "dkjson"
local jwt = require "luajwtjitsi"

local request = json.decode(io.read("a"), 1, json.null)
if type(request) ~= "table" then
	io.stderr:write("mint.lua: stdin is not a JSON object\n")
	os.exit(2)
end
local header = request.header
if type(header) ~= "table" or next(header) == nil then header = nil end
local token, err = jwt.encode(request.claims, request.key, request.alg, header)
if not token then
	io.stderr:write("mint.lua: encode refused: ", tostring(err), "\n")
	os.exit(1)
end
io.write(token, "\n")
