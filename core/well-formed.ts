// Well-formed text: every lone UTF-16 surrogate (a name cut inside an emoji) becomes U+FFFD, so no
// string the tracker stores or serialises can be refused by a JSON parser, DuckDB or BigQuery.

interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}
const wf = (s: string) => s as unknown as WellFormedString;

/** The string with each lone surrogate replaced by U+FFFD (the same string when already well formed). */
export function wellFormedString(s: string): string {
  return wf(s).isWellFormed() ? s : wf(s).toWellFormed();
}

/** A copy of a parsed JSON value with every string (keys too) well formed; iterative, any depth. */
export function wellFormedValue(value: unknown): unknown {
  const fix = (v: unknown): unknown => (typeof v === 'string' ? wellFormedString(v) : v);
  if (typeof value !== 'object' || value === null) return fix(value);
  const root: unknown = Array.isArray(value) ? [] : {};
  const stack: [unknown, Record<string, unknown> | unknown[]][] = [[value, root as never]];
  while (stack.length > 0) {
    const [from, to] = stack.pop() as [Record<string, unknown>, Record<string, unknown>];
    for (const [k, v] of Object.entries(from)) {
      let out = fix(v);
      if (typeof v === 'object' && v !== null) {
        out = Array.isArray(v) ? [] : {};
        stack.push([v, out as Record<string, unknown>]);
      }
      if (Array.isArray(to)) to.push(out);
      else define(to, wellFormedString(k), out);
    }
  }
  return root;
}

/** An own property, even `__proto__` (JSON.parse makes it an ordinary key, so must we). */
function define(to: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(to, key, { value, enumerable: true, writable: true, configurable: true });
  else to[key] = value;
}

/**
 * `JSON.stringify(value)` of the well-formed value, and that value. JSON.stringify writes a lone
 * surrogate as a `\udXXX` escape (a pair stays literal), so one scan of the text finds them.
 */
export function wellFormedJson(value: unknown): { value: unknown; json: string } {
  const json = JSON.stringify(value);
  if (!LONE_SURROGATE_ESCAPE.test(json)) return { value, json };
  const clean = wellFormedValue(value);
  return { value: clean, json: JSON.stringify(clean) };
}

/** `\ud800`–`\udfff` as JSON.stringify escapes them (a literal `\\ud…` only costs a second pass). */
const LONE_SURROGATE_ESCAPE = /\\ud[89a-f]/i;

/** A row whose string fields are all well formed, and whose JSON text has no lone-surrogate escape. */
export function wellFormedRow<T extends object>(row: T, jsonFields: readonly (keyof T)[] = []): T {
  let copy: T | undefined;
  for (const [k, v] of Object.entries(row)) {
    if (typeof v !== 'string') continue;
    let fixed = wellFormedString(v);
    if (jsonFields.includes(k as keyof T) && LONE_SURROGATE_ESCAPE.test(fixed)) {
      try {
        fixed = wellFormedJson(JSON.parse(fixed)).json;
      } catch {
        // not JSON: left to the warehouse to refuse (the row alone, never its batch)
      }
    }
    if (fixed !== v) (copy ??= { ...row })[k as keyof T] = fixed as T[keyof T];
  }
  return copy ?? row;
}
