import type { ApiBody } from '@nestjs/swagger';
import { z, type ZodType } from 'zod';

/** OpenAPI's schema object, as @nestjs/swagger's decorators take it (`schema:`). */
export type SchemaObject = Extract<Parameters<typeof ApiBody>[0], { schema: unknown }>['schema'];

/**
 * The OpenAPI schema of a zod schema: the zod schema stays the one definition (it validates
 * the request; it describes responses), the OpenAPI document is derived from it.
 */
export function apiSchema(schema: ZodType): SchemaObject {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  delete json.$schema;
  return json as SchemaObject;
}
