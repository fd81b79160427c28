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
 *   retried at once). The rolling restart waits this long after each instance is ready,
 *   so two instances are never out of nginx's rotation at once.
 * - Drain (DRAIN_DELAY_MS in the stack, 1 s by default): nginx never sees /ready turn 503,
 *   so the delay does not steer traffic. Its job is the keep-alive race: while draining, the
 *   instance answers with `Connection: close`, so every upstream connection in use is closed
 *   by nginx after its response; when the listener closes, the idle ones are closed by the
 *   server and new connects are refused and retried. A second of steady traffic touches
 *   every busy connection.
 * - Keep-alive: nginx closes an idle upstream connection after 60 s, before Node's 72 s
 *   (KEEP_ALIVE_TIMEOUT_MS), so Node never closes a socket nginx is about to reuse. 32 idle
 *   connections per worker are kept (the brief's pool); 1000 requests per connection.
 * - Retries: only `error timeout http_502 http_503 http_504`, at most 3 tries in 10 s. No
 *   `non_idempotent`: once a POST/PATCH/LOCK has been sent, nginx never sends it to a second
 *   instance (the API's Idempotency-Key covers a client's own retry).
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
  keepaliveTimeoutS: 60,
  connectTimeoutS: 2,
  nextUpstreamTries: 3,
  nextUpstreamTimeoutS: 10,
};

/** The drain delay the stack gives instances; see above for why it can be short. */
export const stackDrainDelayMs = 1_000;
