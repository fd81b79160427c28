import crypto from "node:crypto";

/**
 * Reserves permits of one sliding-log key in one atomic call: the sliding log of
 * sliding-log-script.ts (entries scored by Redis' clock, trimmed at the window), for a policy
 * with permit leases (permit-leases.ts explains why this stays exact). One difference: an
 * entry may stand for several requests. Its member ends in `#n` for n of them (a member
 * without it is one), and the key's count, the sum over its entries, is kept beside it in
 * `KEYS[2]`, so that a batch of 1,024 permits is two entries rather than 1,024 (each entry
 * cost Redis ~2 µs to add and trim, per request: docs/performance.md).
 *
 * KEYS[1]  the sorted set;  KEYS[2]  its count (rebuilt from the set when missing)
 * ARGV[1]  member prefix, unique to this call
 * ARGV[2]  max;  ARGV[3]  window in milliseconds
 * ARGV[4]  need: requests waiting now, admitted at once if there is room, stamped now
 * ARGV[5]  batch asked for;  ARGV[6]  share divisor;  ARGV[7]  lease length in milliseconds
 *
 * The batch is min(asked, floor(room / divisor)), at least 1, within the room; what it holds
 * beyond `need` are spare permits, stamped at the lease's end (now + lease). Entries stamped
 * in the future count like any other (score > now - window), so a spare permit used at any
 * moment up to the lease's end is counted until at least a window after that use. The keys'
 * expiry follows the newest entry: neither outlives its counted entries, none exists without
 * an expiry (PEXPIRE right after the writes, in one script).
 *
 * Returns {count, granted, spare, wait}: the count before this call, how many of `need` were
 * admitted (member prefix .. 'g#' .. granted), how many spare permits were reserved (member
 * prefix .. 's#' .. spare), and the microseconds until the oldest entry leaves the window
 * (0 when empty).
 */
export const PERMIT_LEASE_LUA = `
local function weight(member)
  local n = string.match(member, '#(%d+)$')
  return n and tonumber(n) or 1
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local key, countKey = KEYS[1], KEYS[2]
local window = tonumber(ARGV[3]) * 1000
local trimmed = 0
for _, member in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', now - window)) do
  trimmed = trimmed + weight(member)
end
if trimmed > 0 then redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window) end
local count = tonumber(redis.call('GET', countKey))
if count then
  count = count - trimmed
else
  count = 0
  for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do count = count + weight(member) end
end
local room = tonumber(ARGV[2]) - count
local granted = 0
local spare = 0
if room > 0 then
  granted = math.min(tonumber(ARGV[4]), room)
  local batch = math.max(1, math.min(tonumber(ARGV[5]), math.floor(room / tonumber(ARGV[6]))))
  spare = math.max(0, math.min(batch, room) - granted)
  if granted > 0 then redis.call('ZADD', key, now, ARGV[1] .. 'g#' .. granted) end
  if spare > 0 then
    redis.call('ZADD', key, now + tonumber(ARGV[7]) * 1000, ARGV[1] .. 's#' .. spare)
  end
end
local after = count + granted + spare
if after > 0 then
  local newest = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
  local ttl = math.ceil((newest + window - now) / 1000)
  redis.call('SET', countKey, after, 'PX', ttl)
  redis.call('PEXPIRE', key, ttl)
else
  redis.call('DEL', countKey)
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]
return {count, granted, spare, oldest and (tonumber(oldest) + window - now) or 0}
`;

/** EVALSHA name of the script; Redis computes the same digest. */
export const PERMIT_LEASE_SHA = crypto.createHash("sha1").update(PERMIT_LEASE_LUA).digest("hex");

/**
 * Gives `ARGV[2]` unused permits of the spare entry `ARGV[1]` back: the entry keeps what was
 * used, under a new member name with the same score, and the count drops by the unused
 * permits. Nothing happens if the entry has left the window already (it was trimmed, and its
 * permits with it). Returns how many permits were given back.
 */
export const PERMIT_RELEASE_LUA = `
local key, countKey, member = KEYS[1], KEYS[2], ARGV[1]
local score = redis.call('ZSCORE', key, member)
if not score then return 0 end
local base, n = string.match(member, '^(.*)#(%d+)$')
local unused = math.min(tonumber(ARGV[2]), tonumber(n))
local ttl = redis.call('PTTL', key)
redis.call('ZREM', key, member)
if tonumber(n) > unused then
  -- Re-added with the key's expiry: if the ZREM emptied the set, the ZADD makes a new key.
  redis.call('ZADD', key, score, base .. '#' .. (tonumber(n) - unused))
  if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
end
if redis.call('EXISTS', countKey) == 1 then redis.call('DECRBY', countKey, unused) end
return unused
`;

export const PERMIT_RELEASE_SHA = crypto
  .createHash("sha1")
  .update(PERMIT_RELEASE_LUA)
  .digest("hex");

/** The count kept beside a leased key (KEYS[2] of both scripts). */
export function permitCountKey(key: string): string {
  return `${key}#n`;
}
