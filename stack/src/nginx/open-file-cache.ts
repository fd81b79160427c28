/**
 * nginx keeps the descriptors of files it serves open between requests: the front end's
 * assets and, which matters more, the proxy_cache entries (an edge hit otherwise opens,
 * stats and closes its cache file on every request). Safe for the cache: nginx compares the
 * cached descriptor's inode with the one its cache index holds, so an entry replaced by a
 * refresh is opened afresh. The benchmark's static-file ceiling uses the same lines, so that
 * the edge-hit ratio measures what proxy_cache adds.
 */
export const openFileCacheLines: readonly string[] = [
  "open_file_cache max=10000 inactive=60s;",
  "open_file_cache_valid 30s;",
];
