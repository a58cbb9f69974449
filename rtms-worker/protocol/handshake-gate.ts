// Judges the handshake answers (msg 2 / msg 4) of one RTMS stream: accepted, refused for good, or a
// duplicate to back off from; counts the duplicates in a row until the stream is streaming again.
import type { Logger } from '../../core/log.ts';
import { judgeHandshake } from './decisions.ts';
import type { RtmsEnd } from './rtms-client-options.ts';

export type GateVerdict =
  | { kind: 'ok' }
  /** Refused for good: the stream fails. */
  | { kind: 'end'; end: RtmsEnd }
  /** A duplicate: treated as a lost connection (backoff, then another try). */
  | { kind: 'lost'; scope: 'all' | 'media'; why: string };

export class HandshakeGate {
  private duplicateRetries = 0;

  constructor(private readonly log: Logger) {}

  judge(which: 'signaling' | 'media', status: number, reason: string | undefined): GateVerdict {
    const verdict = judgeHandshake(status, reason, this.duplicateRetries);
    if (verdict.kind === 'ok') return verdict;
    if (verdict.kind === 'fatal')
      return {
        kind: 'end',
        end: { outcome: 'failed', detail: `${which} handshake refused: ${verdict.why}` },
      };
    this.duplicateRetries++;
    this.log.warn({ why: verdict.why }, `${which} handshake: duplicate, backing off`);
    return { kind: 'lost', scope: which === 'signaling' ? 'all' : 'media', why: verdict.why };
  }

  /** Streaming again: duplicates are counted from zero. */
  reset(): void {
    this.duplicateRetries = 0;
  }
}
