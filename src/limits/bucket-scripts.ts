/**
 * The bucket arithmetic of bucket.ts as Lua, so a take across every scope of a request is one
 * atomic step on Redis that no other replica can interleave with. Each bucket is a hash:
 * l = level (points used, drained since t), t = ms of the last write, b = blocked until (ms).
 *
 * ARGV[1] is the time in ms, or '' for the Redis server's clock (one clock for every replica;
 * tests pass their own). Levels are fractional, so they are stored and returned as strings:
 * Redis would truncate a Lua number reply to an integer.
 */
import { LEVEL_EPSILON, MAX_DEBT_LIMITS } from './bucket.js';
import { luaScript } from './redis-eval.js';

const PRELUDE = `
local function clock()
  local now = tonumber(ARGV[1])
  if now then return now end
  -- Writes after TIME need effects replication before Redis 5 (it is the default since).
  if redis.replicate_commands then redis.replicate_commands() end
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local function num(value) return string.format('%.17g', value) end
local function load(key, limit, window, now)
  local s = redis.call('HMGET', key, 'l', 't', 'b')
  local level = tonumber(s[1]) or 0
  local at = tonumber(s[2]) or now
  local blockedUntil = tonumber(s[3]) or 0
  if now > at then level = math.max(0, level - (now - at) * limit / window) end
  return level, math.max(at, now), blockedUntil, s[1] ~= false
end
local function keep(key, level, blockedMs, limit, window)
  redis.call('PEXPIRE', key, math.max(math.ceil(level * window / limit), blockedMs) + 1000)
end
`;

/**
 * KEYS: the buckets. Per key i, from ARGV[2 + 4(i-1)]: limit, window ms, points, block ms.
 * Returns {allowed (1|0), level_1, blockedMs_1, level_2, blockedMs_2, ...}, levels after the take.
 */
export const TAKE_SCRIPT = luaScript(`${PRELUDE}
local now = clock()
local rows = {}
local allowed = true
for i = 1, #KEYS do
  local base = 2 + (i - 1) * 4
  local limit, window, points = tonumber(ARGV[base]), tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  local level, at, blockedUntil = load(KEYS[i], limit, window, now)
  local blocked = math.max(0, math.ceil(blockedUntil - now))
  local refusing = blocked > 0 or level + points > limit + ${LEVEL_EPSILON}
  if refusing then allowed = false end
  rows[i] = {level = level, at = at, blocked = blocked, refusing = refusing, limit = limit, window = window, points = points,
    block = tonumber(ARGV[base + 3])}
end
local reply = {allowed and 1 or 0}
for i = 1, #KEYS do
  local r = rows[i]
  if allowed then
    r.level = r.level + r.points
    redis.call('HSET', KEYS[i], 'l', num(r.level), 't', num(r.at), 'b', '0')
    keep(KEYS[i], r.level, 0, r.limit, r.window)
  elseif r.refusing and r.blocked == 0 and r.block > 0 then
    redis.call('HSET', KEYS[i], 'l', num(r.level), 't', num(now), 'b', num(now + r.block))
    r.blocked = r.block
    keep(KEYS[i], r.level, r.block, r.limit, r.window)
  end
  reply[#reply + 1] = num(r.level)
  reply[#reply + 1] = r.blocked
end
return reply
`);

/**
 * KEYS: the buckets. Per key i, from ARGV[2 + 3(i-1)]: limit, window ms, delta. A positive delta
 * raises the level (capped), a negative one lowers it (never below zero); a refund to a bucket
 * that does not exist does nothing. Returns the number of buckets written.
 */
export const ADJUST_SCRIPT = luaScript(`${PRELUDE}
local now = clock()
local written = 0
for i = 1, #KEYS do
  local base = 2 + (i - 1) * 3
  local limit, window, delta = tonumber(ARGV[base]), tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  local level, at, blockedUntil, exists = load(KEYS[i], limit, window, now)
  if delta >= 0 or exists then
    if delta < 0 then level = math.max(0, level + delta) else level = math.min(level + delta, ${MAX_DEBT_LIMITS} * limit) end
    redis.call('HSET', KEYS[i], 'l', num(level), 't', num(at))
    keep(KEYS[i], level, math.max(0, math.ceil(blockedUntil - now)), limit, window)
    written = written + 1
  end
end
return written
`);
