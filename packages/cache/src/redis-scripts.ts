/**
 * Reads an entry and the current versions of its tags in one round trip. A tag without a
 * version (never invalidated, or evicted by the cache server's LRU) gets a fresh one, so an
 * entry filled under a version that was lost can never match again.
 * KEYS: entry key, then one key per tag. ARGV: the fresh version to assign.
 */
export const READ_ENTRY = `
local result = { redis.call('GET', KEYS[1]) or false }
for i = 2, #KEYS do
  local token = redis.call('GET', KEYS[i])
  if not token then
    redis.call('SET', KEYS[i], ARGV[1])
    token = ARGV[1]
  end
  result[i] = token
end
return result
`;

/** Deletes the fill lock only if we still hold it. KEYS: lock key. ARGV: our token. */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
