import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { testConfig } from '../../../../test/support/test-config';
import { createApiApp } from '../create-api-app';

describe('portal security headers and assets', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createApiApp(testConfig({ PUBLIC_URL: 'http://127.0.0.1:3000' }));
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('sends helmet headers on every response', async () => {
    const response = await request(app.getHttpServer()).get('/health/live');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('sends a CSP without unsafe-inline scripts on portal paths', async () => {
    const response = await request(app.getHttpServer()).get('/t/nowhere');
    const csp = response.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    const scriptSrc = csp.split(';').find((directive) => directive.trim().startsWith('script-src'));
    expect(scriptSrc).not.toContain('unsafe-inline');
  });

  it('serves the stylesheet and htmx from our own origin', async () => {
    const css = await request(app.getHttpServer()).get('/assets/portal.css');
    expect(css.status).toBe(200);
    expect(css.text).toContain('#1d4f7c');
    const htmx = await request(app.getHttpServer()).get('/assets/htmx.min.js');
    expect(htmx.status).toBe(200);
    expect(htmx.headers['content-type']).toContain('javascript');
    expect(htmx.text).toContain('htmx');
  });
});
