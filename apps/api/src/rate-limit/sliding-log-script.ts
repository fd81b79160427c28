import crypto from "node:crypto";

/**
 * The sliding-log limiter, run atomically by Redis (docs/decisions.md, "Rate limiting", says
 * why it is hand-written). Each key is a sorted set of the requests it admitted, scored by
 * Redis' own clock in microseconds, so every instance reads one clock and no skew between
 * hosts moves a window.
 *
 * KEYS[i]   one counter per rule the request is subject to
 * ARGV[1]   a member id unique to this request
 * ARGV[2i]  max of KEYS[i];  ARGV[2i+1]  window of KEYS[i] in milliseconds
 *
 * A request is admitted only if every key has room; then it is added to all of them (all or
 * nothing), so a request refused by one rule uses up no other. Refused requests are never
 * added: a client that keeps knocking is not locked out for longer than the window.
 * Entries older than the window are trimmed first, so a key holds at most `max` members.
 * ZADD and PEXPIRE follow each other for each key, and a script runs without interleaving:
 * no key exists without an expiry, even if a later command fails (e.g. out of memory).
 *
 * Returns {admitted, count_1, wait_1, count_2, wait_2, ...}: the count after the decision
 * and the microseconds until that key's oldest entry leaves the window (0 when empty).
 */
export const SLIDING_LOG_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local admitted = 1
local counts = {}
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * i + 1]) * 1000
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  counts[i] = redis.call('ZCARD', key)
  if counts[i] >= tonumber(ARGV[2 * i]) then admitted = 0 end
end
local result = {admitted}
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * i + 1]) * 1000
  if admitted == 1 then
    redis.call('ZADD', key, now, ARGV[1])
    redis.call('PEXPIRE', key, ARGV[2 * i + 1])
    counts[i] = counts[i] + 1
  end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]
  result[2 * i] = counts[i]
  result[2 * i + 1] = oldest and (tonumber(oldest) + window - now) or 0
end
return result
`;

/** EVALSHA name of the script; Redis computes the same digest. */
export const SLIDING_LOG_SHA = crypto.createHash("sha1").update(SLIDING_LOG_LUA).digest("hex");
