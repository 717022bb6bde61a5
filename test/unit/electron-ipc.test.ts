import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bridgeSafeHubClient, toBridgedError } from '../../electron/ipc/hub-ipc-bridge.js';
import {
  callChannel,
  HUB_CALL_METHODS,
  HUB_IPC_ARGS,
  MAX_IMPORT_BYTES,
  parseCallArguments,
} from '../../electron/ipc/hub-ipc-contract.js';
import { registerHubIpcHandlers } from '../../electron/ipc/hub-ipc-main.js';
import { createIpcHubClient } from '../../electron/ipc/hub-ipc-renderer.js';
import { type HubClient, HubClientError, type HubEvent } from '../../src/client/hub-client.js';
import { HubError } from '../../src/errors.js';
import { createInMemoryIpc } from '../electron/in-memory-ipc.js';
import { waitFor } from '../helpers/wait.js';

/** A HubClient that records what reaches it and answers with `answer` (or throws it). */
function fakeHub(answer: (method: string, args: unknown[]) => unknown = () => null): {
  client: HubClient;
  calls: Array<{ method: string; args: unknown[] }>;
  emit(event: HubEvent): void;
  subscribers(): number;
} {
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const listeners = new Set<(event: HubEvent) => void>();
  const methods = Object.fromEntries(
    HUB_CALL_METHODS.map((method) => [
      method,
      async (...args: unknown[]) => {
        calls.push({ method, args });
        return answer(method, args);
      },
    ]),
  );
  const client = {
    transport: 'ipc',
    ...methods,
    subscribe(listener: (event: HubEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as HubClient;
  return {
    client,
    calls,
    emit: (event) => {
      for (const listener of listeners) listener(event);
    },
    subscribers: () => listeners.size,
  };
}

function connected(
  answer?: (method: string, args: unknown[]) => unknown,
  options: { trusted?: () => boolean; onError?: (method: string, error: unknown) => void } = {},
) {
  const ipc = createInMemoryIpc();
  const hub = fakeHub(answer);
  const dispose = registerHubIpcHandlers(
    ipc.main,
    hub.client,
    options.trusted ?? (() => true),
    options.onError,
  );
  return { ipc, hub, dispose, client: createIpcHubClient(ipc.renderer) };
}

async function failureOf(call: Promise<unknown>): Promise<HubClientError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof HubClientError, `a HubClientError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

/** Calls a method with arguments its type forbids, as a compromised page could. */
const callLoosely = (client: HubClient, method: string, ...args: unknown[]): Promise<unknown> =>
  (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args);

describe('Electron IPC: the contract', () => {
  it('every HubClient method has its own channel and argument schema', () => {
    assert.deepEqual(Object.keys(HUB_IPC_ARGS).sort(), [...HUB_CALL_METHODS].sort());
    const channels = HUB_CALL_METHODS.map(callChannel);
    assert.equal(new Set(channels).size, channels.length);
    assert.ok(channels.every((channel) => /^boardhub:[a-zA-Z]+$/.test(channel)));
  });

  it('accepts what the UI sends', () => {
    const valid: Array<[(typeof HUB_CALL_METHODS)[number], unknown[]]> = [
      ['overview', []],
      ['listBoards', []],
      ['listBoards', [{ trash: true }]],
      ['getBoard', ['b_AbC-123_x']],
      ['renameBoard', ['b_1', 'Retro — week 12']],
      ['importBoard', [{ bytes: new Uint8Array([1, 2, 3]), name: 'Imported' }]],
      ['createShare', [{ boardId: 'b_1', role: 'comment', label: 'Ada', ttlMs: 3_600_000 }]],
      ['setShareRole', ['s_1', 'view']],
      ['addPeer', ['192.168.1.20', 7420]],
      ['queryAudit', [{ boardId: 'b_1', action: 'board_rename', limit: 2, beforeId: undefined }]],
      ['exportAudit', [{ from: 0, to: 10 }, 'jsonl']],
      ['updateSettings', [{ name: 'Studio', lanVisible: false, port: 7421, idleUnloadMs: 0 }]],
    ];
    for (const [method, args] of valid) {
      const parsed = parseCallArguments(method, args);
      assert.ok(parsed.ok, `${method}(${JSON.stringify(args)}): ${parsed.ok ? '' : parsed.message}`);
    }
  });

  it('an import is capped in size', () => {
    const parsed = parseCallArguments('importBoard', [{ bytes: new Uint8Array(MAX_IMPORT_BYTES + 1) }]);
    assert.equal(parsed.ok, false);
  });
});

describe('Electron IPC: refusals', () => {
  it('arguments that are not exactly the method’s are refused with INVALID_ARGUMENT and never reach the hub', async () => {
    const { client, hub } = connected();
    const refused: Array<[string, ...unknown[]]> = [
      ['getBoard', 123],
      ['getBoard', '../../etc/passwd'],
      ['getBoard', 'x'.repeat(65)],
      ['getBoard', 'b_1', 'extra'],
      ['getBoard'],
      ['overview', 'extra'],
      ['createBoard', 'x'.repeat(201)],
      ['createBoard', ''],
      ['createBoard', { toString: 'Board' }],
      ['listBoards', { trash: 'yes' }],
      ['listBoards', { trash: true, everything: true }],
      ['createShare', { boardId: 'b_1', role: 'owner' }],
      ['createShare', { boardId: 'b_1', role: 'edit', admin: true }],
      ['createShare', { boardId: 'b_1', role: 'edit', ttlMs: 1.5 }],
      ['createShare', { boardId: 'b_1', role: 'edit', label: 'x'.repeat(201) }],
      ['setShareRole', 's_1', 'admin'],
      ['importBoard', { bytes: 'AAEC' }],
      ['importBoard', { bytes: [0, 1, 2] }],
      ['importBoard', { bytes: new Uint8Array(0) }],
      ['importBoard', { bytes: new Uint8Array([1]), name: 'x'.repeat(201) }],
      ['addPeer', 'hub.local', 70_000],
      ['addPeer', 'x'.repeat(254), 7420],
      ['addPeer', 'hub.local', '7420'],
      ['qrSvg', 'x'.repeat(2001)],
      ['queryAudit', { limit: 0 }],
      ['queryAudit', { limit: 1001 }],
      ['queryAudit', { from: -1 }],
      ['queryAudit', { action: 'DROP TABLE' }],
      ['exportAudit', {}, 'xml'],
      ['exportAudit', { sql: '1' }, 'csv'],
      ['updateSettings', { port: '7420' }],
      ['updateSettings', { idleUnloadMs: -1 }],
      ['updateSettings', { lanVisible: 'no' }],
      ['updateSettings', { keyProtection: 'file' }],
    ];
    for (const [method, ...args] of refused) {
      const error = await failureOf(callLoosely(client, method, ...args));
      assert.equal(error.code, 'INVALID_ARGUMENT', `${method}: ${error.code}`);
      assert.ok(error.message.includes(method), error.message);
    }
    assert.deepEqual(hub.calls, []);
  });

  it('an untrusted sender is refused, and the hub never hears of its calls', async () => {
    const { client, hub } = connected(undefined, { trusted: () => false });
    for (const call of [
      () => client.listBoards(),
      () => client.createBoard('Sneaky'),
      () => client.overview(),
    ]) {
      const error = await failureOf(call());
      assert.equal(error.code, 'UNTRUSTED_SENDER');
    }
    assert.deepEqual(hub.calls, []);
    const events: HubEvent[] = [];
    client.subscribe((event) => events.push(event));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(hub.subscribers(), 0, 'no events are forwarded to it');
    assert.deepEqual(events, []);
  });

  it('a sender check that throws refuses the call instead of failing it', async () => {
    const { client } = connected(undefined, {
      trusted: () => {
        throw new Error('bug in the check');
      },
    });
    assert.equal((await failureOf(client.overview())).code, 'UNTRUSTED_SENDER');
  });

  it('no handler (the main process is not ready) is UNREACHABLE', async () => {
    const ipc = createInMemoryIpc();
    const error = await failureOf(createIpcHubClient(ipc.renderer).overview());
    assert.equal(error.code, 'UNREACHABLE');
  });

  it('an answer that is not an envelope is UNEXPECTED_RESPONSE', async () => {
    const ipc = createInMemoryIpc();
    ipc.main.handle(callChannel('overview'), async () => ({ hubId: 'h_1' }));
    const error = await failureOf(createIpcHubClient(ipc.renderer).overview());
    assert.equal(error.code, 'UNEXPECTED_RESPONSE');
  });

  it('removing the handlers leaves no channel behind', () => {
    const { ipc, dispose } = connected();
    assert.ok(ipc.handlerCount() > HUB_CALL_METHODS.length);
    dispose();
    assert.equal(ipc.handlerCount(), 0);
  });
});

describe('Electron IPC: results and errors', () => {
  it('values cross as structured clones, bytes as Uint8Array', async () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const { client, hub } = connected((method) =>
      method === 'exportBoard' ? { fileName: 'Retro.yjs', bytes } : { id: 'b_1', name: 'Imported' },
    );
    const file = await client.exportBoard('b_1');
    assert.ok(file.bytes instanceof Uint8Array);
    assert.deepEqual([...file.bytes], [1, 2, 3, 250]);
    await client.importBoard({ bytes, name: 'Copy' });
    const imported = hub.calls.find((call) => call.method === 'importBoard')?.args[0] as { bytes: unknown };
    assert.ok(imported.bytes instanceof Uint8Array);
  });

  it('the hub’s error codes and messages reach the renderer unchanged', async () => {
    const { client } = connected((method) => {
      if (method === 'getBoard') throw new HubError('BOARD_NOT_FOUND', 'Board b_9 does not exist.');
      throw new HubClientError('PEER_UNREACHABLE', 'No hub answers at 10.0.0.9:7420.');
    });
    const notFound = await failureOf(client.getBoard('b_9'));
    assert.equal(notFound.code, 'BOARD_NOT_FOUND');
    assert.equal(notFound.message, 'Board b_9 does not exist.');
    assert.equal(notFound.name, 'HubClientError');
    const unreachable = await failureOf(client.addPeer('10.0.0.9', 7420));
    assert.equal(unreachable.code, 'PEER_UNREACHABLE');
    assert.equal(unreachable.message, 'No hub answers at 10.0.0.9:7420.');
  });

  it('an unexpected failure is INTERNAL, without its details, and is reported to the main process', async () => {
    const reported: Array<[string, unknown]> = [];
    const { client } = connected(
      () => {
        throw new Error('SQLITE_CORRUPT: /home/ada/.config/Boardhub/hub/boardhub.db');
      },
      { onError: (method, error) => reported.push([method, error]) },
    );
    const error = await failureOf(client.listBoards());
    assert.equal(error.code, 'INTERNAL');
    assert.doesNotMatch(error.message, /SQLITE|home/);
    assert.equal(reported.length, 1);
    assert.equal(reported[0]?.[0], 'listBoards');
  });

  it('nothing thrown crosses the IPC: a handler always answers with an envelope', async () => {
    const ipc = createInMemoryIpc();
    registerHubIpcHandlers(
      ipc.main,
      fakeHub(() => {
        throw new TypeError('boom');
      }).client,
      () => true,
    );
    for (const args of [[], ['b_1'], [{ nonsense: true }]]) {
      const answer = await ipc.renderer.invoke(callChannel('getBoard'), ...args);
      assert.equal((answer as { ok: boolean }).ok, false);
    }
  });
});

describe('Electron IPC: live events', () => {
  const isLive = (event: HubEvent) => event.type === 'connection' && event.state === 'live';

  it('a subscribed window hears live, then the hub’s changes; after the last unsubscribe nothing more', async () => {
    const { client, hub } = connected();
    const first: HubEvent[] = [];
    const second: HubEvent[] = [];
    const leaveFirst = client.subscribe((event) => first.push(event));
    await waitFor('live for the first listener', () => first.some(isLive));
    const leaveSecond = client.subscribe((event) => second.push(event));
    await waitFor('live for a later listener too', () => second.some(isLive));
    assert.equal(hub.subscribers(), 1, 'one subscription per window, however many listeners');

    hub.emit({ type: 'changes', changes: [{ topic: 'boards' }] });
    await waitFor('the change for both', () => first.length === 2 && second.length === 2);
    leaveFirst();
    leaveSecond();
    await waitFor('the main process to stop forwarding', () => hub.subscribers() === 0);
  });

  it('events stop when the window’s WebContents is destroyed', async () => {
    const { client, hub, ipc } = connected();
    const events: HubEvent[] = [];
    client.subscribe((event) => events.push(event));
    await waitFor('live', () => events.some(isLive));
    ipc.destroyWebContents();
    assert.equal(hub.subscribers(), 0);
    hub.emit({ type: 'changes', changes: [{ topic: 'boards' }] });
  });

  it('a malformed event from the main process never reaches a listener', async () => {
    const { client, hub } = connected();
    const events: HubEvent[] = [];
    client.subscribe((event) => events.push(event));
    await waitFor('live', () => events.some(isLive));
    hub.emit({ type: 'changes', changes: [{ topic: 'everything' }] } as unknown as HubEvent);
    hub.emit({ type: 'changes', changes: [{ topic: 'boards' }] });
    await waitFor('the valid change', () => events.length === 2);
    assert.deepEqual(events[1], { type: 'changes', changes: [{ topic: 'boards' }] });
  });
});

describe('Electron IPC: what crosses contextBridge', () => {
  /** contextBridge keeps an object's own properties, rebuilds an Error from its message alone. */
  const acrossBridge = (value: unknown): unknown =>
    value instanceof Error ? new Error(value.message) : { ...(value as object) };

  it('the exposed client is a plain object whose every method is an own property', () => {
    const exposed = bridgeSafeHubClient(createIpcHubClient(createInMemoryIpc().renderer));
    assert.equal(Object.getPrototypeOf(exposed), Object.prototype);
    for (const method of [...HUB_CALL_METHODS, 'subscribe']) {
      assert.equal(typeof Object.getOwnPropertyDescriptor(exposed, method)?.value, 'function', method);
    }
    assert.equal(exposed.transport, 'ipc');
  });

  it('a failed call reaches the page with its code, not as a bare Error', async () => {
    const { ipc } = connected(() => {
      throw new HubError('BOARD_NOT_FOUND', 'Board b_9 does not exist.');
    });
    const exposed = bridgeSafeHubClient(createIpcHubClient(ipc.renderer));
    const rejection = await exposed.getBoard('b_9').then(
      () => assert.fail('expected a rejection'),
      (reason: unknown) => reason,
    );
    const onPage = acrossBridge(rejection) as Record<string, unknown>;
    assert.equal(onPage.name, 'HubClientError');
    assert.equal(onPage.code, 'BOARD_NOT_FOUND');
    assert.equal(onPage.message, 'Board b_9 does not exist.');
    assert.equal(String(onPage), 'HubClientError: Board b_9 does not exist.');
  });

  it('a failure that is not a HubClientError becomes INTERNAL', () => {
    assert.equal(toBridgedError(new TypeError('x is undefined')).code, 'INTERNAL');
  });
});
