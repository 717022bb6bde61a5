import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { proofHolds } from '../../src/net/lan/identity.js';
import type { LanDiagnostics, PeerHub, PublicHubIdentity } from '../../src/net/lan/types.js';
import { AdminApi, errorCodeOf } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestHub } from '../helpers/test-hub.js';

/**
 * The LAN side of a hub that needs no multicast: its public identity, hubs added by address,
 * diagnostics, QR codes, the display name. All on 127.0.0.1 with mDNS off (mDNS itself is tested
 * between network namespaces in lan.test.ts).
 */
describe('LAN presence without multicast', () => {
  it('GET /api/hub tells anyone who the hub is, without a token and without secrets', async () => {
    const hub = await startTestHub({ name: 'Workshop' });
    try {
      const response = await fetch(`http://127.0.0.1:${hub.port}/api/hub`);
      assert.equal(response.status, 200);
      const identity = (await response.json()) as PublicHubIdentity;
      assert.equal(identity.id, hub.hub.service.hubId);
      assert.equal(identity.name, 'Workshop');
      assert.match(identity.fingerprint, /^[0-9a-f]{64}$/);
      assert.match(identity.fingerprintShort, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){4}$/);
      assert.deepEqual(Object.keys(identity).sort(), [
        'fingerprint',
        'fingerprintShort',
        'id',
        'name',
        'protocolVersion',
        'version',
      ]);

      const challenge = 'x'.repeat(32);
      const proved = (await (
        await fetch(`http://127.0.0.1:${hub.port}/api/hub?challenge=${challenge}`)
      ).json()) as PublicHubIdentity;
      assert.equal(proofHolds(proved, challenge), true);
      assert.equal(proofHolds(proved, 'y'.repeat(32)), false);
      const bad = await fetch(`http://127.0.0.1:${hub.port}/api/hub?challenge=no.dots.allowed.here`);
      assert.equal(bad.status, 400);
    } finally {
      await hub.stop();
    }
  });

  it('a hub added by address is verified, listed, re-checked and removed; a wrong address says why', async () => {
    const [a, b] = await Promise.all([startTestHub({ name: 'Hub A' }), startTestHub({ name: 'Hub B' })]);
    try {
      const api = AdminApi.for(a);
      assert.deepEqual(await api.expect(200, 'GET', '/api/peers'), []);
      const added = await api.expect<PeerHub>(201, 'POST', '/api/peers', { host: '127.0.0.1', port: b.port });
      assert.equal(added.hubId, b.hub.service.hubId);
      assert.equal(added.name, 'Hub B');
      assert.equal(added.source, 'manual');
      assert.equal(added.identity, 'new');
      assert.equal(added.fingerprint, b.hub.service.hubIdentity().fingerprint);
      const listed = await api.expect<PeerHub[]>(200, 'GET', '/api/peers');
      assert.deepEqual(
        listed.map((p) => [p.name, p.addresses, p.port, p.reachable]),
        [['Hub B', ['127.0.0.1'], b.port, true]],
      );

      const self = await api.request('POST', '/api/peers', { body: { host: '127.0.0.1', port: a.port } });
      assert.equal(self.status, 400);
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const nobody = await api.request('POST', '/api/peers', {
        body: { host: '127.0.0.1', port: closedPort },
      });
      assert.equal(nobody.status, 502);
      assert.equal(errorCodeOf(nobody.json), 'PEER_UNREACHABLE');
      assert.match(nobody.text, /connection refused/);
      const stranger = createServer((_request, response) => response.end('{"hello":"world"}'));
      await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
      const strangerPort = (stranger.address() as AddressInfo).port;
      const notHub = await api.request('POST', '/api/peers', {
        body: { host: '127.0.0.1', port: strangerPort },
      });
      stranger.close();
      assert.equal(notHub.status, 502);
      assert.equal(errorCodeOf(notHub.json), 'PEER_NOT_A_HUB');

      assert.equal((await api.request('DELETE', `/api/peers/${added.hubId}`)).status, 204);
      assert.deepEqual(await api.expect(200, 'GET', '/api/peers'), []);
      assert.equal((await api.request('DELETE', `/api/peers/${added.hubId}`)).status, 404);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('diagnostics say why mDNS is off; the peer routes are admin-only', async () => {
    const hub = await startTestHub();
    try {
      const api = AdminApi.for(hub);
      const report = await api.expect<{ lan: LanDiagnostics; problems: Array<{ code: string }> }>(
        200,
        'GET',
        '/api/diagnostics',
      );
      assert.equal(report.lan.mdns, 'off');
      assert.deepEqual(report.lan.sockets, []);
      assert.ok(report.problems.some((p) => p.code === 'MDNS_OFF'));
      for (const [method, path] of [
        ['GET', '/api/peers'],
        ['POST', '/api/peers'],
        ['GET', '/api/diagnostics'],
        ['POST', '/api/qr'],
      ] as const) {
        assert.equal((await api.request(method, path, { token: null })).status, 401, `${method} ${path}`);
      }
    } finally {
      await hub.stop();
    }
  });

  it('a join link is offered as a QR code, SVG or PNG', async () => {
    const hub = await startTestHub();
    try {
      const api = AdminApi.for(hub);
      const board = await api.createBoard('QR');
      const issued = await api.createShare(board.id, 'view');
      const svg = await fetch(`${api.baseUrl}/api/qr`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: issued.url }),
      });
      assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
      assert.match(await svg.text(), /^<svg[^>]*>.*<\/svg>\s*$/s);
      const png = await fetch(`${api.baseUrl}/api/qr`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: issued.url, format: 'png' }),
      });
      assert.equal(png.headers.get('content-type'), 'image/png');
      assert.deepEqual([...new Uint8Array(await png.arrayBuffer()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      const notUrl = await api.request('POST', '/api/qr', { body: { url: 'ftp://x/y' } });
      assert.equal(notUrl.status, 400);
    } finally {
      await hub.stop();
    }
  });

  it('the name setting is remembered in the data folder; a configured name wins for its run only', async () => {
    const data = makeTempDir();
    try {
      const first = await startTestHub({}, data.path);
      const machineDefault = first.hub.service.hubIdentity().name;
      assert.ok(machineDefault.length > 0);
      await first.hub.service.updateSettings({ name: 'Room 4' }, { name: 'test' });
      await first.stop();
      const flagged = await startTestHub({ name: 'Just today' }, data.path);
      assert.equal(flagged.hub.service.hubIdentity().name, 'Just today');
      await flagged.stop();
      const again = await startTestHub({}, data.path);
      assert.equal(again.hub.service.hubIdentity().name, 'Room 4');
      await again.stop();
    } finally {
      data.remove();
    }
  });

  it('CLI: peers add / remove, share qr as a terminal code or an image file', async () => {
    const [a, b] = await Promise.all([startTestHub(), startTestHub({ name: 'Hub B' })]);
    const out = makeTempDir();
    try {
      const added = await runCli(['peers', 'add', `127.0.0.1:${b.port}`, '--data', a.dataDir, '--json']);
      assert.equal(added.code, 0, added.stderr);
      const peer = JSON.parse(added.stdout) as PeerHub;
      assert.equal(peer.name, 'Hub B');
      const wrong = await runCli(['peers', 'add', 'not a host', '--data', a.dataDir]);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /Not a host name or address/);
      const removed = await runCli(['peers', 'remove', peer.hubId, '--data', a.dataDir]);
      assert.equal(removed.code, 0, removed.stderr);

      const url = 'ws://192.168.1.23:7420/ws/canvas/b_board?token=abc';
      const terminal = await runCli(['share', 'qr', url, '--data', a.dataDir]);
      assert.equal(terminal.code, 0, terminal.stderr);
      assert.match(terminal.stdout, /[▀▄█]/);
      const file = join(out.path, 'link.png');
      const png = await runCli(['share', 'qr', url, '--out', file, '--data', a.dataDir]);
      assert.equal(png.code, 0, png.stderr);
      assert.deepEqual([...readFileSync(file).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      out.remove();
    }
  });
});
