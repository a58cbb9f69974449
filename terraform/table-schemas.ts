// BigQuery table definitions of the dataset (DESIGN §3, §4): raw_events from RAW_EVENT_COLUMNS (the
// single source of its columns), the others mirrored here; partitioning and clustering per table.
import { RAW_EVENT_COLUMNS } from '../core/warehouse/raw-events.ts';

export type BqType = 'STRING' | 'DATE' | 'TIMESTAMP' | 'INT64' | 'FLOAT64' | 'BOOL' | 'JSON';

export interface BqColumn {
  name: string;
  type: BqType;
  mode: 'REQUIRED' | 'NULLABLE';
  description: string;
}

export interface TableSpec {
  name: string;
  description: string;
  /** DATE column of the daily partitions; undefined for a small unpartitioned table. */
  partitionField: string | undefined;
  clustering: readonly string[];
  columns: readonly BqColumn[];
}

const col = (
  name: string,
  type: BqType,
  description: string,
  mode: BqColumn['mode'] = 'NULLABLE',
): BqColumn => ({
  name,
  type,
  mode,
  description,
});
const req = (name: string, type: BqType, description: string): BqColumn =>
  col(name, type, description, 'REQUIRED');

const rawEvents: TableSpec = {
  name: 'raw_events',
  description:
    'One row per accepted Zoom event (webhook, RTMS, QoS); rebuildable from the raw archive by `replay`',
  partitionField: 'event_date',
  clustering: ['meeting_uuid', 'event_type'],
  columns: RAW_EVENT_COLUMNS.map((c) => ({
    name: c.name,
    type: c.type,
    mode: c.mode,
    description: c.description,
  })),
};

const cameraMinutes: TableSpec = {
  name: 'camera_minutes',
  description:
    'Camera use per participant: QoS minutes from the Dashboard API and RTMS video on/off intervals',
  partitionField: 'event_date',
  clustering: ['meeting_uuid', 'participant_uuid'],
  columns: [
    req('event_date', 'DATE', 'UTC date of start_time (partition)'),
    col('meeting_id', 'STRING', 'Meeting number'),
    req('meeting_uuid', 'STRING', 'Meeting instance UUID'),
    col('participant_uuid', 'STRING', 'Participant UUID, stable across breakout hops'),
    col('participant_id', 'STRING', 'Per-meeting participant id (user_id)'),
    col('participant_name', 'STRING', 'Display name'),
    col('participant_email', 'STRING', 'Email'),
    req('source', 'STRING', 'qos or rtms'),
    req('start_time', 'TIMESTAMP', 'QoS sample time, or start of an RTMS camera interval'),
    req('end_time', 'TIMESTAMP', 'start_time + 60 s for QoS, end of the RTMS interval'),
    req('camera_on', 'BOOL', 'QoS video_input bitrate > 0, or RTMS video on'),
    col('video_bitrate_kbps', 'FLOAT64', 'QoS video_input bitrate'),
    req('inserted_at', 'TIMESTAMP', 'When the row was written'),
  ],
};

const ts = (name: string, description: string): BqColumn => col(name, 'TIMESTAMP', description);
const mins = (name: string, description: string): BqColumn => col(name, 'FLOAT64', description);

const dailyReports: TableSpec = {
  name: 'daily_reports',
  description:
    'One row per participant per breakout-room visit on report_date (DESIGN §4); column order is the CSV order',
  partitionField: 'report_date',
  clustering: ['meeting_uuid'],
  columns: [
    req('report_date', 'DATE', 'Report day in REPORT_TIMEZONE (partition)'),
    col('participant_name', 'STRING', 'Display name'),
    col('participant_email', 'STRING', 'Email'),
    ts('meeting_join_time', 'First join'),
    ts('meeting_leave_time', 'Last leave'),
    mins('meeting_duration_mins', 'Length of the union of presence intervals'),
    col('room_number', 'INT64', "The participant's visit order"),
    col('room_name', 'STRING', 'Room-K by first appearance of the room'),
    col('room_uuid', 'STRING', 'Breakout room UUID'),
    ts('room_join_time', 'Visit start'),
    ts('room_leave_time', 'Visit end'),
    mins('room_duration_mins', 'Visit length'),
    mins('camera_on_mins', 'Camera-on time within the visit (or presence)'),
    mins('camera_off_mins', 'Duration minus camera_on_mins'),
    col('camera_percentage', 'FLOAT64', '100 * on / duration, one decimal'),
    col('next_room', 'STRING', 'room_name of the next visit'),
    req('meeting_id', 'STRING', 'Meeting number'),
    req('meeting_uuid', 'STRING', 'Meeting instance UUID'),
    req('participant_key', 'STRING', 'participant_uuid, else email, else name'),
    req('camera_source', 'STRING', 'rtms, qos, rtms+qos or none'),
  ],
};

const recordings: TableSpec = {
  name: 'recordings',
  description: 'One row per finished RTMS recording copied to S3',
  partitionField: 'recording_date',
  clustering: ['meeting_uuid'],
  columns: [
    req('recording_date', 'DATE', 'UTC date of start_time (partition)'),
    col('meeting_id', 'STRING', 'Meeting number'),
    req('meeting_uuid', 'STRING', 'Meeting instance UUID'),
    req('rtms_stream_id', 'STRING', 'RTMS stream id'),
    req('start_time', 'TIMESTAMP', 'Stream start'),
    ts('end_time', 'Stream end'),
    col('duration_secs', 'FLOAT64', 'Recording length'),
    col('gaps_filled_secs', 'FLOAT64', 'Time filled where no media arrived'),
    req('s3_bucket', 'STRING', 'Recordings bucket'),
    req('s3_prefix', 'STRING', '<meeting-key>/<rtms_stream_id>/'),
    col('total_bytes', 'INT64', 'Sum of the file sizes'),
    req('manifest', 'JSON', 'manifest.json as uploaded'),
    req('inserted_at', 'TIMESTAMP', 'When the row was written'),
  ],
};

const attendance: TableSpec = {
  name: 'attendance',
  description: 'One row per roster member per meeting on report_date',
  partitionField: 'report_date',
  clustering: ['meeting_uuid'],
  columns: [
    req('report_date', 'DATE', 'Report day in REPORT_TIMEZONE (partition)'),
    col('meeting_id', 'STRING', 'Meeting number'),
    col('meeting_uuid', 'STRING', 'Meeting instance UUID'),
    col('roster_name', 'STRING', 'Name on the roster'),
    col('roster_email', 'STRING', 'Email on the roster'),
    col('participant_key', 'STRING', 'Matched participant, empty when absent'),
    req('status', 'STRING', 'present, late, left_early or absent'),
    ts('first_join_time', 'First join'),
    ts('last_leave_time', 'Last leave'),
    mins('presence_mins', 'Union of presence intervals'),
    col('presence_percent', 'FLOAT64', 'Presence over the meeting length'),
    req('inserted_at', 'TIMESTAMP', 'When the row was written'),
  ],
};

const roster: TableSpec = {
  name: 'roster',
  description: 'Roster members loaded by the attendance job',
  partitionField: undefined,
  clustering: ['roster_email'],
  columns: [
    req('roster_id', 'STRING', 'Roster file or group the member came from'),
    col('roster_name', 'STRING', 'Member name'),
    col('roster_email', 'STRING', 'Member email'),
    col('meeting_id', 'STRING', 'Meeting number the roster applies to, if any'),
    req('loaded_at', 'TIMESTAMP', 'When the roster was loaded'),
  ],
};

export const TABLES: readonly TableSpec[] = [
  rawEvents,
  cameraMinutes,
  dailyReports,
  recordings,
  attendance,
  roster,
];

/** The JSON schema BigQuery (and the Terraform table resource) take. */
export function bigQuerySchema(spec: TableSpec): string {
  return JSON.stringify(
    spec.columns.map((c) => ({ name: c.name, type: c.type, mode: c.mode, description: c.description })),
  );
}
