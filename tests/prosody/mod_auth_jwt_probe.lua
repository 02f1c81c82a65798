-- mod_auth_jwt_probe: a test authentication provider that uses luajwtjitsi the
-- way Jitsi Meet's token authentication does, so the integration test can
-- drive real XMPP logins through it. Written for this project's tests; it is
-- not Jitsi's module and not meant for production.
--
-- What it does, as Jitsi's token auth does:
--   * takes the token from the BOSH or WebSocket URL query `?token=`;
--   * offers SASL ANONYMOUS and lets the client in only when the token checks
--     out; otherwise it answers <failure><not-allowed/><text>MESSAGE</text>
--     with the library's own message.
--
-- Host options:
--   jwt_probe_loader     "shim" (module:require, jitsi-meet since 2022) or
--                        "require" (plain require + decode, jitsi-meet before 2022)
--   jwt_probe_alg        expected algorithm for verify, e.g. "HS256", "RS256"
--   jwt_probe_secret     the key string (HS* secret, or a PEM)
--   jwt_probe_key_server base URL of an asap-style key server: the public key
--                        for a token is fetched from <url>/<hex(sha256(kid))>.pem
--   jwt_probe_issuers, jwt_probe_audiences   accepted lists (verify only)
--
-- One provider for Prosody 0.12 (Debian 12) and 13 (Debian 13). What differs
-- between the two for a provider like this one, and what it does about it:
--   * Prosody 13 gives every authenticated session a role. mod_saslauth
--     takes its name from the SASL handler's `role` field; without one, the
--     host's authz provider picks the role of a stored account, which a token
--     user never has, so it would get `prosody:registered` (a full account's
--     rights). This provider sets `role = "prosody:guest"`, as Prosody's own
--     anonymous logins get. Prosody 0.12 has no roles here: it hands the
--     handler's `scope` field to the session instead, which stays unset, and
--     ignores `role`.
--   * Prosody 13's library names are `prosody.util.*`, `prosody.net.*`; the
--     0.12 names used below still load there (its loader maps them).
--   * Prosody 13 fires `authentication-attempt` and `sasl/c2s/failure`
--     events through which another module could replace the failure text;
--     none is loaded here, and the test checks the exact texts on both.
--   * Prosody 13 asks providers for more (`get_account_info`, `is_enabled`,
--     roles); a provider without them is a provider whose accounts are all
--     enabled, which is right for tokens, so none is added.

local http = require "net.http";
local async = require "util.async";
local json = require "util.json";
local base64 = require "util.encodings".base64;
local sha256 = require "util.hashes".sha256;

local loader = module:get_option_string("jwt_probe_loader", "shim");
local alg = module:get_option_string("jwt_probe_alg", "HS256");
local secret = module:get_option_string("jwt_probe_secret");
local key_server = module:get_option_string("jwt_probe_key_server");
local issuers = module:get_option_array("jwt_probe_issuers");
local audiences = module:get_option_array("jwt_probe_audiences");

local jwt;
if loader == "shim" then
	jwt = module:require "luajwtjitsi";
elseif loader == "require" then
	jwt = require "luajwtjitsi";
else
	error("jwt_probe_loader must be \"shim\" or \"require\", not " .. tostring(loader));
end
-- The line an admin greps for to see which library Prosody loaded.
module:log("info", "luajwtjitsi %s loaded via %s (decode %s)",
	tostring(jwt._VERSION), loader, jwt.decode and "present" or "absent");

-- Public keys fetched from the key server, by kid. Only successes are kept,
-- so a key published later is still found; the cache is bounded because kids
-- come from tokens, which anyone can send.
local key_cache, key_cache_size, KEY_CACHE_MAX = {}, 0, 128;

-- The kid from the token header, read without verifying anything: it only
-- chooses which key the signature is then checked with.
local function header_kid(token)
	local segment = token:match("^([%w_%-]+)%.");
	if not segment then return nil; end
	local b64 = segment:gsub("[-_]", { ["-"] = "+", ["_"] = "/" });
	b64 = b64 .. string.rep("=", (4 - #b64 % 4) % 4);
	local raw = base64.decode(b64);
	local ok, header = pcall(json.decode, raw or "");
	if not ok or type(header) ~= "table" or type(header.kid) ~= "string" then return nil; end
	return header.kid;
end

local function fetch_key(kid)
	local cached = key_cache[kid];
	if cached then return cached; end
	local url = key_server:gsub("/$", "") .. "/" .. sha256(kid, true) .. ".pem";
	local response, err = async.wait_for(http.request(url));
	if not response then
		return nil, "could not fetch the public key: " .. tostring(err);
	end
	if response.code ~= 200 then
		return nil, "could not fetch the public key: HTTP " .. tostring(response.code);
	end
	if key_cache_size >= KEY_CACHE_MAX then key_cache, key_cache_size = {}, 0; end
	key_cache[kid], key_cache_size = response.body, key_cache_size + 1;
	module:log("debug", "fetched the public key for kid %q", kid);
	return response.body;
end

-- Claims for a good token, or nil and the message for the SASL failure.
local function check_token(token)
	if type(token) ~= "string" or token == "" then
		return nil, "token required";
	end
	local key = secret;
	if key_server then
		local kid = header_kid(token);
		if not kid then return nil, "token header has no kid"; end
		local fetched, err = fetch_key(kid);
		if not fetched then return nil, err; end
		key = fetched;
	end
	if loader == "require" then
		return jwt.decode(token, key, true);
	end
	return jwt.verify(token, alg, key, issuers, audiences);
end

-- The SASL handler, the provider and the token from the URL: shared with the
-- other test provider (token_probe.lib.lua).
module:require("token_probe").provide(check_token);
