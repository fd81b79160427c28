import fs from "node:fs";

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string | undefined;
  from: string;
  instructions: Instruction[];
}

/**
 * A Dockerfile as a list of stages of instructions: comments dropped, `\` continuations
 * joined. Enough to check what the tests look at (FROM, USER, HEALTHCHECK, COPY, CMD...);
 * not a full parser (no heredocs, no escape directive), and it says so by throwing.
 */
export function readDockerfile(file: string): Stage[] {
  const stages: Stage[] = [];
  let pending = "";
  let startLine = 0;
  for (const [index, raw] of fs.readFileSync(file, "utf8").split("\n").entries()) {
    if (pending === "" && (raw.trim() === "" || raw.trim().startsWith("#"))) continue;
    if (pending === "") startLine = index + 1;
    if (raw.trim().startsWith("#")) continue;
    if (raw.endsWith("\\")) {
      pending += `${raw.slice(0, -1)} `;
      continue;
    }
    const text = (pending + raw).trim();
    pending = "";
    if (/<<-?\w/.test(text)) throw new Error(`${file}:${startLine}: heredocs are not supported`);
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(text);
    if (!match) throw new Error(`${file}:${startLine}: cannot read "${text}"`);
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]!, line: startLine };
    if (instruction.keyword === "FROM") {
      const [from, as, name] = instruction.args.split(/\s+/);
      stages.push({
        from: from!,
        name: as?.toUpperCase() === "AS" ? name : undefined,
        instructions: [],
      });
    } else if (stages.length > 0) {
      // ARGs before the first FROM only parameterise FROM lines: not part of a stage.
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  if (stages.length === 0) throw new Error(`${file}: no FROM`);
  return stages;
}

/** Instructions of the image that is built (the last stage) with `keyword`. */
export function finalInstructions(stages: Stage[], keyword: string): Instruction[] {
  return stages.at(-1)!.instructions.filter((i) => i.keyword === keyword);
}
