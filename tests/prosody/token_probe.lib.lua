-- token_probe.lib.lua: what this project's test authentication providers
-- (mod_auth_jwt_probe.lua, mod_auth_token_fallback_probe.lua) share, loaded
-- with module:require "token_probe" so that `module` is the provider's own.
-- Written for this project's tests; not Jitsi's code.
--
-- provide(check_token) makes the calling module an auth provider that:
--   * takes the token from the BOSH or WebSocket URL query `?token=`, as
--     Jitsi Meet's clients send it;
--   * offers SASL ANONYMOUS only, through a handler with the methods
--     mod_saslauth calls (mechanisms, select, process, clean_clone);
--   * lets the client in when check_token(token) returns the claims, and
--     otherwise answers <failure><not-allowed/><text>MESSAGE</text> with the
--     message check_token returned;
--   * gives token logins the role prosody:guest on Prosody 13 (see the top of
--     mod_auth_jwt_probe.lua); Prosody 0.12 ignores it;
--   * has no accounts: the password functions refuse.

local id = require "util.id";
local http_util = require "util.http";

local TOKEN_ROLE = "prosody:guest";

local function provide(check_token)
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
		self.role = TOKEN_ROLE; -- read by Prosody 13, ignored by 0.12
		self.session.jwt_probe_claims = claims;
		module:log("info", "token accepted for %s (sub %s)", self.username, tostring(claims.sub));
		return "success";
	end

	local function refuse() return nil, "token authentication only"; end
	module:provides("auth", {
		get_sasl_handler = new_handler,
		test_password = refuse, get_password = refuse, set_password = refuse,
		user_exists = refuse, create_user = refuse,
		users = function() return next, {}, nil; end,
	});

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
end

return { provide = provide };
