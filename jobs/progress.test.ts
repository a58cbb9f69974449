// The progress bar: drawn on a terminal (redrawn in place, throttled), silent otherwise.
import { describe, expect, it } from 'vitest';
import { createProgress, noProgress } from './progress.ts';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = {
    isTTY,
    text: '',
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('progress', () => {
  it('draws a bar with counts on a terminal and ends the line', () => {
    const s = fakeStream(true);
    const p = createProgress(s);
    p.start(4, 'replay 2026-02-03');
    p.tick(4);
    p.done();
    expect(s.text).toContain('\rreplay 2026-02-03 [..............................] 0/4 0%');
    expect(s.text.endsWith('\rreplay 2026-02-03 [##############################] 4/4 100%\n')).toBe(true);
  });

  it('writes nothing when stderr is not a terminal (Cloud Run logs)', () => {
    const s = fakeStream(false);
    expect(createProgress(s)).toBe(noProgress);
    expect(s.text).toBe('');
  });
});
