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
if type(module) == "table" and type(module.log) == "function" then
	local where = package.searchpath and package.searchpath("luajwtjitsi", package.cpath)
	module:log("info", "luajwtjitsi %s (native) loaded from %s", native._VERSION, where or "package.cpath")
end

local view = {}
for name, value in pairs(native) do
	-- COMPAT(decode-require-only): plugins that find `decode` use it to decode
	-- without verification, so the shim, unlike `require`, leaves it out.
	if name ~= "decode" then
		view[name] = value
	end
end
return view
