// Media store keys, checked the same way by S3 and the local files: `/`-separated segments that are
// each a plain file name (never empty, `.`, `..`, NUL or a control character, at most 255 bytes).

const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Thrown for a key or prefix the media stores refuse. */
export class InvalidObjectKeyError extends Error {
  override name = 'InvalidObjectKeyError';
}

function segmentsProblem(segments: readonly string[]): string | undefined {
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') return `has an empty, "." or ".." segment`;
    if (Buffer.byteLength(s, 'utf8') > MAX_SEGMENT_BYTES)
      return `has a segment over ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}

function keyProblem(key: string): string | undefined {
  if (key === '') return 'is empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `is over ${MAX_KEY_BYTES} bytes`;
  if (CONTROL.test(key)) return 'holds a control character or NUL';
  if (key.includes('\\')) return 'holds a backslash';
  return segmentsProblem(key.split('/'));
}

/** The key itself when it is valid; throws InvalidObjectKeyError otherwise. */
export function checkObjectKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) throw new InvalidObjectKeyError(`invalid object key ${JSON.stringify(key)}: ${problem}`);
  return key;
}

/**
 * A prefix to list: '' (everything) or whole valid segments, the last one possibly partial
 * (`a/b/` or `a/b/seg-`). `forDelete` also demands at least one whole segment ending in `/`, so a
 * delete can never reach the whole store or a sibling sharing a name's beginning.
 */
export function checkPrefix(prefix: string, opts: { forDelete?: boolean } = {}): string {
  const fail = (why: string): never => {
    throw new InvalidObjectKeyError(`invalid prefix ${JSON.stringify(prefix)}: ${why}`);
  };
  if (opts.forDelete && !prefix.endsWith('/')) fail('a delete needs a prefix ending in "/"');
  if (prefix === '') return prefix;
  if (CONTROL.test(prefix) || prefix.includes('\\')) fail('holds a control character, NUL or a backslash');
  const segments = prefix.split('/');
  const last = segments.pop()!;
  const problem =
    segmentsProblem(segments) ?? (last === '.' || last === '..' ? 'ends in "." or ".."' : undefined);
  if (problem) fail(problem);
  return prefix;
}
