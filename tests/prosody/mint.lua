-- mint.lua: reads {"claims":{...}, "key":"...", "alg":"HS256", "header":{...}}
-- as JSON on stdin and prints the token luajwtjitsi.encode makes of it.
-- Used by the Prosody test and the demo so that tokens come from the module.
-- JSON is read with dkjson (this machine's set-up) or, where only lua-cjson
-- is installed (the Debian 13 chroot of tests/prosody/debian13.sh), cjson.
local jwt = require "luajwtjitsi"

local has_dkjson, dkjson = pcall(require, "dkjson")
local request
if has_dkjson then
	request = dkjson.decode(io.read("a"), 1, dkjson.null)
else
	-- cjson reads every number as a float; claims such as exp are integers.
	local cjson = require "cjson"
	local function integers(value)
		if type(value) == "table" then
			for k, v in pairs(value) do value[k] = integers(v) end
		elseif math.tointeger and math.tointeger(value) then
			return math.tointeger(value)
		end
		return value
	end
	local ok, decoded = pcall(cjson.decode, io.read("a"))
	request = ok and integers(decoded) or nil
end
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
