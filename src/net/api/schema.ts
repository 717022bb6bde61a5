import type { FastifySchema } from 'fastify';
import { z } from 'zod';

/**
 * Routes declare their request shapes with zod (the same library the use cases validate with);
 * fastify validates them with ajv through the JSON Schema zod generates, so a malformed request
 * is a 400 with a message before any handler runs.
 */
export const jsonSchema = (schema: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;

export function routeSchema(parts: {
  params?: z.ZodType;
  querystring?: z.ZodType;
  body?: z.ZodType;
  response?: Record<number, z.ZodType>;
}): FastifySchema {
  const schema: FastifySchema = {};
  if (parts.params) schema.params = jsonSchema(parts.params);
  if (parts.querystring) schema.querystring = jsonSchema(parts.querystring);
  if (parts.body) schema.body = jsonSchema(parts.body);
  if (parts.response) {
    schema.response = Object.fromEntries(
      Object.entries(parts.response).map(([status, shape]) => [
        status,
        z.toJSONSchema(shape, { target: 'draft-7', io: 'output', unrepresentable: 'any' }),
      ]),
    );
  }
  return schema;
}

export const IdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
export type IdParams = z.infer<typeof IdParams>;

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
