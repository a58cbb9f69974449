import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormatOf } from './log.ts';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger (json)', () => {
  it('writes Cloud Logging severities and the message, object first', () => {
    const out = capture();
    createLogger({ level: 'info', format: 'json' }, out.stream).warn(
      { meetingUuid: 'u', streamId: 's' },
      'media socket closed',
    );
    expect(out.lines()[0]).toMatchObject({
      severity: 'WARNING',
      message: 'media socket closed',
      meetingUuid: 'u',
      streamId: 's',
    });
  });

  it('redacts secrets, tokens, e-mails and raw payloads', () => {
    const out = capture();
    createLogger({ level: 'info', format: 'json' }, out.stream).info(
      {
        token: 'abc',
        secret: 'def',
        headers: { authorization: 'Bearer x' },
        participant_email: 'a@b.c',
        raw_payload: '{}',
      },
      'x',
    );
    const line = JSON.stringify(out.lines()[0]);
    for (const leaked of ['abc', 'def', 'Bearer x', 'a@b.c']) expect(line).not.toContain(leaked);
    expect(line).toContain('[redacted]');
  });
});

describe('logFormatOf', () => {
  it('takes LOG_FORMAT when set, else JSON on gcp and readable lines on the embedded default', () => {
    expect(logFormatOf({ BACKEND: 'gcp', LOG_FORMAT: undefined })).toBe('json');
    expect(logFormatOf({ BACKEND: 'local', LOG_FORMAT: undefined })).toBe('pretty');
    expect(logFormatOf({ BACKEND: 'gcp', LOG_FORMAT: 'pretty' })).toBe('pretty');
    expect(logFormatOf({ BACKEND: 'local', LOG_FORMAT: 'json' })).toBe('json');
  });
});
