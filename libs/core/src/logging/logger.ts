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

/**
 * Standard output for the API's request log, written asynchronously. pino's default
 * destination writes synchronously, and when whoever reads the output (a log collector, a
 * terminal, a parent process) falls behind and the pipe is full, it sleeps 100 ms with the
 * event loop stopped before it tries again: every request in flight waits. Measured with
 * bench/feed-read.bench.ts at a steady 500 req/s (2026-12-08, one API process): p50 5–240 ms
 * and p99 122–298 ms per run synchronously (3 runs), p50 4–17 ms and p99 78–180 ms
 * asynchronously (6 runs). Lines wait in memory instead; pino flushes them when the process exits
 * (also on `process.exit`); only a process killed outright (SIGKILL) can lose its last lines.
 */
export function asyncStdout(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

/** A JSON logger for code that runs outside Nest (CLI, dev launcher). */
export function createLogger(level: string, app: string): Logger {
  return pino(loggerOptions(level, app));
}

interface SerializedHttpRequest {
  id?: unknown;
  method?: string;
  url?: string;
}

/**
 * What an HTTP log line says about a request and its response: id, method, path and status.
 * No headers, query strings or client addresses: they can carry personal data (an IP address
 * is personal data under the GDPR; a query may hold a name someone searched for).
 */
export const httpLogSerializers = {
  req: (request: SerializedHttpRequest) => ({
    id: request.id,
    method: request.method,
    path: request.url?.split('?')[0],
  }),
  res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
};
