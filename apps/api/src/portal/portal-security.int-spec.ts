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
    // Fonts from our own origin only: no font service, no CDN (DESIGN.md §7).
    expect(csp).toContain("font-src 'self'");
    const fontSrc = csp.split(';').find((directive) => directive.trim().startsWith('font-src'));
    expect(fontSrc?.trim()).toBe("font-src 'self'");
  });

  it('serves the KERN stylesheet and the Fira Sans fonts it links from our own origin', async () => {
    const server = app.getHttpServer();
    const kern = await request(server).get('/assets/kern/kern.min.css');
    expect(kern.status).toBe(200);
    expect(kern.headers['content-type']).toContain('text/css');
    expect(kern.text).toContain('.kern-btn');
    const fonts = await request(server).get('/assets/kern/fonts/fira-sans.css');
    expect(fonts.status).toBe(200);
    // Every font the font stylesheet names is there, under the path it names.
    const urls = [...fonts.text.matchAll(/url\(["']?\.\/([^"')]+)["']?\)/g)].map((match) => match[1]);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      const font = await request(server).get(`/assets/kern/fonts/${url}`);
      expect({ url, status: font.status }).toEqual({ url, status: 200 });
      expect(font.headers['content-type']).toContain('font/woff2');
    }
    // Only the stylesheet and the fonts: not the package's sources.
    expect((await request(server).get('/assets/kern/package.json')).status).toBe(404);
    expect((await request(server).get('/assets/kern/kern.css')).status).toBe(404);
  });

  it('serves the stylesheet and htmx from our own origin', async () => {
    const css = await request(app.getHttpServer()).get('/assets/portal.css');
    expect(css.status).toBe(200);
    expect(css.text).toContain('--kern-color-action-default');
    const htmx = await request(app.getHttpServer()).get('/assets/htmx.min.js');
    expect(htmx.status).toBe(200);
    expect(htmx.headers['content-type']).toContain('javascript');
    expect(htmx.text).toContain('htmx');
  });
});
