import pino, { type Logger, type LoggerOptions } from 'pino';

/**
 * Paths that may carry secrets or personal data. Logs are for operators, so they
 * never contain tokens, cookies or e-mail addresses.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.email',
  '*.token',
];

export function loggerOptions(level: string, app: string): LoggerOptions {
  return {
    level,
    base: { app },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** A JSON logger for code that runs outside Nest (CLI, dev launcher). */
export function createLogger(level: string, app: string): Logger {
  return pino(loggerOptions(level, app));
}
