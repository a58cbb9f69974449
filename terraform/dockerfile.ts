// A small Dockerfile reader for the image checks (no Docker engine here): stages, their
// instructions, and the value an instruction takes for a target through its parent stages.

export interface Stage {
  name: string;
  from: string;
  instructions: { op: string; arg: string }[];
}

export interface Dockerfile {
  args: Record<string, string>;
  stages: Stage[];
}

/** Stages of a Dockerfile with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const arg = rest.join(' ');
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(arg);
      stages.push({ name: m?.[2] ?? String(stages.length), from: m?.[1] ?? '', instructions: [] });
    } else if (op === 'ARG' && stages.length === 0) {
      const [k = '', v = ''] = arg.split('=');
      args[k] = v;
    } else {
      stages.at(-1)?.instructions.push({ op, arg });
    }
  }
  return { args, stages };
}

/** The stage and its ancestors, nearest first. */
export function stageChain(file: Dockerfile, name: string): Stage[] {
  const s = file.stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return file.stages.some((x) => x.name === s.from) ? [s, ...stageChain(file, s.from)] : [s];
}

/** The effective value of an instruction (USER, ENTRYPOINT, CMD, ...) for a target: the nearest one wins. */
export function effectiveInstruction(file: Dockerfile, target: string, op: string): string | undefined {
  for (const s of stageChain(file, target)) {
    const found = s.instructions.filter((i) => i.op === op).at(-1);
    if (found) return found.arg;
  }
  return undefined;
}
