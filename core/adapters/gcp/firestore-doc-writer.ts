// Serialises and batches event merges per Firestore document: while one transaction on a document is
// in flight, later events for it queue up and go in the next single transaction (no self-contention).
import type { DocumentReference, DocumentData, Firestore, Transaction } from '@google-cloud/firestore';
import type { StateEvent } from '../../zoom/types.ts';

/** Builds the document from its complete, deduplicated event list (and the stored document, if any). */
export type DocBuilder = (events: StateEvent[], existing: DocumentData | undefined) => DocumentData;

interface Pending {
  ref: DocumentReference;
  build: DocBuilder;
  events: StateEvent[];
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
}

export interface DocWriter {
  /** Merges events into the document's event list and rewrites its derived fields; resolves once durable. */
  merge(ref: DocumentReference, events: readonly StateEvent[], build: DocBuilder): Promise<void>;
}

export function createDocWriter(db: Firestore): DocWriter {
  const queued = new Map<string, Pending>();
  const running = new Set<string>();

  async function drain(path: string): Promise<void> {
    running.add(path);
    try {
      for (let batch = queued.get(path); batch; batch = queued.get(path)) {
        queued.delete(path);
        try {
          await db.runTransaction((tx) => mergeIn(tx, batch.ref, batch.events, batch.build), {
            maxAttempts: 8,
          });
          for (const w of batch.waiters) w.resolve();
        } catch (err) {
          for (const w of batch.waiters) w.reject(err);
        }
      }
    } finally {
      running.delete(path);
    }
  }

  return {
    merge(ref, events, build) {
      return new Promise<void>((resolve, reject) => {
        const path = ref.path;
        let batch = queued.get(path);
        if (!batch) queued.set(path, (batch = { ref, build, events: [], waiters: [] }));
        batch.events.push(...events);
        batch.waiters.push({ resolve, reject });
        if (!running.has(path)) void drain(path);
      });
    },
  };
}

/** Reads the document, adds the events it does not have yet, and rewrites it only if anything is new. */
async function mergeIn(
  tx: Transaction,
  ref: DocumentReference,
  events: readonly StateEvent[],
  build: DocBuilder,
): Promise<boolean> {
  const snap = await tx.get(ref);
  const existing = snap.exists ? snap.data() : undefined;
  const stored = (existing?.['events'] as StateEvent[] | undefined) ?? [];
  const seen = new Set(stored.map((e) => e.eventId));
  const fresh: StateEvent[] = [];
  for (const e of events) {
    if (seen.has(e.eventId)) continue;
    seen.add(e.eventId);
    fresh.push(e);
  }
  if (fresh.length === 0) return false;
  tx.set(ref, build([...stored, ...fresh], existing));
  return true;
}
