import { describe, expect, it } from 'vitest';
import { wellFormedJson, wellFormedRow, wellFormedValue } from './well-formed.ts';

const parsed = JSON.parse(
  '{"user_name":"Ana \\ud83d","ok":"Zoë 🦊","\\udc00k":["x\\udfff",{"n":"\\ud83d\\ude00"}]}',
);

describe('well-formed text', () => {
  it('replaces every lone surrogate, in values and keys at any depth, and keeps pairs', () => {
    expect(wellFormedValue(parsed)).toEqual({
      user_name: 'Ana \uFFFD',
      ok: 'Zoë 🦊',
      '\uFFFDk': ['x\uFFFD', { n: '😀' }],
    });
  });

  it('serialises a lone surrogate as U+FFFD, and a clean body as JSON.stringify does (same object)', () => {
    const dirty = wellFormedJson(parsed);
    expect(dirty.json).toBe('{"user_name":"Ana \uFFFD","ok":"Zoë 🦊","\uFFFDk":["x\uFFFD",{"n":"😀"}]}');
    const clean = { a: 'Björn 🦊', b: [1, 'c\\ud83d'] }; // a literal backslash is not a surrogate
    const out = wellFormedJson(clean);
    expect(out.json).toBe(JSON.stringify(clean));
    expect(out.value).toEqual(clean);
  });

  it('keeps `__proto__` an ordinary key, as JSON.parse does', () => {
    const body = JSON.parse('{"__proto__":{"x":"\\ud800"}}') as object;
    const out = wellFormedValue(body) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":"\uFFFD"}}');
  });

  it('fixes a row: string fields and the lone-surrogate escapes inside its JSON text', () => {
    const row = { name: 'Ana \ud83d', payload: '{"n":"Ana \\ud83d"}', n: 5, none: null };
    expect(wellFormedRow(row, ['payload'])).toEqual({
      name: 'Ana \uFFFD',
      payload: '{"n":"Ana \uFFFD"}',
      n: 5,
      none: null,
    });
    const clean = { name: 'Ana', payload: '{}' };
    expect(wellFormedRow(clean, ['payload'])).toBe(clean);
  });
});
