// Pure RTMS decisions (rtms-worker/README.md, Protocol): which URL to use, how long to back off, what a handshake
// status, a state update or a lost socket means. No clock, no sockets: the client loop only runs them.
import { SESSION_STATE, STATUS, STOP_REASON, STREAM_STATE, type MediaSocketKind } from './messages.ts';

export const BACKOFF_BASE_MS = 3_000;
export const BACKOFF_CAP_MS = 30_000;

/** 3 s, 6 s, 12 s, 24 s, then 30 s (§3.13); `attempt` counts from 0 and resets after a good handshake. */
export function reconnectDelay(attempt: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 10)));
}

/**
 * `server_urls` may list several URLs separated by commas: the first one checkSocketUrl accepts,
 * wss:// ones first, or why none is.
 */
export function chooseServerUrl(
  serverUrls: string,
  allowedHosts: readonly string[],
): { ok: true; url: string } | { ok: false; why: string } {
  const urls = splitUrls(serverUrls);
  if (urls.length === 0) return { ok: false, why: 'no server url' };
  let why = '';
  for (const url of [...urls.filter((u) => u.startsWith('wss://')), ...urls]) {
    const check = checkSocketUrl(url, allowedHosts);
    if (check.ok) return { ok: true, url };
    why ||= check.why;
  }
  return { ok: false, why };
}

function splitUrls(serverUrls: string): string[] {
  return serverUrls
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1)$/i;

/**
 * Whether a host matches an RTMS_ALLOWED_HOSTS entry: `*.zoom.us` matches every host under
 * zoom.us (not zoom.us itself, not evilzoom.us); any other entry matches that exact host name or IP.
 */
export function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const h = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  return allowedHosts.some((entry) => {
    const e = entry.toLowerCase().replace(/^\[|\]$/g, '');
    return e.startsWith('*.') ? h.endsWith(e.slice(1)) : h === e;
  });
}

/**
 * Only `wss://` to a host in RTMS_ALLOWED_HOSTS (default `*.zoom.us`); plain `ws://` only to a
 * loopback host that is itself in the list (the local simulator), never across a network.
 */
export function checkSocketUrl(
  url: string,
  allowedHosts: readonly string[],
): { ok: true } | { ok: false; why: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, why: `not a URL: ${url.slice(0, 80)}` };
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:')
    return { ok: false, why: `unsupported scheme ${parsed.protocol}` };
  if (parsed.protocol === 'ws:' && !LOOPBACK.test(host))
    return { ok: false, why: `ws:// is only allowed to loopback hosts, not ${host}` };
  if (!hostAllowed(host, allowedHosts))
    return { ok: false, why: `host ${host} is not in RTMS_ALLOWED_HOSTS (${allowedHosts.join(',')})` };
  return { ok: true };
}

export type MediaKind = MediaSocketKind;

/** One socket for `all` when offered (keeps A/V on one connection), else one per media type. */
export function pickMediaUrls(urls: Readonly<Record<string, string>>): Partial<Record<MediaKind, string>> {
  if (urls.all) return { all: urls.all };
  const out: Partial<Record<MediaKind, string>> = {};
  for (const k of ['audio', 'video', 'transcript'] as const) if (urls[k]) out[k] = urls[k];
  return out;
}

export type HandshakeVerdict =
  { kind: 'ok' } | { kind: 'retry'; why: string } | { kind: 'fatal'; why: string };

/** How many duplicate-signal answers we sit out (the old connection may still be closing) before giving up. */
export const MAX_DUPLICATE_RETRIES = 5;

/** msg 2 / msg 4 status codes (§3.11): 0 ok; duplicates are transient; everything else is final. */
export function judgeHandshake(
  status: number,
  reason: string | undefined,
  duplicateRetries: number,
): HandshakeVerdict {
  const why = `status ${status}${reason ? ` (${reason})` : ''}`;
  if (status === STATUS.OK) return { kind: 'ok' };
  if (status === STATUS.DUPLICATE_SIGNAL_REQUEST || status === STATUS.DUPLICATE_MEDIA_DATA_CONNECTION) {
    return duplicateRetries < MAX_DUPLICATE_RETRIES
      ? { kind: 'retry', why }
      : { kind: 'fatal', why: `${why}, still duplicate after ${duplicateRetries} retries` };
  }
  if (status === STATUS.INVALID_SIGNATURE)
    return { kind: 'fatal', why: `${why}: check ZM_CLIENT_ID / ZM_CLIENT_SECRET` };
  return { kind: 'fatal', why };
}

export type StateAction =
  | { kind: 'none' }
  | { kind: 'stop'; stopReason?: number }
  | { kind: 'reconnect-media' }
  | { kind: 'reconnect-all' };

const MEDIA_REASONS = new Set([14, 16]);
const SIGNAL_REASONS = new Set([12, 13, 15]);

/** msg 8 STREAM_STATE_UPDATE (§3.9): terminated ends the capture; interrupted says which socket to redo. */
export function onStreamState(state: number, reason: number | undefined): StateAction {
  if (state === STREAM_STATE.TERMINATED)
    return reason === undefined ? { kind: 'stop' } : { kind: 'stop', stopReason: reason };
  if (state === STREAM_STATE.INTERRUPTED) {
    if (reason !== undefined && MEDIA_REASONS.has(reason)) return { kind: 'reconnect-media' };
    if (reason !== undefined && SIGNAL_REASONS.has(reason)) return { kind: 'reconnect-all' };
    return { kind: 'reconnect-media' };
  }
  return { kind: 'none' };
}

/** msg 9 SESSION_STATE_UPDATE: a stopped session ends the stream (rtms-samples stop reconnecting there too). */
export function onSessionState(state: number, stopReason: number | undefined): StateAction {
  if (state === SESSION_STATE.STOPPED)
    return stopReason === undefined ? { kind: 'stop' } : { kind: 'stop', stopReason };
  return { kind: 'none' };
}

/** Revoked streams (stop reason 8) must leave nothing stored (§3.10). */
export function isRevoked(stopReason: number | undefined): boolean {
  return stopReason === STOP_REASON.STREAM_REVOKED;
}

export type LostAction =
  { kind: 'retry'; delayMs: number; attempt: number } | { kind: 'give-up'; why: string };

/** How long Zoom keeps a broken stream waiting for us (60 s signaling, 65 s media) plus margin. */
export const RECONNECT_WINDOW_MS = 90_000;

/** A socket dropped or went silent: back off and retry until Zoom's reconnect window is over. */
export function onConnectionLost(
  attempt: number,
  lostSinceMs: number,
  nowMs: number,
  windowMs = RECONNECT_WINDOW_MS,
): LostAction {
  const elapsed = nowMs - lostSinceMs;
  const delayMs = reconnectDelay(attempt);
  if (elapsed + delayMs > windowMs)
    return {
      kind: 'give-up',
      why: `no working connection for ${Math.round(elapsed / 1000)} s (window ${windowMs / 1000} s)`,
    };
  return { kind: 'retry', delayMs, attempt: attempt + 1 };
}

/** Per-socket watchdog (§3.12): keep-alives stop while data flows, so any message counts as life. */
export function isSilent(lastMessageAtMs: number, nowMs: number, timeoutMs: number): boolean {
  return nowMs - lastMessageAtMs > timeoutMs;
}
