// The raw_events row (sql/ddl/raw_events.sql): one per accepted event, whatever its source. The column list
// here is the single source for the DuckDB DDL, the BigQuery schema and the Terraform table.

export type EventSource = 'webhook' | 'rtms' | 'qos';

export interface RawEventRow {
  event_id: string;
  /** UTC date of event_timestamp, YYYY-MM-DD (the partition). */
  event_date: string;
  event_type: string;
  /** When it happened: the participant/recording time field if any, else Zoom's event_ts. ISO 8601 UTC with ms. */
  event_timestamp: string;
  /** Zoom's event_ts (epoch ms) as sent; breaks ties between events of the same second. */
  event_ts: number;
  meeting_id: string | null;
  meeting_uuid: string | null;
  /** The per-meeting participant id (`user_id`; re-issued on breakout hops, never a key). */
  participant_id: string | null;
  participant_uuid: string | null;
  /** The participant's main-meeting id inside breakout rooms (`parent_user_id`). */
  parent_participant_id: string | null;
  /** The Zoom account user id (`participant.id` / `participant_user_id`), empty for guests. */
  zoom_user_id: string | null;
  participant_name: string | null;
  participant_email: string | null;
  breakout_room_uuid: string | null;
  action: string;
  leave_reason: string | null;
  rtms_stream_id: string | null;
  raw_payload: string;
  gcs_path: string;
  source: EventSource;
  inserted_at: string;
  /** The meeting's scheduled/actual start (`payload.object.start_time`), carried by every meeting event. */
  meeting_start_time?: string | null;
  /** The meeting's topic as the event carried it. */
  meeting_topic?: string | null;
  /**
   * What groups connections into a person (core/zoom/person-key.ts): `u:<account user id>`,
   * `e:<lower-cased email>` or `n:<normalised display name>`; absent when the event names nobody.
   */
  person_match?: string | null;
}

export interface ColumnSpec {
  name: keyof RawEventRow;
  type: 'STRING' | 'DATE' | 'TIMESTAMP' | 'INT64' | 'JSON';
  mode: 'REQUIRED' | 'NULLABLE';
  description: string;
}

export const RAW_EVENT_COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'event_id',
    type: 'STRING',
    mode: 'REQUIRED',
    description: 'Deterministic id: the same event delivered twice has the same id',
  },
  {
    name: 'event_date',
    type: 'DATE',
    mode: 'REQUIRED',
    description: 'UTC date of event_timestamp (partition)',
  },
  {
    name: 'event_type',
    type: 'STRING',
    mode: 'REQUIRED',
    description: "Zoom's event name, or rtms.* for worker events",
  },
  { name: 'event_timestamp', type: 'TIMESTAMP', mode: 'REQUIRED', description: 'When it happened' },
  { name: 'event_ts', type: 'INT64', mode: 'REQUIRED', description: "Zoom's event_ts in epoch ms" },
  { name: 'meeting_id', type: 'STRING', mode: 'NULLABLE', description: 'Meeting number' },
  { name: 'meeting_uuid', type: 'STRING', mode: 'NULLABLE', description: 'Meeting instance UUID' },
  {
    name: 'participant_id',
    type: 'STRING',
    mode: 'NULLABLE',
    description: 'Per-meeting participant id (user_id)',
  },
  {
    name: 'participant_uuid',
    type: 'STRING',
    mode: 'NULLABLE',
    description: 'Participant UUID, stable across breakout hops',
  },
  {
    name: 'parent_participant_id',
    type: 'STRING',
    mode: 'NULLABLE',
    description: 'Main-meeting user_id of a breakout participant',
  },
  { name: 'zoom_user_id', type: 'STRING', mode: 'NULLABLE', description: 'Zoom account user id' },
  { name: 'participant_name', type: 'STRING', mode: 'NULLABLE', description: 'Display name' },
  {
    name: 'participant_email',
    type: 'STRING',
    mode: 'NULLABLE',
    description: 'Email, often empty for guests',
  },
  {
    name: 'breakout_room_uuid',
    type: 'STRING',
    mode: 'NULLABLE',
    description: 'Breakout room UUID for room events',
  },
  {
    name: 'action',
    type: 'STRING',
    mode: 'REQUIRED',
    description: 'JOIN, LEAVE, LEAVE_TO_BREAKOUT, VIDEO_ON, ...',
  },
  { name: 'leave_reason', type: 'STRING', mode: 'NULLABLE', description: 'Reason text of a leave' },
  { name: 'rtms_stream_id', type: 'STRING', mode: 'NULLABLE', description: 'RTMS stream id' },
  { name: 'raw_payload', type: 'JSON', mode: 'REQUIRED', description: 'The event body as received' },
  { name: 'gcs_path', type: 'STRING', mode: 'REQUIRED', description: 'Archive object key of the raw bytes' },
  { name: 'source', type: 'STRING', mode: 'REQUIRED', description: 'webhook, rtms or qos' },
  { name: 'inserted_at', type: 'TIMESTAMP', mode: 'REQUIRED', description: 'When the row was written' },
  // Narrow columns the daily report reads instead of raw_payload (appended: older tables gain them).
  {
    name: 'meeting_start_time',
    type: 'TIMESTAMP',
    mode: 'NULLABLE',
    description: "The meeting's start_time, carried by every meeting event",
  },
  { name: 'meeting_topic', type: 'STRING', mode: 'NULLABLE', description: "The meeting's topic" },
  {
    name: 'person_match',
    type: 'STRING',
    mode: 'NULLABLE',
    description: 'Person key the event names: u:<user id>, e:<email, lower case> or n:<normalised name>',
  },
];
