-- doctor_probe.lua: what `jitsi-jwt doctor` asks Prosody's own Lua
-- interpreter. The binary writes this file to a temporary folder and runs
--   LUA probe.lua SOURCEDIR PLUGINDIR DATADIR CONFIG HOST TOKEN_ON_STDIN
-- (empty strings for what it does not know; TOKEN_ON_STDIN "token": an
-- admin's token is the first line of stdin). Each line printed is one fact,
-- fields separated by tabs, tabs and newlines in values escaped as \t and \n:
--   lua      _VERSION  JIT_VERSION|""
--   module   NAME  ok|missing  FILE  KIND  DETAIL
--   config   ok|error  FILE  DETAIL
--   plugins  DIR1;DIR2;...                    (Prosody's plugin folders, in order)
--   shim     FOUND_PATH|""  ours|other|none  DETAIL  OUR_SHIM_ELSEWHERE
--   host     NAME  AUTH  APP_ID  SECRET_LEN  SECRET_TRAILING_SPACE(yes|no)  ASAP  ALG  SECRET_SET_AT
--            (SECRET_SET_AT: FILE:LINE of the assignment that gives the host its
--            app_secret, "" when unknown or set in the global section)
--   keys     HOST  ok|problem|unknown  DETAIL  URL  fetch|parse|needtoken|kid|ok
--            (hosts with asap_key_server or cache_keys_url: the key or JWKS
--            fetched as Jitsi fetches it, and whether it fits the algorithm)
--   token    HOST  ok|problem|unknown  DETAIL
--   given    HOST  ok|problem  DETAIL         (app_secret hosts: the --token one)
-- The secret's value is never printed, only its length.
-- Runs on Lua 5.1 to 5.4 and LuaJIT.

local sourcedir, plugindir, datadir, config, want_host = arg[1], arg[2], arg[3], arg[4], arg[5]
local given_token = arg[6] == "token" and io.read("*l") or nil

local function clean(v)
	return (tostring(v == nil and "" or v):gsub("\\", "\\\\"):gsub("\t", "\\t"):gsub("\n", "\\n"))
end

local function out(...)
	local parts = {}
	for i = 1, select("#", ...) do
		parts[i] = clean((select(i, ...)))
	end
	io.write(table.concat(parts, "\t"), "\n")
end

-- package.searchpath, which Lua 5.1 lacks: the first readable file.
-- FILE_NAME, when given, is put in place of "?" as it is (dots kept).
local function search(name, path, file_name)
	local file = file_name or name:gsub("%.", "/")
	for template in path:gmatch("[^;]+") do
		local candidate = template:gsub("%?", file)
		local handle = io.open(candidate)
		if handle then
			handle:close()
			return candidate
		end
	end
end

-- Where `require` would read NAME from: package.path first, then
-- package.cpath, then (for "a.b") the all-in-one loader's "a" on cpath.
local function located(name)
	local lua_file = search(name, package.path)
	if lua_file then return lua_file, "lua" end
	local c_file = search(name, package.cpath)
	if c_file then return c_file, "c" end
	local root = name:match("^([^.]+)%.")
	if root then
		c_file = search(root, package.cpath)
		if c_file then return c_file, "c" end
	end
	return nil
end

local FALLBACK = "=luajwtjitsi fallback "
local function source_of(f)
	if type(f) ~= "function" then return "" end
	local info = debug.getinfo(f, "S")
	return info.what == "C" and "C" or info.source
end

out("lua", _VERSION, type(jit) == "table" and jit.version or "")

---- Modules, as Jitsi's token plugins require them.
local loaded = {}
for _, name in ipairs { "basexx", "cjson.safe", "inspect", "ssl", "luajwtjitsi" } do
	local file, kind = located(name)
	local ok, value = pcall(require, name)
	loaded[name] = ok and value or nil
	if not ok then
		out("module", name, "missing", file, "", value)
	else
		local what = kind == "c" and "native" or "lua"
		if name == "basexx" or name == "inspect" then
			local f = type(value) == "table" and (value.from_url64 or value.inspect) or value
			local src = source_of(f)
			what = src:sub(1, #FALLBACK) == FALLBACK and "fallback" or "real"
		elseif name == "luajwtjitsi" then
			local src = type(value) == "table" and source_of(value.verify) or ""
			what = src == "C" and "native" or "lua"
		end
		out("module", name, "ok", file, what, "")
	end
end

---- Prosody's configuration, through Prosody's own loader.
if sourcedir == "" or config == "" then
	return
end
package.path = sourcedir .. "/?.lua;" .. package.path
package.cpath = sourcedir .. "/?.so;" .. package.cpath
CFG_SOURCEDIR, CFG_DATADIR = sourcedir, datadir ~= "" and datadir or nil
CFG_CONFIGDIR = config:match("^(.*)/[^/]*$") or "."
-- Prosody 13 names its modules prosody.util.*; its loader (as prosodyctl
-- loads it) maps those names to the files. Prosody 0.11 and 0.12 have none.
if not pcall(require, "prosody.loader") then
	pcall(require, "loader")
end
prosody = prosody or { paths = { source = sourcedir, config = CFG_CONFIGDIR, data = CFG_DATADIR }, opts = {}, events = {} }

local ok_cm, cm = pcall(require, "core.configmanager")
if not ok_cm then
	out("config", "error", config, "Prosody's configmanager did not load: " .. tostring(cm))
	return
end
local ok, level, err = cm.load(config)
if not ok then
	out("config", "error", config, tostring(level) .. ": " .. tostring(err))
	return
end
out("config", "ok", config, "")

-- The plugin folders in Prosody's order (util.startup): plugin_paths, then
-- the installer's folder, then Prosody's own modules.
local dirs = {}
for _, p in ipairs(cm.get("*", "plugin_paths") or {}) do
	dirs[#dirs + 1] = p
end
local installer = cm.get("*", "installer_plugin_path") or "custom_plugins"
if cm.resolve_relative_path then
	installer = cm.resolve_relative_path(CFG_DATADIR or "data", installer)
end
dirs[#dirs + 1] = installer
if plugindir ~= "" then dirs[#dirs + 1] = plugindir end
CFG_PLUGINDIR = table.concat(dirs, ";")
out("plugins", CFG_PLUGINDIR)

-- What module:require "luajwtjitsi" finds from Jitsi's mod_auth_token.
local MARK = "the native luajwtjitsi module could not be loaded"
local function is_ours(path)
	local h = path and io.open(path)
	if not h then return false end
	local text = h:read("*a")
	h:close()
	return text:find(MARK, 1, true) ~= nil
end
local elsewhere = ""
for _, dir in ipairs { "/usr/share/jitsi-meet/prosody-plugins/", "/usr/local/share/luajwtjitsi/" } do
	if elsewhere == "" and is_ours(dir .. "luajwtjitsi.lib.lua") then elsewhere = dir end
end
local rock_shim = search(nil, package.path, "luajwtjitsi-native/luajwtjitsi.lib")
if elsewhere == "" and is_ours(rock_shim) then elsewhere = rock_shim:match("^(.*/)") end

package.loaded["util.pluginloader"] = nil
local ok_pl, pluginloader = pcall(require, "util.pluginloader")
local shim_lib, shim_path
if not ok_pl then
	out("shim", "", "none", "Prosody's util.pluginloader did not load: " .. tostring(pluginloader), elsewhere)
else
	local env = setmetatable({ module = { log = function() end } }, { __index = _G })
	local f, path = pluginloader.load_code_ext("auth_token", "luajwtjitsi", "lib.lua", env)
	if not f then
		out("shim", "", "none", path, elsewhere)
	else
		shim_path = path
		local ok_run, lib = pcall(f)
		shim_lib = ok_run and lib or nil
		out("shim", path, is_ours(path) and "ours" or "other", ok_run and "" or tostring(lib), elsewhere)
	end
end

---- Where each host's app_secret is set. The config is read a second time
-- with the per-host option tables watched: Prosody's configmanager gives
-- every VirtualHost's table one shared metatable (its __index falls back to
-- the global section), and an assignment to app_secret there is kept aside
-- so that each one, the overriding ones of later Included files too, comes
-- through __newindex, where the innermost config chunk on the stack is the
-- file (and line) that makes it. The config is then read once more as
-- Prosody reads it. Nothing is named when the tables look otherwise.
local function secret_sources()
	local mt
	for host, t in pairs(cm.getconfig()) do
		if host ~= "*" and type(t) == "table" then mt = getmetatable(t); break end
	end
	if type(mt) ~= "table" or mt.__newindex ~= nil or mt.__index == nil then return {} end
	local old_index = mt.__index
	local values, where = {}, {}
	mt.__newindex = function(t, k, v)
		if k ~= "app_secret" then return rawset(t, k, v) end
		values[t] = v
		for level = 2, 60 do
			local info = debug.getinfo(level, "Sl")
			if not info then break end
			if info.what == "main" and info.source:sub(1, 1) == "@" then
				where[t] = info.source:sub(2) .. ":" .. tostring(info.currentline)
				break
			end
		end
	end
	mt.__index = function(t, k)
		if k == "app_secret" and values[t] ~= nil then return values[t] end
		if type(old_index) == "function" then return old_index(t, k) end
		return old_index[k]
	end
	local ok = pcall(cm.load, config)
	local found = {}
	if ok then
		for host, t in pairs(cm.getconfig()) do
			if where[t] then found[host] = where[t] end
		end
	end
	mt.__index, mt.__newindex = old_index, nil
	cm.load(config)
	return found
end
local secret_set_at = secret_sources()

---- Token hosts, and a token minted and verified with each one's settings.
local hosts = {}
for host in pairs(cm.getconfig()) do
	if host ~= "*" and (want_host == "" or host == want_host) then hosts[#hosts + 1] = host end
end
table.sort(hosts)
-- GET url with the Lua Prosody runs on (luasocket, and luasec for https:
-- both are Prosody's own dependencies): the body, or nil and why.
local function fetch(url)
	local ok, http = pcall(require, url:match("^https:") and "ssl.https" or "socket.http")
	if not ok then return nil, "cannot fetch " .. url .. ": " .. tostring(http) end
	http.TIMEOUT = 10
	local body, code = http.request(url)
	if not body then return nil, "fetching " .. url .. " failed: " .. tostring(code) end
	if code ~= 200 then return nil, url .. " answered HTTP " .. tostring(code) end
	return body
end

-- A list option as Jitsi reads it (a string is a list of one); "*" anywhere
-- accepts any value, which the verifier expresses by leaving the check out.
local function accepted(value, default)
	if type(value) == "string" then value = { value } end
	if type(value) ~= "table" then value = default end
	for _, v in ipairs(value or {}) do
		if v == "*" then return nil end
	end
	return value
end

-- The key-server checks of HOST (asap_key_server, cache_keys_url): the key
-- for the given token's kid (asap: <server>/<hex sha256(kid)>.pem) or the
-- JWKS, fetched; a verifier made of it for ALG (so it must fit); then the
-- given token verified with the host's accepted issuers and audiences. Returns
-- the verifier, or nil.
local function key_checks(host, asap, keys_url, alg, app_id)
	local issuers = accepted(cm.get(host, "asap_accepted_issuers"), { app_id })
	local audiences = accepted(cm.get(host, "asap_accepted_audiences"), { "*" })
	local required = cm.get(host, "asap_require_room_claim") ~= false and { "room" } or nil
	local url
	if type(keys_url) == "string" and keys_url ~= "" then
		url = keys_url
	elseif not given_token then
		out("keys", host, "unknown", "the key is fetched from " .. tostring(asap)
			.. " by the kid of each token: give one to check it", tostring(asap), "needtoken")
		return
	else
		local t = shim_lib.inspect and shim_lib.inspect(given_token)
		local kid = type(t) == "table" and type(t.header) == "table" and t.header.kid
		if type(kid) ~= "string" or kid == "" then
			out("keys", host, "problem", "the token given has no kid header; Jitsi refuses such tokens"
				.. " with 'kid' claim is missing", tostring(asap), "kid")
			return
		end
		local ok_h, hashes = pcall(require, "util.hashes")
		local ok_x, hex = pcall(require, "util.hex")
		if not (ok_h and ok_x) then
			out("keys", host, "unknown", "Prosody's util.hashes did not load: " .. tostring(hashes), tostring(asap), "fetch")
			return
		end
		url = tostring(asap):gsub("/+$", "") .. "/" .. hex.to(hashes.sha256(kid)) .. ".pem"
	end
	local body, err = fetch(url)
	if not body then
		out("keys", host, "problem", err, url, "fetch")
		return
	end
	local v, verr = shim_lib.verifier { alg = alg, key = body, issuers = issuers, audiences = audiences, required = required }
	if not v then
		out("keys", host, "problem", "what " .. url .. " serves cannot verify " .. alg .. " tokens: " .. tostring(verr), url, "parse")
		return
	end
	out("keys", host, "ok", url .. " serves a key for " .. alg, url, "ok")
	return v
end

for _, host in ipairs(hosts) do
	local auth = cm.get(host, "authentication")
	if auth == "token" or host == want_host then
		local app_id, secret = cm.get(host, "app_id"), cm.get(host, "app_secret")
		local asap = cm.get(host, "asap_key_server")
		local keys_url = cm.get(host, "cache_keys_url")
		local key_server = (asap ~= nil and asap ~= false) or (type(keys_url) == "string" and keys_url ~= "")
		-- Jitsi's default algorithm is RS256 for key servers, HS256 for app_secret.
		local alg = cm.get(host, "signature_algorithm") or (key_server and "RS256" or "HS256")
		local trailing = type(secret) == "string" and secret:match("%s$") and "yes" or "no"
		out("host", host, auth, app_id, type(secret) == "string" and #secret or "", trailing,
			asap == nil and "" or tostring(asap), alg, secret_set_at[host])
		if auth ~= "token" then
			out("token", host, "problem", "authentication is " .. tostring(auth) .. ", not \"token\"")
		elseif not shim_lib then
			out("token", host, "unknown", "no working luajwtjitsi.lib.lua to check with"
				.. (shim_path and (" (" .. shim_path .. ")") or ""))
		elseif key_server then
			local v = key_checks(host, asap, keys_url, alg, app_id)
			if v and given_token then
				local claims, msg = v:verify(given_token)
				if claims then
					out("token", host, "ok", "the token given (iss " .. tostring(claims.iss) .. ") verified with the key server's key")
				else
					out("token", host, "problem", "the token given is refused: " .. tostring(msg))
				end
			elseif v then
				out("token", host, "unknown", "tokens for this host are signed with a private key"
					.. " that this machine does not hold: give one with --token")
			else
				out("token", host, "unknown", "no key to check a token with (see keys." .. host .. ")")
			end
		elseif type(secret) ~= "string" or secret == "" or not alg:match("^HS") then
			out("token", host, "unknown", "tokens for this host are signed with a private key"
				.. " that this machine does not hold")
		else
			-- An issuer signs with the secret as it meant it (no trailing
			-- whitespace); Prosody verifies with the configured bytes.
			local now = os.time()
			local claims = { iss = app_id, aud = "jitsi", sub = host, room = "*", exp = now + 60, nbf = now - 5 }
			local ok_enc, token = pcall(shim_lib.encode, claims, (secret:gsub("%s+$", "")), alg)
			if not ok_enc or not token then
				out("token", host, "problem", "encode failed: " .. tostring(token))
			else
				local ok_v, res, msg = pcall(shim_lib.verify, token, alg, secret, { app_id }, { "jitsi" })
				if ok_v and res then
					out("token", host, "ok", "a token signed with app_secret for iss " .. tostring(app_id) .. " verified")
				else
					out("token", host, "problem", tostring(ok_v and msg or res))
				end
			end
			if given_token then
				-- The admin's own token, checked as Jitsi checks it.
				local v, verr = shim_lib.verifier { alg = alg, key = secret,
					issuers = accepted(cm.get(host, "asap_accepted_issuers"), { app_id }),
					audiences = accepted(cm.get(host, "asap_accepted_audiences"), { "*" }),
					required = cm.get(host, "asap_require_room_claim") ~= false and { "room" } or nil }
				local claims, msg = nil, verr
				if v then claims, msg = v:verify(given_token) end
				if claims then
					out("given", host, "ok", "the token given (iss " .. tostring(claims.iss) .. ") verified with app_secret")
				else
					out("given", host, "problem", "the token given is refused: " .. tostring(msg))
				end
			end
		end
	end
end
