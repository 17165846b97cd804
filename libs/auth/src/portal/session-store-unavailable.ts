import { Logger } from '@nestjs/common';
import { ProblemException } from '@allmende/core';

const logger = new Logger('PortalSessions');

/**
 * What a request gets when the session store (Redis) fails it: a 503 (the portal shows its
 * "briefly unavailable" page with Retry-After), not a 500. The cause goes to the log.
 */
export function sessionStoreUnavailable(cause: unknown): ProblemException {
  logger.warn(`session store failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  return ProblemException.unavailable('Sessions are unavailable for a moment; please try again shortly.');
}
