// The hot path's shortcut past zod: a meeting object whose fields already have the types the schema
// produces (strings, numbers, valid times, no nulls) is used as is; anything else goes through
// meetingObjectSchema, which converts it or names the problem. Same result, a fraction of the CPU.
import type { MeetingObject } from './schemas.ts';

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const ISO_START = /^\d{4}-\d{2}-\d{2}T/;
/** What the schema's `time` keeps unchanged: a non-blank ISO 8601 time (blank becomes undefined there). */
const optTime = (v: unknown): boolean =>
  v === undefined ||
  (typeof v === 'string' && v.trim() !== '' && ISO_START.test(v) && !Number.isNaN(Date.parse(v)));

const PARTICIPANT_STRINGS = [
  'user_id',
  'parent_user_id',
  'participant_id',
  'user_name',
  'id',
  'participant_uuid',
  'participant_user_id',
  'email',
  'leave_reason',
  'old_role',
  'new_role',
] as const;
const PARTICIPANT_TIMES = ['join_time', 'leave_time', 'date_time'] as const;

function plainParticipant(p: unknown): boolean {
  if (p === undefined) return true;
  if (!isRecord(p)) return false;
  for (const k of PARTICIPANT_STRINGS) if (!optString(p[k])) return false;
  for (const k of PARTICIPANT_TIMES) if (!optTime(p[k])) return false;
  const share = p['sharing_details'];
  if (share !== undefined && !(isRecord(share) && optString(share['content']) && optTime(share['date_time'])))
    return false;
  const qos = p['qos'];
  if (qos === undefined) return true;
  return (
    Array.isArray(qos) && qos.every((q) => isRecord(q) && optTime(q['date_time']) && optString(q['type']))
  );
}

/** The object itself when meetingObjectSchema would return it unchanged, else undefined. */
export function plainMeetingObject(o: unknown): MeetingObject | undefined {
  if (!isRecord(o)) return undefined;
  if (typeof o['uuid'] !== 'string' || o['uuid'].length === 0) return undefined;
  for (const k of ['id', 'host_id', 'topic', 'timezone', 'breakout_room_uuid'] as const)
    if (!optString(o[k])) return undefined;
  if (o['type'] !== undefined && typeof o['type'] !== 'number') return undefined;
  if (!optTime(o['start_time']) || !optTime(o['end_time'])) return undefined;
  const rec = o['recording_file'];
  if (
    rec !== undefined &&
    !(isRecord(rec) && optTime(rec['recording_start']) && optTime(rec['recording_end']))
  )
    return undefined;
  if (!plainParticipant(o['participant'])) return undefined;
  return o as MeetingObject;
}
