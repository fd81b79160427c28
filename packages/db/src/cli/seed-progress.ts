import cliProgress from "cli-progress";
import type { SeedProgress } from "../seed/seed-catalogue.ts";

const LABELS: Record<SeedProgress["phase"], string> = {
  products: "products",
  indexes: "indexes ",
  analyze: "analyze ",
};

/**
 * Shows seed progress on `out`: a live bar per phase on a terminal, and on a pipe or log
 * file (CI, the stack runner) a plain line every 10 % or 5 s, so logs stay readable.
 */
export function createSeedProgress(out: NodeJS.WriteStream): {
  onProgress: (progress: SeedProgress) => void;
  stop: () => void;
} {
  return out.isTTY ? barProgress(out) : lineProgress(out);
}

function barProgress(out: NodeJS.WriteStream) {
  let phase: SeedProgress["phase"] | undefined;
  let bar: cliProgress.SingleBar | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    stop,
    onProgress(p: SeedProgress) {
      if (p.phase !== phase) {
        stop();
        phase = p.phase;
        bar = new cliProgress.SingleBar(
          {
            stream: out,
            // An ETA only where the steps are alike; index builds differ tenfold in cost.
            format: `${LABELS[p.phase]} {bar} {percentage}% | {value}/{total} | {duration_formatted}${p.phase === "products" ? " | ETA {eta_formatted}" : ""}`,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, p.done);
      }
      bar?.update(p.done);
    },
  };
}

function lineProgress(out: NodeJS.WriteStream) {
  let phase: SeedProgress["phase"] | undefined;
  let lastShare = 0;
  let lastAt = 0;
  let started = 0;
  return {
    stop: () => {},
    onProgress(p: SeedProgress) {
      const now = Date.now();
      if (p.phase !== phase) {
        phase = p.phase;
        started = now;
        lastShare = -1;
      }
      const share = p.total === 0 ? 1 : p.done / p.total;
      const finished = p.done === p.total;
      if (!finished && share - lastShare < 0.1 && now - lastAt < 5_000) return;
      if (finished && lastShare === 1) return;
      lastShare = finished ? 1 : share;
      lastAt = now;
      const seconds = ((now - started) / 1000).toFixed(1);
      out.write(
        `${LABELS[p.phase].trim()}: ${p.done}/${p.total} (${Math.floor(share * 100)}%, ${seconds} s)\n`,
      );
    },
  };
}
