// A port already taken is found before anything starts (so the reason is the last line on screen,
// not hidden above the start-up log) and named in one line.
import { createServer } from 'node:net';

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

export function portInUse(port: number, host: string | undefined): PortInUseError {
  const where = host ? `${host}:${port}` : `port ${port}`;
  return new PortInUseError(
    `${where} is already in use: stop the program listening there, or set PORT to a free port`,
  );
}

/** Throws PortInUseError when the port cannot be bound now (port 0 always can). */
export async function assertPortFree(port: number, host: string | undefined): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ port, host, exclusive: true }, () => resolve());
  }).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE' ? portInUse(port, host) : err;
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
