import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  AdminApi,
  type ConnectionJson,
  errorCodeOf,
  jwtPart,
  type KeyJson,
  type ShareJson,
} from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { connectSynced, type TestClient, tryUpgrade } from '../helpers/clients.js';
import { closeClientsThenHubAfter } from '../helpers/describe-hub.js';
import { readStoredDoc, startTestHub, type TestHub } from '../helpers/test-hub.js';
import { sleep, waitFor } from '../helpers/wait.js';

/** The requirement: a change of access reaches live connections within 2 seconds. */
const LIVE_ACCESS_DEADLINE_MS = 2000;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STORES_MODULE = pathToFileURL(
  fileURLToPath(new URL('../../src/storage/stores.ts', import.meta.url)),
).href;

/** Another process opens the data folder with the storage layer and revokes a share directly. */
function revokeFromAnotherProcess(dataDir: string, shareId: string): Promise<void> {
  const code = [
    `import { openStores } from ${JSON.stringify(STORES_MODULE)};`,
    'const [dataDir, shareId] = process.argv.slice(1);',
    'const stores = openStores(dataDir);',
    'try { stores.shares.revoke(shareId, Date.now()); } finally { stores.close(); }',
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code, dataDir, shareId],
      { cwd: REPO_ROOT, timeout: 30_000 },
      (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()),
    );
  });
}

const closedWith = (client: TestClient, code: number) => () =>
  client.closeEvents.find((e) => e.code === code);

/**
 * Everything `from` sent before this call has been handled by the hub once `to` sees this
 * awareness marker: the hub handles one connection's frames in order.
 */
async function afterHubHandled(from: TestClient, to: TestClient, marker: string): Promise<void> {
  from.provider.awareness.setLocalStateField('marker', marker);
  await waitFor(
    `hub to relay marker ${marker}`,
    () => to.provider.awareness.getStates().get(from.doc.clientID)?.marker === marker,
  );
}

const urlFor = (hub: TestHub, boardId: string, token: string): string =>
  `${hub.wsBase}/${boardId}?token=${encodeURIComponent(token)}`;

describe('revoking a share closes its live connections', () => {
  let hub: TestHub;
  let api: AdminApi;
  before(async () => {
    hub = await startTestHub();
    api = AdminApi.for(hub);
  });
  const { connect } = closeClientsThenHubAfter(() => hub);

  it('revoking a share through the API closes every stock client using it with 4401 within 2 s; they stop reconnecting', async () => {
    const board = await api.createBoard('Revoke live');
    const revoked = await api.createShare(board.id, 'edit', { label: 'Group A' });
    const first = await connect(board.id, revoked.token);
    const second = await connect(board.id, revoked.token);

    const answer = await api.expect<ShareJson>(200, 'DELETE', `/api/shares/${revoked.share.id}`);
    assert.notEqual(answer.revokedAt, null);
    await waitFor('first client closed with 4401', closedWith(first, 4401), LIVE_ACCESS_DEADLINE_MS);
    await waitFor('second client closed with 4401', closedWith(second, 4401), LIVE_ACCESS_DEADLINE_MS);

    await sleep(600);
    for (const client of [first, second]) {
      assert.equal(client.provider.shouldConnect, false, 'a 4401 close stops reconnection');
      assert.equal(client.provider.wsconnected, false);
      assert.equal(client.closeEvents.length, 1, 'no further connection attempt');
    }
    const live = await api.expect<ConnectionJson[]>(200, 'GET', `/api/boards/${board.id}/connections`);
    assert.deepEqual(live, []);
  });

  it('a revoked token is refused at the upgrade with 401 TOKEN_REVOKED', async () => {
    const board = await api.createBoard('Revoked token');
    const issued = await api.createShare(board.id, 'view');
    assert.equal((await tryUpgrade(urlFor(hub, board.id, issued.token))).status, 101);
    await api.expect<ShareJson>(200, 'DELETE', `/api/shares/${issued.share.id}`);
    const refused = await tryUpgrade(urlFor(hub, board.id, issued.token));
    assert.equal(refused.status, 401);
    assert.equal(errorCodeOf(JSON.parse(refused.body)), 'TOKEN_REVOKED');
  });

  it("another share's client on the same board is unaffected and keeps editing", async () => {
    const board = await api.createBoard('Two groups');
    const groupA = await api.createShare(board.id, 'edit', { label: 'Group A' });
    const groupB = await api.createShare(board.id, 'edit', { label: 'Group B' });
    const revokedClient = await connect(board.id, groupA.token);
    const keeper = await connect(board.id, groupB.token);
    const watcher = await connect(board.id, groupB.token);

    await api.expect<ShareJson>(200, 'DELETE', `/api/shares/${groupA.share.id}`);
    await waitFor('revoked client closed', closedWith(revokedClient, 4401), LIVE_ACCESS_DEADLINE_MS);
    await sleep(600);

    assert.deepEqual(keeper.closeEvents, []);
    assert.equal(keeper.provider.wsconnected, true);
    keeper.doc.getText('notes').insert(0, 'still here');
    await waitFor('watcher to see the edit', () => watcher.doc.getText('notes').toString() === 'still here');
    await waitFor(
      'edit stored',
      () => readStoredDoc(hub.dataDir, board.id).getText('notes').toString() === 'still here',
    );
    const live = await api.expect<ConnectionJson[]>(200, 'GET', `/api/boards/${board.id}/connections`);
    assert.deepEqual(
      live.map((c) => c.shareId),
      [groupB.share.id, groupB.share.id],
    );
  });
});

describe('access changes made by another process reach live connections within 2 s', () => {
  let hub: TestHub;
  let api: AdminApi;
  before(async () => {
    hub = await startTestHub();
    api = AdminApi.for(hub);
  });
  const { connect } = closeClientsThenHubAfter(() => hub);

  it('`boardhub share revoke` (the CLI) closes the live client with 4401 within 2 s', async () => {
    const board = await api.createBoard('CLI revoke');
    const issued = await api.createShare(board.id, 'edit');
    const client = await connect(board.id, issued.token);

    const result = await runCli(['share', 'revoke', issued.share.id, '--data', hub.dataDir]);
    assert.equal(result.code, 0, result.stderr);
    await waitFor('client closed with 4401', closedWith(client, 4401), LIVE_ACCESS_DEADLINE_MS);
    await sleep(600);
    assert.equal(client.provider.shouldConnect, false);
    assert.equal((await tryUpgrade(urlFor(hub, board.id, issued.token))).status, 401);
  });

  it('a revocation committed straight to SQLite by another process closes the live client within 2 s', async () => {
    const board = await api.createBoard('Raw revoke');
    const issued = await api.createShare(board.id, 'edit');
    const other = await api.createShare(board.id, 'edit');
    const client = await connect(board.id, issued.token);
    const bystander = await connect(board.id, other.token);

    await revokeFromAnotherProcess(hub.dataDir, issued.share.id);
    await waitFor('client closed with 4401', closedWith(client, 4401), LIVE_ACCESS_DEADLINE_MS);
    await sleep(600);
    assert.equal(client.provider.shouldConnect, false);
    assert.deepEqual(bystander.closeEvents, [], 'the other share is untouched');
    const refused = await tryUpgrade(urlFor(hub, board.id, issued.token));
    assert.equal(errorCodeOf(JSON.parse(refused.body)), 'TOKEN_REVOKED');
  });

  it("`boardhub share set-role --role view` (the CLI) stops the live client's writes within 2 s", async () => {
    const board = await api.createBoard('CLI set-role');
    const writerShare = await api.createShare(board.id, 'edit', { label: 'writer' });
    const writer = await connect(board.id, writerShare.token);
    const observer = await connect(board.id, (await api.createShare(board.id, 'view')).token);
    writer.doc.getText('notes').insert(0, 'before');
    await waitFor(
      'observer sees the first edit',
      () => observer.doc.getText('notes').toString() === 'before',
    );

    const result = await runCli([
      'share',
      'set-role',
      writerShare.share.id,
      '--role',
      'view',
      '--data',
      hub.dataDir,
    ]);
    assert.equal(result.code, 0, result.stderr);
    await waitForLiveRole(api, board.id, writerShare.share.id, 'view');

    writer.doc.getText('notes').insert(6, ' after');
    await afterHubHandled(writer, observer, 'after-downgrade');
    await sleep(300);
    assert.equal(observer.doc.getText('notes').toString(), 'before');
    assert.equal(readStoredDoc(hub.dataDir, board.id).getText('notes').toString(), 'before');
  });
});

/** Polls the hub's list of live connections until the share's connections show `role` (≤ 2 s). */
async function waitForLiveRole(api: AdminApi, boardId: string, shareId: string, role: string): Promise<void> {
  const deadline = Date.now() + LIVE_ACCESS_DEADLINE_MS;
  for (;;) {
    const live = await api.expect<ConnectionJson[]>(200, 'GET', `/api/boards/${boardId}/connections`);
    const mine = live.filter((c) => c.shareId === shareId);
    if (mine.length > 0 && mine.every((c) => c.role === role)) return;
    if (Date.now() > deadline)
      throw new Error(`live connections of ${shareId} still ${JSON.stringify(mine)}`);
    await sleep(50);
  }
}

describe("changing a share's role applies to its live connections", () => {
  let hub: TestHub;
  let api: AdminApi;
  before(async () => {
    hub = await startTestHub();
    api = AdminApi.for(hub);
  });
  const { connect } = closeClientsThenHubAfter(() => hub);

  /** A board with a writer on an edit share and an observer on a view share, both synced. */
  async function writerAndObserver(name: string) {
    const board = await api.createBoard(name);
    const writerShare = await api.createShare(board.id, 'edit', { label: 'writer' });
    const writer = await connect(board.id, writerShare.token);
    const observer = await connect(board.id, (await api.createShare(board.id, 'view')).token);
    writer.doc.getText('notes').insert(0, 'before');
    await waitFor(
      'observer sees the first edit',
      () => observer.doc.getText('notes').toString() === 'before',
    );
    return { board, shareId: writerShare.share.id, writerToken: writerShare.token, writer, observer };
  }

  const setRole = (shareId: string, role: ShareJson['role']): Promise<ShareJson> =>
    api.expect<ShareJson>(200, 'PATCH', `/api/shares/${shareId}`, { role });

  it("downgrading an edit share to view stops its live client's writes: they reach neither others nor the database", async () => {
    const { board, shareId, writer, observer } = await writerAndObserver('Downgrade');
    assert.equal((await setRole(shareId, 'view')).role, 'view');
    await waitForLiveRole(api, board.id, shareId, 'view');

    writer.doc.getText('notes').insert(6, ' after');
    writer.doc.getMap('cards').set('c1', 'sneaky');
    await afterHubHandled(writer, observer, 'after-downgrade');
    await sleep(300);

    assert.equal(observer.doc.getText('notes').toString(), 'before');
    assert.equal(observer.doc.getMap('cards').size, 0);
    const stored = readStoredDoc(hub.dataDir, board.id);
    assert.equal(stored.getText('notes').toString(), 'before');
    assert.equal(stored.getMap('cards').size, 0);
    assert.deepEqual(writer.closeEvents, [], 'the connection stays open, read-only');
  });

  it('a share downgraded to comment keeps commenting live; after a refused edit, only once the page reloads', async () => {
    const { board, shareId, writerToken, writer, observer } = await writerAndObserver('Downgrade to comment');
    assert.equal((await setRole(shareId, 'comment')).role, 'comment');
    await waitForLiveRole(api, board.id, shareId, 'comment');

    writer.doc.getMap('comments').set('c1', 'first comment');
    await waitFor('observer sees the first comment', () => observer.doc.getMap('comments').get('c1'));
    writer.doc.getText('notes').insert(6, ' edited');
    await afterHubHandled(writer, observer, 'refused-edit');
    await sleep(300);
    assert.equal(observer.doc.getText('notes').toString(), 'before', 'the edit is refused');

    // Its next clocks follow the refused ones, which the hub never stored: refused until it reloads.
    writer.doc.getMap('comments').set('gap', 'after the refused edit');
    await afterHubHandled(writer, observer, 'refused-comment');
    await sleep(300);
    assert.equal(observer.doc.getMap('comments').has('gap'), false);
    const reloaded = await connect(board.id, writerToken);
    reloaded.doc.getMap('comments').set('c2', 'second comment');
    await waitFor('observer sees the second comment', () => observer.doc.getMap('comments').get('c2'));
    await waitFor(
      'comments stored',
      () => readStoredDoc(hub.dataDir, board.id).getMap('comments').size === 2,
    );
    assert.equal(readStoredDoc(hub.dataDir, board.id).getText('notes').toString(), 'before');
  });

  it('upgrading a view share to edit lets a client that did not write meanwhile edit at once', async () => {
    const { board, shareId, writer, observer } = await writerAndObserver('Round trip, quiet');
    await setRole(shareId, 'view');
    await waitForLiveRole(api, board.id, shareId, 'view');
    await setRole(shareId, 'edit');
    await waitForLiveRole(api, board.id, shareId, 'edit');

    writer.doc.getText('notes').insert(6, ' again');
    await waitFor(
      'observer sees the edit',
      () => observer.doc.getText('notes').toString() === 'before again',
    );
    await waitFor(
      'edit stored',
      () => readStoredDoc(hub.dataDir, board.id).getText('notes').toString() === 'before again',
    );
  });

  it('upgrading back to edit: a client refused while view-only edits again once its page reloads', async () => {
    const { board, shareId, writerToken, writer, observer } = await writerAndObserver('Round trip');
    await setRole(shareId, 'view');
    await waitForLiveRole(api, board.id, shareId, 'view');
    writer.doc.getMap('cards').set('refused', 'while view-only');
    await afterHubHandled(writer, observer, 'refused');
    await sleep(200);
    assert.equal(observer.doc.getMap('cards').has('refused'), false);

    assert.equal((await setRole(shareId, 'edit')).role, 'edit');
    await waitForLiveRole(api, board.id, shareId, 'edit');
    // Its next edit comes after the refused clocks, which the hub never stored: refused too.
    writer.doc.getMap('cards').set('gap', 'after the upgrade, same doc');
    await afterHubHandled(writer, observer, 'gap');
    await sleep(200);
    assert.equal(observer.doc.getMap('cards').has('gap'), false);

    const reloaded = await connect(board.id, writerToken);
    reloaded.doc.getMap('cards').set('fresh', 'after the reload');
    await waitFor(
      'fresh edit stored',
      () => readStoredDoc(hub.dataDir, board.id).getMap('cards').get('fresh') === 'after the reload',
    );
    assert.equal(observer.doc.getMap('cards').get('fresh'), 'after the reload');
    assert.equal(readStoredDoc(hub.dataDir, board.id).getMap('cards').has('refused'), false);
    assert.equal(readStoredDoc(hub.dataDir, board.id).getMap('cards').has('gap'), false);
  });
});

describe('signing key rotation', () => {
  it('after a rotation old tokens still connect and new shares are signed with the new key', async () => {
    const hub = await startTestHub();
    const clients: TestClient[] = [];
    try {
      const api = AdminApi.for(hub);
      const board = await api.createBoard('Rotation');
      const oldShare = await api.createShare(board.id, 'edit');
      const oldKid = jwtPart(oldShare.token, 0).kid;

      const rotated = await api.expect<KeyJson>(201, 'POST', '/api/keys/rotate');
      assert.notEqual(rotated.kid, oldKid);
      assert.equal(rotated.current, true);
      const keys = await api.expect<KeyJson[]>(200, 'GET', '/api/keys');
      assert.deepEqual(
        keys.map((k) => ({ kid: k.kid, current: k.current, retired: k.retiredAt !== null })),
        [
          { kid: oldKid, current: false, retired: false },
          { kid: rotated.kid, current: true, retired: false },
        ],
      );

      clients.push(await connectSynced(hub.wsBase, board.id, oldShare.token));
      const newShare = await api.createShare(board.id, 'edit');
      assert.equal(jwtPart(newShare.token, 0).kid, rotated.kid);
      assert.equal(jwtPart(newShare.token, 0).alg, 'EdDSA');
      clients.push(await connectSynced(hub.wsBase, board.id, newShare.token));
    } finally {
      for (const client of clients) client.destroy();
      await hub.stop();
    }
  });

  it('after retiring the old key its tokens are refused and its live connections close with 4401 within 2 s; new-key connections stay', async () => {
    const hub = await startTestHub();
    const clients: TestClient[] = [];
    try {
      const api = AdminApi.for(hub);
      const board = await api.createBoard('Retirement');
      const oldShare = await api.createShare(board.id, 'edit');
      const oldKid = jwtPart(oldShare.token, 0).kid;
      const oldClient = await connectSynced(hub.wsBase, board.id, oldShare.token);
      clients.push(oldClient);
      const rotated = await api.expect<KeyJson>(201, 'POST', '/api/keys/rotate');
      const newShare = await api.createShare(board.id, 'edit');
      const newClient = await connectSynced(hub.wsBase, board.id, newShare.token);
      const watcher = await connectSynced(hub.wsBase, board.id, newShare.token);
      clients.push(newClient, watcher);

      const retired = await api.expect<KeyJson[]>(200, 'POST', '/api/keys/retire', {});
      assert.deepEqual(
        retired.map((k) => k.kid),
        [oldKid],
      );
      await waitFor('old-key client closed with 4401', closedWith(oldClient, 4401), LIVE_ACCESS_DEADLINE_MS);
      await sleep(600);
      assert.equal(oldClient.provider.shouldConnect, false);
      assert.deepEqual(newClient.closeEvents, [], 'new-key connections stay');
      assert.equal(newClient.provider.wsconnected, true);

      const refused = await tryUpgrade(urlFor(hub, board.id, oldShare.token));
      assert.equal(refused.status, 401);
      assert.equal(errorCodeOf(JSON.parse(refused.body)), 'TOKEN_INVALID');
      assert.equal((await tryUpgrade(urlFor(hub, board.id, newShare.token))).status, 101);

      newClient.doc.getText('notes').insert(0, 'new key still writes');
      await waitFor(
        'watcher sees it',
        () => watcher.doc.getText('notes').toString() === 'new key still writes',
      );
      const keys = await api.expect<KeyJson[]>(200, 'GET', '/api/keys');
      assert.deepEqual(
        keys.map((k) => ({ kid: k.kid, current: k.current, retired: k.retiredAt !== null })),
        [
          { kid: oldKid, current: false, retired: true },
          { kid: rotated.kid, current: true, retired: false },
        ],
      );
    } finally {
      for (const client of clients) client.destroy();
      await hub.stop();
    }
  });

  it('POST /api/keys/retire needs no body: it retires every key but the current one', async () => {
    const hub = await startTestHub();
    try {
      const api = AdminApi.for(hub);
      const [original] = await api.expect<KeyJson[]>(200, 'GET', '/api/keys');
      await api.expect<KeyJson>(201, 'POST', '/api/keys/rotate');
      const retired = await api.request('POST', '/api/keys/retire');
      assert.equal(retired.status, 200, retired.text);
      assert.deepEqual(
        (retired.json as KeyJson[]).map((k) => k.kid),
        [original?.kid],
      );
    } finally {
      await hub.stop();
    }
  });
});
