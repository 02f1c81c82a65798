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

local http = require "net.http";
local async = require "util.async";
local json = require "util.json";
local base64 = require "util.encodings".base64;
local sha256 = require "util.hashes".sha256;
local http_util = require "util.http";
local id = require "util.id";

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

-- A SASL handler of our own that offers ANONYMOUS only; it has the methods
-- mod_saslauth calls (mechanisms, select, process, clean_clone).
local handler = {};
handler.__index = handler;

local function new_handler(session)
	return setmetatable({ session = session }, handler);
end

function handler:mechanisms()
	return { ANONYMOUS = true };
end

function handler:select(mechanism)
	if not self.selected and mechanism == "ANONYMOUS" then
		self.selected = mechanism;
		return true;
	end
end

function handler:clean_clone()
	return new_handler(self.session);
end

function handler:process()
	local claims, message = check_token(self.session.jwt_probe_token);
	if not claims then
		module:log("info", "token refused: %s", tostring(message));
		return "failure", "not-allowed", tostring(message);
	end
	self.username = id.medium():lower();
	self.session.jwt_probe_claims = claims;
	module:log("info", "token accepted for %s (sub %s)", self.username, tostring(claims.sub));
	return "success";
end

local provider = {};

function provider.get_sasl_handler(session)
	return new_handler(session);
end

function provider.test_password() return nil, "token authentication only"; end
function provider.get_password() return nil, "token authentication only"; end
function provider.set_password() return nil, "token authentication only"; end
function provider.user_exists() return nil, "token authentication only"; end
function provider.create_user() return nil, "token authentication only"; end
function provider.users() return next, {}, nil; end

module:provides("auth", provider);

-- The token travels in the URL the client opened the BOSH session or the
-- WebSocket with, as in Jitsi Meet.
local function remember_token(event)
	local query = event.request.url.query;
	local params = query and http_util.formdecode(query);
	if type(params) == "table" then
		event.session.jwt_probe_token = params.token;
	end
end
module:hook_global("bosh-session", remember_token);
module:hook_global("websocket-session", remember_token);
