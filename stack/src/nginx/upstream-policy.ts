/**
 * How nginx treats the API instances. These numbers are chosen together with the instances'
 * drain timings, because open-source nginx has only passive failure detection: it never
 * calls /ready and learns an instance is gone only when a request to it fails.
 *
 * - `maxFails: 1`, `failTimeoutS: 3`: one failed connect (refused, reset, timed out) takes
 *   an instance out for 3 s. A refused connect on this network means the instance is not
 *   listening, and nginx retries such a request elsewhere whatever its method (nothing was
 *   sent yet), so leaving early costs nothing; 3 s is how long a recovered instance waits
 *   for traffic and how often nginx probes a dead one (each probe is a refused connect,
 *   retried at once). The rolling restart does not rely on it: it marks each instance `down`
 *   (graceful reload) before draining it and puts it back once it is ready.
 * - Keep-alive and drain, one rule: the instances' drain delay outlasts nginx's upstream
 *   `keepalive_timeout` (3 s here; DRAIN_DELAY_MS 4 s in the stack, 5 s by default). nginx
 *   never sees /ready turn 503, so the drain does not steer traffic; it closes connections
 *   safely (the rolling restart and scale-down take the instance out of the upstream first;
 *   a stop nobody announced, like SIGTERM from outside, relies on this rule alone). While draining, the instance answers with `Connection: close`, so every upstream
 *   connection used during the drain is closed by nginx after its response; every connection
 *   not used during it sat idle longer than keepalive_timeout, so nginx closed it itself.
 *   When the instance then closes its listener and idle sockets, none is left that nginx
 *   could be writing a request into at that moment (a POST caught so would be a 502: nginx
 *   never resends a sent POST). Measured: with a 60 s keepalive_timeout and a 1 s drain, a
 *   rolling restart under load lost one POST in about 2,000 to exactly that race.
 *   The keep-alive timeout also stays below Node's 72 s (KEEP_ALIVE_TIMEOUT_MS). Under load
 *   connections are reused long before 3 s; when traffic pauses, reconnecting on loopback or a
 *   LAN costs a fraction of a millisecond. 32 idle connections per worker are kept (the
 *   brief's pool); 1000 requests per connection.
 * - Retries: only `error timeout http_502 http_504`, at most 3 tries in 10 s. No
 *   `non_idempotent`: once a POST/PATCH/LOCK has been sent, nginx never sends it to a second
 *   instance (the API's Idempotency-Key covers a client's own retry). Not `http_503`: an
 *   instance answers 503 for a dependency that is down for every instance (PostgreSQL, a full
 *   pool), and with max_fails=1 counting those would take every instance out of rotation at
 *   once — readers the caches could have served would get nginx's 502 instead. A draining
 *   instance does not answer 503 (it keeps serving with Connection: close).
 */
export interface UpstreamPolicy {
  maxFails: number;
  failTimeoutS: number;
  keepaliveConnections: number;
  keepaliveRequests: number;
  keepaliveTimeoutS: number;
  connectTimeoutS: number;
  nextUpstreamTries: number;
  nextUpstreamTimeoutS: number;
}

export const defaultUpstreamPolicy: UpstreamPolicy = {
  maxFails: 1,
  failTimeoutS: 3,
  keepaliveConnections: 32,
  keepaliveRequests: 1000,
  keepaliveTimeoutS: 3,
  connectTimeoutS: 2,
  nextUpstreamTries: 3,
  nextUpstreamTimeoutS: 10,
};

/** The drain delay the stack gives instances: keepalive_timeout plus a second of margin. */
export const stackDrainDelayMs = (defaultUpstreamPolicy.keepaliveTimeoutS + 1) * 1000;
