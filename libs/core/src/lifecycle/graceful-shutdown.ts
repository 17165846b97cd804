import type { Logger } from 'pino';

/**
 * On SIGTERM/SIGINT: run `close` (stop taking work, finish what is running) and exit;
 * exit anyway after `timeoutMs` so a stuck request or job cannot block a deploy.
 */
export function exitGracefullyOnSignals(close: () => Promise<void>, timeoutMs: number, logger: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal, timeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out, exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => {
        logger.info('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Prints a start-up failure as one clear line (config errors name the variable) and exits. */
export function exitOnStartupError(app: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${app}: ${message}\n`);
  process.exit(1);
}
