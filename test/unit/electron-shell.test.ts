import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { desktopHubConfig, hubDataDir, readLaunchOptions } from '../../electron/launch-options.js';
import { chooseKeyProtection, type SafeStorageLike } from '../../electron/safe-storage-protector.js';
import { connectedClientsLabel, describeHubState } from '../../electron/tray-state.js';
import { parseHubConfig } from '../../src/config.js';

const running = (overrides: Partial<{ lanVisible: boolean; listenHost: string; connections: number }> = {}) =>
  describeHubState({
    phase: 'running',
    overview: {
      name: 'Studio',
      listenHost: '192.168.1.20:7420',
      lanVisible: true,
      connections: 3,
      ...overrides,
    },
  });

describe('Electron shell: the tray says where the hub is and who is on it', () => {
  it('a hub on the LAN shows its address, its clients and offers to hide', () => {
    const model = running();
    assert.deepEqual(model.status, ['Visible on the LAN at 192.168.1.20:7420', '3 connected clients']);
    assert.deepEqual(model.lanToggle, { label: 'Hide from the LAN', lanVisible: true });
    assert.equal(
      model.tooltip,
      'Boardhub “Studio”: visible on the LAN at 192.168.1.20:7420, 3 connected clients',
    );
  });

  it('a hub on this computer only says so and offers to show it on the LAN', () => {
    const model = running({ lanVisible: false, listenHost: '127.0.0.1:7420', connections: 0 });
    assert.deepEqual(model.status, ['Only this computer', 'No connected clients']);
    assert.deepEqual(model.lanToggle, { label: 'Show on the LAN', lanVisible: false });
  });

  it('starting, stopping and failure have no LAN toggle', () => {
    assert.equal(describeHubState({ phase: 'starting' }).lanToggle, null);
    assert.equal(describeHubState({ phase: 'stopping' }).lanToggle, null);
    const failed = describeHubState({ phase: 'failed', message: 'Port 7420 is in use.' });
    assert.deepEqual(failed.status, ['The hub is not running', 'Port 7420 is in use.']);
    assert.equal(failed.lanToggle, null);
  });

  it('counts clients in words', () => {
    assert.equal(connectedClientsLabel(1), '1 connected client');
    assert.equal(connectedClientsLabel(12), '12 connected clients');
  });
});

describe('Electron shell: launch options and the hub’s configuration', () => {
  it('a user-data folder from the switch wins over the environment', () => {
    const options = readLaunchOptions(['electron', 'main.js', '--user-data-dir=/tmp/a'], {
      BOARDHUB_USER_DATA_DIR: '/tmp/b',
    });
    assert.equal(options.userDataDir, path.resolve('/tmp/a'));
    assert.equal(
      readLaunchOptions([], { BOARDHUB_USER_DATA_DIR: '/tmp/b' }).userDataDir,
      path.resolve('/tmp/b'),
    );
    assert.equal(readLaunchOptions([], {}).userDataDir, null);
  });

  it('the app’s hub is on the LAN by default, in the user-data folder, with a port that moves when taken', () => {
    const input = desktopHubConfig('/home/ada/.config/Boardhub', { localOnly: false });
    assert.deepEqual(input, {
      dataDir: path.join('/home/ada/.config/Boardhub', 'hub'),
      lanVisibleByDefault: true,
      portFallback: true,
    });
    const config = parseHubConfig(input);
    assert.equal(config.mdns, undefined, 'mDNS follows LAN visibility');
    assert.equal(hubDataDir('/x'), path.join('/x', 'hub'));
  });

  it('--local-only keeps this run on loopback without mDNS', () => {
    const options = readLaunchOptions(['--local-only'], {});
    assert.equal(options.localOnly, true);
    assert.equal(readLaunchOptions([], { BOARDHUB_LOCAL_ONLY: '1' }).localOnly, true);
    const config = parseHubConfig(desktopHubConfig('/u', options));
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.mdns, false);
  });
});

describe('Electron shell: signing keys behind the system keychain', () => {
  /** safeStorage as a reversible transformation, so sealing can be checked without a keychain. */
  const fakeStorage = (available: boolean, backend: string): SafeStorageLike => ({
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain) => Buffer.from(`sealed:${plain}`),
    decryptString: (sealed) => {
      const text = sealed.toString();
      if (!text.startsWith('sealed:')) throw new Error('not ours');
      return text.slice('sealed:'.length);
    },
  });

  it('with a real keychain, any bytes survive a seal and unseal', () => {
    for (const [platform, backend] of [
      ['darwin', 'unknown'],
      ['win32', 'unknown'],
      ['linux', 'gnome_libsecret'],
      ['linux', 'kwallet6'],
    ] as const) {
      const { protector } = chooseKeyProtection(fakeStorage(true, backend), platform);
      assert.ok(protector, `${platform}/${backend}`);
      assert.equal(protector.kind, 'os-keychain');
      const key = Buffer.from([0, 255, 10, 13, 0x80, 1, 2, 3]);
      const sealed = protector.seal(key);
      assert.ok(!sealed.equals(key));
      assert.ok(protector.unseal(sealed).equals(key));
      assert.throws(() => protector.unseal(Buffer.from('foreign')));
    }
  });

  it('without one (no encryption, or Linux’s basic_text fallback) the keys stay in owner-only files', () => {
    assert.equal(chooseKeyProtection(fakeStorage(false, 'gnome_libsecret'), 'linux').protector, null);
    assert.equal(chooseKeyProtection(fakeStorage(false, 'unknown'), 'darwin').protector, null);
    const basic = chooseKeyProtection(fakeStorage(true, 'basic_text'), 'linux');
    assert.equal(basic.protector, null);
    assert.match(basic.reason, /basic_text/);
    assert.equal(chooseKeyProtection(fakeStorage(true, 'unknown'), 'linux').protector, null);
  });
});
