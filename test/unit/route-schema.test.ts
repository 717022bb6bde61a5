import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { routeSchema, zodSchemaController } from '../../src/net/api/schema.js';

/**
 * The admin API's request checks and response shaping run on zod (schema.ts), not on ajv and
 * fast-json-stringify. Driven through a real fastify instance with inject(): what a route
 * receives, what a client gets back, and the 400's message.
 */
const Body = z.object({ name: z.string().min(1), port: z.number().int().max(65535).optional() });
const Query = z.object({ format: z.enum(['csv', 'jsonl']).default('csv') });
const Out = z.object({ id: z.string(), name: z.string() });

async function appWith(handler: (body: unknown, query: unknown) => unknown): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, schemaController: zodSchemaController });
  app.setErrorHandler(async (error: Error & { statusCode?: number }, _request, reply) =>
    reply.code(error.statusCode ?? 500).send({ message: error.message }),
  );
  app.post(
    '/things',
    { schema: routeSchema({ body: Body, querystring: Query, response: { 200: Out } }) },
    async (request) => handler(request.body, request.query),
  );
  await app.ready();
  return app;
}

describe('zod route schemas', () => {
  it('hands the route the parsed value: defaults filled in, unknown keys dropped', async () => {
    let seen: unknown[] = [];
    const app = await appWith((body, query) => {
      seen = [body, query];
      return { id: 'b1', name: 'x' };
    });
    try {
      const reply = await app.inject({
        method: 'POST',
        url: '/things',
        payload: { name: 'Retro', extra: true },
      });
      assert.equal(reply.statusCode, 200);
      assert.deepEqual(seen, [{ name: 'Retro' }, { format: 'csv' }]);
    } finally {
      await app.close();
    }
  });

  it('answers a malformed request with 400 and a message naming the part and the field', async () => {
    const app = await appWith(() => assert.fail('the route must not run'));
    try {
      const wrongType = await app.inject({ method: 'POST', url: '/things', payload: { name: 123 } });
      assert.equal(wrongType.statusCode, 400);
      assert.match(wrongType.json().message, /^body\/name: .*expected string/);

      const tooBig = await app.inject({
        method: 'POST',
        url: '/things',
        payload: { name: 'a', port: 70000 },
      });
      assert.equal(tooBig.statusCode, 400);
      assert.match(tooBig.json().message, /^body\/port: /);

      const badQuery = await app.inject({
        method: 'POST',
        url: '/things?format=xml',
        payload: { name: 'a' },
      });
      assert.equal(badQuery.statusCode, 400);
      assert.match(badQuery.json().message, /^querystring\/format: /);

      // No coercion: a number in a string is still a string.
      const stringPort = await app.inject({
        method: 'POST',
        url: '/things',
        payload: { name: 'a', port: '80' },
      });
      assert.equal(stringPort.statusCode, 400);
    } finally {
      await app.close();
    }
  });

  it('sends only the fields the response shape names, and refuses to send a wrong shape', async () => {
    const leaky = await appWith(() => ({ id: 'b1', name: 'Retro', token: 'secret' }));
    try {
      const reply = await leaky.inject({ method: 'POST', url: '/things', payload: { name: 'a' } });
      assert.equal(reply.statusCode, 200);
      assert.deepEqual(reply.json(), { id: 'b1', name: 'Retro' });
      assert.doesNotMatch(reply.body, /secret/);
    } finally {
      await leaky.close();
    }

    const broken = await appWith(() => ({ id: 42 }));
    try {
      const reply = await broken.inject({ method: 'POST', url: '/things', payload: { name: 'a' } });
      assert.equal(reply.statusCode, 500);
    } finally {
      await broken.close();
    }
  });
});
