-- luajwtjitsi.lib.lua: what Prosody's `module:require "luajwtjitsi"` loads.
--
-- module:require only reads `<name>.lib.lua` from Prosody's plugin paths and
-- never looks at package.cpath, so this file loads the native module with a
-- plain require and hands Prosody its luajwtjitsi 3.0 view: everything but
-- the 2.0 `decode`, because third-party plugins switch to unverified
-- decoding when they find `decode`.
--
-- Install it on a plugin path that comes before jitsi-meet's own
-- prosody-plugins folder (the Debian package diverts jitsi's copy instead).

local ok, native = pcall(require, "luajwtjitsi")
if not ok then
	error("luajwtjitsi.lib.lua: the native luajwtjitsi module could not be loaded "
		.. "(is luajwtjitsi.so on package.cpath for this Lua version?): " .. tostring(native), 0)
end
if type(native) ~= "table" or type(native._VERSION) ~= "string" then
	error("luajwtjitsi.lib.lua: `require \"luajwtjitsi\"` found a module that is not the native one; "
		.. "a luajwtjitsi.lua on package.path shadows the .so", 0)
end

-- Inside Prosody, module:require runs this file in the plugin's environment,
-- where `module` is the plugin's API table: say in Prosody's log which
-- library was loaded and from where, so an admin can confirm it. (Lua 5.1's
-- global `module` is a function, hence the type check.)
local plugin = type(module) == "table" and type(module.log) == "function" and module or nil
if plugin then
	local where = package.searchpath and package.searchpath("luajwtjitsi", package.cpath)
	plugin:log("info", "luajwtjitsi %s (native) loaded from %s", native._VERSION, where or "package.cpath")
end

local view = {}
for name, value in pairs(native) do
	-- COMPAT(decode-require-only): plugins that find `decode` use it to decode
	-- without verification, so the shim, unlike `require`, leaves it out.
	if name ~= "decode" then
		view[name] = value
	end
end

-- Jitsi's signers drop encode's message: token/util.lib.lua's
-- generateAsapToken returns an empty token and mod_short_lived_token logs
-- only "Error generating token". So inside Prosody, a key that encode refuses
-- is named in Prosody's log with the reason (an RSA key's size and the rule,
-- for one), once per key; the results are the native ones, unchanged.
if plugin then
	local encode, logged, count = native.encode, {}, 0
	local MAX_LOGGED = 64 -- keys remembered; then the memory starts again
	view.encode = function(...)
		local token, err = encode(...)
		local key, alg = select(2, ...)
		if token == nil and type(key) == "string" and type(err) == "string"
			and err:find("^Not a private PEM key: ") and not logged[key] then
			if count >= MAX_LOGGED then logged, count = {}, 0 end
			logged[key], count = true, count + 1
			-- A logger that raises must not turn encode's nil, message into an error.
			pcall(plugin.log, plugin, "error",
				"luajwtjitsi: encode cannot sign %s with this key (%s); signing takes a private key of "
				.. "the algorithm's family, RSA from 2048 to 8192 bits (RFC 7518 section 3.3). "
				.. "Every token signed with it fails until the key is replaced",
				tostring(alg), err:sub(#"Not a private PEM key: " + 1))
		end
		return token, err
	end
end
return view
