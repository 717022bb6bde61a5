import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '../../src/auth/keyring.js';
import { shortFingerprint } from '../../src/net/lan/fingerprint.js';
import type { LanDiagnostics, PeerHub } from '../../src/net/lan/types.js';
import { assertCliBuilt } from '../helpers/child-hub.js';
import { runCli } from '../helpers/cli.js';
import { type Agent, type HubProcess, namespaceSkipReason, TwoHosts } from '../helpers/netns.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { readStoredDoc } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait.js';

/**
 * LAN presence between two real hub processes on two "hosts": network namespaces joined by a
 * veth pair (see helpers/netns.ts). mDNS runs only inside those namespaces.
 */
const skip = namespaceSkipReason();
if (skip) process.stderr.write(`LAN presence tests skipped: ${skip}\n`);

const PORT_A = 7420;
const PORT_B = 7421;

/** Polls an async check (waitFor is synchronous). */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('LAN presence over mDNS between two hosts', { skip: skip ?? false }, () => {
  const hosts = new TwoHosts();
  const dirA = makeTempDir('boardhub-lan-a-');
  const dirB = makeTempDir('boardhub-lan-b-');
  let hubB: HubProcess;
  let agentA: Agent;
  let agentB: Agent;
  let adminA = '';
  let adminB = '';

  const peersOf = async (agent: Agent, port: number, token: string): Promise<PeerHub[]> => {
    const response = await agent.fetch(`http://127.0.0.1:${port}/api/peers`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 200, JSON.stringify(response.json));
    return response.json as PeerHub[];
  };
  const peersOfA = (): Promise<PeerHub[]> => peersOf(agentA, PORT_A, adminA);
  const peersOfB = (): Promise<PeerHub[]> => peersOf(agentB, PORT_B, adminB);
  const fingerprintOf = (dataDir: string): string => Keyring.open(dataDir).publicKeyFingerprint();
  const startB = (args: string[]): Promise<HubProcess> =>
    hosts.startHub(hosts.b, dirB.path, PORT_B, args).then((hub) => {
      hubB = hub;
      return hub;
    });
  const stopB = async (): Promise<void> => {
    hubB.signal('SIGTERM');
    await hubB.exit;
  };

  before(async () => {
    assertCliBuilt();
    hosts.setUp();
    await hosts.startHub(hosts.a, dirA.path, PORT_A, ['--name', 'Room A']);
    await startB(['--name', 'Room B', '--mdns-ttl', '120s']);
    [agentA, agentB] = await Promise.all([hosts.startAgent(hosts.a), hosts.startAgent(hosts.b)]);
    adminA = (await runCli(['admin-token', '--data', dirA.path])).stdout.trim();
    adminB = (await runCli(['admin-token', '--data', dirB.path])).stdout.trim();
  });

  after(async () => {
    await hosts.cleanup();
    dirA.remove();
    dirB.remove();
  });

  it('each hub finds the other with its name, port, key fingerprint and reachable address, and never lists itself', async () => {
    const fromA = await eventually('A to list B', async () => {
      const peers = await peersOfA();
      return peers.length > 0 ? peers : undefined;
    });
    assert.equal(fromA.length, 1);
    const b = fromA[0] as PeerHub;
    assert.equal(b.name, 'Room B');
    assert.equal(b.port, PORT_B);
    assert.equal(b.fingerprint, fingerprintOf(dirB.path));
    assert.equal(b.fingerprintShort, shortFingerprint(b.fingerprint));
    assert.match(b.fingerprintShort, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){4}$/);
    assert.deepEqual(b.addresses, [hosts.b.address]);
    assert.equal(b.source, 'mdns');
    assert.equal(b.identity, 'new');

    const fromB = await eventually('B to list A', async () => {
      const peers = await peersOfB();
      return peers.length > 0 ? peers : undefined;
    });
    assert.deepEqual(
      fromB.map((p) => [p.name, p.port, p.fingerprint, p.addresses[0]]),
      [['Room A', PORT_A, fingerprintOf(dirA.path), hosts.a.address]],
    );
  });

  it('a stock y-websocket client on one host joins a board on the other through the advertised address', async () => {
    const board = (await runCli(['board', 'create', '--data', dirB.path, '--name', 'Retro'])).stdout.trim();
    // share create runs in another process on B's host: its link points at B's LAN address.
    const created = await hosts.cli(hosts.b, [
      'share',
      'create',
      '--data',
      dirB.path,
      '--board',
      board,
      '--role',
      'edit',
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const issued = JSON.parse(created.stdout) as {
      token: string;
      url: string;
      socketUrl: string;
      alternativeUrls: string[];
      alternativeSocketUrls: string[];
    };
    assert.equal(issued.url, `http://${hosts.b.address}:${PORT_B}/b/${board}#t=${issued.token}`);
    assert.ok(
      issued.socketUrl.startsWith(`ws://${hosts.b.address}:${PORT_B}/ws/canvas/${board}?token=`),
      issued.socketUrl,
    );
    assert.match(
      issued.alternativeUrls[0] ?? '',
      new RegExp(`^http://[A-Za-z0-9-]+\\.local:${PORT_B}/b/${board}#t=`),
    );
    assert.match(
      issued.alternativeSocketUrls[0] ?? '',
      new RegExp(`^ws://[A-Za-z0-9-]+\\.local:${PORT_B}/ws/canvas/`),
    );

    const [b] = await peersOfA();
    assert.ok(b);
    await agentA.yjsWrite(
      `ws://${b.addresses[0]}:${b.port}/ws/canvas`,
      board,
      issued.token,
      'hello from host A',
    );
    await waitFor('the edit to be stored by hub B', () =>
      readStoredDoc(dirB.path, board).getText('t').toString() === 'hello from host A' ? true : undefined,
    );
  });

  it('a hub added by address is verified through its public identity, which needs no token', async () => {
    const identity = await agentA.fetch(`http://${hosts.b.address}:${PORT_B}/api/hub`);
    assert.equal(identity.status, 200);
    assert.deepEqual(Object.keys(identity.json as object).sort(), [
      'fingerprint',
      'fingerprintShort',
      'id',
      'name',
      'protocolVersion',
      'version',
    ]);
    const unauthorized = await agentA.fetch(`http://${hosts.b.address}:${PORT_B}/api/peers`);
    assert.equal(unauthorized.status, 403, 'the rest of the API stays admin-only');

    const auth = { Authorization: `Bearer ${adminA}` };
    const added = await agentA.fetch(`http://127.0.0.1:${PORT_A}/api/peers`, {
      method: 'POST',
      headers: auth,
      body: { host: hosts.b.address, port: PORT_B },
    });
    assert.equal(added.status, 201, JSON.stringify(added.json));
    assert.equal((added.json as PeerHub).fingerprint, fingerprintOf(dirB.path));
    assert.equal((added.json as PeerHub).source, 'manual');

    const wrongPort = await agentA.fetch(`http://127.0.0.1:${PORT_A}/api/peers`, {
      method: 'POST',
      headers: auth,
      body: { host: hosts.b.address, port: 7999 },
    });
    assert.equal(wrongPort.status, 502);
    assert.equal((wrongPort.json as { error: { code: string } }).error.code, 'PEER_UNREACHABLE');

    const hubIdB = (added.json as PeerHub).hubId;
    const removed = await agentA.fetch(`http://127.0.0.1:${PORT_A}/api/peers/${hubIdB}`, {
      method: 'DELETE',
      headers: auth,
    });
    assert.equal(removed.status, 204);
  });

  it('a hub that stops says goodbye and leaves the list at once (its records would live 120 s)', async () => {
    await stopB();
    await eventually('A to drop B after its goodbye', async () =>
      (await peersOfA()).length === 0 ? true : undefined,
    );
  });

  it('a hub killed with kill -9 leaves the list when its records expire (short TTL)', async () => {
    await startB(['--mdns-ttl', '4s']);
    await eventually('A to list B again', async () => ((await peersOfA()).length === 1 ? true : undefined));
    hubB.signal('SIGKILL');
    await hubB.exit;
    await eventually(
      'A to drop the killed B',
      async () => ((await peersOfA()).length === 0 ? true : undefined),
      20_000,
    );
  });

  it('a second hub with a taken name announces itself as "Name (2)"', async () => {
    const started = await startB(['--name', 'Room A']);
    assert.match(started.output(), /announced as "Room A \(2\)"/);
    const [b] = await eventually('A to list B', async () => {
      const peers = await peersOfA();
      return peers.length === 1 ? peers : undefined;
    });
    assert.equal(b?.name, 'Room A (2)');
    const [a] = await eventually('B to list A', async () => {
      const peers = await peersOfB();
      return peers.length === 1 ? peers : undefined;
    });
    assert.equal(a?.name, 'Room A');
    const identity = await agentA.fetch(`http://${hosts.b.address}:${PORT_B}/api/hub`);
    assert.equal((identity.json as { name: string }).name, 'Room A (2)');
  });

  it('the CLI lists other hubs and diagnoses the LAN from inside a host', async () => {
    const peers = await hosts.cli(hosts.a, ['peers', '--data', dirA.path, '--seconds', '2', '--json']);
    assert.equal(peers.code, 0, peers.stderr);
    assert.deepEqual(
      (JSON.parse(peers.stdout) as PeerHub[]).map((p) => [p.name, p.port]),
      [['Room A (2)', PORT_B]],
    );
    const doctor = await hosts.cli(hosts.a, ['doctor', '--data', dirA.path, '--seconds', '2', '--json']);
    assert.equal(doctor.code, 0, doctor.stderr);
    const report = JSON.parse(doctor.stdout) as {
      hub: { running: boolean; answers: boolean; url: string };
      lan: LanDiagnostics;
      problems: unknown[];
    };
    assert.equal(report.hub.running, true);
    assert.equal(report.hub.answers, true);
    assert.equal(report.hub.url, `http://${hosts.a.address}:${PORT_A}`);
    assert.deepEqual(
      report.lan.interfaces.map((i) => [i.name, i.selected]),
      [
        ['eth0', true],
        ['lo', false],
      ],
    );
    assert.deepEqual(
      report.lan.sockets.map((s) => [s.interfaceName, s.state, s.membership]),
      [['eth0', 'ready', 'joined']],
    );
    assert.equal(report.lan.selfHeard, true, "hub A's own announcement is heard");
    assert.deepEqual(report.problems, []);
  });

  it('a hub whose key was replaced is flagged as a changed identity until it is trusted', async () => {
    const before = fingerprintOf(dirB.path);
    await stopB();
    rmSync(join(dirB.path, 'keys', 'keyring.json'));
    await startB(['--name', 'Room A']);
    const after = fingerprintOf(dirB.path);
    assert.notEqual(after, before);
    const b = await eventually('A to list B with its new key', async () =>
      (await peersOfA()).find((p) => p.fingerprint === after),
    );
    assert.equal(b.identity, 'changed');
    assert.equal(b.previousFingerprintShort, shortFingerprint(before));

    const trusted = await agentA.fetch(`http://127.0.0.1:${PORT_A}/api/peers/${b.hubId}/trust`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminA}` },
    });
    assert.equal(trusted.status, 200, JSON.stringify(trusted.json));
    const [again] = await peersOfA();
    assert.equal(again?.identity, 'known');
  });

  it('a name changed in the settings is announced at once; hiding says goodbye, showing announces again', async () => {
    const patchB = (body: unknown) =>
      agentB.fetch(`http://127.0.0.1:${PORT_B}/api/settings`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${adminB}` },
        body,
      });
    const renamed = await patchB({ name: 'Room C' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.json));
    await eventually('A to list B under its new name', async () =>
      (await peersOfA()).find((p) => p.name === 'Room C'),
    );
    assert.equal((await peersOfA()).length, 1, 'renamed, not listed twice');

    const hidden = await patchB({ lanVisible: false });
    assert.equal(hidden.status, 200, JSON.stringify(hidden.json));
    assert.equal((hidden.json as { lanVisible: boolean }).lanVisible, false);
    await eventually('A to drop the hidden B at once', async () =>
      (await peersOfA()).length === 0 ? true : undefined,
    );

    const shown = await patchB({ lanVisible: true });
    assert.equal(shown.status, 200, JSON.stringify(shown.json));
    const b = await eventually('A to list B again', async () =>
      (await peersOfA()).find((p) => p.name === 'Room C'),
    );
    assert.deepEqual(b.addresses, [hosts.b.address]);
  });
});
