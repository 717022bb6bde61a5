import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explicitSettings, parseHubConfig } from '../../src/config.js';
import { resolveStartSettings, SettingsPatchSchema } from '../../src/service/settings.js';

/** Which host, port and idle time a starting hub uses: explicit flag > stored setting > default. */
function resolve(
  input: { host?: string; port?: number; idleUnloadMs?: number; lanVisibleByDefault?: boolean },
  stored: { lanVisible?: boolean; port?: number; idleUnloadMs?: number },
) {
  const configInput = { dataDir: '/tmp/boardhub-precedence', ...input };
  const config = parseHubConfig(configInput);
  return resolveStartSettings(config, explicitSettings(configInput, config), stored);
}

describe('settings precedence at start', () => {
  it('with nothing given or stored: loopback, port 7420, 30 minutes', () => {
    assert.deepEqual(resolve({}, {}), {
      host: '127.0.0.1',
      lanHost: '0.0.0.0',
      loopbackHost: '127.0.0.1',
      port: 7420,
      idleUnloadMs: 30 * 60_000,
    });
  });

  it('the desktop app (lanVisibleByDefault) is visible when nothing is stored', () => {
    assert.equal(resolve({ lanVisibleByDefault: true }, {}).host, '0.0.0.0');
    assert.equal(resolve({ lanVisibleByDefault: true }, { lanVisible: false }).host, '127.0.0.1');
  });

  it('stored settings apply when no flag is given', () => {
    const start = resolve({}, { lanVisible: true, port: 8123, idleUnloadMs: 60_000 });
    assert.equal(start.host, '0.0.0.0');
    assert.equal(start.port, 8123);
    assert.equal(start.idleUnloadMs, 60_000);
  });

  it('an explicit flag wins over the stored setting', () => {
    const start = resolve(
      { host: '127.0.0.1', port: 0, idleUnloadMs: 500 },
      { lanVisible: true, port: 8123, idleUnloadMs: 60_000 },
    );
    assert.equal(start.host, '127.0.0.1');
    assert.equal(start.port, 0);
    assert.equal(start.idleUnloadMs, 500);
  });

  it('a given LAN address is the one visibility switches to; a given loopback name the one it hides to', () => {
    const lan = resolve({ host: '192.168.1.20' }, { lanVisible: false });
    assert.equal(lan.host, '192.168.1.20');
    assert.equal(lan.lanHost, '192.168.1.20');
    assert.equal(lan.loopbackHost, '127.0.0.1');
    const local = resolve({ host: 'localhost' }, { lanVisible: true });
    assert.equal(local.host, 'localhost');
    assert.equal(local.lanHost, '0.0.0.0');
    assert.equal(local.loopbackHost, 'localhost');
  });

  it('a settings change is any subset of the four settings, strictly checked', () => {
    assert.deepEqual(SettingsPatchSchema.parse({}), {});
    assert.deepEqual(SettingsPatchSchema.parse({ name: '  Studio  ', port: 8000 }), {
      name: 'Studio',
      port: 8000,
    });
    for (const bad of [
      { colour: 'red' },
      { port: 0 },
      { port: 70000 },
      { port: '8000' },
      { idleUnloadMs: -1 },
      { idleUnloadMs: 2 ** 31 },
      { lanVisible: 'yes' },
      { name: '' },
      { name: 'x'.repeat(64) },
    ]) {
      assert.equal(SettingsPatchSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
