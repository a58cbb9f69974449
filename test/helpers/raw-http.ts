// One HTTP/1.1 request written byte for byte on a TCP socket (any request target, even `*` or `//`,
// which fetch and http.request would rewrite or refuse), and the status line and headers it got.
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function rawRequest(
  port: number,
  target: string,
  opts: { method?: string; headers?: Record<string, string>; host?: string; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const head = [
    `${opts.method ?? 'GET'} ${target} HTTP/1.1`,
    'Host: zoom-tracker.test',
    'Connection: close',
    ...Object.entries(opts.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(port, opts.host ?? '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(opts.timeoutMs ?? 5_000, () =>
      socket.destroy(new Error(`no answer to ${target.slice(0, 60)}`)),
    );
    socket.on('connect', () => socket.write(`${head}\r\n\r\n`));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [headText = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = headText.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
      if (!status) return reject(new Error(`no HTTP answer to ${target.slice(0, 60)}: ${text.slice(0, 80)}`));
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status, headers, body });
    });
  });
}
