import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Paths rendered as portal pages: they get the strict Content-Security-Policy. */
const PORTAL_PREFIXES = ['/t/', '/me', '/auth/', '/unsubscribe'];

/**
 * The portal's CSP: scripts only from us (htmx is served from /assets), no `unsafe-inline`
 * scripts. Swagger UI (/api/docs) needs inline scripts, so the policy is not app-wide.
 */
const portalCsp = helmet.contentSecurityPolicy({
  useDefaults: true,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    // KERN's icons are data: SVGs in its stylesheet (CSS images fall under img-src).
    imgSrc: ["'self'", 'data:'],
    // Fira Sans comes from /assets/kern/fonts: no third-party font requests (DESIGN.md §7).
    fontSrc: ["'self'"],
    // Chrome applies form-action to the redirect after a POST: signing out redirects to the
    // identity provider's end-session endpoint, another origin. So no form-action restriction.
    formAction: null,
    // The portal runs on plain http in development and tests (127.0.0.1); the proxy in front
    // of production terminates TLS and sets HSTS.
    upgradeInsecureRequests: null,
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
  },
});

/** templates/portal/assets, from the sources (Jest) and from the compiled dist. */
function assetsDir(): string {
  const candidates = [
    join(__dirname, '../../../../templates/portal/assets'),
    join(__dirname, '../../../../../templates/portal/assets'),
  ];
  return (
    candidates.find((candidate) => existsSync(candidate)) ?? join(process.cwd(), 'templates/portal/assets')
  );
}

/** Helmet on the whole app, the strict CSP on portal pages, and our static assets. */
export function applyPortalSecurity(app: NestExpressApplication): void {
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use((request: express.Request, response: express.Response, next: express.NextFunction) => {
    const path = request.path;
    if (path === '/t' || PORTAL_PREFIXES.some((prefix) => path.startsWith(prefix))) {
      portalCsp(request, response, next);
      return;
    }
    next();
  });
  const htmx = join(dirname(require.resolve('htmx.org/package.json')), 'dist', 'htmx.min.js');
  app.use('/assets/htmx.min.js', (_request: express.Request, response: express.Response) => {
    response.type('application/javascript').sendFile(htmx, { maxAge: '1d' });
  });
  // The KERN design system's stylesheet and its Fira Sans fonts, from our own origin (no CDN).
  // Only what the portal links is served, not the package's sources.
  const kern = join(dirname(require.resolve('@kern-ux/native/package.json')), 'dist');
  app.use('/assets/kern/kern.min.css', (_request: express.Request, response: express.Response) => {
    response.type('text/css').sendFile(join(kern, 'kern.min.css'), { maxAge: '1d' });
  });
  app.use('/assets/kern/fonts', express.static(join(kern, 'fonts'), { maxAge: '30d' }));
  app.use('/assets', express.static(assetsDir(), { maxAge: '1h', fallthrough: true }));
}
