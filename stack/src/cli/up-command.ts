import { startControlServer } from "../control/control-server.ts";
import { dataLayout } from "../data-layout.ts";
import { readPidFiles } from "../process/pid-files.ts";
import { isSameProcess } from "../process/process-identity.ts";
import { loadStackSettings, type StackFlags } from "../settings.ts";
import { startStack, StartInterruptedError, type Stack } from "../stack.ts";
import { formatAdmin, formatStatus } from "./format-status.ts";

const stamp = () => new Date().toISOString().slice(11, 19);
const say = (line: string) => console.log(`[strata ${stamp()}] ${line}`);

/** SIGKILLs every recorded child that is still the very process recorded (second Ctrl-C). */
function killRecorded(runDir: string): void {
  for (const record of readPidFiles(runDir)) {
    if (!isSameProcess(record)) continue;
    for (const target of [-record.pid, record.pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
}

/**
 * `up`: starts the stack, prints where everything is and one line containing "ready" with
 * the URL, then stays in the foreground until Ctrl-C, SIGTERM or `down`. A signal while
 * starting stops the start at its next step (and what had started); a second signal, at any
 * time, SIGKILLs every process at once.
 */
export async function upCommand(flags: StackFlags): Promise<number> {
  const settings = loadStackSettings(process.env, flags);
  const running: { stack?: Stack } = {};
  const starting = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      say(`${signal}: stopping everything (again to kill at once)`);
      if (running.stack) void running.stack.down();
      else starting.abort();
    } else {
      say(`${signal} again: killing every process now`);
      if (running.stack) running.stack.kill();
      else {
        killRecorded(dataLayout(settings.dataDir).run);
        process.exit(130);
      }
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  say(`data folder: ${settings.dataDir}`);
  let stack: Stack;
  try {
    stack = await startStack(settings, { log: say, signal: starting.signal });
  } catch (error) {
    if (!(error instanceof StartInterruptedError)) throw error;
    say("stopped before it was ready");
    return 130;
  }
  running.stack = stack;
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
