-- The demo behind `make demo`: real Jitsi-style tokens through the freshly
-- built native module, accepted and rejected, in plain words.
local jwt = require "luajwtjitsi"
local root = assert(os.getenv("DEMO_ROOT"), "DEMO_ROOT not set")

local function read(path)
	local f = assert(io.open(root .. "/" .. path, "rb"))
	local s = f:read("a")
	f:close()
	return s
end

local function show(what, claims, err)
	if claims then
		print(("  ACCEPTED  %-46s room=%s user=%s"):format(what, tostring(claims.room),
			claims.context and claims.context.user and claims.context.user.name or "-"))
	else
		print(("  REJECTED  %-46s %q"):format(what, err))
	end
end

-- Keep the header and signature, swap in a payload that names another room:
-- what someone editing a token by hand would send.
local function tamper(token, claims)
	local edited = {}
	for k, v in pairs(claims) do edited[k] = v end
	edited.room = "board-meeting"
	local forged_payload = assert(jwt.encode(edited, "attacker-secret")):match("^[^.]+%.([^.]+)%.")
	local h, _, s = token:match("^([^.]+)%.([^.]+)%.(.*)$")
	return h .. "." .. forged_payload .. "." .. s
end

print(("luajwtjitsi %s (native, %s) loaded from %s"):format(jwt._VERSION, _VERSION,
	package.searchpath("luajwtjitsi", package.cpath)))

local now = os.time()
local secret = "demo-app-secret-0123456789abcdef"
local claims = {
	iss = "my_app_id", aud = "jitsi", sub = "meet.example.com", room = "standup",
	iat = now, nbf = now - 10, exp = now + 3600,
	context = { user = { name = "Jane Doe", email = "jane@example.com", moderator = true },
		features = { recording = true, ["screen-sharing"] = true } },
}
local issuers, audiences = { "my_app_id" }, { "jitsi" }

print("\nHS256, as jitsi-meet-tokens with app_id/app_secret:")
local token = assert(jwt.encode(claims, secret, "HS256"))
print("  token: " .. token:sub(1, 60) .. "...")
show("the token as minted", jwt.verify(token, "HS256", secret, issuers, audiences))
show("payload edited to another room", jwt.verify(tamper(token, claims), "HS256", secret, issuers, audiences))
show("checked with another secret", jwt.verify(token, "HS256", "not-the-secret", issuers, audiences))
local expired = assert(jwt.encode({ iss = "my_app_id", aud = "jitsi", room = "*", iat = now - 7200, exp = now - 3600 }, secret))
show("expired an hour ago", jwt.verify(expired, "HS256", secret, issuers, audiences))
local other_app = assert(jwt.encode({ iss = "someone_else", aud = "jitsi", room = "*", exp = now + 60 }, secret))
show("issued by another app", jwt.verify(other_app, "HS256", secret, issuers, audiences))
show("not a token at all", jwt.verify("hello", "HS256", secret))
show("token passed as a number", jwt.verify(42, "HS256", secret))

print("\nRS256 with a kid, as with asap_key_server (TEST-ONLY key):")
local private, public = read("tests/vectors/keys/rsa2048.key.pem"), read("tests/vectors/keys/rsa2048.pub.pem")
local rs = assert(jwt.encode(claims, private, "RS256", { kid = "jitsi/asap-key-1" }))
show("signed with the private key", jwt.verify(rs, "RS256", public, issuers, audiences))
show("header says RS256, caller pins HS256", jwt.verify(rs, "HS256", secret, issuers, audiences))
-- The HS/RS confusion attack: MAC a token with the public key's bytes and
-- hope the verifier uses the PEM as an HMAC secret. The key is refused first.
show("HS256 checked with the public PEM as secret", jwt.verify(token, "HS256", public, issuers, audiences))

print("\nThe 2.0 API (jitsi-meet before April 2022): decode(token, secret, true)")
local legacy = jwt.decode(token, secret, true)
show("decode with the app secret", legacy)
show("decode without verification", jwt.decode(token))
