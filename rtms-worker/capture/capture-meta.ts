// The metadata file of a capture directory (capture.json): what any worker needs to finish a
// capture it did not start.

/** What a capture directory holds besides its segments, enough for any worker to finish it. */
export interface CaptureMeta {
  meetingUuid: string;
  streamId: string;
  owner: string;
  videoFps: number;
  createdAt: number;
}

export const META_FILE = 'capture.json';
