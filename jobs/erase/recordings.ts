// Erasure in the RTMS recordings (`<meeting-key>/<stream-key>/` in the media store): the person's
// transcript lines get their pseudonym as speaker and `[erased]` as text, mentions of their names in
// other lines become the pseudonym, the manifest's participants are pseudonymised. Mixed audio and
// video cannot be split by speaker: with deleteMedia a stream that holds the person is deleted whole,
// otherwise its media stays and is reported. Files left unchanged are never rewritten.
import { createHash } from 'node:crypto';
import type { Logger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { meetingKeyOf } from '../../core/zoom/identifiers.ts';

export interface SpeakerMatch {
  /** True when a transcript speaker / manifest participant of this meeting is the person being erased. */
  isPerson(meetingUuid: string, speaker: { userId?: string; name?: string }): boolean;
  /** Names of the person in this meeting (to replace where others' lines mention them). */
  namesIn(meetingUuid: string): readonly string[];
  /** The stable pseudonym replacing a name / a user id of theirs. */
  pseudonymName(name: string): string;
  pseudonymId(userId: string): string;
  /**
   * Optional: the person's user ids in this meeting. A speaker known only by user id is written
   * `Speaker <pseudonymId>` after erasure; with these a later run still finds the recording holds them.
   */
  userIdsIn?(meetingUuid: string): readonly string[];
}

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

/** What the person's own transcript lines say after erasure. */
export const ERASED_TEXT = '[erased]';

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

/**
 * The manifest with the person's participant entries pseudonymised (`userName` by pseudonymName,
 * `userId` by pseudonymId of its decimal form). Pure, deterministic and idempotent: a second call on
 * the result returns it unchanged with changed false. Anything that is not a manifest object is
 * returned as given.
 */
export function redactManifest(
  manifest: unknown,
  meetingUuid: string,
  match: SpeakerMatch,
): { manifest: unknown; changed: boolean } {
  if (!isRecord(manifest) || !Array.isArray(manifest.participants)) return { manifest, changed: false };
  let changed = false;
  const participants = manifest.participants.map((p: unknown) => {
    if (!isRecord(p)) return p;
    const speaker = participantOf(p);
    if (!speaker || !match.isPerson(meetingUuid, speaker)) return p;
    changed = true;
    const out: Record<string, unknown> = { ...p };
    if (speaker.userId !== undefined) out.userId = match.pseudonymId(speaker.userId);
    if (speaker.name !== undefined) out.userName = match.pseudonymName(speaker.name);
    return out;
  });
  return changed ? { manifest: { ...manifest, participants }, changed } : { manifest, changed };
}

function participantOf(p: Record<string, unknown>): { userId?: string; name?: string } | undefined {
  const id = typeof p.userId === 'number' || typeof p.userId === 'string' ? String(p.userId) : undefined;
  const name = typeof p.userName === 'string' ? p.userName : undefined;
  if (id === undefined && name === undefined) return undefined;
  return { ...(id !== undefined ? { userId: id } : {}), ...(name !== undefined ? { name } : {}) };
}

/** The manifest with bytes and sha256 of the rewritten transcripts brought up to date (same object when none is listed). */
function withChecksums(
  manifest: Record<string, unknown>,
  rewrites: readonly { key: string; body: Buffer }[],
): Record<string, unknown> {
  if (rewrites.length === 0 || !Array.isArray(manifest.files)) return manifest;
  let changed = false;
  const files = manifest.files.map((f: unknown) => {
    if (!isRecord(f)) return f;
    const r = rewrites.find((w) => w.key === f.key);
    if (!r) return f;
    const sha256 = createHash('sha256').update(r.body).digest('hex');
    if (f.bytes === r.body.length && f.sha256 === sha256) return f;
    changed = true;
    return { ...f, bytes: r.body.length, sha256 };
  });
  return changed ? { ...manifest, files } : manifest;
}

function contentTypeOf(manifest: Record<string, unknown> | undefined, key: string, fallback: string): string {
  const files = manifest?.files;
  if (Array.isArray(files)) {
    for (const f of files as unknown[])
      if (isRecord(f) && f.key === key && typeof f.contentType === 'string') return f.contentType;
  }
  return fallback;
}

/**
 * Who the speakers of one stream are: the manifest's participants (user id → name) tell a transcript
 * label that is a name from the `Speaker <id>` label of a user without one.
 */
class SpeakerBook {
  /** The person is among the manifest's participants (or was, under a pseudonym). */
  readonly personListed: boolean;
  /** The person's names here: from the match and from the participants that are the person. */
  readonly names: string[];
  /** Pseudonyms of those names (a second run recognises an erased recording by them). */
  readonly pseudonyms: string[];
  private readonly idsByName = new Map<string, string[]>();
  private readonly known = new Set<string>();
  private readonly protectedSpans: RegExp;
  private readonly mention: RegExp | undefined;

  constructor(
    readonly meetingUuid: string,
    private readonly match: SpeakerMatch,
    participants: unknown,
  ) {
    const names = new Set(match.namesIn(meetingUuid).filter((n) => n.trim() !== ''));
    let listed = false;
    const listedPseudonyms: string[] = [];
    for (const p of Array.isArray(participants) ? (participants as unknown[]) : []) {
      if (!isRecord(p)) continue;
      const s = participantOf(p);
      if (!s) continue;
      if (s.name !== undefined) {
        this.known.add(s.name);
        if (s.userId !== undefined)
          this.idsByName.set(s.name, [...(this.idsByName.get(s.name) ?? []), s.userId]);
      }
      if (match.isPerson(meetingUuid, s)) {
        listed = true;
        if (s.name !== undefined && s.name.trim() !== '') names.add(s.name);
      } else {
        if (s.name !== undefined) listedPseudonyms.push(s.name);
        if (s.userId !== undefined) listedPseudonyms.push(s.userId);
      }
    }
    this.names = [...names].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    const ids = match.userIdsIn?.(meetingUuid) ?? [];
    this.pseudonyms = [
      ...new Set([
        ...this.names.map((n) => match.pseudonymName(n)),
        ...ids.map((id) => match.pseudonymId(id)),
      ]),
    ];
    this.personListed = listed || listedPseudonyms.some((n) => this.pseudonyms.includes(n));
    const alternatives = this.names.map((n) => `(${wordsPattern(n)})`);
    this.mention =
      alternatives.length === 0
        ? undefined
        : new RegExp(
            `(?<![\\p{L}\\p{N}\\p{M}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}\\p{M}_])`,
            'giu',
          );
    // Never rewritten inside: pseudonyms and the erased text.
    const spans = [...this.pseudonyms, ERASED_TEXT].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.protectedSpans = new RegExp(`(${spans.join('|')})`, 'gu');
  }

  /** Whether a transcript label is a participant's name (to split `speaker: text` lines). */
  isKnownLabel(label: string): boolean {
    return this.known.has(label) || /^Speaker \d+$/.test(label) || this.isPerson(label);
  }

  isPerson(label: string): boolean {
    const ids = this.idsByName.get(label);
    if (ids) return ids.some((userId) => this.match.isPerson(this.meetingUuid, { userId, name: label }));
    const fallback = /^Speaker (\d+)$/.exec(label);
    if (fallback) return this.match.isPerson(this.meetingUuid, { userId: fallback[1]! });
    return this.match.isPerson(this.meetingUuid, { name: label });
  }

  /** The pseudonym a label of the person becomes (`Speaker <id>` keeps its form). */
  pseudonymOf(label: string): string {
    const fallback = this.idsByName.has(label) ? null : /^Speaker (\d+)$/.exec(label);
    return fallback ? `Speaker ${this.match.pseudonymId(fallback[1]!)}` : this.match.pseudonymName(label);
  }

  /** Text with whole-word mentions of the person's names (in any case) replaced by their pseudonyms. */
  replaceMentions(text: string): string {
    const re = this.mention;
    if (!re) return text;
    return text
      .split(this.protectedSpans)
      .map((part, i) =>
        i % 2 === 1
          ? part
          : part.replace(re, (...m: unknown[]) => {
              // One group per name, longest first: the one that matched picks the pseudonym.
              const k = this.names.findIndex((_, j) => m[j + 1] !== undefined);
              return this.match.pseudonymName(this.names[k]!);
            }),
      )
      .join('');
  }

  /** True when the text names the person by one of their pseudonyms (an erased recording). */
  holdsPseudonym(text: string): boolean {
    return this.pseudonyms.some((p) => text.includes(p));
  }
}

type TranscriptFormat = 'vtt' | 'srt' | 'txt';

interface RedactedTranscript {
  text: string;
  /** Lines rewritten. */
  lines: number;
  /** The person speaks, is mentioned, or (after an earlier run) appears by pseudonym. */
  present: boolean;
}

const VTT_TIMING = /^\d{2,}:\d{2}:\d{2}\.\d{3} --> \d{2,}:\d{2}:\d{2}\.\d{3}$/;
const SRT_TIMING = /^\d{2,}:\d{2}:\d{2},\d{3} --> \d{2,}:\d{2}:\d{2},\d{3}$/;
const TXT_LINE = /^(\[[0-9:.]+\] )([\s\S]*)$/;
const VTT_VOICE = /^<v ([^>]*)>([\s\S]*)$/;

/**
 * One transcript as finalize writes it (rtms-worker/capture/transcripts.ts): WebVTT cues
 * `<v speaker>text` after their timing line, SubRip `speaker: text` after theirs, plain text
 * `[hh:mm:ss] speaker: text`. Only those lines can change; everything else stays byte for byte.
 */
function redactTranscript(text: string, format: TranscriptFormat, speakers: SpeakerBook): RedactedTranscript {
  const lines = text.split('\n');
  let changed = 0;
  let present = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const prev = i > 0 ? lines[i - 1]! : '';
    let cue:
      { speaker: string; text: string; rebuild: (speaker: string, text: string) => string } | undefined;
    if (format === 'vtt') {
      const v = VTT_TIMING.test(prev) ? VTT_VOICE.exec(line) : null;
      if (v) {
        const raw = v[1]!;
        cue = {
          speaker: unescapeVtt(raw),
          text: unescapeVtt(v[2]!),
          rebuild: (s, t) => `<v ${s === unescapeVtt(raw) ? raw : escapeVtt(s)}>${escapeVtt(t)}`,
        };
      }
    } else if (format === 'srt') {
      const split = SRT_TIMING.test(prev) ? splitSpeaker(line, speakers) : undefined;
      if (split) cue = { ...split, rebuild: (s, t) => `${s}: ${t}` };
    } else {
      const m = TXT_LINE.exec(line);
      const split = m ? splitSpeaker(m[2]!, speakers) : undefined;
      if (m && split) cue = { ...split, rebuild: (s, t) => `${m[1]!}${s}: ${t}` };
    }
    if (!cue) continue;
    let next = line;
    if (speakers.isPerson(cue.speaker)) {
      present = true;
      next = cue.rebuild(speakers.pseudonymOf(cue.speaker), ERASED_TEXT);
    } else {
      const said = speakers.replaceMentions(cue.text);
      if (said !== cue.text) {
        present = true;
        next = cue.rebuild(cue.speaker, said);
      } else if (speakers.holdsPseudonym(cue.speaker) || speakers.holdsPseudonym(cue.text)) present = true;
    }
    if (next !== line) {
      lines[i] = next;
      changed++;
    }
  }
  return { text: changed > 0 ? lines.join('\n') : text, lines: changed, present };
}

/**
 * `speaker: text` split at the `: ` that ends a known speaker label (the person's first, then the
 * longest participant name), else at the first one; undefined without any.
 */
function splitSpeaker(line: string, speakers: SpeakerBook): { speaker: string; text: string } | undefined {
  const cuts: number[] = [];
  for (let at = line.indexOf(': '); at >= 0; at = line.indexOf(': ', at + 1)) cuts.push(at);
  if (cuts.length === 0) return undefined;
  const at = (cut: number): { speaker: string; text: string } => ({
    speaker: line.slice(0, cut),
    text: line.slice(cut + 2),
  });
  const person = cuts.find((c) => speakers.isPerson(line.slice(0, c)));
  if (person !== undefined) return at(person);
  const known = [...cuts].reverse().find((c) => speakers.isKnownLabel(line.slice(0, c)));
  return at(known ?? cuts[0]!);
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

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text when the bytes are UTF-8 (so writing it back gives the same bytes), else undefined. */
function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

function escapeVtt(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeVtt(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** A name as a pattern: literal, any run of whitespace matching any other. */
function wordsPattern(name: string): string {
  return name.trim().split(/\s+/u).map(escapeRegExp).join('\\s+');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
