import { HttpException, HttpStatus } from '@nestjs/common';

/** RFC 9457 problem details, the body of every API error. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Field errors of a validation problem: `path` is the dotted location of the bad field. */
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
}

/**
 * Stable problem types. Clients switch on `type`, never on `title` (which is
 * human text and may be translated).
 */
export const ProblemType = {
  badRequest: '/problems/bad-request',
  validation: '/problems/validation-failed',
  unauthorized: '/problems/unauthorized',
  forbidden: '/problems/forbidden',
  notFound: '/problems/not-found',
  conflict: '/problems/conflict',
  payloadTooLarge: '/problems/payload-too-large',
  tooManyRequests: '/problems/too-many-requests',
  unavailable: '/problems/service-unavailable',
  internal: '/problems/internal-error',
} as const;

const typeByStatus: Record<number, string> = {
  [HttpStatus.BAD_REQUEST]: ProblemType.badRequest,
  [HttpStatus.UNAUTHORIZED]: ProblemType.unauthorized,
  [HttpStatus.FORBIDDEN]: ProblemType.forbidden,
  [HttpStatus.NOT_FOUND]: ProblemType.notFound,
  [HttpStatus.CONFLICT]: ProblemType.conflict,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ProblemType.payloadTooLarge,
  [HttpStatus.UNPROCESSABLE_ENTITY]: ProblemType.validation,
  [HttpStatus.TOO_MANY_REQUESTS]: ProblemType.tooManyRequests,
  [HttpStatus.SERVICE_UNAVAILABLE]: ProblemType.unavailable,
};

export function problemTypeForStatus(status: number): string {
  return typeByStatus[status] ?? (status >= 500 ? ProblemType.internal : ProblemType.badRequest);
}

/** An HTTP error that already knows its problem body. */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemDetails) {
    super(problem, problem.status);
  }

  static notFound(detail?: string): ProblemException {
    return new ProblemException({ type: ProblemType.notFound, title: 'Not Found', status: 404, detail });
  }

  /** No (valid) credentials: sign in, or send a valid bearer token. */
  static unauthorized(detail?: string): ProblemException {
    return new ProblemException({
      type: ProblemType.unauthorized,
      title: 'Unauthorized',
      status: 401,
      detail,
    });
  }

  /** Signed in, but not allowed to do this. */
  static forbidden(detail?: string): ProblemException {
    return new ProblemException({ type: ProblemType.forbidden, title: 'Forbidden', status: 403, detail });
  }

  static badRequest(detail?: string): ProblemException {
    return new ProblemException({ type: ProblemType.badRequest, title: 'Bad Request', status: 400, detail });
  }

  /** A dependency (Redis, the database) is down for the moment: try again later. */
  static unavailable(detail?: string): ProblemException {
    return new ProblemException({
      type: ProblemType.unavailable,
      title: 'Service Unavailable',
      status: HttpStatus.SERVICE_UNAVAILABLE,
      detail,
    });
  }

  static validation(errors: { path: string; message: string }[]): ProblemException {
    return new ProblemException({
      type: ProblemType.validation,
      title: 'Validation Failed',
      status: HttpStatus.BAD_REQUEST,
      detail: 'The request has invalid or unknown fields.',
      errors,
    });
  }
}
