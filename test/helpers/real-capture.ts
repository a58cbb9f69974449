// The capture of real Zoom webhooks the real-data tests read (ZOOM_REAL_WEBHOOKS: ndjson, one delivery
// a line, `received_at` and `raw`, the body Zoom sent), in received_at order, and posted signed to the
// embedded service with its clock at each receipt.
import { readFile } from 'node:fs/promises';
import { startLocalWebhook } from './local-webhook.ts';

export interface CaptureDelivery {
  received_at: string;
  raw: Record<string, unknown>;
}

export async function readCapture(file: string): Promise<CaptureDelivery[]> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  return lines
    .map((l) => JSON.parse(l) as CaptureDelivery)
    .sort((a, b) => a.received_at.localeCompare(b.received_at));
}

/** Every delivery posted to a new embedded service; its DATA_DIR is kept. Returns each answer's status. */
export async function postCapture(file: string): Promise<{ dataDir: string; statuses: number[] }> {
  const deliveries = await readCapture(file);
  let clock = 0;
  const hook = await startLocalWebhook({ now: () => clock });
  const statuses: number[] = [];
  try {
    for (const d of deliveries) {
      clock = Date.parse(d.received_at);
      statuses.push((await hook.post(d.raw)).status);
    }
  } finally {
    await hook.close({ keepData: true });
  }
  return { dataDir: hook.dataDir, statuses };
}
