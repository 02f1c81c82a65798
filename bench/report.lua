-- The table `make bench` prints (scripts/bench.sh runs it on the collected
-- "RESULT NAME OP OPS_PER_SEC" lines).
--   lua5.4 bench/report.lua RESULTS ROUNDS KEYS [baselineN=DIR]...

local results_path, rounds, keys = arg[1], arg[2], arg[3]
local labels = {}
for i = 4, #arg do
	local k, v = arg[i]:match("^([^=]+)=(.*)$")
	labels[k] = v
end

local samples, errors, names_seen, names = {}, {}, {}, {}
local speed = {} -- openssl speed: speed.rsa2048 = { sign = N, verify = N }, speed.version
for line in io.lines(results_path) do
	local what, sign, verify = line:match("^SPEED (%S+) (%S+) (%S+)$")
	if what then speed[what] = { sign = tonumber(sign), verify = tonumber(verify) } end
	local version = line:match("^SPEED version (.*)$")
	if version then speed.version = version end
	local name, op, value = line:match("^RESULT (%S+) (%S+) (%S+)$")
	if name then
		if not names_seen[name] then names_seen[name] = true; names[#names + 1] = name end
		local key = name .. " " .. op
		if value == "error" then
			errors[key] = true
		else
			samples[key] = samples[key] or {}
			table.insert(samples[key], tonumber(value))
		end
	end
end

-- Median and spread (largest distance from the median, as a fraction of it).
local function stats(name, op)
	local s = samples[name .. " " .. op]
	if not s then return nil end
	table.sort(s)
	local n = #s
	local median = n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
	local spread = math.max(median - s[1], s[n] - median) / median
	return median, spread
end

local function thousands(x)
	local s = string.format("%d", math.floor(x + 0.5))
	local out = s:reverse():gsub("(%d%d%d)", "%1,"):reverse()
	return (out:gsub("^,", ""))
end

local function cell(name, op)
	if errors[name .. " " .. op] and not samples[name .. " " .. op] then return "error" end
	local median, spread = stats(name, op)
	if not median then return "-" end
	return string.format("%s ±%d%%", thousands(median), math.floor(spread * 100 + 0.5))
end

local ops = {
	{ "hs256-verify", "HS256 verify", core = "core-hs256-verify", limit = "hmac-sha256" },
	{ "hs256-encode", "HS256 encode", core = "core-hs256-encode", limit = "hmac-sha256" },
	{ "rs256-verify-same", "RS256 verify, same key", core = "core-rs256-verify-same", limit = "awslc-rsa2048-verify" },
	{ "rs256-verify-rotate", "RS256 verify, rotating keys", core = "core-rs256-verify-rotate", limit = "awslc-rsa2048-verify" },
	{ "rs256-encode", "RS256 encode", core = "core-rs256-encode", limit = "awslc-rsa2048-sign" },
}
local limit_names = {
	["hmac-sha256"] = "HMAC-SHA256",
	["awslc-rsa2048-verify"] = "AWS-LC RSA-2048 verify",
	["awslc-rsa2048-sign"] = "AWS-LC RSA-2048 sign",
}

local baselines = {}
for _, name in ipairs(names) do
	if name ~= "luajwtjitsi" and name ~= "rust" and name ~= "ours13" and name ~= "prosody13" then
		baselines[#baselines + 1] = name
	end
end

local rows = {}
local header = { "operation", "luajwtjitsi" }
for _, b in ipairs(baselines) do header[#header + 1] = b .. " (ratio)" end
header[#header + 1] = "Rust core, no Lua (share)"
header[#header + 1] = "raw limit (share)"
rows[1] = header

local function share(ours, other)
	if not ours or not other then return "" end
	return string.format(" (%d%%)", math.floor(ours / other * 100 + 0.5))
end

for _, op in ipairs(ops) do
	local id, title = op[1], op[2]
	local ours = stats("luajwtjitsi", id)
	local row = { title, cell("luajwtjitsi", id) }
	for _, b in ipairs(baselines) do
		local theirs = stats(b, id)
		local c = cell(b, id)
		if ours and theirs then c = c .. string.format(" (%.1fx)", ours / theirs) end
		row[#row + 1] = c
	end
	row[#row + 1] = cell("rust", op.core) .. share(ours, (stats("rust", op.core)))
	row[#row + 1] = limit_names[op.limit] .. " " .. cell("rust", op.limit) .. share(ours, (stats("rust", op.limit)))
	rows[#rows + 1] = row
end

local function print_table(rows)
	local widths = {}
	for _, row in ipairs(rows) do
		for i, c in ipairs(row) do widths[i] = math.max(widths[i] or 0, utf8.len(c)) end
	end
	for n, row in ipairs(rows) do
		local parts = {}
		for i, c in ipairs(row) do
			parts[i] = (i == 1 and c .. string.rep(" ", widths[i] - utf8.len(c)))
				or string.rep(" ", widths[i] - utf8.len(c)) .. c
		end
		print(table.concat(parts, "  "))
		if n == 1 then
			local rule = {}
			for i = 1, #row do rule[i] = string.rep("-", widths[i]) end
			print(table.concat(rule, "  "))
		end
	end
end
print(string.format("\nLua 5.4, operations per second: median of %s round(s), ± the spread (farthest round from the median)", rounds))
print("(ratio) = luajwtjitsi / that implementation; (share) = luajwtjitsi as a share of that limit")
print(string.format("Rotating keys: each call uses the next of %s RSA-2048 public keys (PEM).\n", keys))
print_table(rows)
local floor = stats("luajwtjitsi", "lua-claims-table")
if floor then
	print(string.format("\nFloor: Lua 5.4 builds the same claims table from a constructor %s times a second;"
		.. "\nno verify that returns the claims as a table can beat that.", thousands(floor)))
end
for _, b in ipairs(baselines) do
	if b == "prosody" then
		print("\nprosody = Prosody 0.12 util.jwt: HS256 only; checks the signature and decodes the payload,"
			.. "\nbut no typ, exp, nbf, iss or aud, so it does less work per token than luajwtjitsi.")
	elseif labels[b] then
		print(string.format("\n%s = %s", b, labels[b]))
	end
end

-- This module beside Prosody 13's util.jwt, one Lua 5.4 process in the
-- Debian 13 chroot per round (bench.lua matrix).
local MATRIX = { "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES512" }
local function ratio_cell(ours_op, theirs_op)
	local c = cell("ours13", ours_op)
	local ours, theirs = stats("ours13", ours_op), stats("prosody13", theirs_op)
	if ours and theirs then c = c .. string.format(" (%.2fx)", ours / theirs) end
	return c
end
local below = {} -- rows under 1.0x
if names_seen.ours13 then
	local m = { { "algorithm", "3.0 verify", "jwt.verifier", "Prosody 13 verify", "encode", "Prosody 13 sign" } }
	for _, alg in ipairs(MATRIX) do
		m[#m + 1] = {
			alg, ratio_cell(alg .. "-verify", alg .. "-verify"), ratio_cell(alg .. "-verifier", alg .. "-verify"),
			cell("prosody13", alg .. "-verify"), ratio_cell(alg .. "-sign", alg .. "-sign"), cell("prosody13", alg .. "-sign"),
		}
		for _, pair in ipairs { { "verify", "verify" }, { "verifier", "verify" }, { "sign", "sign" } } do
			local ours, theirs = stats("ours13", alg .. "-" .. pair[1]), stats("prosody13", alg .. "-" .. pair[2])
			if ours and theirs and ours < theirs then
				below[#below + 1] = string.format("%s %s %.2fx", alg, pair[1], ours / theirs)
			end
		end
	end
	print("\nPer algorithm, beside Prosody 13's util.jwt (Debian 13's prosody, OpenSSL 3 through util.crypto),"
		.. "\nboth in one Lua 5.4 process in a Debian 13 chroot, medians of the same rounds; (ratio) = luajwtjitsi /"
		.. "\nProsody 13 (its one verifier for both verify columns). RSA keys are 2048 bits; ES512 is P-521.\n")
	print_table(m)
end
if speed.rsa2048 then
	print(string.format("\nHardware reference, %s `openssl speed` on this machine (user CPU time):", speed.version or "openssl"))
	for _, k in ipairs { { "rsa2048", "RSA-2048" }, { "ecdsap256", "ECDSA P-256" }, { "ecdsap521", "ECDSA P-521" } } do
		local v = speed[k[1]]
		if v then print(string.format("  %-12s sign %9s/s  verify %9s/s", k[2], thousands(v.sign), thousands(v.verify))) end
	end
end

-- The issue's targets, read off the same medians.
local function target_line(text, value, ok)
	print(string.format("  %-56s %12s  %s", text, value and thousands(value) or "-", value and (ok and "met" or "NOT met") or "not measured"))
end
local hv = stats("luajwtjitsi", "hs256-verify")
local he = stats("luajwtjitsi", "hs256-encode")
local rv = stats("luajwtjitsi", "rs256-verify-same")
local rr = stats("luajwtjitsi", "rs256-verify-rotate")
print("\ntargets (issue 5):")
target_line("HS256 verify >= 200,000/s", hv, hv and hv >= 200000)
target_line("HS256 encode >= 200,000/s", he, he and he >= 200000)
target_line("RS256 verify, same key >= 40,000/s", rv, rv and rv >= 40000)
target_line("RS256 verify, rotating keys >= half the same-key figure", rr, rr and rv and rr >= rv / 2)

if names_seen.ours13 then
	print("\ntargets (issue 28):")
	local rows_measured = 0
	for _, alg in ipairs(MATRIX) do
		if stats("ours13", alg .. "-verify") and stats("prosody13", alg .. "-verify") then rows_measured = rows_measured + 1 end
	end
	print(string.format("  %-56s %12s  %s", "every row >= 1.0x Prosody 13 (verify, verifier, encode)",
		#below == 0 and "all" or (#below .. " below"), rows_measured == 0 and "not measured" or (#below == 0 and "met" or "NOT met")))
	for _, b in ipairs(below) do print("    below: " .. b) end
	local rs = stats("ours13", "RS256-sign")
	local function vs_openssl(text, ours, theirs, factor)
		if not (ours and theirs) then target_line(text, nil) return end
		print(string.format("  %-56s %12s  %s (%.2fx)", text, thousands(ours), ours >= theirs * factor and "met" or "NOT met", ours / theirs))
	end
	vs_openssl("RS256 encode >= 0.9x openssl speed rsa2048 sign", rs, speed.rsa2048 and speed.rsa2048.sign, 0.9)
	vs_openssl("ES512 verify >= openssl speed ecdsap521 verify", stats("ours13", "ES512-verify"), speed.ecdsap521 and speed.ecdsap521.verify, 1)
	vs_openssl("ES512 encode >= openssl speed ecdsap521 sign", stats("ours13", "ES512-sign"), speed.ecdsap521 and speed.ecdsap521.sign, 1)
	-- jitsi's pure-Lua copy is not installable here (luaossl, cjson and
	-- basexx for Lua 5.4): its rate is derived from Prosody 0.12's, as below.
	local p12 = stats("prosody", "hs256-verify")
	if hv and p12 then
		local times = hv / p12 * 42000 / 1700
		print(string.format("  %-56s %11.0fx  %s", "HS256 verify >= 200x jitsi's pure-Lua copy (derived)", times, times >= 200 and "met" or "NOT met"))
		print("    derived: luajwtjitsi / Prosody 0.12 here, times 42,000 / 1,700 (util.jwt and the pure-Lua"
			.. "\n    library measured side by side on the calibration machine); see docs/performance.md")
	end
end

-- What stands between a figure and its target, from the same run.
local function per_call_us(rate) return rate and rate > 0 and 1e6 / rate or nil end
local core_hv, lc_rv = stats("rust", "core-hs256-verify"), stats("rust", "awslc-rsa2048-verify")
if hv and hv < 200000 and core_hv then
	print(string.format("  HS256 verify: the Rust core alone takes %.1f us a call here; the other %.1f us is"
		.. "\n    the Lua call, its arguments and the claims table (docs/performance.md)",
		per_call_us(core_hv), per_call_us(hv) - per_call_us(core_hv)))
end
local core_he = stats("rust", "core-hs256-encode")
if he and he < 200000 and core_he then
	print(string.format("  HS256 encode: the Rust core alone takes %.1f us a call here; the other %.1f us is"
		.. "\n    reading the Lua payload table through mlua's safe API (docs/performance.md)",
		per_call_us(core_he), per_call_us(he) - per_call_us(core_he)))
end
if rv and rv < 40000 and lc_rv then
	print(string.format("  RS256 verify: AWS-LC's RSA-2048 verification alone takes %.1f us a call here"
		.. " (%s/s);\n    40,000/s would leave %.1f us for everything else",
		per_call_us(lc_rv), thousands(lc_rv), 25 - per_call_us(lc_rv)))
end
local prosody_hv = stats("prosody", "hs256-verify")
if prosody_hv then
	print(string.format("  Calibration: Prosody's util.jwt does %s HS256 verifications a second here; the issue"
		.. "\n    measured about 42,000 on its machine, so this one runs at about %d%% of that speed",
		thousands(prosody_hv), math.floor(prosody_hv / 42000 * 100 + 0.5)))
end

-- Every figure above comes from calls whose results were checked; a failed
-- implementation or operation is counted here (and makes bench.sh fail).
local measured, failed = 0, 0
for _ in pairs(samples) do measured = measured + 1 end
for key in pairs(errors) do
	if not samples[key] then failed = failed + 1 end
end
print(string.format("\nbench: %d passed, %d failed", measured, failed))
os.exit(failed == 0 and 0 or 1)
