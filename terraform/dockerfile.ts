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

/** The patterns of a .dockerignore (comments and blank lines dropped; `!` exceptions unsupported). */
export function parseDockerignore(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** Whether a context-relative path is left out by the patterns (a pattern also covers what is below it). */
export function isDockerignored(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) => {
    if (p.startsWith('!')) throw new Error(`exceptions are not supported: ${p}`);
    const body = p
      .replace(/^\/+|\/+$/g, '')
      .split('/')
      .map((seg) =>
        seg === '**'
          ? '.*'
          : seg
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
      )
      .join('/')
      .replace(/\.\*\//g, '(?:.*/)?');
    return new RegExp(`^${body}(?:/.*)?$`).test(path);
  });
}
