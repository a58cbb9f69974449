// Table tests of the identifier encoding: exact keys for safe and hostile meeting UUIDs and stream
// ids, what is refused, reversibility, and the bounds on length and characters.
import { describe, expect, it } from 'vitest';
import {
  logSafe,
  meetingKeyOf,
  meetingUuidProblem,
  streamIdOfKey,
  streamIdProblem,
  streamKeyOf,
  streamPrefixOf,
  UnsafeIdentifierError,
} from './identifiers.ts';

describe('meeting keys', () => {
  it.each([
    ['4nYtdqLVTVqGJ+QB62ED7Q==', '4nYtdqLVTVqGJ-QB62ED7Q=='],
    ['/abc//def+==', '_abc__def-=='],
    ['hwkAADUySwyG3GyUkqc0vA==', 'hwkAADUySwyG3GyUkqc0vA=='],
    ['faults-meeting==', 'faults-meeting=='],
    ['x'.repeat(128), 'x'.repeat(128)],
  ])('%s -> %s (base64url, the recording layout of today)', (uuid, key) =>
    expect(meetingKeyOf(uuid)).toBe(key),
  );

  it.each([
    ['..', 'has characters outside base64 (A-Z a-z 0-9 + / = - _)'],
    ['.', 'has characters outside base64 (A-Z a-z 0-9 + / = - _)'],
    ['../gcs', 'has characters outside base64 (A-Z a-z 0-9 + / = - _)'],
    ['ab\u0000==', 'has characters outside base64 (A-Z a-z 0-9 + / = - _)'],
    ['a\\b', 'has characters outside base64 (A-Z a-z 0-9 + / = - _)'],
    ['', 'is empty'],
    ['x'.repeat(129), 'is longer than 128 characters'],
    ['//x//', 'maps to a reserved key (__…__)'],
  ])('%j is refused: %s', (uuid, why) => {
    expect(meetingUuidProblem(uuid)).toBe(why);
    expect(() => meetingKeyOf(uuid)).toThrow(UnsafeIdentifierError);
  });
});

describe('stream keys', () => {
  it.each([
    ['03db704592624398931a588dd78200cb', '03db704592624398931a588dd78200cb'],
    ['gcs', 'gcs'],
    ['stream-1_A', 'stream-1_A'],
    ['.', '~Lg'],
    ['..', '~Li4'],
    ['../x', '~Li4veA'],
    ['a/b', '~YS9i'],
    ['stream.1', '~c3RyZWFtLjE'],
    ['~Lg', '~fkxn'],
    ['__x__', '~X194X18'],
    ['é', '~w6k'],
  ])('%j -> %s', (id, key) => {
    expect(streamKeyOf(id)).toBe(key);
    expect(streamIdOfKey(key)).toBe(id);
  });

  it('the longest accepted ids stay under a file name (255 bytes): 128 bytes -> at most 172 characters', () => {
    expect(streamKeyOf('x'.repeat(128))).toBe('x'.repeat(128));
    const key = streamKeyOf('é'.repeat(64)); // 128 UTF-8 bytes, not a plain name
    expect(key).toHaveLength(172);
    expect(key).toBe(`~${Buffer.from('é'.repeat(64)).toString('base64url')}`);
    expect(streamIdOfKey(key)).toBe('é'.repeat(64));
  });

  it.each([
    ['', 'is empty'],
    ['a\u0000b', 'holds a control character, NUL or an unpaired surrogate'],
    ['a\nb', 'holds a control character, NUL or an unpaired surrogate'],
    ['\u009b', 'holds a control character, NUL or an unpaired surrogate'],
    ['\ud83d', 'holds a control character, NUL or an unpaired surrogate'],
    ['x'.repeat(129), 'is longer than 128 bytes'],
    ['x'.repeat(300), 'is longer than 128 bytes'],
    ['é'.repeat(65), 'is longer than 128 bytes'],
  ])('%j is refused: %s', (id, why) => {
    expect(streamIdProblem(id)).toBe(why);
    expect(() => streamKeyOf(id)).toThrow(UnsafeIdentifierError);
  });

  it('no encodable id becomes ".", "..", or holds a separator or NUL', () => {
    const ids = ['.', '..', '...', '/', '\\', '../..', 'a/../b', ' ', '%2e%2e', 'C:\\x', '\u202e'];
    for (const id of ids) {
      const key = streamKeyOf(id);
      // eslint-disable-next-line no-control-regex -- control characters are what this matches
      expect(key).not.toMatch(/^\.{1,2}$|[/\\\u0000]/);
      expect(Buffer.byteLength(key)).toBeLessThanOrEqual(255);
    }
  });

  it('the media store prefix joins both keys', () => {
    expect(streamPrefixOf('aBc/12+xyZ==', '..')).toBe('aBc_12-xyZ==/~Li4/');
    expect(() => streamPrefixOf('..', 'gcs')).toThrow(UnsafeIdentifierError);
  });
});

describe('logSafe', () => {
  it('escapes controls, bidi overrides and line separators, and bounds the length', () => {
    expect(logSafe('a\nb\u202ec\u0000d\u2028')).toBe('a\\u{a}b\\u{202e}c\\u{0}d\\u{2028}');
    expect(logSafe('x'.repeat(10), 4)).toBe('xxxx…');
    expect(logSafe('Ana García 🦊')).toBe('Ana García 🦊');
  });
});
