// A progress bar for long jobs, drawn on stderr when it is a terminal (one line, redrawn at most
// every 100 ms); silent otherwise, so logs in Cloud Run stay clean.

export interface Progress {
  start(total: number, label: string): void;
  tick(n?: number): void;
  done(): void;
}

export const noProgress: Progress = { start() {}, tick() {}, done() {} };

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return noProgress;
  let total = 0;
  let count = 0;
  let label = '';
  let lastDraw = 0;
  const draw = (force = false): void => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const width = 30;
    const ratio = total > 0 ? Math.min(1, count / total) : 1;
    const filled = Math.round(ratio * width);
    stream.write(
      `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${total} ${Math.round(ratio * 100)}%`,
    );
  };
  return {
    start(t, l) {
      total = t;
      count = 0;
      label = l;
      draw(true);
    },
    tick(n = 1) {
      count += n;
      draw();
    },
    done() {
      draw(true);
      stream.write('\n');
    },
  };
}
