import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { IServerAdapter } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Express, NextFunction, Request, Response } from 'express';

/** Where the queue dashboard lives on the API. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board (an Express app of its own: UI, static assets and its JSON API) over the given
 * queues, for `basePath`. It links its assets absolutely under `basePath`, so it must be
 * served there.
 */
export function createQueueDashboard(queues: readonly Queue[], basePath = QUEUE_DASHBOARD_PATH): Express {
  const server = new ExpressAdapter();
  server.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    // @bull-board/express 9.10.1 brings its own @bull-board/api 9.10.1, whose types are
    // nominally different (private fields) from our 9.10.2; at run time the adapter is the same.
    serverAdapter: server as unknown as IServerAdapter,
    options: { uiConfig: { boardTitle: 'Allmende queues' } },
  });
  const dashboard = server.getRouter() as Express;
  // Our API does not advertise its framework either (create-api-app disables it too).
  dashboard.disable('x-powered-by');
  return dashboard;
}

/**
 * Hands a request for `mountPath/...` to an Express app as `app.use(mountPath, app)` would:
 * the app sees the path below the mount point. `notHandled` runs when the app answered
 * nothing (no route matched) or failed, after the request is restored as it was.
 */
export function serveMounted(
  app: Express,
  mountPath: string,
  request: Request,
  response: Response,
  notHandled: NextFunction,
): void {
  const { url, baseUrl } = request;
  const requestPrototype = Object.getPrototypeOf(request) as object;
  const responsePrototype = Object.getPrototypeOf(response) as object;
  const below = url.slice(mountPath.length);
  request.baseUrl = mountPath;
  request.url = below.startsWith('/') ? below : `/${below}`;
  app(request, response, (error?: unknown) => {
    request.url = url;
    request.baseUrl = baseUrl;
    // The sub-app gave request and response its own prototypes (its settings, e.g. views).
    Object.setPrototypeOf(request, requestPrototype);
    Object.setPrototypeOf(response, responsePrototype);
    notHandled(error);
  });
}
