-- mod_jwt_probe_http_limits: test-only. Prosody 0.12 and 13 refuse HTTP
-- request heads over 10 KiB and have no setting for it, so a 16 KiB token in a BOSH or
-- WebSocket URL would never reach the auth provider. The integration test
-- raises that limit so it can show the module refusing such a token itself.
-- (In a real deployment nginx sits in front and applies its own limit.)
module:set_global();
local server = require "net.http.server";
local limit = module:get_option_number("jwt_probe_http_head_limit", 64 * 1024);
server.set_option("head_size_limit", limit);
module:log("info", "HTTP request head limit set to %d bytes for the test", limit);
