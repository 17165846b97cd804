import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import request from 'supertest';
import { TenantSchema } from '@allmende/tenants';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createTenant, openOrm, seedTenant, type SeededTenant } from '../support/fixtures';
import { testConfig } from '../support/test-config';

describe('API', () => {
  let app: INestApplication;
  let orm: MikroORM;
  let seeded: SeededTenant;

  beforeAll(async () => {
    orm = await openOrm();
    seeded = await seedTenant(orm, 'E2E');
    app = await createApiApp(testConfig());
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await orm.close(true);
  });

  describe('health', () => {
    it('/health/live answers 200', async () => {
      await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok' });
    });

    it('/health/ready checks PostgreSQL and Redis', async () => {
      const response = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(response.body).toMatchObject({
        status: 'ok',
        checks: { database: { status: 'up' }, redis: { status: 'up' } },
      });
    });
  });

  describe('errors are application/problem+json', () => {
    it('an unknown route is a 404 problem', async () => {
      const response = await request(app.getHttpServer()).get('/api/nothing-here').expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({
        type: '/problems/not-found',
        status: 404,
        instance: '/api/nothing-here',
      });
    });

    it('an unknown tenant is a 404 problem', async () => {
      const response = await request(app.getHttpServer())
        .get('/api/tenants/no-such-place/groups')
        .expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: '/problems/not-found', title: 'Not Found', status: 404 });
    });

    it('a suspended tenant looks like an unknown one', async () => {
      const tenant = await createTenant(orm, 'Ruhende Gemeinde');
      await orm.em.fork().nativeUpdate(TenantSchema, { id: tenant.id }, { status: 'suspended' });
      await request(app.getHttpServer()).get(`/api/tenants/${tenant.slug}/groups`).expect(404);
      await request(app.getHttpServer()).get(`/api/tenants/${tenant.slug}`).expect(404);
    });

    it('malformed JSON is a 400 problem', async () => {
      const response = await request(app.getHttpServer())
        .post(`/api/tenants/${seeded.tenant.slug}/groups`)
        .set('content-type', 'application/json')
        .send('{"key": ')
        .expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: '/problems/bad-request', status: 400 });
    });
  });

  describe('tenants and groups', () => {
    it("returns a tenant's public profile", async () => {
      const response = await request(app.getHttpServer())
        .get(`/api/tenants/${seeded.tenant.slug}`)
        .expect(200);
      expect(response.body).toEqual({
        slug: seeded.tenant.slug,
        name: 'Gemeinde E2E',
        kind: 'municipality',
        locale: 'de',
        timezone: 'Europe/Berlin',
      });
    });

    it('lists only the public groups to anonymous callers', async () => {
      const response = await request(app.getHttpServer())
        .get(`/api/tenants/${seeded.tenant.slug}/groups`)
        .expect(200);
      expect(response.body).toEqual([
        {
          id: seeded.groups[0]!.id,
          key: 'neuigkeiten',
          name: { de: 'Neuigkeiten E2E' },
          description: null,
          visibility: 'public',
          joinPolicy: 'request',
        },
      ]);
    });
  });

  describe('request ids', () => {
    it('keeps a sane X-Request-Id', async () => {
      const response = await request(app.getHttpServer())
        .get('/health/live')
        .set('X-Request-Id', 'abc-123')
        .expect(200);
      expect(response.headers['x-request-id']).toBe('abc-123');
    });

    it('replaces a missing or odd one with a fresh id', async () => {
      const response = await request(app.getHttpServer())
        .get('/health/live')
        .set('X-Request-Id', 'x'.repeat(200))
        .expect(200);
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('OpenAPI', () => {
    it('serves the document at /api/docs-json and the UI at /api/docs', async () => {
      const document = await request(app.getHttpServer()).get('/api/docs-json').expect(200);
      expect(document.body.openapi).toMatch(/^3\./);
      expect(Object.keys(document.body.paths)).toEqual(
        expect.arrayContaining(['/health/ready', '/api/tenants/{tenant}', '/api/tenants/{tenant}/groups']),
      );
      const ui = await request(app.getHttpServer()).get('/api/docs').expect(200);
      expect(ui.text).toMatch(/swagger/i);
    });
  });
});

describe('API readiness without Redis', () => {
  let app: INestApplication;

  beforeAll(async () => {
    // Port 1 on loopback: nothing listens, connections are refused at once.
    app = await createApiApp(testConfig({ REDIS_URL: 'redis://127.0.0.1:1' }));
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it('/health/ready stays 200 but says degraded, naming the failed check (docs/operations.md, Faults)', async () => {
    const response = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(response.body).toMatchObject({
      status: 'degraded',
      checks: { database: { status: 'up' }, redis: { status: 'down' } },
    });
  });

  it('/health/live still answers 200', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200);
  });
});
