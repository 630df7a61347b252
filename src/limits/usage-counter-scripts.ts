/**
 * Lua run inside Redis, so each call is one atomic step no other client can interleave with:
 * this is what keeps several gateway replicas from overshooting a limit together.
 * Numbers stay below 2^53 (callers clamp limits), where Lua's doubles are exact.
 */
import { createHash } from 'node:crypto';

export interface LuaScript {
  source: string;
  sha1: string;
}

function script(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * KEYS: the counters. ARGV[1]: '1' = require existing counters. Then per key i, from
 * ARGV[2 + 3(i-1)]: amount, limit, ttl ms ('0' = none).
 * Returns {1} (reserved), {0, index, current} (over the limit) or {2, index...} (missing).
 */
export const RESERVE_SCRIPT = script(`
local requireExisting = ARGV[1] == '1'
local current = {}
local missing = {2}
for i = 1, #KEYS do
  local raw = redis.call('GET', KEYS[i])
  if raw then
    local value = tonumber(raw)
    if not value then return redis.error_reply('ERR usage counter holds a non-integer value') end
    current[i] = value
  else
    current[i] = false
    if requireExisting then missing[#missing + 1] = i - 1 end
  end
end
if #missing > 1 then return missing end
for i = 1, #KEYS do
  local base = 2 + (i - 1) * 3
  local value = current[i] or 0
  if value + tonumber(ARGV[base]) > tonumber(ARGV[base + 1]) then return {0, i - 1, value} end
end
for i = 1, #KEYS do
  local base = 2 + (i - 1) * 3
  if current[i] then
    redis.call('INCRBY', KEYS[i], ARGV[base])
  elseif ARGV[base + 2] ~= '0' then
    redis.call('SET', KEYS[i], ARGV[base], 'PX', ARGV[base + 2])
  else
    redis.call('SET', KEYS[i], ARGV[base])
  end
end
return {1}
`);

/**
 * KEYS: the counters; ARGV[i]: delta for KEYS[i]. Only existing counters change (false, i.e.
 * a nil reply, for absent ones); a total below zero is clamped to zero, keeping the TTL.
 */
export const ADJUST_SCRIPT = script(`
local totals = {}
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local value = redis.call('INCRBY', KEYS[i], ARGV[i])
    if value < 0 then
      redis.call('SET', KEYS[i], 0, 'KEEPTTL')
      value = 0
    end
    totals[i] = value
  else
    totals[i] = false
  end
end
return totals
`);

/**
 * KEYS[1]: the counter; KEYS[2..]: markers (same hash tag, so same Cluster slot). ARGV: value, ttl
 * ms ('0' = none). Sets the counter if absent and, only then, each absent marker to 1 with the
 * same TTL. Returns 1 when the counter was set, else 0 (nothing changed).
 */
export const INITIALIZE_SCRIPT = script(`
local function setIfAbsent(key, value)
  if ARGV[2] ~= '0' then return redis.call('SET', key, value, 'PX', ARGV[2], 'NX') end
  return redis.call('SET', key, value, 'NX')
end
if not setIfAbsent(KEYS[1], ARGV[1]) then return 0 end
for i = 2, #KEYS do setIfAbsent(KEYS[i], '1') end
return 1
`);
