// Structured logging: JSON with Cloud Logging severities in production, readable lines locally.
// Loggers are created in main and passed down; nothing here is a module-level singleton.
import { pino, type Logger as PinoLogger } from 'pino';
import type { Config } from './config.ts';

export type Logger = PinoLogger;

const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export interface LogOptions {
  level: string;
  format: 'json' | 'pretty';
  name?: string;
}

/** The one log-format default: LOG_FORMAT when set, else JSON on Google Cloud (Cloud Logging), readable lines locally. */
export function logFormatOf(config: Pick<Config, 'LOG_FORMAT' | 'BACKEND'>): LogOptions['format'] {
  return config.LOG_FORMAT ?? (config.BACKEND === 'gcp' ? 'json' : 'pretty');
}

export function createLogger(opts: LogOptions, destination?: NodeJS.WritableStream): Logger {
  const base = {
    level: opts.level,
    name: opts.name,
    // Secrets and personal data must never reach the logs even if a caller passes them by mistake.
    redact: {
      paths: [
        'secret',
        'token',
        'password',
        'authorization',
        '*.secret',
        '*.token',
        '*.authorization',
        'headers.authorization',
        'participant_email',
        '*.participant_email',
        'raw_payload',
      ],
      censor: '[redacted]',
    },
  };
  if (opts.format === 'json') {
    return pino(
      {
        ...base,
        messageKey: 'message',
        formatters: { level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT', level: label }) },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      destination as pino.DestinationStream | undefined,
    );
  }
  if (destination) return pino(base, destination as pino.DestinationStream);
  return pino({
    ...base,
    transport: {
      target: 'pino-pretty',
      options: { colorize: process.stdout.isTTY, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
    },
  });
}

/** A logger that drops everything: for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
