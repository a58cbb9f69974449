// The manifest.json side of erasure in a recording: the person's participant entries pseudonymised,
// sizes and checksums of rewritten transcripts brought up to date, the content type a file is listed with.
import { createHash } from 'node:crypto';
import { isRecord, participantOf, type SpeakerMatch } from './transcript-speakers.ts';

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

/** The manifest with bytes and sha256 of the rewritten transcripts brought up to date (same object when none is listed). */
export function withChecksums(
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

/** The content type the manifest lists for a file, else the fallback. */
export function contentTypeOf(
  manifest: Record<string, unknown> | undefined,
  key: string,
  fallback: string,
): string {
  const files = manifest?.files;
  if (Array.isArray(files)) {
    for (const f of files as unknown[])
      if (isRecord(f) && f.key === key && typeof f.contentType === 'string') return f.contentType;
  }
  return fallback;
}
