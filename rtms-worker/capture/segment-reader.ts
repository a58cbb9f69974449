// Reads the records of a capture's segment files in order, streaming (1 MiB reads), and reports
// torn tails (a crash mid-write) and unreadable files instead of failing.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { RecordDecoder, type SegmentRecord } from './segment-format.ts';

export interface ReadReport {
  segments: number;
  /** Bytes of incomplete records at segment ends (lost to a crash or a failed write). */
  tornBytes: number;
  /** Segment files that are not capture segments at all. */
  corrupt: string[];
}

export function emptyReadReport(): ReadReport {
  return { segments: 0, tornBytes: 0, corrupt: [] };
}

export async function* readSegments(
  files: readonly string[],
  report: ReadReport,
): AsyncGenerator<SegmentRecord> {
  for (const file of files) {
    report.segments++;
    const decoder = new RecordDecoder();
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      yield* decoder.push(chunk as Buffer);
      if (decoder.isCorrupt()) break;
    }
    if (decoder.isCorrupt()) report.corrupt.push(basename(file));
    else report.tornBytes += decoder.truncatedBytes();
  }
}
