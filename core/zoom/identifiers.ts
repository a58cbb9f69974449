// Zoom-supplied identifiers as path segments, object keys, lease names and log values: the one place
// that decides what a meeting UUID or an RTMS stream id may become on disk, in S3 or in Firestore.
// Anything that cannot be made safe is refused (UnsafeIdentifierError), never passed through.

/** Thrown for an identifier that cannot be used as a key; the webhook maps it to 400. */
export class UnsafeIdentifierError extends Error {
  override name = 'UnsafeIdentifierError';
}

/** Zoom meeting UUIDs are 24 base64 characters; this leaves room without ever nearing a file name's 255. */
export const MAX_MEETING_UUID_CHARS = 128;
/** Stream ids are 32 hex characters; longer ones are refused (their encoding stays under 255 bytes). */
export const MAX_STREAM_ID_BYTES = 128;
/** The first character of an encoded stream id; never part of an id used as given. */
export const ENCODED_STREAM_PREFIX = '~';

const MEETING_UUID = /^[A-Za-z0-9+/=_-]+$/;
const SAFE_STREAM_ID = /^[A-Za-z0-9_-]+$/;
/** Firestore reserves document ids of the form `__.*__`. */
const RESERVED_DOC_ID = /^__.*__$/s;
/** C0 and C1 control characters (NUL included), DEL, and UTF-16 surrogates that are not paired. */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const UNENCODABLE = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;

/** Why a meeting UUID cannot be a meeting key, or undefined when it can. */
export function meetingUuidProblem(uuid: string): string | undefined {
  if (uuid.length === 0) return 'is empty';
  if (uuid.length > MAX_MEETING_UUID_CHARS) return `is longer than ${MAX_MEETING_UUID_CHARS} characters`;
  if (!MEETING_UUID.test(uuid)) return 'has characters outside base64 (A-Z a-z 0-9 + / = - _)';
  if (RESERVED_DOC_ID.test(toBase64Url(uuid))) return 'maps to a reserved key (__…__)';
  return undefined;
}

/**
 * The meeting key: the UUID in base64url (`+`→`-`, `/`→`_`), the `<meeting-key>` of the recording
 * layout and the live-state document id. Only base64 characters are accepted, so a key can never be
 * `.` or `..`, hold a separator or NUL, or exceed 128 characters.
 */
export function meetingKeyOf(meetingUuid: string): string {
  const problem = meetingUuidProblem(meetingUuid);
  if (problem) throw new UnsafeIdentifierError(`meeting uuid ${logSafe(meetingUuid, 40)} ${problem}`);
  return toBase64Url(meetingUuid);
}

/** Why a stream id cannot be encoded, or undefined when it can. */
export function streamIdProblem(streamId: string): string | undefined {
  if (streamId.length === 0) return 'is empty';
  if (UNENCODABLE.test(streamId)) return 'holds a control character, NUL or an unpaired surrogate';
  if (Buffer.byteLength(streamId, 'utf8') > MAX_STREAM_ID_BYTES)
    return `is longer than ${MAX_STREAM_ID_BYTES} bytes`;
  return undefined;
}

/**
 * The stream key, the `<rtms_stream_id>` segment of the recording layout, the lease file name and
 * lease document id. Ids of `A-Z a-z 0-9 _ -` (Zoom's 32 hex characters) are used as given; any
 * other encodable id becomes `~` + base64url of its UTF-8 bytes without padding (`..` → `~Li4`),
 * which is reversible (`streamIdOfKey`), never `.`/`..`, free of separators and NUL, and at most
 * 172 characters. Ids of the form `__…__` are encoded too (Firestore reserves them).
 */
export function streamKeyOf(streamId: string): string {
  const problem = streamIdProblem(streamId);
  if (problem) throw new UnsafeIdentifierError(`rtms stream id ${logSafe(streamId, 40)} ${problem}`);
  if (SAFE_STREAM_ID.test(streamId) && !RESERVED_DOC_ID.test(streamId)) return streamId;
  return ENCODED_STREAM_PREFIX + Buffer.from(streamId, 'utf8').toString('base64url');
}

/** The stream id a stream key stands for (inverse of streamKeyOf). */
export function streamIdOfKey(key: string): string {
  return key.startsWith(ENCODED_STREAM_PREFIX)
    ? Buffer.from(key.slice(ENCODED_STREAM_PREFIX.length), 'base64url').toString('utf8')
    : key;
}

/** `<meeting-key>/<stream-key>/`: a stream's prefix in the media store (and its capture directory). */
export function streamPrefixOf(meetingUuid: string, streamId: string): string {
  return `${meetingKeyOf(meetingUuid)}/${streamKeyOf(streamId)}/`;
}

/** Why a (meeting UUID, stream id) pair cannot be stored, or undefined when both can. */
export function rtmsIdsProblem(meetingUuid: string, streamId: string): string | undefined {
  const m = meetingUuidProblem(meetingUuid);
  if (m) return `meeting_uuid ${m}`;
  const s = streamIdProblem(streamId);
  return s ? `rtms_stream_id ${s}` : undefined;
}

/** Characters that could forge or reorder a log line: controls, bidi overrides, line separators. */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const LOG_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;

/** A value for a log field: unsafe characters escaped as `\u{…}`, at most `max` characters (then `…`). */
export function logSafe(value: string, max = 200): string {
  const short = value.length > max ? `${value.slice(0, max)}…` : value;
  return short.replace(LOG_UNSAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

function toBase64Url(s: string): string {
  return s.replace(/\+/g, '-').replace(/\//g, '_');
}
