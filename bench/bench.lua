-- The Lua side of `make bench` (scripts/bench.sh drives it; run that, not this).
--
--   lua5.4 bench/bench.lua prepare WORK MODULE_DIR
--       make the tokens every implementation verifies, with the fresh build:
--       WORK/hs256.jwt, WORK/rs256-same.jwt, WORK/rs256-rot-NNN.jwt for the
--       WORK/keys/rsa-NNN.*.pem that bench/make_keys.py made (100 of them,
--       fewer for a --quick run; WORK/rotate says how many)
--       and WORK/m-ALG.jwt for every algorithm of the Prosody 13 comparison
--   lua5.4 bench/bench.lua run NAME KIND WHERE WORK SECONDS
--       load one implementation and print "RESULT NAME OP OPS_PER_SEC" for
--       each operation it has, SECONDS of CPU time each. KIND is
--         native   WHERE is a folder holding luajwtjitsi.so (this project)
--         prosody  WHERE is Prosody's folder (util/jwt.lua), HS256 only
--         dir      WHERE is any folder with luajwtjitsi.lua, luajwtjitsi.so
--                  or luajwtjitsi.lib.lua (the luajwtjitsi 3.0 API)
--   lua5.4 bench/bench.lua matrix WORK MODULE_DIR SECONDS ROUND
--       inside the Debian 13 chroot: this project's module (MODULE_DIR) and
--       Prosody 13's prosody.util.jwt in this one process, side by side, for
--       every algorithm both implement (MATRIX below): "RESULT ours13 ALG-OP"
--       for OP = verify (the 3.0 verify), verifier (jwt.verifier) and sign,
--       "RESULT prosody13 ALG-OP" for verify and sign (its init() pair, keys
--       loaded once). ROUND (a number) alternates which side goes first.
--
-- Times are CPU time of this process (os.clock), so a busy machine slows the
-- figures less than wall time would. Every timed call's result is checked, so
-- an implementation that fails fast cannot look fast.

local mode = arg[1]

-- A realistic Jitsi token: what a JaaS or self-hosted token server mints.
local function jitsi_claims(now)
	return {
		aud = "jitsi",
		iss = "chat.example.com",
		sub = "meet.example.com",
		room = "*",
		iat = now,
		nbf = now - 10,
		exp = now + 30 * 24 * 3600,
		context = {
			user = {
				name = "Ada Lovelace",
				email = "ada@example.com",
				avatar = "https://example.com/avatars/ada.png",
				id = "4f1a9c3e-7b2d-4e8a-9c61-2f0d5b7e3a10",
				moderator = true,
			},
			features = {
				recording = true,
				livestreaming = false,
				transcription = true,
				["screen-sharing"] = true,
			},
		},
	}
end

local SECRET = "a-32-byte-shared-secret-for-jwt!"
-- The Prosody 13 comparison: every algorithm both implement, with its key
-- pair (bench/make_keys.py) or secret. HS512 gets a secret as long as its
-- hash (RFC 7518 section 3.2), the others the same one.
local MATRIX = {
	{ "HS256" }, { "HS384" }, { "HS512" },
	{ "RS256", "rsa-001" }, { "RS384", "rsa-001" }, { "RS512", "rsa-001" },
	{ "PS256", "rsa-001" }, { "PS384", "rsa-001" }, { "PS512", "rsa-001" },
	{ "ES256", "ec-p256" }, { "ES512", "ec-p521" },
}
local MATRIX_SECRET = string.rep("a-64-byte-shared-secret-for-HS*!", 2)
-- What Jitsi's token plugin passes: its accepted issuers and audiences.
local ISSUERS = { "jitsi-admin", "chat.example.com" }
local AUDIENCES = { "jitsi", "meet.example.com" }

local function read(path)
	local f = assert(io.open(path, "rb"))
	local s = f:read("a")
	f:close()
	return s
end

local function write(path, s)
	local f = assert(io.open(path, "wb"))
	f:write(s)
	f:close()
end

local function exists(path)
	local f = io.open(path, "rb")
	if f then f:close() end
	return f ~= nil
end

local function keyfile(work, i, kind)
	return string.format("%s/keys/rsa-%03d.%s.pem", work, i, kind)
end

-- The private and public key (or the secret, twice) of a MATRIX row.
local function matrix_keys(work, row)
	if not row[2] then return MATRIX_SECRET, MATRIX_SECRET end
	return read(string.format("%s/keys/%s.key.pem", work, row[2])),
		read(string.format("%s/keys/%s.pub.pem", work, row[2]))
end

local function load_native(dir)
	package.cpath = dir .. "/?.so"
	package.path = ""
	local jwt = require "luajwtjitsi"
	local found = package.searchpath("luajwtjitsi", package.cpath)
	assert(found == dir .. "/luajwtjitsi.so", "loaded the wrong module: " .. tostring(found))
	return jwt
end

local function rotate_count(work)
	return assert(tonumber(read(work .. "/rotate")), "WORK/rotate must hold a number")
end

if mode == "prepare" then
	local work, module_dir = arg[2], arg[3]
	local jwt = load_native(module_dir)
	local ROTATE = rotate_count(work)
	local claims = jitsi_claims(os.time())
	write(work .. "/hs256.jwt", assert(jwt.encode(claims, SECRET, "HS256")))
	write(work .. "/secret", SECRET)
	for i = 1, ROTATE do
		local token = assert(jwt.encode(claims, read(keyfile(work, i, "key")), "RS256", { kid = "key-" .. i }))
		write(string.format("%s/rs256-rot-%03d.jwt", work, i), token)
		if i == 1 then write(work .. "/rs256-same.jwt", token) end
	end
	for _, row in ipairs(MATRIX) do
		local private = matrix_keys(work, row)
		write(string.format("%s/m-%s.jwt", work, row[1]), assert(jwt.encode(claims, private, row[1])))
	end
	os.exit(0)
end

if mode ~= "run" and mode ~= "matrix" then
	io.stderr:write("usage: bench.lua prepare WORK MODULE_DIR | run NAME KIND WHERE WORK SECONDS"
		.. " | matrix WORK MODULE_DIR SECONDS ROUND\n")
	os.exit(2)
end

local name, kind, where, work, seconds = arg[2], arg[3], arg[4], arg[5], tonumber(arg[6])
local round = 0
if mode == "matrix" then
	name, kind, where, work, seconds, round = "ours13", "matrix", arg[3], arg[2], tonumber(arg[4]), tonumber(arg[5])
end

-- Run `op(i)` for about `seconds` of CPU time after a warm-up, in batches
-- sized so the clock is read rarely; returns calls per second.
local function measure(op)
	local clock = os.clock
	local n, i = 1, 0
	-- Warm-up and calibration: grow the batch until it takes 20 ms.
	while true do
		local t0 = clock()
		for _ = 1, n do i = i + 1; op(i) end
		if clock() - t0 >= 0.02 then break end
		n = n * 2
	end
	collectgarbage()
	local calls, spent = 0, 0
	repeat
		local t0 = clock()
		for _ = 1, n do i = i + 1; op(i) end
		spent = spent + (clock() - t0)
		calls = calls + n
	until spent >= seconds
	return calls / spent
end

local function report(op_name, op, who)
	who = who or name
	-- One checked call first: a broken implementation says why, once.
	local ok, err = pcall(op, 1)
	if not ok then
		io.stderr:write(string.format("bench: %s %s failed: %s\n", who, op_name, tostring(err)))
		print(string.format("RESULT %s %s error", who, op_name))
		return
	end
	print(string.format("RESULT %s %s %.1f", who, op_name, measure(op)))
	io.stdout:flush()
end

local hs_token = read(work .. "/hs256.jwt")
local claims = jitsi_claims(os.time())
local expected_name = claims.context.user.name

local function check_claims(c, err)
	if type(c) ~= "table" or c.context.user.name ~= expected_name then
		error("verify returned " .. tostring(c) .. " " .. tostring(err), 0)
	end
end

if kind == "matrix" then
	local jwt = load_native(where)
	package.path = "/usr/lib/?.lua;" .. package.path
	package.cpath = "/usr/lib/?.so;" .. package.cpath
	local pjwt = require "prosody.util.jwt"
	for _, row in ipairs(MATRIX) do
		local alg = row[1]
		local private, public = matrix_keys(work, row)
		local token = read(string.format("%s/m-%s.jwt", work, alg))
		local verifier = assert(jwt.verifier { alg = alg, key = public, issuers = ISSUERS, audiences = AUDIENCES })
		local p_sign, p_verify = pjwt.init(alg, private, public, { default_ttl = 3600 })
		local ours = {
			function() check_claims(jwt.verify(token, alg, public, ISSUERS, AUDIENCES)) end,
			function() check_claims(verifier:verify(token)) end,
			function()
				if type(jwt.encode(claims, private, alg)) ~= "string" then error("encode failed", 0) end
			end,
		}
		local theirs = {
			function()
				local ok, c = p_verify(token)
				if ok ~= true then error("verify failed: " .. tostring(c), 0) end
				check_claims(c)
			end,
			function()
				if type(p_sign(claims)) ~= "string" then error("sign failed", 0) end
			end,
		}
		-- Alternate which side runs first, round by round.
		local steps = {
			{ { "ours13", "verify", ours[1] }, { "ours13", "verifier", ours[2] }, { "prosody13", "verify", theirs[1] } },
			{ { "ours13", "sign", ours[3] }, { "prosody13", "sign", theirs[2] } },
		}
		for _, group in ipairs(steps) do
			local first, last, step = 1, #group, 1
			if round % 2 == 1 then first, last, step = last, first, -1 end
			for i = first, last, step do
				local who, op, fn = table.unpack(group[i])
				report(alg .. "-" .. op, fn, who)
			end
		end
	end
	os.exit(0)
end

if kind == "prosody" then
	-- Prosody 0.12's util.jwt: HS256 only. It checks the signature and
	-- decodes the payload, nothing else: no typ, exp, nbf, iss or aud.
	package.path = where .. "/?.lua;" .. package.path
	package.cpath = where .. "/?.so;" .. package.cpath
	local pjwt = require "util.jwt"
	report("hs256-verify", function()
		local ok, c = pjwt.verify(SECRET, hs_token)
		if ok ~= true then error("verify failed: " .. tostring(c), 0) end
		check_claims(c)
	end)
	report("hs256-encode", function()
		if type(pjwt.sign(SECRET, claims)) ~= "string" then error("sign failed", 0) end
	end)
	os.exit(0)
end

local jwt
if kind == "native" then
	jwt = load_native(where)
elseif kind == "dir" then
	package.path = where .. "/?.lua;" .. where .. "/?/init.lua;" .. package.path
	package.cpath = where .. "/?.so;" .. package.cpath
	if exists(where .. "/luajwtjitsi.lua") or exists(where .. "/luajwtjitsi.so") then
		jwt = require "luajwtjitsi"
	elseif exists(where .. "/luajwtjitsi.lib.lua") then
		-- What Prosody's module:require loads.
		jwt = dofile(where .. "/luajwtjitsi.lib.lua")
	else
		error("bench: " .. where .. " has no luajwtjitsi.lua, luajwtjitsi.so or luajwtjitsi.lib.lua")
	end
else
	error("bench: unknown kind " .. tostring(kind))
end

local ROTATE = rotate_count(work)
local rs_same = read(work .. "/rs256-same.jwt")
local rs_pub = read(keyfile(work, 1, "pub"))
local rs_key = read(keyfile(work, 1, "key"))
local rot_tokens, rot_keys = {}, {}
for i = 1, ROTATE do
	rot_tokens[i] = read(string.format("%s/rs256-rot-%03d.jwt", work, i))
	rot_keys[i] = read(keyfile(work, i, "pub"))
end

if kind == "native" then
	-- Not this module: what Lua itself takes to build the same claims table
	-- from a constructor, the floor under any verify that returns one.
	report("lua-claims-table", function()
		check_claims(jitsi_claims(1800000000))
	end)
end
report("hs256-verify", function()
	check_claims(jwt.verify(hs_token, "HS256", SECRET, ISSUERS, AUDIENCES))
end)
report("hs256-encode", function()
	if type(jwt.encode(claims, SECRET, "HS256")) ~= "string" then error("encode failed", 0) end
end)
report("rs256-verify-same", function()
	check_claims(jwt.verify(rs_same, "RS256", rs_pub, ISSUERS, AUDIENCES))
end)
report("rs256-verify-rotate", function(i)
	local k = i % ROTATE + 1
	check_claims(jwt.verify(rot_tokens[k], "RS256", rot_keys[k], ISSUERS, AUDIENCES))
end)
report("rs256-encode", function()
	if type(jwt.encode(claims, rs_key, "RS256", { kid = "key-1" })) ~= "string" then
		error("encode failed", 0)
	end
end)
