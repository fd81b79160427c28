/**
 * How large a request head may be, in both tiers. nginx must never forward a request the
 * instance's parser refuses: the instance then answers and closes the connection, and nginx
 * counts a closed upstream connection as the instance failing (max_fails=1 takes it out of
 * rotation for fail_timeout). So nginx's budget is the smaller one and is checked first.
 *
 * nginx (`large_client_header_buffers`): the request line and each header line at most one
 * buffer, all of them in at most `count` buffers; a longer line or more lines is nginx's 431.
 * The API (Node's `maxHeaderSize`, 16 KiB by default, which three header lines of 7 KiB
 * would exceed though nginx accepts them): nginx's whole budget plus what nginx adds on the way (Host, X-Request-Id,
 * X-Forwarded-*, Content-Length; well under a kilobyte), with room to spare.
 */
export const NGINX_HEADER_BUFFERS = { count: 4, bytes: 8 * 1024 } as const;

export const API_MAX_HEADER_BYTES = 40 * 1024;
