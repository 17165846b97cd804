import './compile-cache';
import 'reflect-metadata';
import { createLogger, exitGracefullyOnSignals, exitOnStartupError, loadConfig } from '@allmende/core';
import { createApiApp } from './create-api-app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const app = await createApiApp(config);
  await app.listen(config.PORT, config.HOST);
  exitGracefullyOnSignals(() => app.close(), config.SHUTDOWN_TIMEOUT_MS, logger);
  logger.info({ url: config.PUBLIC_URL, port: config.PORT }, 'api listening');
}

main().catch((error: unknown) => exitOnStartupError('api', error));
