// The shapes that cross from the RTMS client to the capture: one media frame (audio or video)
// and one transcript line, already decoded from Zoom's messages.

export interface MediaFrame {
  userId: number;
  userName?: string;
  timestamp: number;
  data: Buffer;
}

export interface TranscriptItem {
  userId: number;
  userName?: string;
  timestamp: number;
  startTime?: number;
  endTime?: number;
  text: string;
  language?: number;
  attribute?: number;
}
