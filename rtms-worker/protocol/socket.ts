// The one socket shape the RTMS client needs, and its `ws` implementation. Tests pass a fake socket
// with the same shape; production uses real WebSockets (TLS verified, never disabled).
import WebSocket from 'ws';
import { sharedPump, type MessagePump } from './message-pump.ts';

export interface RtmsSocket {
  send(text: string): void;
  /** Closes politely (1000); `terminate` drops the TCP connection at once. */
  close(code?: number, reason?: string): void;
  terminate(): void;
  onOpen(cb: () => void): void;
  /** Text and binary frames alike (binary frames carry the same UTF-8 JSON). */
  onMessage(cb: (data: string | Buffer) => void): void;
  onClose(cb: (code: number, reason: string) => void): void;
  onError(cb: (err: Error) => void): void;
}

export type SocketFactory = (url: string) => RtmsSocket;

/** Largest frame we accept: a 1080p H.264 keyframe in base64 is well below this. */
const MAX_PAYLOAD = 16 * 1024 * 1024;

/** A factory of `ws` sockets whose messages go through `pump` (default: the process-wide one). */
export const createWsSocketFactory =
  (pump: MessagePump = sharedPump): SocketFactory =>
  (url) => {
    const ws = new WebSocket(url, { maxPayload: MAX_PAYLOAD, handshakeTimeout: 10_000 });
    // Messages reach the client through the shared pump (bounded slices, back-pressure when queued);
    // a close is reported only after every message received before it.
    let onMessage: ((data: string | Buffer) => void) | undefined;
    const inbox = pump.inbox(
      (buf, binary) => onMessage?.(binary ? buf : buf.toString('utf8')),
      (err) => ws.emit('error', err instanceof Error ? err : new Error(String(err))),
      ws,
    );
    ws.on('message', (data, isBinary) =>
      inbox.push(
        Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data),
        isBinary,
      ),
    );
    return {
      send(text) {
        if (ws.readyState === WebSocket.OPEN) ws.send(text);
      },
      close(code = 1000, reason = '') {
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
      },
      terminate: () => ws.terminate(),
      onOpen: (cb) => ws.on('open', cb),
      onMessage: (cb) => void (onMessage = cb),
      onClose: (cb) =>
        ws.on('close', (code, reason) => inbox.afterDrain(() => cb(code, reason.toString('utf8')))),
      onError: (cb) => ws.on('error', cb),
    };
  };

export const wsSocketFactory: SocketFactory = createWsSocketFactory();
