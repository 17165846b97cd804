import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import request from 'supertest';
import { TenantBrandingService, type Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { pngImage } from '../../../../test/support/png';
import { testConfig } from '../../../../test/support/test-config';
import { createApiApp } from '../create-api-app';

/**
 * A community's look (DESIGN.md §7): its accent colour reaches every page as a stylesheet of
 * its own (the CSP allows no inline styles), its logo stands beside its name, and a community
 * without either keeps KERN's colours and asks for nothing more.
 */
describe('portal branding (accent colour and logo)', () => {
  let orm: MikroORM;
  let app: INestApplication;
  let branded: Tenant;
  let plain: Tenant;
  const logo = pngImage(6, 6, (x) => (x < 3 ? [200, 16, 46] : [255, 255, 255]));

  beforeAll(async () => {
    orm = await openOrm();
    branded = await createTenant(orm, 'Stadt Wappenhausen');
    plain = await createTenant(orm, 'Dorf Ohnewappen');
    await new TenantBrandingService(orm).change(branded.id, { accentColor: '#0B5E3B', logo });
    app = await createApiApp(testConfig());
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await orm?.close(true);
  });

  const get = (path: string) => request(app.getHttpServer()).get(path);
  /** A page's HTML with Handlebars' escapes of `=` and `&` decoded (as the browser reads it). */
  const page = async (path: string) => {
    const response = await get(path);
    return { status: response.status, text: response.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&') };
  };

  it("links the community's stylesheet and logo, versioned, on its pages and error pages", async () => {
    const home = await page(`/t/${branded.slug}/`);
    expect(home.status).toBe(200);
    const theme = /<link rel="stylesheet" href="(\/t\/[^"]+\/theme\.css\?v=\d+)"/.exec(home.text)?.[1];
    const logoSrc = /<img src="(\/t\/[^"]+\/logo\?v=\d+)" alt="" class="brand__logo"/.exec(home.text)?.[1];
    expect(theme).toMatch(new RegExp(`^/t/${branded.slug}/theme\\.css\\?v=[1-9]\\d+$`));
    expect(logoSrc).toBe(theme!.replace('theme.css', 'logo'));
    // After KERN, so that its colour wins.
    expect(home.text.indexOf(theme!)).toBeGreaterThan(home.text.indexOf('/assets/kern/kern.min.css'));

    const missing = await page(`/t/${branded.slug}/g/no-such-group`);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain(theme);
    expect(missing.text).toContain('Stadt Wappenhausen');
  });

  it('serves the accent as the KERN action colour, cached for the current version only', async () => {
    const home = await page(`/t/${branded.slug}/`);
    const theme = /href="(\/t\/[^"]+\/theme\.css\?v=\d+)"/.exec(home.text)![1]!;
    const css = await get(theme);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');
    expect(css.text).toContain('--kern-color-action-default: #0b5e3b;');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const stale = await get(`/t/${branded.slug}/theme.css?v=1`);
    expect(stale.headers['cache-control']).toBe('no-cache');
    expect(stale.text).toContain('#0b5e3b');
  });

  it('serves the logo with the media type its bytes have', async () => {
    const home = await page(`/t/${branded.slug}/`);
    const src = /<img src="(\/t\/[^"]+\/logo\?v=\d+)"/.exec(home.text)![1]!;
    const image = await get(src).buffer(true);
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(image.body as Buffer, logo)).toBe(0);
  });

  it('keeps KERN colours and shows no logo for a community without them', async () => {
    const home = await get(`/t/${plain.slug}/`);
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('theme.css');
    expect(home.text).not.toContain('brand__logo');
    expect((await get(`/t/${plain.slug}/logo`)).status).toBe(404);
    const css = await get(`/t/${plain.slug}/theme.css`);
    expect(css.text).not.toContain('--kern-color-action-default');
  });

  it('refuses a light accent and a non-image logo, and keeps what was there', async () => {
    const branding = new TenantBrandingService(orm);
    await expect(branding.change(branded.id, { accentColor: '#ffcc00' })).rejects.toMatchObject({
      field: 'accentColor',
    });
    await expect(
      branding.change(branded.id, { accentColor: '#123456', logo: Buffer.from('<svg/>') }),
    ).rejects.toMatchObject({ field: 'logo' });
    const css = await get(`/t/${branded.slug}/theme.css`);
    expect(css.text).toContain('#0b5e3b');
    expect((await branding.logo(branded.id))?.mediaType).toBe('image/png');
    // The column itself takes nothing but #rrggbb, whatever writes to it.
    await expect(
      orm.em.getConnection().execute(`update tenants set accent_color = 'red;}' where id = ?`, [branded.id]),
    ).rejects.toThrow(/tenants_accent_color_check|value too long/);
  });
});
