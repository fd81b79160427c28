import { startControlServer } from "../control/control-server.ts";
import { loadStackSettings, type StackFlags } from "../settings.ts";
import { startStack, type Stack } from "../stack.ts";
import { formatAdmin, formatStatus } from "./format-status.ts";

const stamp = () => new Date().toISOString().slice(11, 19);
const say = (line: string) => console.log(`[strata ${stamp()}] ${line}`);

/**
 * `up`: starts the stack, prints where everything is and one line containing "ready" with
 * the URL, then stays in the foreground until Ctrl-C, SIGTERM or `down`. A second signal
 * while stopping SIGKILLs everything.
 */
export async function upCommand(flags: StackFlags): Promise<number> {
  const settings = loadStackSettings(process.env, flags);
  const running: { stack?: Stack } = {};
  let signals = 0;
  let abortStart = false;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      say(`${signal}: stopping everything (again to kill at once)`);
      if (running.stack) void running.stack.down();
      else abortStart = true;
    } else {
      say(`${signal} again: killing every process now`);
      running.stack?.kill();
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  say(`data folder: ${settings.dataDir}`);
  const stack = await startStack(settings, { log: say });
  running.stack = stack;
  if (abortStart) {
    await stack.down();
    return 130;
  }
  await startControlServer(stack.layout.controlSocket, stack, say);
  const status = stack.status();
  console.log(`\n${formatStatus(status)}\n`);
  for (const notice of stack.notices) say(`notice: ${notice}`);
  say(status.connectionBudget);
  say(formatAdmin(stack.admin, stack.layout.adminCredentials));
  say(`nginx access log (JSON): ${stack.accessLog}`);
  say(`strata is ready at ${stack.url}`);
  await stack.stopped;
  say("stopped");
  return 0;
}
