-- plugin_orders.lua CONFIG...: run by tests/docker/run.sh inside the built
-- image, as its user (s6), under the image's lua5.4. For each Prosody config
-- file of the image (docker-jitsi-meet's /defaults/conf.d/*.cfg.lua) it reads
-- the config's plugin_paths and has Prosody's own plugin loader
-- (prosody.util.pluginloader, from the image's Prosody) find
-- `luajwtjitsi.lib.lua` for jitsi's token plugin, as `module:require
-- "luajwtjitsi"` does in mod_auth_token, with Prosody's modules folder last
-- as Prosody adds it; then runs what it found in a plugin environment and
-- signs and verifies an HS256 token with the result. One line per config:
--   order CONFIG: PATH1 PATH2 ... -> FILE | LOG LINE | verify: RESULT
-- or "order CONFIG: ... -> error: MESSAGE". Exit status 0 either way.
package.path = "/usr/lib/?.lua;" .. package.path
package.cpath = "/usr/lib/?.so;" .. package.cpath

local function plugin_paths(config)
	local f = assert(io.open(config))
	local text = f:read("a")
	f:close()
	local list = text:match("\nplugin_paths%s*=%s*(%b{})") or text:match("^plugin_paths%s*=%s*(%b{})")
	if not list then return nil, "no plugin_paths line" end
	return load("return " .. list, "=plugin_paths", "t", {})()
end

local function probe(config)
	local paths, err = plugin_paths(config)
	if not paths then return "error: " .. err end
	local dirs = {}
	for i, p in ipairs(paths) do dirs[i] = p end
	dirs[#dirs + 1] = "/usr/lib/prosody/modules/"
	io.write(table.concat(paths, " "), " -> ")
	-- The loader reads CFG_PLUGINDIR when it is loaded, as in Prosody.
	CFG_PLUGINDIR = table.concat(dirs, ";")
	package.loaded["prosody.util.pluginloader"] = nil
	local loader = require "prosody.util.pluginloader"
	local logged = {}
	local env = setmetatable({
		module = { log = function(_, level, fmt, ...) logged[#logged + 1] = level .. " " .. fmt:format(...) end },
	}, { __index = _G })
	local chunk, where = loader.load_code_ext("auth_token", "luajwtjitsi", "lib.lua", env)
	if not chunk then return "error: " .. tostring(where) end
	local ok, jwt = pcall(chunk)
	if not ok then return where .. " | error: " .. tostring(jwt) end
	local now = os.time()
	local token, e = jwt.encode({ iss = "app", aud = "jitsi", sub = "meet.jitsi", room = "*", exp = now + 60 }, "orders-secret", "HS256")
	local claims, verr
	if token then claims, verr = jwt.verify(token, "HS256", "orders-secret") else verr = e end
	return ("%s | %s | verify: %s"):format(where, table.concat(logged, "; "),
		claims and ("ok, sub " .. tostring(claims.sub)) or ("failed: " .. tostring(verr)))
end

for _, config in ipairs(arg) do
	io.write("order ", config:match("[^/]+$"), ": ")
	io.write(probe(config), "\n")
end
