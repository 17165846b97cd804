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
