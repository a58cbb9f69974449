// Erasure in the RTMS recordings (`<meeting-key>/<stream-key>/` in the media store): the person's
// transcript lines get their pseudonym as speaker and `[erased]` as text, mentions of their names in
// other lines become the pseudonym, the manifest's participants are pseudonymised. Mixed audio and
// video cannot be split by speaker: with deleteMedia a stream that holds the person is deleted whole,
// otherwise its media stays and is reported. Files left unchanged are never rewritten.
import type { Logger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { meetingKeyOf } from '../../core/zoom/identifiers.ts';
import { contentTypeOf, redactManifest, withChecksums } from './manifest-redaction.ts';
import { decodeUtf8, redactTranscript, type TranscriptFormat } from './transcript-redaction.ts';
import { isRecord, SpeakerBook, type SpeakerMatch } from './transcript-speakers.ts';

export { redactManifest } from './manifest-redaction.ts';
export { ERASED_TEXT, type SpeakerMatch } from './transcript-speakers.ts';

export interface RecordingsErasure {
  /** Recordings changed (a file rewritten, or the stream deleted). */
  streams: number;
  transcriptsRedacted: number;
  /** Transcript lines (cues) rewritten: the person's own lines and other lines mentioning them. */
  linesRedacted: number;
  /** manifest.json files rewritten (participants pseudonymised, checksums of rewritten transcripts). */
  manifestsRedacted: number;
  deletedStreams: string[];
  deletedObjects: number;
  /** prefixes of recordings whose mixed audio/video still holds the person (kept) */
  keptMedia: string[];
}

export interface EraseRecordingsOptions {
  meetingUuids: ReadonlySet<string>;
  match: SpeakerMatch;
  deleteMedia: boolean;
  dryRun: boolean;
  log: Logger;
}

const MANIFEST = 'manifest.json';
const TRANSCRIPT = /\.(vtt|srt|txt)$/;
/** Content types finalize gives the files; the manifest's own `files[].contentType` wins. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};
const MANIFEST_TYPE = 'application/json';
/** Bytes a chunk of a parked segment keeps from the one before, so a name split across chunks is found. */
const SCAN_OVERLAP_MAX = 4096;

export async function eraseFromRecordings(
  media: MediaStore,
  opts: EraseRecordingsOptions,
): Promise<RecordingsErasure> {
  const result: RecordingsErasure = {
    streams: 0,
    transcriptsRedacted: 0,
    linesRedacted: 0,
    manifestsRedacted: 0,
    deletedStreams: [],
    deletedObjects: 0,
    keptMedia: [],
  };
  const done = new Set<string>();
  for (const uuid of [...opts.meetingUuids].sort()) {
    let meetingKey: string;
    try {
      meetingKey = meetingKeyOf(uuid);
    } catch {
      opts.log.debug({ meetingUuid: uuid }, 'erase: meeting uuid cannot have recordings');
      continue;
    }
    for (const [prefix, keys] of await streamsUnder(media, `${meetingKey}/`)) {
      if (done.has(prefix)) continue; // two requested uuids sharing a meeting key
      done.add(prefix);
      await eraseStream(media, prefix, keys, uuid, opts, result);
    }
  }
  opts.log.info(
    {
      dryRun: opts.dryRun,
      streams: result.streams,
      transcriptsRedacted: result.transcriptsRedacted,
      linesRedacted: result.linesRedacted,
      manifestsRedacted: result.manifestsRedacted,
      deletedStreams: result.deletedStreams.length,
      deletedObjects: result.deletedObjects,
      keptMedia: result.keptMedia.length,
    },
    opts.dryRun ? 'erase: recordings that would change' : 'erase: recordings changed',
  );
  return result;
}

/** Keys grouped by stream prefix (`<meeting-key>/<stream-key>/`), in lexical order. */
async function streamsUnder(media: MediaStore, meetingPrefix: string): Promise<Map<string, string[]>> {
  const streams = new Map<string, string[]>();
  for await (const key of media.list(meetingPrefix)) {
    const parts = key.split('/');
    if (parts.length < 3) continue; // not in the recording layout
    const prefix = `${parts[0]}/${parts[1]}/`;
    const keys = streams.get(prefix);
    if (keys) keys.push(key);
    else streams.set(prefix, [key]);
  }
  return streams;
}

async function eraseStream(
  media: MediaStore,
  prefix: string,
  keys: readonly string[],
  listedUuid: string,
  opts: EraseRecordingsOptions,
  result: RecordingsErasure,
): Promise<void> {
  const { match, log } = opts;
  const manifestKey = `${prefix}${MANIFEST}`;
  let manifest: { value: Record<string, unknown> } | undefined;
  if (keys.includes(manifestKey)) {
    const bytes = await read(media, manifestKey);
    try {
      const value: unknown = bytes ? JSON.parse(bytes.toString('utf8')) : undefined;
      if (isRecord(value)) manifest = { value };
    } catch {
      log.warn({ key: manifestKey }, 'erase: manifest is not JSON; left as it is');
    }
  }
  // The manifest names the meeting instance; without one, the meeting key listed is all there is.
  const stated = manifest?.value.meetingUuid;
  const uuid = typeof stated === 'string' ? stated : listedUuid;
  if (!opts.meetingUuids.has(uuid)) return; // another instance whose uuid maps to the same key

  const speakers = new SpeakerBook(uuid, match, manifest?.value.participants);
  let present = speakers.personListed;

  const rewrites: { key: string; body: Buffer; contentType: string }[] = [];
  /** Every transcript as it is after this run (for the manifest's sizes and checksums). */
  const transcripts: { key: string; body: Buffer }[] = [];
  let lines = 0;
  for (const key of keys) {
    const name = key.slice(prefix.length);
    const ext = TRANSCRIPT.exec(name)?.[1];
    if (!ext || name.includes('/')) continue;
    const bytes = await read(media, key);
    const text = bytes ? decodeUtf8(bytes) : undefined;
    if (text === undefined) {
      if (bytes) log.warn({ key }, 'erase: transcript is not UTF-8; left as it is');
      continue;
    }
    const redacted = redactTranscript(text, ext as TranscriptFormat, speakers);
    present ||= redacted.present;
    if (redacted.lines === 0) {
      transcripts.push({ key, body: bytes! });
      continue;
    }
    lines += redacted.lines;
    const body = Buffer.from(redacted.text, 'utf8');
    transcripts.push({ key, body });
    rewrites.push({ key, body, contentType: contentTypeOf(manifest?.value, key, CONTENT_TYPES[ext]!) });
  }

  const mediaKeys = keys.filter((k) => k !== manifestKey && !rewritesOrTranscript(k, prefix));
  if (!present && mediaKeys.length > 0) present = await partsHoldPerson(media, mediaKeys, prefix, speakers);

  if (present && opts.deleteMedia && mediaKeys.length > 0) {
    const objects = opts.dryRun ? keys.length : await media.deletePrefix(prefix);
    result.streams++;
    result.deletedStreams.push(prefix);
    result.deletedObjects += objects;
    log.info(
      { prefix, objects, dryRun: opts.dryRun },
      'erase: recording deleted (mixed media holds the person)',
    );
    return;
  }

  let manifestBody: Buffer | undefined;
  if (manifest) {
    const named = redactManifest(manifest.value, uuid, match);
    // Where the person is, every transcript's checksum is brought up to date, so a run cut short
    // between the transcripts and the manifest is completed by the next one.
    const next = withChecksums(named.manifest as Record<string, unknown>, present ? transcripts : rewrites);
    if (named.changed || next !== named.manifest)
      manifestBody = Buffer.from(`${JSON.stringify(next, null, 2)}\n`, 'utf8');
  }
  if (rewrites.length > 0 || manifestBody) {
    result.streams++;
    result.transcriptsRedacted += rewrites.length;
    result.linesRedacted += lines;
    if (manifestBody) result.manifestsRedacted++;
    if (!opts.dryRun) {
      // Transcripts first and the manifest last, as the worker writes a recording.
      for (const r of rewrites) await media.upload(r.key, r.body, r.contentType);
      if (manifestBody) await media.upload(manifestKey, manifestBody, MANIFEST_TYPE);
    }
    log.info(
      {
        prefix,
        transcripts: rewrites.length,
        lines,
        manifest: manifestBody !== undefined,
        dryRun: opts.dryRun,
      },
      'erase: recording redacted',
    );
  }
  if (present && mediaKeys.length > 0) result.keptMedia.push(prefix);
}

function rewritesOrTranscript(key: string, prefix: string): boolean {
  const name = key.slice(prefix.length);
  return !name.includes('/') && TRANSCRIPT.test(name);
}

/** Parked capture segments (`parts/`) are binary; the person is found in them by their names' bytes. */
async function partsHoldPerson(
  media: MediaStore,
  keys: readonly string[],
  prefix: string,
  speakers: SpeakerBook,
): Promise<boolean> {
  const needles = [...speakers.names, ...speakers.pseudonyms].map((n) => Buffer.from(n, 'utf8'));
  if (needles.length === 0) return false;
  const overlap = Math.min(SCAN_OVERLAP_MAX, Math.max(...needles.map((n) => n.length)) - 1);
  for (const key of keys) {
    if (!key.startsWith(`${prefix}parts/`)) continue;
    const body = await media.get(key);
    if (!body) continue;
    let tail = Buffer.alloc(0);
    try {
      for await (const chunk of body) {
        const window = Buffer.concat([tail, chunk as Buffer]);
        if (needles.some((n) => window.includes(n))) return true;
        tail = window.subarray(Math.max(0, window.length - overlap));
      }
    } finally {
      body.destroy();
    }
  }
  return false;
}

async function read(media: MediaStore, key: string): Promise<Buffer | undefined> {
  const body = await media.get(key);
  if (!body) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
