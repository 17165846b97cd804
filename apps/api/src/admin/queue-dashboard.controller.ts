import { All, Controller, Logger, Req, Res, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { Express, Request, Response } from 'express';
import { CurrentActor, Public, type Actor } from '@allmende/auth';
import { ProblemException, ProblemType, type ProblemDetails } from '@allmende/core';
import { QUEUES } from '@allmende/jobs';
import { createQueueDashboard, QUEUE_DASHBOARD_PATH, serveMounted } from './queue-dashboard';

/**
 * The queue dashboard (Bull Board) at /admin/queues, for platform admins: every queue of the
 * catalog, its jobs, and retrying or removing them. The portal session or a bearer token says
 * who calls (the global authentication guard); `platformAdmin` is the person's flag as the
 * guards compute it.
 *
 * @Public() because the check is made here: a browser without a session is sent to sign in
 * (as /me does) instead of getting a bare 401.
 */
@ApiExcludeController()
@Public()
@Controller(QUEUE_DASHBOARD_PATH.slice(1))
export class QueueDashboardController implements OnModuleInit {
  private readonly logger = new Logger('QueueDashboard');
  private dashboard!: Express;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    const queues = Object.values(QUEUES).map((name) =>
      this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }),
    );
    this.dashboard = createQueueDashboard(queues);
  }

  @All(['', '*path'])
  serve(@CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): void {
    // Job data names members and tenants: never kept by browsers or proxies.
    response.setHeader('Cache-Control', 'no-store');
    const person = actor.person;
    if (!person) {
      if (request.method === 'GET' && request.accepts(['json', 'html']) === 'html') {
        return response.redirect(303, `/auth/login?returnTo=${encodeURIComponent(request.originalUrl)}`);
      }
      response.setHeader('WWW-Authenticate', 'Bearer');
      throw ProblemException.unauthorized('Sign in first: the queue dashboard is for operators.');
    }
    if (!person.platformAdmin) throw ProblemException.forbidden('This is for operators only.');
    serveMounted(this.dashboard, QUEUE_DASHBOARD_PATH, request, response, (error?: unknown) => {
      if (error) {
        this.logger.error(error instanceof Error ? error.message : String(error));
        return sendProblem(response, {
          type: ProblemType.internal,
          title: 'Internal Server Error',
          status: 500,
        });
      }
      sendProblem(response, ProblemException.notFound(`Nothing at ${request.path}.`).problem);
    });
  }
}

/** The dashboard answers outside Nest's exception filters: the problem document by hand. */
function sendProblem(response: Response, problem: ProblemDetails): void {
  if (response.headersSent) return void response.end();
  response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}
