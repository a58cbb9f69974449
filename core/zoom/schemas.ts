// Schemas of Zoom webhook bodies (core/zoom/README.md): the source of the types; nothing downstream sees
// unchecked JSON. Lenient where Zoom is inconsistent (ids as numbers, empty time strings).
import { z } from 'zod';

/** Meeting and participant ids arrive as strings in meeting.* and numbers in recording.*. */
const id = z.union([z.string(), z.number().int().nonnegative()]).transform(String);

/** ISO 8601 UTC time; Zoom sends "" for "not yet", which becomes undefined. */
const time = z
  .string()
  .transform((s) => (s.trim() === '' ? undefined : s))
  .refine((s) => s === undefined || (/^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s))), {
    message: 'must be an ISO 8601 time',
  });

const text = z.union([z.string(), z.number()]).transform(String);

export const participantSchema = z.looseObject({
  user_id: id.optional(),
  parent_user_id: id.optional(),
  participant_id: id.optional(),
  user_name: text.optional(),
  id: z.string().optional(),
  participant_uuid: z.string().optional(),
  participant_user_id: z.string().optional(),
  email: z.string().optional(),
  join_time: time.optional(),
  leave_time: time.optional(),
  leave_reason: z.string().optional(),
  date_time: time.optional(),
  old_role: z.string().optional(),
  new_role: z.string().optional(),
  sharing_details: z.looseObject({ content: z.string().optional(), date_time: time.optional() }).optional(),
  qos: z.array(z.looseObject({ date_time: time.optional(), type: z.string().optional() })).optional(),
});

export const meetingObjectSchema = z.looseObject({
  id: id.optional(),
  uuid: z.string().min(1),
  host_id: z.string().optional(),
  topic: text.optional(),
  type: z.number().optional(),
  start_time: time.optional(),
  end_time: time.optional(),
  timezone: z.string().optional(),
  breakout_room_uuid: z.string().optional(),
  participant: participantSchema.optional(),
  recording_file: z
    .looseObject({ recording_start: time.optional(), recording_end: time.optional() })
    .optional(),
});

export const rtmsPayloadSchema = z.looseObject({
  meeting_uuid: z.string().min(1),
  rtms_stream_id: z.string().min(1),
  server_urls: z.string().optional(),
  operator_id: z.string().optional(),
  account_id: z.string().optional(),
  meeting_id: id.optional(),
  stop_reason: z.coerce.number().int().optional(),
  is_original_host: z.boolean().optional(),
});

export const envelopeSchema = z.looseObject({
  event: z.string().min(1, 'must be a non-empty string'),
  // Epoch ms up to 9999-12-31T23:59:59.999Z: the last instant a warehouse TIMESTAMP holds.
  event_ts: z.number().int().nonnegative().max(253_402_300_799_999, 'must be epoch ms before year 10000'),
  payload: z.record(z.string(), z.unknown()).default({}),
});

export type Participant = z.output<typeof participantSchema>;
export type MeetingObject = z.output<typeof meetingObjectSchema>;
export type RtmsPayload = z.output<typeof rtmsPayloadSchema>;
export type Envelope = z.output<typeof envelopeSchema>;

/** Formats zod issues as one line: `payload.object.uuid: Required; event_ts: ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}
