// Dashboard QoS answers (jobs/backfill/README.md) → camera_minutes rows. Pure. Values are strings with
// units ("27.15 kbps", "1.2 Mbps", "12 fps"); empty objects, "" and missing values mean no data.
import { z } from 'zod';
import type { CameraMinuteRow } from '../../core/warehouse/sql-engine.ts';

const qosValue = z.union([z.string(), z.number()]).optional().nullable();
const videoInput = z
  .looseObject({ bitrate: qosValue, frame_rate: qosValue, resolution: qosValue })
  .optional()
  .nullable();

export const qosParticipantSchema = z.looseObject({
  id: z.string().optional().nullable(),
  user_id: z.union([z.string(), z.number()]).transform(String).optional().nullable(),
  user_name: z.string().optional().nullable(),
  participant_uuid: z.string().optional().nullable(),
  email: z.string().optional().nullable(),
  user_qos: z
    .array(
      z.looseObject({ date_time: z.string().optional().nullable(), video_input: z.unknown().optional() }),
    )
    .optional()
    .nullable(),
});

export const qosPageSchema = z.looseObject({
  next_page_token: z.string().optional().nullable(),
  participants: z.array(z.unknown()).optional().nullable(),
});

export type QosParticipant = z.output<typeof qosParticipantSchema>;

const UNIT_FACTOR: Readonly<Record<string, number>> = { bps: 0.001, kbps: 1, mbps: 1000, gbps: 1_000_000 };

/** "27.15 kbps" → 27.15 (kbps); "1.2 Mbps" → 1200; "" / missing / unreadable → null. */
export function parseBitrateKbps(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = /^\s*([0-9]+(?:[.,][0-9]+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!m) return null;
  const amount = Number((m[1] as string).replace(',', '.'));
  const unit = (m[2] as string).toLowerCase() || 'kbps';
  const factor = UNIT_FACTOR[unit];
  return factor === undefined ? null : Math.round(amount * factor * 1000) / 1000;
}

/** "12 fps" → 12; anything else → null. */
export function parseFrameRate(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const m = typeof value === 'string' ? /^\s*([0-9]+(?:\.[0-9]+)?)\s*(fps)?\s*$/i.exec(value) : null;
  return m ? Number(m[1]) : null;
}

export interface ParseContext {
  meetingUuid: string;
  meetingId: string | null;
  insertedAt: string;
}

export interface ParsedQos {
  rows: CameraMinuteRow[];
  /** Participants without uuid, email or name: nothing to key them by. */
  skippedParticipants: number;
  /** Samples without a readable date_time. */
  skippedSamples: number;
}

/** One row per participant per sampled minute; a minute seen twice (re-joins) keeps the highest bitrate. */
export function qosRows(participants: readonly unknown[], ctx: ParseContext): ParsedQos {
  const byMinute = new Map<string, CameraMinuteRow>();
  let skippedParticipants = 0;
  let skippedSamples = 0;
  for (const raw of participants) {
    const parsed = qosParticipantSchema.safeParse(raw);
    const p = parsed.success ? parsed.data : undefined;
    const key = p
      ? p.participant_uuid?.trim() || p.email?.trim() || p.user_name?.trim() || undefined
      : undefined;
    if (!p || !key) {
      skippedParticipants++;
      continue;
    }
    for (const sample of p.user_qos ?? []) {
      const at = sample.date_time ? Date.parse(sample.date_time) : NaN;
      if (!Number.isFinite(at)) {
        skippedSamples++;
        continue;
      }
      const video = videoInput.safeParse(sample.video_input);
      const v = video.success ? video.data : undefined;
      const kbps = parseBitrateKbps(v?.bitrate);
      const start = new Date(at).toISOString();
      const row: CameraMinuteRow = {
        minute_date: start.slice(0, 10),
        meeting_uuid: ctx.meetingUuid,
        meeting_id: ctx.meetingId,
        participant_key: key,
        participant_uuid: p.participant_uuid?.trim() || null,
        participant_id: p.user_id ?? null,
        participant_name: p.user_name?.trim() || null,
        participant_email: p.email?.trim() || null,
        source: 'qos',
        interval_start: start,
        interval_end: new Date(at + 60_000).toISOString(),
        camera_on: kbps !== null && kbps > 0,
        video_bitrate_kbps: kbps,
        video_resolution:
          typeof v?.resolution === 'string' && v.resolution.trim() !== '' ? v.resolution.trim() : null,
        video_frame_rate: parseFrameRate(v?.frame_rate),
        inserted_at: ctx.insertedAt,
      };
      const id = `${key}\n${start}`;
      const seen = byMinute.get(id);
      if (!seen || (row.video_bitrate_kbps ?? -1) > (seen.video_bitrate_kbps ?? -1)) byMinute.set(id, row);
    }
  }
  return { rows: [...byMinute.values()], skippedParticipants, skippedSamples };
}
