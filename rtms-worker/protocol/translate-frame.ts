// Translates Zoom's media and transcript message contents (msg 14, 15, 17) into the shapes the
// capture takes (rtms-worker/frames.ts). Pure: no clock, no sockets.
import type { MediaFrame, TranscriptItem } from '../frames.ts';
import { decodeBase64, type MediaContent, type TranscriptContent } from './messages.ts';

/** An audio or video frame; undefined when its payload is not valid base64. */
export function toMediaFrame(content: MediaContent): MediaFrame | undefined {
  const bytes = decodeBase64(content.data);
  if (!bytes) return undefined;
  return {
    userId: content.user_id,
    timestamp: content.timestamp,
    data: bytes,
    ...(content.user_name !== undefined && { userName: content.user_name }),
  };
}

/** A transcript line: the text is the message's `data`, every optional field kept when present. */
export function toTranscriptItem(c: TranscriptContent): TranscriptItem {
  return {
    userId: c.user_id,
    timestamp: c.timestamp,
    text: c.data,
    ...(c.user_name !== undefined && { userName: c.user_name }),
    ...(c.start_time !== undefined && { startTime: c.start_time }),
    ...(c.end_time !== undefined && { endTime: c.end_time }),
    ...(c.language !== undefined && { language: c.language }),
    ...(c.attribute !== undefined && { attribute: c.attribute }),
  };
}
