import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createHttpHubClient } from '../../renderer/src/api/http-hub-client.js';
import { type HubClient, HubClientError, type HubEvent } from '../../src/client/hub-client.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { describeHubClientContract } from './hub-client-contract.js';

/** The browser's HubClient against a real hub's admin API, then what only HTTP has: tokens, reachability, the SSE stream. */
const baseUrlOf = (hub: TestHub): string => `http://127.0.0.1:${hub.port}`;
const adminTokenOf = (hub: TestHub): string => hub.hub.service.issueAdminToken({ name: 'test' });

describeHubClientContract('http', async (hub) =>
  createHttpHubClient({ baseUrl: baseUrlOf(hub), token: adminTokenOf(hub) }),
);

async function failureOf(call: Promise<unknown>): Promise<HubClientError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof HubClientError, `a HubClientError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

async function withHub(run: (hub: TestHub) => Promise<void>): Promise<void> {
  const hub = await startTestHub();
  try {
    await run(hub);
  } finally {
    await hub.stop();
  }
}

function recordEvents(client: HubClient): { events: HubEvent[]; stop: () => void } {
  const events: HubEvent[] = [];
  const stop = client.subscribe((event) => events.push(event));
  return { events, stop };
}

const isConnection = (state: 'live' | 'reconnecting') => (event: HubEvent) =>
  event.type === 'connection' && event.state === state;

describe('HubClient over HTTP only', () => {
  it('a wrong admin token is ADMIN_TOKEN_INVALID with status 401, and no message shows the token', async () => {
    await withHub(async (hub) => {
      const wrong = 'bhadm_notreal.0123456789abcdef';
      const client = createHttpHubClient({ baseUrl: baseUrlOf(hub), token: wrong });
      const error = await failureOf(client.listBoards());
      assert.equal(error.code, 'ADMIN_TOKEN_INVALID');
      assert.equal(error.status, 401);
      assert.ok(!error.message.includes(wrong) && !error.message.includes('0123456789abcdef'));
    });
  });

  it('after resetAdminToken the old token is refused and the client carries on with the new one', async () => {
    await withHub(async (hub) => {
      const oldToken = adminTokenOf(hub);
      const client = createHttpHubClient({ baseUrl: baseUrlOf(hub), token: oldToken });
      const { token } = await client.resetAdminToken();
      assert.match(token, /^bhadm_/);
      assert.notEqual(token, oldToken);

      const stale = createHttpHubClient({ baseUrl: baseUrlOf(hub), token: oldToken });
      assert.equal((await failureOf(stale.listBoards())).code, 'ADMIN_TOKEN_INVALID');
      assert.ok(Array.isArray(await client.listBoards()), 'the resetting client still works');
      const fresh = createHttpHubClient({ baseUrl: baseUrlOf(hub), token });
      assert.ok(Array.isArray(await fresh.listBoards()));
    });
  });

  it('a hub that does not answer is UNREACHABLE, naming the address but not the token', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const token = 'bhadm_abc.secretsecret';
    const client = createHttpHubClient({ baseUrl: `http://127.0.0.1:${port}/`, token });
    const error = await failureOf(client.overview());
    assert.equal(error.code, 'UNREACHABLE');
    assert.ok(error.message.includes(`127.0.0.1:${port}`), error.message);
    assert.ok(!error.message.includes('secretsecret'));
  });

  it('an answer that is not JSON, or not of the contract’s shape, is UNEXPECTED_RESPONSE', async () => {
    const answering = (body: string, status = 200) =>
      createHttpHubClient({
        baseUrl: 'http://hub.invalid',
        token: 'bhadm_x.y',
        fetch: async () => new Response(body, { status }),
      });
    for (const [client, status] of [
      [answering('<html>proxy login</html>'), undefined],
      [answering(JSON.stringify([{ id: 1, name: 'no dates' }])), undefined],
      [answering(JSON.stringify({ boards: [] })), undefined],
      [answering('<html>Bad Gateway</html>', 502), 502],
    ] as const) {
      const error = await failureOf(client.listBoards());
      assert.equal(error.code, 'UNEXPECTED_RESPONSE', error.message);
      assert.equal(error.status, status);
    }
  });

  it('the event stream reports reconnecting while the hub restarts, then resync and live', async () => {
    const dir = makeTempDir();
    let hub: TestHub | null = await startTestHub({}, dir.path);
    const port = hub.port;
    const client = createHttpHubClient({ baseUrl: baseUrlOf(hub), token: adminTokenOf(hub) });
    const { events, stop } = recordEvents(client);
    try {
      await waitFor('the stream to go live', () => events.some(isConnection('live')));
      await hub.stop();
      hub = null;
      await waitFor('reconnecting', () => events.some(isConnection('reconnecting')));
      // Same folder (so the admin token is still valid) and same port (so the client finds it).
      hub = await startTestHub({ port }, dir.path);
      await waitFor('live again', () => events.filter(isConnection('live')).length === 2, 30_000);
      assert.deepEqual(
        events.filter((event) => event.type !== 'changes'),
        [
          { type: 'connection', state: 'live' },
          { type: 'connection', state: 'reconnecting' },
          { type: 'resync' },
          { type: 'connection', state: 'live' },
        ],
      );
      await client.createBoard('After the restart');
      await waitFor('changes flow again', () =>
        events.some((event) => event.type === 'changes' && event.changes.some((c) => c.topic === 'boards')),
      );
    } finally {
      stop();
      await hub?.stop();
      dir.remove();
    }
  });

  it('a refused admin token stops the event stream’s retries after reporting reconnecting once', async () => {
    await withHub(async (hub) => {
      let streamRequests = 0;
      const client = createHttpHubClient({
        baseUrl: baseUrlOf(hub),
        token: 'bhadm_notreal.0123456789abcdef',
        fetch: (input, init) => {
          if (String(input).endsWith('/api/events')) streamRequests++;
          return fetch(input, init);
        },
      });
      const { events, stop } = recordEvents(client);
      try {
        await waitFor('reconnecting', () => events.some(isConnection('reconnecting')));
        // Three times the first retry delay: a client still retrying would have tried again.
        await sleep(1500);
        assert.equal(streamRequests, 1);
        assert.deepEqual(events, [{ type: 'connection', state: 'reconnecting' }]);
      } finally {
        stop();
      }
    });
  });
});

describe('HTTP errors before routing', () => {
  it('a path that is not valid UTF-8 (overlong /%C0%AF) is a 400 in the hub’s error shape', async () => {
    await withHub(async (hub) => {
      for (const path of ['/%C0%AF', '/api/boards/%C0%AF', '/api/%FF']) {
        const response = await fetch(`${baseUrlOf(hub)}${path}`);
        const text = await response.text();
        assert.equal(response.status, 400, `${path}: ${text}`);
        const body = JSON.parse(text) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'BAD_REQUEST', path);
        assert.match(body.error.message, /Malformed request URL/, path);
        assert.doesNotMatch(text, /FST_ERR|\n\s+at /, path);
      }
    });
  });
});
