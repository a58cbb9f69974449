// What the live-state API returns (DESIGN §3 `GET /api/meetings…`): plain JSON-ready objects.

export type Location = 'main' | 'breakout' | 'waiting_room' | 'jbh_waiting' | 'transit' | 'left';

export interface RoomCounts {
  /** In the meeting proper: the main room, a breakout room, or moving between them. */
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
  recording: 'none' | 'recording' | 'paused' | 'stopped';
  rtmsStreams: string[];
  counts: RoomCounts;
}

export interface SessionView {
  /** 'main', or the breakout room UUID. */
  room: string;
  roomName?: string;
  joinedAt: string;
  leftAt?: string;
  durationSeconds: number;
}

export interface ParticipantView {
  key: string;
  name?: string;
  email?: string;
  location: Location;
  roomUuid?: string;
  roomName?: string;
  camera: 'on' | 'off' | 'unknown';
  sharing: boolean;
  role?: string;
  sessions: SessionView[];
  totalSeconds: number;
  lastEventAt: string;
  rosterMatch?: boolean;
}

export interface LiveParticipantsView {
  meeting: MeetingSummary;
  participants: ParticipantView[];
  stats: RoomCounts;
}
