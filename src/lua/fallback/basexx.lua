-- basexx for Lua 5.1-5.4 and LuaJIT: this project's own code (issue 18).
--
-- The API and the behaviour of basexx 0.4.1, the version admins install for
-- Lua 5.4, written from its observed behaviour (tests/fallback/basexx.sh
-- compares the two on generated inputs under every Lua):
--   to_X(str)            -> text
--   from_X(str, ignore)  -> bytes, or nil and a message
-- for X in bit, hex, base32, crockford, base64, url64, z85; to_z85 also
-- returns nil and a message when #str is not a multiple of 4. `ignore` is
-- the inside of a Lua pattern class ("%s", " \n", "-"): those characters
-- are dropped before decoding.
--
-- AS-BASEXX: basexx's quirks are kept on purpose, since code written against
-- it may rely on them: decoders skip '=' anywhere and drop leftover bits;
-- from_bit and from_hex keep an incomplete last group as it is ("414" ->
-- "A4"); from_z85 reads the printable characters outside its alphabet as
-- 0. Where basexx raises on arguments of the wrong type, so does this, with
-- the same message; that is why some locals below are named after the ones
-- the messages quote (`str`, `set`, and the string functions' own names).
-- Nothing here uses `//`, bit operators or goto: one text for every Lua.

local byte, char, find, format, lower, sub, upper =
  string.byte, string.char, string.find, string.format, string.lower, string.sub, string.upper
local concat, floor = table.concat, math.floor

-- POW2[k] = 2^k, built by multiplication so Lua 5.3+ keeps integers.
local POW2 = { [0] = 1 }
for k = 1, 40 do
  POW2[k] = POW2[k - 1] * 2
end

local function unexpected(text, pos)
  return format("unexpected character at position %d: '%s'", pos, sub(text, pos, pos))
end

local function bad_length(len, multiple)
  return format("invalid length: %d - must be a multiple of %d", len, multiple)
end

-- The `ignore` argument: every character of the class "[" .. set .. "]"
-- goes. A non-string `str` fails here on the method call, as in basexx.
local function drop_ignored(str, set)
  if not set then
    return str
  end
  local kept = str:gsub("[" .. set .. "]", "")
  return kept
end

-- digit -> character and character -> digit for an alphabet; `aliases`
-- maps extra characters to the digit of another one.
local function alphabet(symbols, aliases)
  local digit_of, symbol_of = {}, {}
  for i = 1, #symbols do
    local c = sub(symbols, i, i)
    symbol_of[i - 1] = c
    digit_of[c] = i - 1
  end
  for extra, same_as in pairs(aliases or {}) do
    digit_of[extra] = digit_of[same_as]
  end
  return digit_of, symbol_of
end

--------------------------------------------------------------------------------
-- Radix 2^width alphabets (base32, crockford, base64, url64)

-- Big-endian bit packing: each group of `bytes` input bytes (the last one
-- possibly shorter, zero-filled) becomes ceil(8 * n / width) symbols. A
-- non-string fails on `str:gsub` like basexx's to_bit.
local function pack(str, symbol_of, width, bytes)
  local group = "." .. string.rep(".?", bytes - 1)
  local chars = floor(bytes * 8 / width)
  local out = str:gsub(group, function(g)
    local n, len = 0, #g
    for i = 1, bytes do
      n = n * 256 + (byte(g, i) or 0)
    end
    local take = chars
    if len < bytes then
      take = floor((len * 8 + width - 1) / width)
    end
    local symbols = {}
    for k = 1, take do
      local shift = width * (chars - k)
      symbols[k] = symbol_of[floor(n / POW2[shift]) % POW2[width]]
    end
    return concat(symbols)
  end)
  return out
end

-- The inverse: symbols to bits to bytes; '=' is skipped wherever it stands
-- and bits short of a byte at the end are dropped. Reads with `sub` and
-- takes `#str` first, so non-strings fail as they do in basexx.
local function unpack_bits(str, digit_of, width)
  local out, acc, held = {}, 0, 0
  for i = 1, #str do
    local c = sub(str, i, i)
    local d = digit_of[c]
    if d then
      acc = acc * POW2[width] + d
      held = held + width
      if held >= 8 then
        held = held - 8
        local b = floor(acc / POW2[held])
        out[#out + 1] = char(b)
        acc = acc - b * POW2[held]
      end
    elseif c ~= "=" then
      return nil, unexpected(str, i)
    end
  end
  return concat(out)
end

--------------------------------------------------------------------------------
-- z85 (ZeroMQ RFC 32): 4 bytes <-> 5 digits of radix 85

local Z85_SYMBOLS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
local Z85_DIGIT, Z85_SYMBOL = alphabet(Z85_SYMBOLS)
-- AS-BASEXX: basexx accepts every printable ASCII character (32-126); those
-- outside the alphabet count as 0.
local Z85_VALUE = {}
for code = 32, 126 do
  Z85_VALUE[code] = Z85_DIGIT[char(code)] or 0
end
local POW85 = { [0] = 1, 85, 85 * 85, 85 * 85 * 85, 85 * 85 * 85 * 85 }

--------------------------------------------------------------------------------
-- bits and hex: per-byte tables

local BITS_OF, BYTE_OF_BITS, HEX_OF, BYTE_OF_HEX = {}, {}, {}, {}
do
  local hex_digits = { [0] = "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" }
  for d = 10, 15 do
    hex_digits[d] = char(55 + d) -- "A".."F"
  end
  for b = 0, 255 do
    local bits = {}
    for k = 1, 8 do
      bits[k] = floor(b / POW2[8 - k]) % 2
    end
    local c, hi, lo = char(b), floor(b / 16), b % 16
    BITS_OF[c] = concat(bits)
    BYTE_OF_BITS[BITS_OF[c]] = c
    HEX_OF[c] = hex_digits[hi] .. hex_digits[lo]
    for _, h in ipairs({ hex_digits[hi], lower(hex_digits[hi]) }) do
      for _, l in ipairs({ hex_digits[lo], lower(hex_digits[lo]) }) do
        BYTE_OF_HEX[h .. l] = c
      end
    end
  end
end
-- from_bit reads these after lower-casing; AS-BASEXX: basexx's aliases.
local BIT_VALUE = { ["0"] = "0", ["1"] = "1", o = "0", i = "1", l = "1" }

--------------------------------------------------------------------------------

local basexx = {}

-- An encoder that replaces each byte by its entry in `text_of`. A non-string
-- fails on `str:gsub`, as in basexx.
local function per_byte(text_of)
  return function(str)
    local text = str:gsub(".", text_of)
    return text
  end
end

basexx.to_bit = per_byte(BITS_OF)

function basexx.from_bit(str, ignore)
  str = drop_ignored(str, ignore)
  str = lower(str)
  local bits = {}
  for i = 1, #str do
    local v = BIT_VALUE[sub(str, i, i)]
    if not v then
      return nil, unexpected(str, i)
    end
    bits[i] = v
  end
  -- AS-BASEXX: a last group of fewer than 8 bits stays in the result as text.
  local bytes = concat(bits):gsub("........", BYTE_OF_BITS)
  return bytes
end

basexx.to_hex = per_byte(HEX_OF)

function basexx.from_hex(str, ignore)
  str = drop_ignored(str, ignore)
  local bad = find(str, "[^%x]")
  if bad then
    return nil, unexpected(str, bad)
  end
  -- AS-BASEXX: an odd last digit stays in the result as it is.
  local bytes = str:gsub("..", BYTE_OF_HEX)
  return bytes
end

-- to_NAME and from_NAME for an alphabet of 2^width symbols: `bytes` bytes
-- make one group of symbols, `pads` gives the padding by #str % bytes (none
-- when absent), `fold_case` upper-cases the input before decoding, and
-- `aliases` are extra characters read as others.
local function radix(name, symbols, width, bytes, how)
  local digit_of, symbol_of = alphabet(symbols, how.aliases)
  basexx["to_" .. name] = function(str)
    local pad = ""
    if how.pads then
      pad = how.pads[#str % bytes]
    end
    return pack(str, symbol_of, width, bytes) .. pad
  end
  basexx["from_" .. name] = function(str, ignore)
    str = drop_ignored(str, ignore)
    if how.fold_case then
      str = upper(str)
    end
    return unpack_bits(str, digit_of, width)
  end
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
-- RFC 4648 padding, by input length modulo the group size.
radix("base32", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 5, 5,
  { pads = { [0] = "", "======", "====", "===", "=" }, fold_case = true })
radix("crockford", "0123456789ABCDEFGHJKMNPQRSTVWXYZ", 5, 5,
  { aliases = { I = "1", L = "1", O = "0" }, fold_case = true })
radix("base64", B64 .. "+/", 6, 3, { pads = { [0] = "", "==", "=" } })
radix("url64", B64 .. "-_", 6, 3, {})

-- The length checks take #str in place, not from a local, so that a __len
-- that returns garbage fails with basexx's message too.
function basexx.to_z85(str)
  if #str % 4 ~= 0 then
    return nil, bad_length(#str, 4)
  end
  local out = {}
  for i = 1, #str, 4 do
    local a, b, c, d = byte(str, i, i + 3)
    local n = ((a * 256 + b) * 256 + c) * 256 + d
    for k = 4, 0, -1 do
      out[#out + 1] = Z85_SYMBOL[floor(n / POW85[k]) % 85]
    end
  end
  return concat(out)
end

function basexx.from_z85(str, ignore)
  str = drop_ignored(str, ignore)
  if #str % 5 ~= 0 then
    return nil, bad_length(#str, 5)
  end
  local out = {}
  for i = 1, #str, 5 do
    local n = 0
    for j = i, i + 4 do
      local v = Z85_VALUE[byte(str, j)]
      if not v then
        return nil, unexpected(str, j)
      end
      n = n * 85 + v
    end
    -- AS-BASEXX: values past 2^32 - 1 ("#####") wrap, as in basexx.
    for k = 3, 0, -1 do
      out[#out + 1] = char(floor(n / POW2[8 * k]) % 256)
    end
  end
  return concat(out)
end

return basexx
