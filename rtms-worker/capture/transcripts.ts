// Transcript items to WebVTT, SubRip and plain text (pure). Items are keyed by speaker and start
// time so RTMS UPDATE replaces and DELETE removes a line, and a redelivered item is kept once.
import type { TranscriptItem } from '../frames.ts';

export interface Cue {
  startMs: number;
  endMs: number;
  speaker: string;
  text: string;
}

const ATTRIBUTE_DELETE = 3;
const DEFAULT_CUE_MS = 3000;
const MAX_OPEN_CUE_MS = 5000;

/** Keeps the latest version of each utterance (by user and start), in arrival order. */
export class TranscriptBook {
  private readonly items = new Map<string, TranscriptItem>();

  add(item: TranscriptItem): void {
    const key = `${item.userId}:${item.startTime ?? item.timestamp}`;
    if (item.attribute === ATTRIBUTE_DELETE) this.items.delete(key);
    else this.items.set(key, item);
  }

  get size(): number {
    return this.items.size;
  }

  values(): TranscriptItem[] {
    return [...this.items.values()];
  }
}

/** Cues relative to `t0` (epoch ms), sorted; an item without an end lasts until the next cue (≤ 5 s). */
export function toCues(
  items: readonly TranscriptItem[],
  t0: number,
  names: ReadonlyMap<number, string>,
): Cue[] {
  const sorted = items
    .filter((i) => i.text.trim() !== '')
    .map((i) => ({ item: i, start: Math.max(0, (i.startTime ?? i.timestamp) - t0) }))
    .sort((a, b) => a.start - b.start || a.item.userId - b.item.userId);
  return sorted.map(({ item, start }, k) => {
    const next = sorted[k + 1]?.start;
    let end = item.endTime !== undefined ? item.endTime - t0 : NaN;
    if (!(end > start))
      end =
        next !== undefined && next > start ? Math.min(next, start + MAX_OPEN_CUE_MS) : start + DEFAULT_CUE_MS;
    const speaker = item.userName ?? names.get(item.userId) ?? `Speaker ${item.userId}`;
    return { startMs: start, endMs: end, speaker, text: item.text.trim().replace(/\s*\n\s*/g, ' ') };
  });
}

function clock(ms: number, sep: '.' | ','): string {
  const t = Math.max(0, Math.round(ms));
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = Math.floor((t % 60_000) / 1000);
  const f = t % 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${sep}${String(f).padStart(3, '0')}`;
}

function escapeVtt(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function toVtt(cues: readonly Cue[]): string {
  const body = cues.map(
    (c, i) =>
      `${i + 1}\n${clock(c.startMs, '.')} --> ${clock(c.endMs, '.')}\n<v ${escapeVtt(c.speaker)}>${escapeVtt(c.text)}\n`,
  );
  return ['WEBVTT\n', ...body].join('\n');
}

export function toSrt(cues: readonly Cue[]): string {
  return cues
    .map((c, i) => `${i + 1}\n${clock(c.startMs, ',')} --> ${clock(c.endMs, ',')}\n${c.speaker}: ${c.text}\n`)
    .join('\n');
}

export function toText(cues: readonly Cue[]): string {
  return cues.map((c) => `[${clock(c.startMs, '.').slice(0, 8)}] ${c.speaker}: ${c.text}\n`).join('');
}
