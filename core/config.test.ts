import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, requireSettings } from './config.ts';

describe('parseConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      PORT: 8080,
      DATA_DIR: './data',
      BACKEND: 'local',
      BQ_DATASET: 'zoom_tracker',
      REPORT_TIMEZONE: 'UTC',
      FFMPEG_PATH: 'ffmpeg',
    });
    expect(c.ZOOM_API_BASE_URL).toBe('https://api.zoom.us/v2');
    expect(c.ZOOM_OAUTH_TOKEN_URL).toBe('https://zoom.us/oauth/token');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reports every problem at once, one per line', () => {
    let error: unknown;
    try {
      parseConfig({
        PORT: 'eighty',
        BACKEND: 'aws',
        REPORT_TIMEZONE: 'Mars/Olympus',
        ZOOM_API_BASE_URL: 'not a url',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/BACKEND/);
    expect(problems.join('\n')).toMatch(/REPORT_TIMEZONE must be an IANA time zone/);
    expect(problems.join('\n')).toMatch(/ZOOM_API_BASE_URL must be an absolute URL/);
  });

  it('requires the cloud settings with BACKEND=gcp', () => {
    expect(() => parseConfig({ BACKEND: 'gcp' })).toThrow(
      /GCP_PROJECT_ID is required[\s\S]*GCS_BUCKET is required[\s\S]*PUBSUB_TOPIC is required/,
    );
    expect(
      parseConfig({ BACKEND: 'gcp', GCP_PROJECT_ID: 'p', GCS_BUCKET: 'b', PUBSUB_TOPIC: 't' }).BACKEND,
    ).toBe('gcp');
  });

  it('never echoes a secret in its errors', () => {
    expect(() => parseConfig({ ZM_CLIENT_SECRET: 'hunter2-super-secret' })).toThrow(ConfigError);
    try {
      parseConfig({ ZM_CLIENT_SECRET: 'hunter2-super-secret' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('treats empty values as unset and ignores unknown keys', () => {
    expect(parseConfig({ PORT: '', SOMETHING_ELSE: 'x' }).PORT).toBe(8080);
  });

  it('names settings a command needs', () => {
    expect(() =>
      requireSettings(parseConfig({}), ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID'], 'for backfill-camera'),
    ).toThrow(
      /ZOOM_ACCOUNT_ID is required for backfill-camera[\s\S]*ZOOM_CLIENT_ID is required for backfill-camera/,
    );
  });
});
