-- One GCRA step for one key, atomically (Redis runs one script at a time).
--
-- KEYS[1]  the key holding the theoretical arrival time (TAT), in
--          microseconds since the Unix epoch, as a decimal string
-- ARGV[1]  now, microseconds since the Unix epoch, from the caller's clock
-- ARGV[2]  the emission interval T in microseconds (>= 1)
-- ARGV[3]  the window tau + T in microseconds (T times the burst)
--
-- Returns {allowed (1 or 0), retry_after_us, remaining}.
--
-- Lua numbers are doubles: every value stays below 2^53 microseconds (some
-- 285 years; limit.MaxWindow keeps windows to 100), so all arithmetic is
-- exact. A refusal writes nothing, so retries do not push the key further out.
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local window = tonumber(ARGV[3])

local tat = tonumber(redis.call('GET', KEYS[1]) or now) or now
if tat < now then
  tat = now
end
local new_tat = tat + interval
local ahead = new_tat - now
if ahead > window then
  return {0, ahead - window, 0}
end

-- The key expires when its TAT passes: it then means the same as no key.
-- The TTL runs on the server's clock, so it is relative (ahead), never an
-- absolute time that a skewed server clock would misread.
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil(ahead / 1000))
return {1, 0, math.floor((window - ahead) / interval)}
