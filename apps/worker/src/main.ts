import './compile-cache';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { createLogger, exitGracefullyOnSignals, exitOnStartupError, loadConfig } from '@allmende/core';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  // abortOnError: false lets a start-up error (e.g. a job without handler) reach our handler.
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  // app.close() closes the BullMQ workers, which wait for their active jobs.
  exitGracefullyOnSignals(() => app.close(), config.SHUTDOWN_TIMEOUT_MS, logger);
  logger.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker started');
}

main().catch((error: unknown) => exitOnStartupError('worker', error));
