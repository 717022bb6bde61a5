import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import type { HubOverview, HubSettings } from '../../src/client/hub-client.js';
import { readRuntimeInfo } from '../../src/runtime-file.js';
import { AdminApi, errorCodeOf } from '../helpers/api.js';
import { closeCodeOf, connectSynced, openRaw } from '../helpers/clients.js';
import { openEventStream } from '../helpers/event-stream.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';
import { sleep, waitFor } from '../helpers/wait.js';

/**
 * The hub's settings (GET/PATCH /api/settings), what applies at once and what at the next start,
 * where a starting hub takes them from, the overview, and the admin token reset. The LAN-visibility
 * tests bind 0.0.0.0 on a free port for a moment, with mDNS off; nothing multicasts.
 */
interface AuditRowJson {
  action: string;
  actor: string;
  detail: Record<string, unknown>;
}

const actor = { name: 'test' };

async function auditRows(api: AdminApi, action: string): Promise<AuditRowJson[]> {
  const page = await api.expect<{ entries: AuditRowJson[] }>(200, 'GET', `/api/audit?action=${action}`);
  return page.entries;
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Holds a port, as another program would. */
async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/** A non-loopback IPv4 address of this machine: reaching it stays on the machine. */
function localLanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? [])
      if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

function connectRefused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${host}:${port}/ws/canvas/x?token=y`);
    ws.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    ws.on('unexpected-response', () => {
      ws.terminate();
      resolve(false);
    });
  });
}

describe('hub settings', () => {
  it('GET describes the running hub; PATCH changes the name and the idle time at once, audited', async () => {
    const hub = await startTestHub();
    try {
      const api = AdminApi.for(hub);
      const initial = await api.expect<HubSettings>(200, 'GET', '/api/settings');
      assert.equal(initial.lanVisible, false);
      assert.equal(initial.port, hub.port, 'nothing stored: the port in use');
      assert.equal(initial.restartRequired, false);
      assert.equal(initial.idleUnloadMs, 30 * 60_000);
      assert.equal(initial.keyProtection, 'file');

      const stream = await openEventStream(hub.port, api.token);
      try {
        const updated = await api.expect<HubSettings>(200, 'PATCH', '/api/settings', {
          name: '  Studio hub ',
          idleUnloadMs: 120_000,
        });
        assert.deepEqual(updated, { ...initial, name: 'Studio hub', idleUnloadMs: 120_000 });
        assert.deepEqual(await api.expect<HubSettings>(200, 'GET', '/api/settings'), updated);
        assert.equal(hub.hub.service.hubIdentity().name, 'Studio hub');
        await waitFor('a settings change on the event stream', () =>
          stream.changes().some((change) => change.topic === 'settings'),
        );
      } finally {
        stream.close();
      }

      const renamed = await auditRows(api, 'hub_rename');
      assert.deepEqual(renamed[0]?.detail, { from: initial.name, to: 'Studio hub' });
      assert.equal(renamed[0]?.actor, 'admin');
      const changed = await auditRows(api, 'setting_change');
      assert.deepEqual(changed[0]?.detail, { setting: 'idleUnloadMs', from: 30 * 60_000, to: 120_000 });

      // The same values again: stored, but nothing changed, so nothing more is audited.
      await api.expect(200, 'PATCH', '/api/settings', { idleUnloadMs: 120_000 });
      assert.equal((await auditRows(api, 'setting_change')).length, 1);
    } finally {
      await hub.stop();
    }
  });

  it('refuses unknown fields and bad values with 400 and a message naming the field, changing nothing', async () => {
    const hub = await startTestHub();
    try {
      const api = AdminApi.for(hub);
      const before = await api.expect<HubSettings>(200, 'GET', '/api/settings');
      const cases: Array<[unknown, RegExp]> = [
        [{ colour: 'red' }, /colour/],
        [{ port: 70000 }, /port/],
        [{ port: '8080' }, /port/],
        [{ idleUnloadMs: -5 }, /idleUnloadMs/],
        [{ idleUnloadMs: 1.5 }, /idleUnloadMs/],
        [{ lanVisible: 'yes' }, /lanVisible/],
        [{ name: '   ' }, /name/],
        [{ name: 'n'.repeat(64) }, /name/],
        [['name'], /settings/],
      ];
      for (const [body, field] of cases) {
        const response = await api.request('PATCH', '/api/settings', { body });
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assert.equal(errorCodeOf(response.json), 'INVALID_ARGUMENT');
        assert.match(response.text, field);
      }
      const malformed = await api.request('PATCH', '/api/settings', { rawBody: '{"name":' });
      assert.equal(malformed.status, 400);
      assert.deepEqual(await api.expect<HubSettings>(200, 'GET', '/api/settings'), before);
    } finally {
      await hub.stop();
    }
  });

  it('a new idle time applies to boards left from then on', async () => {
    const hub = await startTestHub();
    try {
      const boardId = hub.createBoard('Idle soon');
      const token = await hub.share(boardId, 'edit');
      await hub.hub.service.updateSettings({ idleUnloadMs: 200 }, actor);
      const guest = await connectSynced(hub.wsBase, boardId, token);
      assert.equal(hub.hub.stats().roomsLoaded, 1);
      guest.destroy();
      await waitFor('the board to unload after 200 ms idle', () => hub.hub.stats().roomsLoaded === 0);
    } finally {
      await hub.stop();
    }
  });

  it('a saved port applies at the next start; until then restartRequired says so', async () => {
    const data = makeTempDir();
    try {
      const port = await freePort();
      const first = await startTestHub({}, data.path);
      const saved = await first.hub.service.updateSettings({ port }, actor);
      assert.equal(saved.port, port);
      assert.equal(saved.restartRequired, true);
      assert.equal(
        (await first.hub.service.updateSettings({ port: first.port }, actor)).restartRequired,
        false,
      );
      await first.hub.service.updateSettings({ port }, actor);
      await first.stop();

      const second = await startTestHub({ port: undefined }, data.path);
      try {
        assert.equal(second.port, port, 'no port given: the saved one');
        assert.equal(second.hub.service.getSettings().restartRequired, false);
      } finally {
        await second.stop();
      }
    } finally {
      data.remove();
    }
  });

  it('values given in the config win for their run and are not saved', async () => {
    const data = makeTempDir();
    try {
      const first = await startTestHub({}, data.path);
      await first.hub.service.updateSettings({ idleUnloadMs: 60_000, name: 'Saved name' }, actor);
      await first.stop();

      const flagged = await startTestHub({ idleUnloadMs: 500, name: 'Flag name' }, data.path);
      const during = flagged.hub.service.getSettings();
      assert.equal(during.idleUnloadMs, 500);
      assert.equal(during.name, 'Flag name');
      await flagged.stop();

      const plain = await startTestHub({}, data.path);
      const after = plain.hub.service.getSettings();
      assert.equal(after.idleUnloadMs, 60_000);
      assert.equal(after.name, 'Saved name');
      await plain.stop();
    } finally {
      data.remove();
    }
  });

  it('portFallback: a busy port is replaced by a free one, which is remembered; without it, PORT_IN_USE', async () => {
    const data = makeTempDir();
    const busy = await occupy();
    try {
      const first = await startTestHub({}, data.path);
      await first.hub.service.updateSettings({ port: busy.port }, actor);
      await first.stop();

      await assert.rejects(
        startTestHub({ port: undefined }, data.path),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'PORT_IN_USE');
          assert.match(error.message, new RegExp(String(busy.port)));
          return true;
        },
      );

      const fallback = await startTestHub({ port: undefined, portFallback: true }, data.path);
      try {
        assert.notEqual(fallback.port, busy.port);
        const settings = fallback.hub.service.getSettings();
        assert.equal(settings.port, fallback.port, 'the port used is now the saved one');
        assert.equal(settings.restartRequired, false);
      } finally {
        await fallback.stop();
      }
    } finally {
      await new Promise<void>((resolve) => busy.server.close(() => resolve()));
      data.remove();
    }
  });

  it('the overview describes the running hub', async () => {
    const hub = await startTestHub({ name: 'Overview hub' });
    try {
      const api = AdminApi.for(hub);
      hub.createBoard('One');
      const trashed = hub.createBoard('Two');
      hub.hub.service.deleteBoard(trashed, actor);
      const overview = await api.expect<HubOverview>(200, 'GET', '/api/overview');
      assert.equal(overview.hubId, hub.hub.service.hubId);
      assert.equal(overview.name, 'Overview hub');
      assert.match(overview.fingerprintShort, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){4}$/);
      assert.equal(overview.boards, 1);
      assert.equal(overview.boardsInTrash, 1);
      assert.equal(overview.connections, 0);
      assert.equal(overview.dataDir, hub.dataDir);
      assert.equal(overview.listenHost, `127.0.0.1:${hub.port}`);
      assert.equal(overview.port, hub.port);
      assert.equal(overview.lanVisible, false);
      assert.equal(overview.mdns, 'off');
      assert.equal(typeof overview.uptimeSeconds, 'number');
      assert.equal(typeof overview.version, 'string');
    } finally {
      await hub.stop();
    }
  });

  it('POST /api/admin-token/reset revokes every admin token, the caller’s too, and returns a new one', async () => {
    const hub = await startTestHub();
    try {
      const api = AdminApi.for(hub);
      const response = await api.request('POST', '/api/admin-token/reset');
      assert.equal(response.status, 200, response.text);
      const { token } = response.json as { token: string };
      assert.match(token, /^bhadm_/);
      const old = await api.request('GET', '/api/settings');
      assert.equal(old.status, 401);
      const fresh = new AdminApi(hub.port, token);
      const rows = await auditRows(fresh, 'admin_token_reset');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.actor, 'admin');
      assert.ok(
        !JSON.stringify(rows).includes(token.split('.')[1] ?? '—'),
        'the secret is not in the audit log',
      );
    } finally {
      await hub.stop();
    }
  });
});

describe('visible on the LAN', () => {
  it('with nothing stored, lanVisibleByDefault listens on the LAN; a stored choice wins over it', async () => {
    const data = makeTempDir();
    try {
      const shown = await startTestHub({ host: undefined, lanVisibleByDefault: true }, data.path);
      try {
        assert.equal(readRuntimeInfo(data.path)?.host, '0.0.0.0');
        assert.equal(shown.hub.service.getSettings().lanVisible, true);
        assert.equal(shown.hub.service.overview().lanVisible, true);
        await shown.hub.service.updateSettings({ lanVisible: false }, actor);
        assert.equal(readRuntimeInfo(data.path)?.host, '127.0.0.1');
      } finally {
        await shown.stop();
      }
      const again = await startTestHub({ host: undefined, lanVisibleByDefault: true }, data.path);
      try {
        assert.equal(readRuntimeInfo(data.path)?.host, '127.0.0.1');
        assert.equal(again.hub.service.getSettings().lanVisible, false);
      } finally {
        await again.stop();
      }
    } finally {
      data.remove();
    }
  });

  it('showing and hiding keep loopback guests connected; hiding closes LAN guests with 1001', async (t) => {
    const lanAddress = localLanAddress();
    if (lanAddress === undefined) {
      t.skip('this machine has no non-loopback IPv4 address to connect through');
      return;
    }
    const hub: TestHub = await startTestHub();
    const guests: Array<{ destroy(): void }> = [];
    try {
      const api = AdminApi.for(hub);
      const boardId = hub.createBoard('Shared room');
      const token = await hub.share(boardId, 'edit');
      const local = await connectSynced(hub.wsBase, boardId, token);
      guests.push(local);
      const stream = await openEventStream(hub.port, api.token);
      try {
        assert.equal(await connectRefused(lanAddress, hub.port), true, 'hidden: the LAN address is closed');

        const shown = await api.expect<HubSettings>(200, 'PATCH', '/api/settings', { lanVisible: true });
        assert.equal(shown.lanVisible, true);
        assert.equal(readRuntimeInfo(hub.dataDir)?.host, '0.0.0.0');
        const overview = await api.expect<HubOverview>(200, 'GET', '/api/overview');
        assert.equal(overview.lanVisible, true);
        assert.notEqual(overview.listenHost, `127.0.0.1:${hub.port}`, 'guests are sent to a LAN address');

        const remote = await openRaw(`ws://${lanAddress}:${hub.port}/ws/canvas/${boardId}?token=${token}`);
        const remoteClosed = closeCodeOf(remote);
        let remoteReason = '';
        remote.once('close', (_code, reason) => {
          remoteReason = reason.toString();
        });
        const adminFromLan = await fetch(`http://${lanAddress}:${hub.port}/api/settings`, {
          headers: { authorization: `Bearer ${api.token}` },
        });
        assert.equal(adminFromLan.status, 403, 'the admin API stays on this machine');
        await adminFromLan.text();

        const hidden = await api.expect<HubSettings>(200, 'PATCH', '/api/settings', { lanVisible: false });
        assert.equal(hidden.lanVisible, false);
        assert.equal(await remoteClosed, 1001);
        assert.equal(remoteReason, 'hub hidden from the LAN');
        assert.equal(readRuntimeInfo(hub.dataDir)?.host, '127.0.0.1');
        assert.equal(await connectRefused(lanAddress, hub.port), true);

        // The loopback guest and the event stream never noticed.
        assert.equal(local.closeEvents.length, 0);
        assert.equal(hub.hub.stats().eventStreams, 1);
        const second = await connectSynced(hub.wsBase, boardId, token);
        guests.push(second);
        local.doc.getMap('cards').set('after', 'moving twice');
        await waitFor('the edit to reach the second guest', () => second.doc.getMap('cards').get('after'));
        await sleep(50);
        assert.equal(local.closeEvents.length, 0);

        const changes = (await auditRows(api, 'setting_change')).map((row) => row.detail);
        assert.deepEqual(changes, [
          { setting: 'lanVisible', from: true, to: false },
          { setting: 'lanVisible', from: false, to: true },
        ]);
      } finally {
        stream.close();
      }
    } finally {
      for (const guest of guests) guest.destroy();
      await hub.stop();
    }
  });

  it('a LAN address that cannot be bound leaves the hub as it was (PORT_IN_USE)', async () => {
    const lanAddress = localLanAddress();
    const hub = await startTestHub();
    // Another program holds the hub's port on a LAN address: 0.0.0.0 cannot be bound then.
    const blocker = createServer();
    try {
      const blocked = await new Promise<boolean>((resolve) => {
        blocker.once('error', () => resolve(false));
        blocker.listen(hub.port, lanAddress ?? '127.0.0.2', () => resolve(true));
      });
      assert.ok(blocked, 'could not hold the port on another address');
      const api = AdminApi.for(hub);
      const response = await api.request('PATCH', '/api/settings', { body: { lanVisible: true } });
      assert.equal(response.status, 500);
      assert.equal(errorCodeOf(response.json), 'PORT_IN_USE');
      const settings = await api.expect<HubSettings>(200, 'GET', '/api/settings');
      assert.equal(settings.lanVisible, false);
      assert.equal(readRuntimeInfo(hub.dataDir)?.host, '127.0.0.1');
    } finally {
      await new Promise<void>((resolve) => (blocker.listening ? blocker.close(() => resolve()) : resolve()));
      await hub.stop();
    }
  });
});
