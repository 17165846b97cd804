import type { INestApplication } from '@nestjs/common';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { testConfig } from '../support/test-config';

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, unknown>;
  items?: unknown;
  oneOf?: unknown[];
  anyOf?: unknown[];
  allOf?: unknown[];
}

interface Operation {
  tags?: string[];
  summary?: string;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** The OpenAPI document describes every API route: a summary, and its request and response schemas. */
describe('the OpenAPI document', () => {
  let app: INestApplication;
  let paths: Record<string, Record<string, Operation>>;
  let components: Record<string, Schema>;

  beforeAll(async () => {
    app = await createApiApp(testConfig());
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const document = (await (await fetch(`http://127.0.0.1:${port}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components?: { schemas?: Record<string, Schema> };
    };
    paths = document.paths;
    components = document.components?.schemas ?? {};
  });

  afterAll(async () => {
    await app?.close();
  });

  /** A schema that says something: properties, items, a scalar type or a combination (refs resolved). */
  const describes = (schema: Schema): boolean => {
    const resolved = schema.$ref ? components[schema.$ref.split('/').at(-1)!] : schema;
    if (!resolved) return false;
    if (resolved.oneOf || resolved.anyOf || resolved.allOf || resolved.items) return true;
    if (resolved.properties) return Object.keys(resolved.properties).length > 0;
    return resolved.type !== undefined && resolved.type !== 'object';
  };

  const operations = () =>
    Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        route: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );

  it('lists the routes of every module', () => {
    const routes = operations().map((entry) => entry.route);
    for (const expected of [
      'GET /api/tenants/{tenant}/news/feed',
      'POST /api/tenants/{tenant}/groups/{group}/news/posts',
      'POST /api/tenants/{tenant}/groups/{group}/listings',
      'POST /api/tenants/{tenant}/groups/{group}/discussions/threads',
      'POST /api/tenants/{tenant}/groups/{group}/files',
      'GET /api/tenants/{tenant}/search',
      'GET /api/tenants/{tenant}/audit',
      'GET /api/me',
    ]) {
      expect(routes).toContain(expected);
    }
  });

  it('gives every API route a tag, a summary and a schema for its successful answer', () => {
    const problems: string[] = [];
    for (const { route, operation } of operations()) {
      if (!route.includes(' /api/')) continue;
      if (!operation.tags?.length) problems.push(`${route}: no tag`);
      if (!operation.summary) problems.push(`${route}: no summary`);
      const success = Object.entries(operation.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
      if (success.length === 0) problems.push(`${route}: no successful response`);
      for (const [status, response] of success) {
        if (status === '204') continue;
        const schemas = Object.values(response.content ?? {}).filter((media) => media.schema);
        if (schemas.length === 0) problems.push(`${route}: ${status} without a schema`);
        for (const media of schemas) {
          if (!describes(media.schema as Schema)) problems.push(`${route}: ${status} with an empty schema`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('describes the body of every write that takes one', () => {
    const problems: string[] = [];
    for (const { route, operation } of operations()) {
      if (!/^(POST|PUT|PATCH) \/api\//.test(route)) continue;
      const content = operation.requestBody?.content;
      if (content && Object.values(content).some((media) => !media.schema)) {
        problems.push(`${route}: request body without a schema`);
      }
    }
    expect(problems).toEqual([]);
  });
});
