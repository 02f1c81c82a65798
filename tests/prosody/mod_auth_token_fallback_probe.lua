-- mod_auth_token_fallback_probe: a test authentication provider that loads
-- what Jitsi Meet's token plugins load, in their order, and reads the token
-- header the way their token utility does, so that the fallback test
-- (tests/prosody/test_fallback.py) can show `basexx` and `inspect` working
-- inside Prosody when only this package's fallbacks provide them, and the
-- real libraries taking over once installed. Written for this project's
-- tests; not Jitsi's code and not meant for production.
--
-- For each login (over BOSH or WebSocket, SASL ANONYMOUS, as
-- token_probe.lib.lua provides): the token's first segment through
-- basexx.from_url64 and cjson.safe.decode, the header logged with inspect,
-- then luajwtjitsi's verify. Refusals carry the message in the SASL failure
-- text.
--
-- Host options: jwt_probe_secret (the HS256 secret), jwt_probe_alg (HS256).
-- Logs, at load: "fallback probe: basexx from SOURCE, inspect from SOURCE"
-- (debug.getinfo(f, "S").source of basexx.from_url64 and inspect.inspect:
-- "@/path/basexx.lua" for a real library, "=luajwtjitsi fallback basexx" for
-- this package's), and which luajwtjitsi was loaded.

local basexx = require "basexx";
local json = require "cjson.safe";
local inspect = require "inspect";
local jwt = module:require "luajwtjitsi";

local secret = module:get_option_string("jwt_probe_secret");
local alg = module:get_option_string("jwt_probe_alg", "HS256");

-- Where a library function was defined, as debug.getinfo names it.
local function source_of(f)
	if type(f) ~= "function" then return "(not a function: " .. type(f) .. ")"; end
	return debug.getinfo(f, "S").source;
end
local inspect_function = type(inspect) == "table" and inspect.inspect or inspect;
module:log("info", "fallback probe: basexx from %s, inspect from %s",
	source_of(basexx.from_url64), source_of(inspect_function));
module:log("info", "fallback probe: luajwtjitsi %s", tostring(jwt._VERSION));

-- The token's header, decoded without verifying anything (Jitsi reads the
-- kid and alg from it before it picks a key): nil and a message when the
-- first segment is not base64url of a JSON object.
local function read_header(token)
	local dot = token:find(".", 1, true);
	if not dot then return nil, "Invalid token"; end
	local raw, err = basexx.from_url64(token:sub(1, dot - 1));
	if not raw then return nil, "token header: " .. tostring(err); end
	local header = json.decode(raw);
	if type(header) ~= "table" then return nil, "token header is not a JSON object"; end
	return header;
end

local function check_token(token)
	if type(token) ~= "string" or token == "" then return nil, "token required"; end
	local header, err = read_header(token);
	if not header then return nil, err; end
	module:log("info", "fallback probe: token header %s", inspect(header, { newline = " ", indent = "" }));
	return jwt.verify(token, alg, secret);
end

-- A Lua error in a library (a broken fallback, say) is logged as an error,
-- which the test looks for, and refuses the login at once instead of leaving
-- the client waiting for an answer.
local function check_token_guarded(token)
	local ok, claims, message = pcall(check_token, token);
	if not ok then
		module:log("error", "fallback probe: Lua error while checking a token: %s", tostring(claims));
		return nil, "probe error: " .. tostring(claims);
	end
	return claims, message;
end

-- The SASL handler, the provider and the token from the URL, as in the other
-- test provider (token_probe.lib.lua).
module:require("token_probe").provide(check_token_guarded);
