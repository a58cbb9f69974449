// An HTTP request target (`req.url`) as a URL on a fixed origin, without ever throwing, and the
// same-origin path to redirect to: `//host/x` stays a path here, never a host.
const ORIGIN = 'http://localhost';

/**
 * Origin-form (`/path?q`) keeps every slash of its path; absolute-form (`http://h/p`) keeps only its
 * path and query; anything else (`*`, a bare word) or an unparseable target gives undefined (400).
 */
export function parseRequestTarget(target: string | undefined): URL | undefined {
  const t = target ?? '/';
  try {
    // Concatenated, not resolved against a base: `//evil/x` resolved would name a host.
    if (t.startsWith('/')) return new URL(`${ORIGIN}${t}`);
    if (/^https?:\/\//i.test(t)) {
      const absolute = new URL(t);
      return new URL(`${ORIGIN}${absolute.pathname}${absolute.search}`);
    }
  } catch {
    // not a URL the service can route
  }
  return undefined;
}

/** Path and query to send in a Location header: one leading slash, so a browser never reads a host. */
export function sameOriginLocation(url: URL): string {
  return `/${url.pathname.replace(/^[/\\]+/, '')}${url.search}`;
}
