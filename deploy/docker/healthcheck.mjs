// The images' HEALTHCHECK: GET /health (liveness: the process and its event loop answer; no
// dependency is checked, so an outage elsewhere does not mark every container unhealthy).
// The argument names the environment variable that holds the port: PORT or WORKER_PORT.
const variable = process.argv[2] ?? "PORT";
const port = process.env[variable];
if (!port || port === "0") {
  console.error(`healthcheck: ${variable} must name a fixed port`);
  process.exit(1);
}
try {
  const response = await fetch(`http://127.0.0.1:${port}/health`, {
    signal: AbortSignal.timeout(2_000),
  });
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`healthcheck: ${error.message}`);
  process.exit(1);
}
