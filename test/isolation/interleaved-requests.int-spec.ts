import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { openOrm, seedTenant, type SeededTenant } from '../support/fixtures';
import { testConfig } from '../support/test-config';

/**
 * 1,000 requests of two tenants, interleaved and concurrent, through the real API with a
 * pool of only 2 database connections: every connection serves both tenants many times,
 * and no response may carry the other tenant's data.
 */
describe('interleaved requests of two tenants over a pool of 2 connections', () => {
  let app: INestApplication;
  let orm: MikroORM;
  let baseUrl: string;
  let a: SeededTenant;
  let b: SeededTenant;

  beforeAll(async () => {
    orm = await openOrm();
    a = await seedTenant(orm, 'Ahrweiler');
    b = await seedTenant(orm, 'Bendorf');
    app = await createApiApp(testConfig({ DATABASE_POOL_MAX: '2' }));
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app.close();
    await orm.close(true);
  });

  it('leaks nothing across 1,000 requests', async () => {
    const total = 1_000;
    const concurrency = 25;
    const leaks: string[] = [];
    let next = 0;
    let served = 0;

    async function client(): Promise<void> {
      while (next < total) {
        const index = next++;
        const own = index % 2 === 0 ? a : b;
        const other = own === a ? b : a;
        const response = await fetch(`${baseUrl}/api/tenants/${own.tenant.slug}/groups`);
        const body = await response.text();
        if (response.status !== 200) leaks.push(`#${index}: status ${response.status}`);
        const groups = JSON.parse(body) as { id: string; name: { de: string } }[];
        // Exactly the tenant's one public group, and not a byte of the other tenant.
        if (groups.length !== 1 || groups[0]!.id !== own.groups[0]!.id) leaks.push(`#${index}: ${body}`);
        if (body.includes(other.groups[0]!.id) || body.includes(other.groups[0]!.name.de)) {
          leaks.push(`#${index}: other tenant in ${body}`);
        }
        served++;
      }
    }

    await Promise.all(Array.from({ length: concurrency }, () => client()));
    expect(served).toBe(total);
    expect(leaks).toEqual([]);
  });

  it("leaves no tenant setting on the API's pooled connections afterwards", async () => {
    const em = app.get(MikroORM).em.fork();
    for (let i = 0; i < 5; i++) {
      const [row] = await em
        .getConnection()
        .execute<{ tenant: string | null }[]>(
          `select nullif(current_setting('app.tenant_id', true), '') as tenant`,
        );
      expect(row?.tenant ?? null).toBeNull();
    }
  });
});
