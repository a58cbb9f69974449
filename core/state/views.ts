// What the live-state API returns (`GET /api/meetings…`): plain JSON-ready objects. One entry per
// person (all connections sharing a person key), each with its connections and sessions.

/** `transit`: a leave whose same-second join (a room move) may still arrive, for a few seconds. */
export type Location = 'main' | 'breakout' | 'waiting_room' | 'jbh_waiting' | 'transit' | 'left';

/** How a join time is known: a join event, or estimated because the join was never received. */
export type JoinTimeSource = 'event' | 'previous_event' | 'meeting_start' | 'unknown';

export interface RoomCounts {
  /** Persons in the meeting proper: the main room, a breakout room, or moving between them. */
  inMeeting: number;
  main: number;
  breakout: number;
  byRoom: Record<string, number>;
  waitingRoom: number;
  cameraOn: number;
  sharing: number;
}

export interface MeetingSummary {
  meetingUuid: string;
  meetingKey: string;
  meetingId?: string;
  topic?: string;
  hostId?: string;
  status: 'started' | 'ended' | 'unknown';
  startedAt?: string;
  endedAt?: string;
  /** Whether the meeting has a schedule (Zoom type 2 or 8): then `late` flags are given. */
  scheduled: boolean;
  recording: 'none' | 'recording' | 'paused' | 'stopped';
  rtmsStreams: string[];
  counts: RoomCounts;
}

export interface SessionView {
  /** 'main', a breakout room UUID, or '?' for a room Zoom did not name. */
  room: string;
  roomName?: string;
  joinedAt: string;
  /** How joinedAt is known (estimated when the join never arrived). */
  joinTime: JoinTimeSource;
  leftAt?: string;
  durationSeconds: number;
  /** The connection (participant_uuid) this session belongs to. */
  connection: string;
}

export interface ConnectionView {
  /** participant_uuid (else the email or name of events that carried no uuid). */
  key: string;
  name?: string;
  email?: string;
  location: Location;
  joinedAt?: string;
  joinTime?: JoinTimeSource;
  leftAt?: string;
  totalSeconds: number;
}

export interface PersonView {
  /** The person key: `u:<account user id>`, `e:<email>` or `n:<normalised display name>`. */
  key: string;
  /** The latest name and email the person's events carried. */
  name?: string;
  email?: string;
  location: Location;
  roomUuid?: string;
  roomName?: string;
  camera: 'on' | 'off' | 'unknown';
  sharing: boolean;
  role?: string;
  /** First moment of presence, and how it is known (`meeting_start`: the join was never received). */
  joinedAt?: string;
  joinTime?: JoinTimeSource;
  /** When the person left (only while they are gone). */
  leftAt?: string;
  /** Joined later than the scheduled start + ATTENDANCE_LATE_AFTER_MINS (scheduled meetings only). */
  late?: boolean;
  /** Every session of every connection, by join time. */
  sessions: SessionView[];
  /** Presence: the union of all sessions (two connections at once count once). */
  totalSeconds: number;
  connections: ConnectionView[];
  lastEventAt: string;
  rosterMatch?: boolean;
}

/** A person entering or leaving the meeting (moves between rooms are not notices). */
export interface Notice {
  at: string;
  kind: 'joined' | 'left';
  key: string;
  name?: string;
}

export interface LiveParticipantsView {
  meeting: MeetingSummary;
  /** One entry per person. */
  participants: PersonView[];
  stats: RoomCounts;
  /** The latest joins and leaves, newest first. */
  notices: Notice[];
  /** When the view changes with no new event (a pending move settles): clients refresh then. */
  refreshAt?: string;
}
