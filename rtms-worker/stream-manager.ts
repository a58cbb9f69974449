// Many RTMS streams per worker instance: routes queue messages to sessions, claims leases so one
// stream has one capture across instances, applies back-pressure, and hands streams over on shutdown.
import { statfs } from 'node:fs/promises';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { MediaStore, Queue } from '../core/ports.ts';
import type { RtmsQueueMessage } from '../core/zoom/types.ts';
import { logSafe, rtmsIdsProblem, streamPrefixOf } from '../core/zoom/identifiers.ts';
import { PARTS_DIR } from './capture/park.ts';
import { chooseServerUrl, isRevoked } from './protocol/decisions.ts';
import { judgeCapacity, planMessage, whenLeaseBusy, type Load } from './stream-plan.ts';
import {
  StreamSession,
  type SessionDeps,
  type SessionOutcome,
  type SessionSettings,
} from './stream-session.ts';

export type Reply = 'ack' | 'retry';

export interface ManagerSettings extends SessionSettings {
  maxStreams: number;
}

export interface ManagerDeps extends SessionDeps {
  /** Where handover messages go on shutdown (the same topic the worker is pushed from). */
  queue?: Queue;
}

export class StreamManager {
  private readonly sessions = new Map<string, StreamSession>();
  private readonly claiming = new Set<string>();
  private readonly background = new Set<Promise<unknown>>();
  private stopping = false;
  private readonly loop: IntervalHistogram;
  private freeBytes: number | undefined;
  private lastDiskCheck = 0;
  private readonly loopReset: NodeJS.Timeout;

  constructor(
    private readonly deps: ManagerDeps,
    private readonly settings: ManagerSettings,
  ) {
    this.loop = monitorEventLoopDelay({ resolution: 20 });
    this.loop.enable();
    this.loopReset = setInterval(() => this.loop.reset(), 5_000);
    this.loopReset.unref();
  }

  get activeStreams(): number {
    return this.sessions.size;
  }

  sessionOf(streamId: string): StreamSession | undefined {
    return this.sessions.get(streamId);
  }

  /** The streams held now (for health and benchmarks). */
  allSessions(): StreamSession[] {
    return [...this.sessions.values()];
  }

  /** Handles one queue message; answers fast (lease check at most), captures run on in the instance. */
  async handle(m: RtmsQueueMessage): Promise<Reply> {
    const log = this.deps.log.child({
      streamId: logSafe(m.rtmsStreamId),
      meetingUuid: logSafe(m.meetingUuid),
      kind: m.kind,
    });
    // The push decoder refuses these already; a message that reaches here anyway can never be stored.
    const idsProblem = rtmsIdsProblem(m.meetingUuid, m.rtmsStreamId);
    if (idsProblem) {
      log.error({ why: idsProblem }, 'rtms message with identifiers that cannot be stored: dropped');
      return 'ack';
    }
    const here = this.sessions.get(m.rtmsStreamId);
    const plan = planMessage(m, here, this.stopping);
    switch (plan.do) {
      case 'ignore':
        log.info({ why: plan.why }, 'rtms message ignored');
        return 'ack';
      case 'defer':
        log.info({ why: plan.why }, 'rtms message deferred');
        return 'retry';
      case 'failover':
        here!.failover(m.serverUrls);
        return 'ack';
      case 'reconnect':
        here!.interrupted(m.serverUrls);
        return 'ack';
      case 'stop':
        here!.stopped(m.stopReason);
        return 'ack';
      case 'claim': {
        const url = chooseServerUrl(m.serverUrls ?? '', this.settings.allowedHosts);
        if (!url.ok) {
          log.error({ why: url.why }, 'rtms stream not claimed: no allowed server url');
          return 'ack';
        }
        return this.claim(m, plan.do, log);
      }
      case 'finalize':
        return this.claim(m, plan.do, log);
    }
  }

  private async claim(
    m: RtmsQueueMessage,
    what: 'claim' | 'finalize',
    log: SessionDeps['log'],
  ): Promise<Reply> {
    const id = m.rtmsStreamId;
    if (this.claiming.has(id)) return 'ack'; // another delivery of this stream is being claimed right now
    if (what === 'claim') {
      const capacity = judgeCapacity(this.load());
      if (!capacity.ok) {
        log.warn({ why: capacity.why }, 'no room for another stream; asking for redelivery');
        return 'retry';
      }
    }
    this.claiming.add(id);
    try {
      let ok: boolean;
      try {
        ok = await this.deps.leases.acquire(id, this.settings.workerId, this.settings.leaseTtlMs);
      } catch (err) {
        log.warn({ err }, 'lease store unavailable; asking for redelivery');
        return 'retry';
      }
      if (!ok) {
        const reply = whenLeaseBusy(m, this.deps.now());
        log.info({ reply }, 'stream held by another worker');
        return reply;
      }
      if (what === 'finalize') {
        this.track(this.finalizeParked(m, log));
        return 'ack';
      }
      const session = new StreamSession(this.deps, this.settings, {
        meetingUuid: m.meetingUuid,
        streamId: id,
        serverUrls: m.serverUrls!,
        eventId: m.eventId,
        ...(m.meetingId !== undefined && { meetingId: m.meetingId }),
      });
      this.sessions.set(id, session);
      log.info({ takeover: m.kind !== 'started', active: this.sessions.size }, 'stream claimed');
      this.track(session.start());
      this.track(
        session.done.then((outcome) => {
          if (this.sessions.get(id) === session) this.sessions.delete(id);
          log.info({ outcome, active: this.sessions.size }, 'stream released');
        }),
      );
      return 'ack';
    } finally {
      this.claiming.delete(id);
    }
  }

  /** A stream stopped while parked (its worker handed it over and nobody reconnected): finish it from the parts. */
  private async finalizeParked(m: RtmsQueueMessage, log: SessionDeps['log']): Promise<void> {
    try {
      if (isRevoked(m.stopReason)) {
        const n = await this.deps.media.deletePrefix(streamPrefixOf(m.meetingUuid, m.rtmsStreamId));
        log.info({ deletedObjects: n }, 'revoked stream not held here: everything stored for it deleted');
        return;
      }
      if (!(await hasParkedParts(this.deps.media, m))) {
        log.info('stopped stream not held here and nothing parked for it: nothing to do');
        return;
      }
      const capture = await this.deps.openCapture({
        rootDir: this.settings.capturesDir,
        meetingUuid: m.meetingUuid,
        streamId: m.rtmsStreamId,
        owner: this.settings.workerId,
        media: this.deps.media,
        ffmpegPath: this.settings.ffmpegPath,
        log: this.deps.log,
        videoFps: this.settings.media.videoFps,
      });
      await capture.finish({
        endedAt: m.eventTs,
        ...(m.stopReason !== undefined && { stopReason: m.stopReason }),
      });
      log.info('parked stream finalised after its stop');
    } catch (err) {
      log.warn({ err }, 'nothing to finalise for a stopped stream not held here');
    } finally {
      await this.deps.leases.release(m.rtmsStreamId, this.settings.workerId).catch(() => undefined);
    }
  }

  private load(): Load {
    const now = Date.now();
    if (now - this.lastDiskCheck > 5_000) {
      this.lastDiskCheck = now;
      this.track(
        statfs(this.settings.capturesDir).then(
          (st) => (this.freeBytes = st.bavail * st.bsize),
          () => (this.freeBytes = undefined),
        ),
      );
    }
    const loopDelayMs = this.loop.percentile(99) / 1e6;
    return {
      active: this.sessions.size + this.claiming.size,
      maxStreams: this.settings.maxStreams,
      loopDelayMs: Number.isFinite(loopDelayMs) ? loopDelayMs : 0,
      diskBacklog: [...this.sessions.values()].some((x) => x.saturated),
      freeBytes: this.freeBytes,
    };
  }

  private track(p: Promise<unknown>): void {
    const t = p.catch((err: unknown) => this.deps.log.error({ err }, 'background stream task failed'));
    this.background.add(t);
    void t.finally(() => this.background.delete(t));
  }

  /**
   * SIGTERM: stop taking streams, park every capture for another instance (without ending the
   * stream at Zoom), release the leases, and publish a handover message per stream.
   */
  async shutdown(): Promise<Record<string, SessionOutcome>> {
    this.stopping = true;
    const out: Record<string, SessionOutcome> = {};
    await Promise.all(
      [...this.sessions.values()].map(async (session) => {
        out[session.streamId] = await session.handOver();
        if (out[session.streamId] === 'handed-over' && this.deps.queue) {
          const now = this.deps.now();
          await this.deps.queue
            .publish({
              kind: 'interrupted',
              eventId: `handover-${session.streamId}-${now}`,
              eventTs: now,
              meetingUuid: session.meetingUuid,
              rtmsStreamId: session.streamId,
              ...(session.meetingId !== undefined && { meetingId: session.meetingId }),
              serverUrls: session.serverUrls,
            })
            .catch((err: unknown) =>
              this.deps.log.error(
                { err, streamId: session.streamId },
                'handover message not published; Zoom will send rtms_interrupted',
              ),
            );
        }
      }),
    );
    await Promise.allSettled([...this.background]);
    this.loop.disable();
    clearInterval(this.loopReset);
    return out;
  }
}

async function hasParkedParts(media: MediaStore, m: RtmsQueueMessage): Promise<boolean> {
  for await (const _key of media.list(`${streamPrefixOf(m.meetingUuid, m.rtmsStreamId)}${PARTS_DIR}`))
    return true;
  return false;
}
