// The small interfaces each external system sits behind. Production adapters talk to
// Google Cloud and S3; the embedded defaults use local files, DuckDB and in-process state/queue.
import type { Readable } from 'node:stream';
import type { RawEventRow } from './warehouse/raw-events.ts';
import type { RtmsQueueMessage, StateEvent } from './zoom/types.ts';
import type { LiveParticipantsView, MeetingSummary } from './state/views.ts';

export interface HealthStatus {
  ok: boolean;
  backend: string;
  detail?: string;
}

/** Raw archive and CSV exports: Cloud Storage, or files under $DATA_DIR/gcs/ with the same keys. */
export interface Archive {
  /** Create-only write; 'exists' when the key is already there (which is left unchanged). */
  putIfAbsent(key: string, body: Uint8Array, contentType: string): Promise<'created' | 'exists'>;
  /** Writes or replaces an object, streaming when given a Readable. */
  put(key: string, body: Uint8Array | Readable, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  /** Keys under a prefix, in lexical order. */
  list(prefix: string): AsyncIterable<string>;
  /** Removes one object (retention); false when there was none. */
  delete(key: string): Promise<boolean>;
  health(): Promise<HealthStatus>;
}

/** The event warehouse: BigQuery, or DuckDB at $DATA_DIR/warehouse.duckdb. */
export interface Warehouse {
  /** Idempotent on event_id: a row inserted twice is stored once. */
  insertEvents(rows: readonly RawEventRow[]): Promise<void>;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}

/** Live meeting and participant state: Firestore, or in-process (rebuilt from the archive at start). */
export interface LiveState {
  /** Folds events in; order of arrival and duplicates do not change the result. */
  apply(events: readonly StateEvent[]): Promise<void>;
  /** The meeting number of a meeting instance UUID, if any event has told us. */
  meetingIdFor(meetingUuid: string): Promise<string | undefined>;
  listMeetings(opts?: { includeEnded?: boolean }): Promise<MeetingSummary[]>;
  /** The current (or latest) instance of a meeting number, or a meeting UUID. */
  liveParticipants(meetingIdOrUuid: string): Promise<LiveParticipantsView | undefined>;
  /**
   * Replaces every stored event e of the listed meeting instances by rewrite(e) (same eventId and
   * meetingUuid; e.g. a person's name, e-mail and ids by pseudonyms), leaving the state as applying
   * the rewritten events from scratch would; no old value stays in any document, index or cache
   * (folded state of compacted meetings included). Meetings the state does not hold are not
   * created. Counts meetings and events that changed (rewrite returned something different; a
   * compacted meeting counts each folded record, the meeting's or a connection's, as one); a
   * second call with the same function returns zeros. Watchers are told once if anything changed.
   */
  rewrite(
    meetingUuids: readonly string[],
    rewrite: (e: StateEvent) => StateEvent,
  ): Promise<{ meetings: number; events: number }>;
  /** How many stored events (or folded records, once compacted) of the listed meetings match (erase --dry-run). */
  countEvents(meetingUuids: readonly string[], matches: (e: StateEvent) => boolean): Promise<number>;
  /** Calls back after state changes (for live dashboards); returns an unsubscribe function. */
  watch(onChange: () => void): () => void;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}

/** RTMS start/stop/interrupt messages: Pub/Sub, or in-process delivery of the same push envelope. */
export interface Queue {
  publish(message: RtmsQueueMessage): Promise<void>;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}

export interface StoredObjectInfo {
  key: string;
  /** Last-modified time, ms since the epoch (S3 LastModified, a file's mtime). */
  modifiedAt: number;
  bytes: number;
}

/** Recording files: S3, or files under $DATA_DIR/s3/ with the same keys. */
export interface MediaStore {
  /** Streams a file or buffer to `key` (multipart for large bodies); returns the bytes written. */
  upload(key: string, body: Readable | Uint8Array, contentType: string): Promise<{ bytes: number }>;
  /** Deletes every object under a prefix; returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Keys under a prefix, in lexical order (parked capture parts, finished recordings). */
  list(prefix: string): AsyncIterable<string>;
  /** Like list, with each object's last-modified time (retention ages recordings by it). */
  listObjects(prefix: string): AsyncIterable<StoredObjectInfo>;
  /** Streams an object; undefined when the key does not exist. */
  get(key: string): Promise<Readable | undefined>;
  health(): Promise<HealthStatus>;
}

/** One owner per RTMS stream across all worker instances: Firestore, or in-process. */
export interface LeaseStore {
  /** Takes the lease if free or expired (or already ours); false when another owner holds it. */
  acquire(streamId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends our lease; false if we lost it. */
  renew(streamId: string, owner: string, ttlMs: number): Promise<boolean>;
  release(streamId: string, owner: string): Promise<void>;
}
