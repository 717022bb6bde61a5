import type {
  FastifySchema,
  FastifySchemaCompiler,
  FastifySerializerCompiler,
  FastifyServerOptions,
} from 'fastify';
import { z } from 'zod';

/**
 * Routes declare their request and response shapes with zod (the same library the use cases
 * validate with), and fastify checks them with zod itself: a malformed request is a 400 with a
 * message before any handler runs, and a response carries only the fields its shape names.
 *
 * Why not fastify's default (ajv for requests, fast-json-stringify for responses, both fed JSON
 * Schema generated from zod): those compilers generate and keep ~2 MB of code for ~40 routes of an
 * admin API that serves a few requests a minute, all of it on the heap of the process that also
 * relays every live edit. A smaller heap means shorter garbage-collection pauses for the boards.
 */
export function routeSchema(parts: {
  params?: z.ZodType;
  querystring?: z.ZodType;
  body?: z.ZodType;
  response?: Record<number, z.ZodType>;
}): FastifySchema {
  return parts;
}

function zodOf(schema: unknown): z.ZodType {
  if (schema instanceof z.ZodType) return schema;
  throw new Error('route schemas must be zod types (see routeSchema)');
}

/** "body/port: Too big: expected number to be <=65535; body/host: …", like fastify's own messages. */
function describeIssues(part: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('/');
      return `${part}${path === '' ? '' : `/${path}`}: ${issue.message}`;
    })
    .join('; ');
}

/** The parsed value (defaults filled in, unknown keys dropped) replaces the raw one, or a 400. */
const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const shape = zodOf(schema);
  const part = httpPart ?? 'request';
  return (data: unknown) => {
    const result = shape.safeParse(data);
    return result.success ? { value: result.data } : { error: new Error(describeIssues(part, result.error)) };
  };
};

/** A response that does not match its declared shape is our bug: a 500, never a leak of extra fields. */
const zodSerializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  const shape = zodOf(schema);
  return (data: unknown) => JSON.stringify(shape.parse(data));
};

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;

/**
 * Pass to Fastify(): with these factories fastify never loads ajv or fast-json-stringify. fastify
 * calls a factory and uses what it returns exactly like a compiler given to setValidatorCompiler
 * (its documented contract); only the option's typings name ajv's own function types, hence the casts.
 */
export const zodSchemaController = {
  compilersFactory: {
    buildValidator: (() => zodValidatorCompiler) as unknown as CompilersFactory['buildValidator'],
    buildSerializer: (() => zodSerializerCompiler) as unknown as CompilersFactory['buildSerializer'],
  },
};

export const IdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
export type IdParams = z.infer<typeof IdParams>;
