-- Driver for tests/keyfiles/matrix.py: runs every Lua entry point of the
-- fresh build on each key-file variant and prints one tab-separated line per
-- variant. Input (arg[1]): lines "name<TAB>file<TAB>alg<TAB>genuine<TAB>forged<TAB>pubfile".
--   read     1 when verify(genuine, alg, key) returns claims, else its message
--   sign     1 when encode(claims, key, alg) makes a token that the original
--            public key verifies, else the message (private variants only)
--   decode   1 when decode(genuine, key, true) returns claims (the 2.0 path)
--   f_verify, f_decode, f_verifier, f_shim: the forged HS256 token (MACed
--            with the variant's bytes) through verify, decode, a
--            jwt.verifier{alg = "HS256"} and the Prosody shim's verify:
--            "refused: <message>" or "ACCEPTED"
--   f_encode "refused: <message>" when encode(claims, key, "HS256") makes no
--            token (a key file must never HMAC-sign), else "ACCEPTED"
--   g_verifier 1 when jwt.verifier{alg = alg, key = key} verifies the
--            genuine token, else its message
local jwt = require "luajwtjitsi"
local shim = dofile(arg[2])

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("a")
  f:close()
  return data
end

local function one_line(s)
  return (tostring(s):gsub("[\t\n\r]", " "))
end

local function claims_ok(ok, a, b)
  -- verify/decode return claims or nil, message.
  if ok and type(a) == "table" then return "1" end
  if not ok then return "error: " .. one_line(a) end
  return one_line(b)
end

local function forged_result(ok, a, b)
  if ok and type(a) == "table" then return "ACCEPTED" end
  if not ok then return "refused: " .. one_line(a) end
  return "refused: " .. one_line(b)
end

for line in io.lines(arg[1]) do
  local name, file, alg, genuine, forged, pubfile, private = line:match(
    "^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
  local key = slurp(file)
  local read = claims_ok(pcall(jwt.verify, genuine, alg, key))
  local decode = claims_ok(pcall(jwt.decode, genuine, key, true))
  local sign = "-"
  if private == "1" then
    local ok, token, err = pcall(jwt.encode, { iss = "keyfiles", exp = os.time() + 600 }, key, alg)
    if ok and token then
      sign = claims_ok(pcall(jwt.verify, token, alg, slurp(pubfile)))
    else
      sign = one_line(ok and err or token)
    end
  end
  local f_verify = forged_result(pcall(jwt.verify, forged, "HS256", key))
  local f_decode = forged_result(pcall(jwt.decode, forged, key, true))
  local f_verifier
  local vok, v, verr = pcall(jwt.verifier, { alg = "HS256", key = key })
  if not vok or not v then
    f_verifier = "refused: " .. one_line(vok and verr or v)
  else
    f_verifier = forged_result(pcall(v.verify, v, forged))
  end
  local f_shim = forged_result(pcall(shim.verify, forged, "HS256", key))
  local eok, etoken, eerr = pcall(jwt.encode, { iss = "attacker", exp = os.time() + 600 }, key, "HS256")
  local f_encode = (eok and etoken) and "ACCEPTED" or ("refused: " .. one_line(eok and eerr or etoken))
  local g_verifier
  local gok, g, gerr = pcall(jwt.verifier, { alg = alg, key = key })
  if not gok or not g then
    g_verifier = one_line(gok and gerr or g)
  else
    g_verifier = claims_ok(pcall(g.verify, g, genuine))
  end
  print(table.concat({ name, read, sign, decode, f_verify, f_decode, f_verifier, f_shim, f_encode, g_verifier },
    "\t"))
end
