/**
 * nginx's access log format: one JSON object per request — who answered (upstream_addr lists
 * every server tried, so a retried request shows more than one), with what status, from which
 * cache tier. The operations view and /metrics read it (apps/api/src/services/ops); the
 * benchmark's static-file ceiling logs in the same format, so that the edge-hit ratio measures
 * what proxy_cache adds and not a cheaper log line.
 */
export const ACCESS_LOG_FORMAT = "strata_json";

/** The `log_format` directive, one line per element, unindented. */
export const accessLogFormatLines: readonly string[] = [
  `log_format ${ACCESS_LOG_FORMAT} escape=json`,
  `    '{"time":"$time_iso8601","request_id":"$request_id",'`,
  `    '"remote_addr":"$remote_addr","method":"$request_method","uri":"$request_uri",'`,
  `    '"status":$status,"body_bytes_sent":$body_bytes_sent,"request_time":$request_time,'`,
  `    '"upstream_addr":"$upstream_addr","upstream_status":"$upstream_status",'`,
  `    '"upstream_connect_time":"$upstream_connect_time",'`,
  `    '"upstream_response_time":"$upstream_response_time",'`,
  `    '"cache_status":"$upstream_cache_status","user_agent":"$http_user_agent"}';`,
];
