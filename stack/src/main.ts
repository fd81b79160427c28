import { ConfigError } from "@strata/config";
import { parseCommand, usage, type Command } from "./cli/parse-command.ts";
import { ignoreClosedOutput } from "./cli/closed-output.ts";
import { formatStatus } from "./cli/format-status.ts";
import { upCommand } from "./cli/up-command.ts";
import { control, NoRunningStackError } from "./control/control-client.ts";
import { dataLayout } from "./data-layout.ts";
import { cleanStalePidFiles, readPidFiles } from "./process/pid-files.ts";
import { isSameProcess } from "./process/process-identity.ts";
import { loadStackSettings } from "./settings.ts";
import { runningStackPid, type StackStatus } from "./stack.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Commands that talk to a running `up` through its control socket. */
async function remote(command: Exclude<Command, { name: "up" | "help" }>): Promise<number> {
  const { dataDir } = loadStackSettings();
  const socket = dataLayout(dataDir).controlSocket;
  const request = {
    status: ["GET", "/status"],
    scale: ["POST", `/scale?instances=${"instances" in command ? command.instances : 0}`],
    restart: ["POST", "/restart"],
    down: ["POST", "/down"],
  } as const;
  const [method, path] = request[command.name];
  if (command.name === "restart") console.log("rolling restart: one instance at a time ...");
  const answer = await control(socket, dataDir, method, path).catch(async (error: unknown) => {
    if (error instanceof NoRunningStackError) return leftBehind(command.name, dataDir, error);
    throw error;
  });
  if (typeof answer === "number") return answer;
  const { status, body } = answer;
  if (status >= 400) {
    console.error(String(body.error ?? `failed (HTTP ${status})`));
    return 1;
  }
  if (command.name === "down") {
    const pid = runningStackPid(dataDir);
    process.stdout.write(`stopping the stack (pid ${pid ?? "?"}) `);
    while (runningStackPid(dataDir) !== undefined) {
      process.stdout.write(".");
      await sleep(250);
    }
    console.log(" stopped");
    return 0;
  }
  const s = body as unknown as StackStatus;
  console.log(
    `${s.url}  (${s.state}; data ${s.dataDir})\n\n${formatStatus(s)}\n\n${s.connectionBudget}`,
  );
  return 0;
}

/**
 * No runner answers, but an earlier one may have died (kill -9) and left its children
 * serving: `down` stops them (by recorded identity only), anything else says they exist.
 */
async function leftBehind(
  command: string,
  dataDir: string,
  error: NoRunningStackError,
): Promise<number> {
  const { run } = dataLayout(dataDir);
  const alive = readPidFiles(run).filter((r) => r.name !== "strata" && isSameProcess(r));
  if (alive.length === 0) throw error;
  if (command === "down") {
    for (const line of await cleanStalePidFiles(run, ["strata"])) console.log(line);
    return 0;
  }
  const names = alive.map((r) => `${r.name} (pid ${r.pid})`).join(", ");
  throw new NoRunningStackError(
    dataDir,
    `its runner is gone, but processes it started are still running: ${names}. ` +
      "`npm run stack -- down` stops them; `npm start` stops them and starts afresh",
  );
}

async function main(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.name === "help") {
    console.log(usage);
    return 0;
  }
  if (command.name === "up") {
    return upCommand({
      reset: command.reset,
      ...(command.pgbouncer ? { pgbouncer: true } : {}),
      ...(command.instances !== undefined ? { instances: command.instances } : {}),
      ...(command.products !== undefined ? { products: command.products } : {}),
    });
  }
  return remote(command);
}

// `npm start | head`: output nobody reads is dropped, the stack goes on (closed-output.ts).
ignoreClosedOutput(process.stdout);
ignoreClosedOutput(process.stderr);

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError || error instanceof NoRunningStackError) {
    console.error(error.message);
  } else if (
    error instanceof TypeError &&
    "code" in error &&
    String(error.code).startsWith("ERR_PARSE_ARGS")
  ) {
    console.error(`${error.message}\n\n${usage}`);
  } else {
    console.error(`strata: ${(error as Error).message}`);
    if (/unknown command|unexpected argument|needs|belong to/.test((error as Error).message)) {
      console.error(`\n${usage}`);
    }
  }
  process.exitCode = 1;
}
